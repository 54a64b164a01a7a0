/// Anti-entropy digests (SPEC §16): a replica's field versions summed into 256 buckets, so two
/// replicas can tell with one small request whether they hold the same versions, and narrow a
/// difference down to the buckets and records that differ without sending everything.
///
/// A field version is hashed as the UTF-8 text `type|id|field|hlc` (`hlc` in its canonical text
/// form) with XXH64, seed 0. A record's versions all fall into one bucket: the top 8 bits of the
/// XXH64 of `type|id`. A bucket's digest is the sum modulo 2^64 of the hashes of the versions in
/// it, so it does not depend on the order versions arrived in, and a write changes it in O(1):
/// add the new version's hash, subtract the one it replaced. Values are not hashed: two replicas
/// holding the same versions hold the same values (a version is a value written once).
public enum VersionDigest {
    public static let bucketCount = 256

    /// The hash of one field version.
    public static func hash(type: String, id: String, field: String, hlc: String) -> UInt64 {
        hashJoined(type, id, field, hlc)
    }

    /// The bucket a record's versions belong to.
    public static func bucket(type: String, id: String) -> Int {
        Int(hashJoined(type, id) >> 56)
    }

    /// XXH64 of the texts joined by `|`, put together in a buffer on the stack: the server hashes
    /// every version it writes and the client every version it merges, and an array per hash
    /// was an allocation and a free each time.
    private static func hashJoined(_ first: String, _ second: String, _ third: String? = nil, _ fourth: String? = nil) -> UInt64 {
        let parts = (first.utf8.count, second.utf8.count, third?.utf8.count, fourth?.utf8.count)
        let length = parts.0 + parts.1 + (parts.2.map { $0 + 1 } ?? 0) + (parts.3.map { $0 + 1 } ?? 0) + 1
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            var offset = 0
            func append(_ text: String) {
                var text = text
                text.withUTF8 { bytes in
                    guard let source = bytes.baseAddress else { return }
                    (buffer.baseAddress! + offset).initialize(from: source, count: bytes.count)
                    offset += bytes.count
                }
            }
            func separate() {
                (buffer.baseAddress! + offset).initialize(to: UInt8(ascii: "|"))
                offset += 1
            }
            append(first)
            separate()
            append(second)
            if let third { separate(); append(third) }
            if let fourth { separate(); append(fourth) }
            return XXH64.hash(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[0..<offset])))
        }
    }

    /// A digest as it travels: 16 lowercase hex digits.
    public static func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Reads a digest's text form; nil unless it is 1 to 16 hex digits.
    public static func parse(_ text: String) -> UInt64? {
        guard (1...16).contains(text.utf8.count), text.utf8.allSatisfy({ hexDigitValue($0) != nil }) else { return nil }
        return UInt64(text, radix: 16)
    }
}

/// The 256 bucket digests of one scope (or of everything a replica holds).
public struct DigestBuckets: Equatable, Sendable {
    public private(set) var sums: [UInt64]

    public init() { sums = Array(repeating: 0, count: VersionDigest.bucketCount) }

    public init?(sums: [UInt64]) {
        guard sums.count == VersionDigest.bucketCount else { return nil }
        self.sums = sums
    }

    /// The digest of all buckets together.
    public var total: UInt64 { sums.reduce(0, &+) }

    public mutating func add(_ delta: UInt64, bucket: Int) { sums[bucket] &+= delta }

    /// Adds another scope's buckets, bucket by bucket (a user reads several scopes).
    public mutating func add(_ other: DigestBuckets) {
        for index in sums.indices { sums[index] &+= other.sums[index] }
    }

    /// The buckets whose digests differ from `other`'s.
    public func differingBuckets(from other: DigestBuckets) -> [Int] {
        sums.indices.filter { sums[$0] != other.sums[$0] }
    }
}

/// XXH64 (Yann Collet's xxHash, 64-bit variant): fast, well distributed, and specified, so other
/// implementations of the protocol (and a PostgreSQL function) can compute the same digests.
public enum XXH64 {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    public static func hash(_ input: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let length = input.count
        var offset = 0
        var h: UInt64
        if length >= 32 {
            var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
            while offset + 32 <= length {
                v1 = round(v1, word64(input, offset))
                v2 = round(v2, word64(input, offset + 8))
                v3 = round(v3, word64(input, offset + 16))
                v4 = round(v4, word64(input, offset + 24))
                offset += 32
            }
            h = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            // Lane by lane, without an array literal per hash.
            h = (h ^ round(0, v1)) &* prime1 &+ prime4
            h = (h ^ round(0, v2)) &* prime1 &+ prime4
            h = (h ^ round(0, v3)) &* prime1 &+ prime4
            h = (h ^ round(0, v4)) &* prime1 &+ prime4
        } else {
            h = seed &+ prime5
        }
        h &+= UInt64(length)
        while offset + 8 <= length {
            h = rotate(h ^ round(0, word64(input, offset)), 27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= length {
            h = rotate(h ^ (UInt64(word32(input, offset)) &* prime1), 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < length {
            h = rotate(h ^ (UInt64(input[offset]) &* prime5), 11) &* prime1
            offset += 1
        }
        h ^= h >> 33
        h &*= prime2
        h ^= h >> 29
        h &*= prime3
        h ^= h >> 32
        return h
    }

    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 { (value << bits) | (value >> (64 - bits)) }

    private static func word64(_ input: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private static func word32(_ input: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: input.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
