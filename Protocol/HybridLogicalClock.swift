import Foundation

/// A replica's identity: random, made once when a store or server database is created.
public struct ReplicaID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A fresh random id: 32 lowercase hex digits (a v4 UUID without dashes).
    public static func random() -> ReplicaID {
        ReplicaID(rawValue: UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
    }

    public var description: String { rawValue }
}

/// A hybrid logical clock timestamp: physical milliseconds, a counter for events within the same
/// millisecond, and the replica that made it. Totally ordered, and the replica id breaks ties, so
/// two replicas never produce equal timestamps.
///
/// The text form `MMMMMMMMMMMMMMM-CCCC-REPLICA` (15 decimal digits, 4 hex digits) sorts like the
/// timestamps themselves, so SQLite can compare encoded timestamps as plain text.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let physicalMilliseconds: Int64
    public let counter: UInt16
    public let replica: ReplicaID
    /// The text form, made once: timestamps are compared and stored as text on every merge.
    public let encoded: String

    public init(physicalMilliseconds: Int64, counter: UInt16, replica: ReplicaID) {
        self.physicalMilliseconds = physicalMilliseconds
        self.counter = counter
        self.replica = replica
        self.encoded = Self.encode(physicalMilliseconds, counter, replica)
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.physicalMilliseconds, lhs.counter, lhs.replica.rawValue) < (rhs.physicalMilliseconds, rhs.counter, rhs.replica.rawValue)
    }

    public static func == (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        lhs.physicalMilliseconds == rhs.physicalMilliseconds && lhs.counter == rhs.counter && lhs.replica == rhs.replica
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(physicalMilliseconds)
        hasher.combine(counter)
        hasher.combine(replica)
    }

    public var description: String { encoded }

    /// The text that sorts after every canonical timestamp of earlier milliseconds and before
    /// every one of `physicalMilliseconds` or later (text order is clock order, SPEC §5.1): for
    /// range conditions on stored timestamps in SQL, such as "stamped before this time".
    public static func encodedStart(ofMillisecond physicalMilliseconds: Int64) -> String {
        HLCTimestamp(physicalMilliseconds: physicalMilliseconds, counter: 0, replica: ReplicaID(rawValue: "")).encoded
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func encode(_ millis: Int64, _ counter: UInt16, _ replica: ReplicaID) -> String {
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 21)
        var value = max(0, millis)
        var position = 14
        while value > 0 && position >= 0 {
            bytes[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            position -= 1
        }
        bytes[15] = UInt8(ascii: "-")
        bytes[16] = hexDigits[Int(counter >> 12)]
        bytes[17] = hexDigits[Int((counter >> 8) & 0xF)]
        bytes[18] = hexDigits[Int((counter >> 4) & 0xF)]
        bytes[19] = hexDigits[Int(counter & 0xF)]
        bytes[20] = UInt8(ascii: "-")
        bytes.append(contentsOf: replica.rawValue.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the text form; nil when it is malformed. Reads bytes, not characters: it runs once
    /// per pulled change.
    public init?(encoded text: String) {
        var text = text
        let parsed: (Int64, UInt16, String)? = text.withUTF8 { bytes in
            guard bytes.count > 21, bytes[15] == UInt8(ascii: "-"), bytes[20] == UInt8(ascii: "-") else { return nil }
            var millis: Int64 = 0
            for index in 0..<15 {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                millis = millis * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            var counter: UInt16 = 0
            for index in 16..<20 {
                guard let digit = hexDigitValue(bytes[index]) else { return nil }
                counter = counter << 4 | UInt16(digit)
            }
            for index in 21..<bytes.count {
                let byte = bytes[index]
                let isAlphanumeric = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                guard isAlphanumeric else { return nil }
            }
            return (millis, counter, String(decoding: UnsafeBufferPointer(rebasing: bytes[21...]), as: UTF8.self))
        }
        guard let (millis, counter, replica) = parsed else { return nil }
        self.physicalMilliseconds = millis
        self.counter = counter
        self.replica = ReplicaID(rawValue: replica)
        // Keep a canonical text (lowercase counter), whatever case the input used.
        self.encoded = Self.encode(millis, counter, self.replica)
    }
}

extension HLCTimestamp: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = HLCTimestamp(encoded: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a hybrid logical clock timestamp: \(text)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoded)
    }
}

/// The hybrid logical clock of one replica: hands out strictly increasing timestamps that stay
/// close to physical time, and moves past every timestamp it has seen from other replicas.
public struct HybridLogicalClock: Sendable {
    public let replica: ReplicaID
    /// The last timestamp issued or observed.
    public private(set) var last: HLCTimestamp

    public init(replica: ReplicaID, last: HLCTimestamp? = nil) {
        self.replica = replica
        self.last = last ?? HLCTimestamp(physicalMilliseconds: 0, counter: 0, replica: replica)
    }

    /// A timestamp for a local event at physical time `now` (milliseconds since 1970).
    public mutating func tick(now: Int64) -> HLCTimestamp {
        let next: HLCTimestamp
        if now > last.physicalMilliseconds {
            next = HLCTimestamp(physicalMilliseconds: now, counter: 0, replica: replica)
        } else {
            next = Self.successor(of: last, replica: replica)
        }
        last = next
        return next
    }

    /// Moves the clock past a timestamp received from another replica; the next local tick
    /// is then greater than `remote`.
    public mutating func observe(_ remote: HLCTimestamp, now: Int64) {
        let base = max(last, remote)
        if now > base.physicalMilliseconds {
            last = HLCTimestamp(physicalMilliseconds: now, counter: 0, replica: replica)
        } else {
            last = HLCTimestamp(physicalMilliseconds: base.physicalMilliseconds, counter: base.counter, replica: replica)
        }
    }

    /// Moves the clock past the newest of `timestamps` (the versions of a pulled record).
    public mutating func observe<S: Sequence>(newestOf timestamps: S, now: Int64) where S.Element == HLCTimestamp {
        guard let newest = timestamps.max() else { return }
        observe(newest, now: now)
    }

    /// The next timestamp after `timestamp` in the same millisecond; when the counter is
    /// exhausted the clock borrows the next millisecond rather than wrap around.
    private static func successor(of timestamp: HLCTimestamp, replica: ReplicaID) -> HLCTimestamp {
        if timestamp.counter == UInt16.max {
            return HLCTimestamp(physicalMilliseconds: timestamp.physicalMilliseconds + 1, counter: 0, replica: replica)
        }
        return HLCTimestamp(physicalMilliseconds: timestamp.physicalMilliseconds, counter: timestamp.counter + 1, replica: replica)
    }
}
