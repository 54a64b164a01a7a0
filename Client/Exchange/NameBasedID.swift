import KetteProtocol

/// Stable ids for rows that exist only in an export (an HSDS attribute linking an offer to a life
/// phase, a location several offers share): RFC 4122 version-5 UUIDs, made from a name.
///
/// The same name always gives the same id, so a consumer that loads every export of a county sees
/// the same row with the same id each time, and a changed offer updates its rows instead of adding
/// new ones. SHA-1 is what version 5 prescribes; it serves here as a fingerprint, not for security.
public enum NameBasedID {
    /// Kette's own namespace, so our ids never collide with another system's version-5 ids.
    public static let ketteNamespace = "6c1f0a52-3b9e-4d1e-9a57-8e0c2f4b7d31"

    /// The version-5 UUID of `name` in `namespace` (a UUID in its text form), lowercased.
    public static func uuid(_ name: String, namespace: String = ketteNamespace) -> String {
        var bytes = uuidBytes(namespace)
        bytes.append(contentsOf: Array(name.utf8))
        var digest = Array(SHA1.hash(bytes).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50  // version 5
        digest[8] = (digest[8] & 0x3F) | 0x80  // RFC 4122 variant
        return RecordIdentifier.uuidText(digest)
    }

    /// The 16 bytes of a UUID's text form; a malformed namespace is a programming error.
    private static func uuidBytes(_ text: String) -> [UInt8] {
        let hex = Array(text.utf8.filter { $0 != UInt8(ascii: "-") })
        precondition(hex.count == 32, "not a UUID: \(text)")
        func nibble(_ character: UInt8) -> UInt8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
            default: preconditionFailure("not a UUID: \(text)")
            }
        }
        return stride(from: 0, to: 32, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
    }
}

/// SHA-1 (FIPS 180-4), only for version-5 UUIDs: the client has no crypto library to borrow it from.
enum SHA1 {
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var padded = message
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        let bitLength = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(padded[j]) << 24 | UInt32(padded[j + 1]) << 16 | UInt32(padded[j + 2]) << 8 | UInt32(padded[j + 3])
            }
            for i in 16..<80 { w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32)
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let temp = rotate(a, 5) &+ f &+ e &+ k &+ w[i]
                (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 - count)
    }
}
