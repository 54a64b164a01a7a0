/// The bodies of the anti-entropy endpoints (SPEC §16): the digest check every sync ends with,
/// and the requests that narrow a difference down and repair it both ways.

/// `GET /v1/digests[?total=HEX]`: the digests of everything the caller reads, from one snapshot.
public struct DigestAnswer: Codable, Sendable, Equatable {
    /// The server database's id (see `PullPage.server`).
    public var server: String
    /// The server's newest sequence number in the snapshot the digests were read from.
    public var seq: Int64
    /// The scopes the caller reads, whose digests are summed here (`DigestScope` keys).
    public var scope: [String]
    /// The sum of the bucket digests (16 hex digits).
    public var total: String
    /// The 256 bucket digests, in bucket order; left out when the caller sent its own total and
    /// it matched (nothing differs, nothing more to send).
    public var buckets: [String]?

    public init(server: String, seq: Int64, scope: [String], total: String, buckets: [String]?) {
        self.server = server
        self.seq = seq
        self.scope = scope
        self.total = total
        self.buckets = buckets
    }

    /// The bucket digests as numbers; nil when absent or malformed.
    public var bucketDigests: DigestBuckets? {
        guard let buckets else { return nil }
        let sums = buckets.compactMap(VersionDigest.parse)
        return sums.count == buckets.count ? DigestBuckets(sums: sums) : nil
    }
}

/// `POST /v1/digests/buckets`: which records the server holds in the given buckets, each with its
/// digest, within the caller's scope.
public struct BucketListingRequest: Codable, Sendable {
    public var buckets: [Int]
    public init(buckets: [Int]) { self.buckets = buckets }
}

public struct BucketListing: Codable, Sendable {
    public struct Record: Codable, Hashable, Sendable {
        public var type: RecordType
        public var id: String
        /// The sum of the record's version hashes (16 hex digits).
        public var digest: String
        public init(type: RecordType, id: String, digest: String) {
            self.type = type
            self.id = id
            self.digest = digest
        }
    }
    public var records: [Record]
    public init(records: [Record]) { self.records = records }
}

/// `POST /v1/digests/records`: records whose digests differ, with the versions the client holds
/// of each (field → hlc); the server answers what it holds and which of those it lacks.
public struct RecordCheckRequest: Codable, Sendable {
    public struct Record: Codable, Hashable, Sendable {
        public var type: RecordType
        public var id: String
        /// The client's version of each field it holds (canonical hlc text); may be empty.
        public var versions: [String: String]
        public init(type: RecordType, id: String, versions: [String: String]) {
            self.type = type
            self.id = id
            self.versions = versions
        }
    }
    public var records: [Record]
    public init(records: [Record]) { self.records = records }
}

public struct RecordCheck: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// The record is in the caller's scope: `versions` are all its field versions.
        case present
        /// The server holds the record in a scope the caller does not read: it left their scope.
        case outside
        /// The server does not hold the record at all (a restore lost it, or it never arrived).
        case unknown
    }

    public struct Record: Codable, Sendable {
        public var type: RecordType
        public var id: String
        public var status: Status
        /// Present records only: every field version the server holds.
        public var versions: [PulledChange]?
        /// The fields whose version in the request is newer than the server's, or that the server
        /// lacks: what a repair should bring back.
        public var lacking: [String]

        public init(type: RecordType, id: String, status: Status, versions: [PulledChange]?, lacking: [String]) {
            self.type = type
            self.id = id
            self.status = status
            self.versions = versions
            self.lacking = lacking
        }
    }
    public var records: [Record]
    public init(records: [Record]) { self.records = records }
}

/// `POST /v1/repairs`: field versions the server lacks, brought back as they were written.
public struct RepairRequest: Codable, Sendable {
    public var versions: [RepairVersion]
    public init(versions: [RepairVersion]) { self.versions = versions }
}

/// One field version as it was written: its original timestamp, base, author and change set.
public struct RepairVersion: Codable, Hashable, Sendable {
    public var change: Change
    /// Who wrote it (the pushing user's name on the server that lost it); nil: the repairing user.
    public var author: String?
    public var changeSet: String?

    public init(change: Change, author: String?, changeSet: String?) {
        self.change = change
        self.author = author
        self.changeSet = changeSet
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: VersionKeys.self)
        change = try VersionKeys.decodeChange(c)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        changeSet = try c.decodeIfPresent(String.self, forKey: .changeSet)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VersionKeys.self)
        try VersionKeys.encode(change, into: &c)
        try c.encodeIfPresent(author, forKey: .author)
        try c.encodeIfPresent(changeSet, forKey: .changeSet)
    }
}

public struct RepairAnswer: Codable, Sendable, Equatable {
    /// A record whose versions the server did not take back: the caller may not write its scope,
    /// or it cannot be placed.
    public struct Refusal: Codable, Hashable, Sendable {
        public var type: RecordType
        public var id: String
        public var code: String
        public var reason: String
        public init(type: RecordType, id: String, code: String, reason: String) {
            self.type = type
            self.id = id
            self.code = code
            self.reason = reason
        }
    }
    /// Versions that became their field's value.
    public var applied: Int
    /// Versions the server already held, or held a newer version of (a repair never beats a newer version).
    public var ignored: Int
    public var refused: [Refusal]
    /// Conflict records opened because a repaired version met a concurrent one.
    public var conflicts: [String]

    public init(applied: Int, ignored: Int, refused: [Refusal], conflicts: [String]) {
        self.applied = applied
        self.ignored = ignored
        self.refused = refused
        self.conflicts = conflicts
    }
}

extension SyncLimits {
    /// Buckets per bucket listing request, records per record check, versions per repair.
    public static let maxBucketsPerListing = VersionDigest.bucketCount
    public static let maxRecordsPerCheck = 1000
    public static let maxVersionsPerRepair = 5000
}
