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

    public init(physicalMilliseconds: Int64, counter: UInt16, replica: ReplicaID) {
        self.physicalMilliseconds = physicalMilliseconds
        self.counter = counter
        self.replica = replica
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.physicalMilliseconds, lhs.counter, lhs.replica.rawValue) < (rhs.physicalMilliseconds, rhs.counter, rhs.replica.rawValue)
    }

    public var encoded: String {
        let millis = String(physicalMilliseconds)
        let hex = String(counter, radix: 16)
        return String(repeating: "0", count: max(0, 15 - millis.count)) + millis + "-"
            + String(repeating: "0", count: 4 - hex.count) + hex + "-" + replica.rawValue
    }

    public var description: String { encoded }

    /// Parses the text form; nil when it is malformed.
    public init?(encoded text: String) {
        let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 15, parts[1].count == 4, !parts[2].isEmpty,
              parts[0].allSatisfy(\.isASCII), let millis = Int64(parts[0]), millis >= 0,
              let counter = UInt16(parts[1], radix: 16),
              parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        self.init(physicalMilliseconds: millis, counter: counter, replica: ReplicaID(rawValue: String(parts[2])))
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

    /// The next timestamp after `timestamp` in the same millisecond; when the counter is
    /// exhausted the clock borrows the next millisecond rather than wrap around.
    private static func successor(of timestamp: HLCTimestamp, replica: ReplicaID) -> HLCTimestamp {
        if timestamp.counter == UInt16.max {
            return HLCTimestamp(physicalMilliseconds: timestamp.physicalMilliseconds + 1, counter: 0, replica: replica)
        }
        return HLCTimestamp(physicalMilliseconds: timestamp.physicalMilliseconds, counter: timestamp.counter + 1, replica: replica)
    }
}
