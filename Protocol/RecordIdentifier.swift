/// Ids of new records and change sets, and the short codes people read and type.
///
/// New ids are RFC 9562 version-7 UUIDs: 48 bits of Unix milliseconds, then 74 random bits. Ids
/// made one after another sort one after another, so a store's and the server's primary-key
/// B-trees grow at their end instead of taking every insert on a random page: with random ids a
/// first sync of a million field changes wrote 27 times its store's size (BENCHMARKS.md).
///
/// Lists show eight characters of an id, and people type them (or their start) back. The start of
/// a time-ordered id is its creation time, alike for everything made within about a minute, so
/// the short code of such an id is its last eight characters, from the random part. Older ids
/// (random version-4 UUIDs, and ids from other systems) keep their first eight.
public enum RecordIdentifier {
    /// Characters in a short code.
    public static let shortCodeLength = 8

    /// A new version-7 UUID, lowercased, for the moment `milliseconds` (since 1970).
    public static func timeOrdered(milliseconds: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return timeOrdered(milliseconds: milliseconds, using: &generator)
    }

    /// A new version-7 UUID with its random bits from `generator` (tests make them predictable).
    public static func timeOrdered<G: RandomNumberGenerator>(milliseconds: Int64, using generator: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let time = UInt64(clamping: max(0, milliseconds)) & 0xFFFF_FFFF_FFFF
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: time >> (8 * (5 - index))) }
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: random.0 >> (8 * (index - 6))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: random.1 >> (8 * (index - 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return uuidText(bytes)
    }

    /// True for a version-7 UUID in its lowercased text form (`xxxxxxxx-xxxx-7xxx-…`).
    public static func isTimeOrdered(_ id: String) -> Bool {
        let characters = Array(id.utf8)
        guard characters.count == 36, characters[14] == UInt8(ascii: "7") else { return false }
        return [8, 13, 18, 23].allSatisfy { characters[$0] == UInt8(ascii: "-") }
    }

    /// The eight characters lists show for `id`: from the random end of a time-ordered id, from
    /// the start of any other.
    public static func shortCode(_ id: String) -> String {
        isTimeOrdered(id) ? String(id.suffix(shortCodeLength)) : String(id.prefix(shortCodeLength))
    }

    /// Whether what a person typed names `id`: its start, or the start of its short code.
    /// `typed` is compared as given; callers lowercase it.
    public static func matches(_ id: String, typed: String) -> Bool {
        guard !typed.isEmpty else { return false }
        return id.hasPrefix(typed) || (isTimeOrdered(id) && shortCode(id).hasPrefix(typed))
    }

    /// The SQL condition of `matches` on `column`, for a query bound with the typed text as `?1`
    /// (lowercased). Positions are SQLite's `substr`, counted from 1.
    public static func sqlMatch(_ column: String) -> String {
        """
        (substr(\(column), 1, length(?1)) = ?1 OR (length(\(column)) = 36 AND substr(\(column), 15, 1) = '7' \
        AND substr(\(column), 9, 1) || substr(\(column), 14, 1) || substr(\(column), 19, 1) || substr(\(column), 24, 1) = '----' \
        AND substr(\(column), 29, length(?1)) = ?1))
        """
    }

    /// The lowercase text form of a UUID's 16 bytes (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
    public static func uuidText(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a UUID has 16 bytes, not \(bytes.count)")
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
