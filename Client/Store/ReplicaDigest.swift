import KetteProtocol
import KetteStore

/// The digest of every field version this replica holds (SPEC §16), in 256 buckets by record,
/// compared with the server's digests of the scopes the user reads at the end of every sync.
/// Every write changes it in the same transaction (`DigestDeltas`), so the check reads 256 rows.
enum ReplicaDigest {
    /// The digest of each bucket, as kept.
    static func buckets(in db: Database) throws -> DigestBuckets {
        var buckets = DigestBuckets()
        try db.forEachRow("SELECT bucket, digest FROM replica_digests") { row in
            guard let bucket = row.int(0), (0..<VersionDigest.bucketCount).contains(bucket) else { return }
            buckets.add(UInt64(bitPattern: Int64(row.int(1) ?? 0)), bucket: bucket)
        }
        return buckets
    }

    /// Computes the digests from the versions held: one scan (a migration, a test of the upkeep).
    static func rebuild(in db: Database) throws {
        let deltas = DigestDeltas()
        try db.forEachRow("SELECT record_type, record_id, field, hlc FROM field_versions") { row in
            let type = row.string(0) ?? "", id = row.string(1) ?? ""
            deltas.add(VersionDigest.hash(type: type, id: id, field: row.string(2) ?? "", hlc: row.string(3) ?? ""),
                       type: type, id: id)
        }
        try db.execute("DELETE FROM replica_digests")
        try deltas.write(into: db)
    }

    /// What a self-check found.
    struct SelfCheck {
        /// Versions held, after the check.
        var versions = 0
        /// Buckets whose kept digest did not match the versions held (now rewritten).
        var wrongBuckets = 0
        /// Versions forgotten because their record's row was gone (their values were lost with it).
        var orphanedVersions = 0
    }

    /// Checks the kept digests against the versions held, and the versions against the record
    /// rows, in one transaction: what was changed behind the store's back (a damaged file, a bug,
    /// a hand edit with the sqlite3 shell) shows here and nowhere else, because every write
    /// through the store keeps the digests right. Versions whose record row is gone are forgotten
    /// (their values went with the row), and wrong digests are rewritten from the versions; the
    /// digest check that follows then takes what is missing from the server again.
    static func selfCheck(in db: Database) throws -> SelfCheck {
        var check = SelfCheck()
        for type in RecordType.allCases {
            try db.execute("""
                DELETE FROM field_versions WHERE record_type = ? AND record_id NOT IN (SELECT id FROM \(type.table))
                """, [type.rawValue])
            check.orphanedVersions += db.changes
        }
        var computed = DigestBuckets()
        try db.forEachRow("SELECT record_type, record_id, field, hlc FROM field_versions") { row in
            let type = row.string(0) ?? "", id = row.string(1) ?? ""
            computed.add(VersionDigest.hash(type: type, id: id, field: row.string(2) ?? "", hlc: row.string(3) ?? ""),
                         bucket: VersionDigest.bucket(type: type, id: id))
            check.versions += 1
        }
        check.wrongBuckets = try buckets(in: db).differingBuckets(from: computed).count
        if check.wrongBuckets > 0 {
            try db.execute("DELETE FROM replica_digests")
            let write = try db.cachedStatement("INSERT INTO replica_digests (bucket, digest) VALUES (?, ?)")
            for (bucket, digest) in computed.sums.enumerated() where digest != 0 {
                try write.run([.integer(Int64(bucket)), .integer(Int64(bitPattern: digest))])
            }
        }
        return check
    }

    /// Every record held in `buckets`, with its digest and its versions (field → hlc).
    static func records(inBuckets buckets: Set<Int>, in db: Database) throws -> [RecordKey: (digest: UInt64, versions: [String: String])] {
        var records: [RecordKey: (digest: UInt64, versions: [String: String])] = [:]
        try db.forEachRow("SELECT record_type, record_id, field, hlc FROM field_versions") { row in
            guard let typeName = row.string(0), let type = RecordType(rawValue: typeName), let id = row.string(1),
                  let field = row.string(2), let hlc = row.string(3),
                  buckets.contains(VersionDigest.bucket(type: typeName, id: id)) else { return }
            let key = RecordKey(type: type, id: id)
            var entry = records[key] ?? (0, [:])
            entry.digest &+= VersionDigest.hash(type: typeName, id: id, field: field, hlc: hlc)
            entry.versions[field] = hlc
            records[key] = entry
        }
        return records
    }

    /// The digest of one record held here (0 when none of it is).
    static func recordDigest(type: RecordType, id: String, in db: Database) throws -> UInt64 {
        var digest: UInt64 = 0
        try db.forEachRow("SELECT field, hlc FROM field_versions WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) { row in
            digest &+= VersionDigest.hash(type: type.rawValue, id: id, field: row.string(0) ?? "", hlc: row.string(1) ?? "")
        }
        return digest
    }
}

/// A record, by type and id.
typealias RecordKey = RecordApplier.RecordKey

/// The digest changes of one transaction, per bucket, written just before it commits: a write
/// costs a hash and an addition, not a row update per field.
final class DigestDeltas {
    private var byBucket: [Int: UInt64] = [:]

    /// Notes that a field's version went from `old` (nil: none) to `new` (nil: removed).
    func replace(type: String, id: String, field: String, old: String?, new: String?) {
        var delta: UInt64 = 0
        if let new { delta &+= VersionDigest.hash(type: type, id: id, field: field, hlc: new) }
        if let old { delta &-= VersionDigest.hash(type: type, id: id, field: field, hlc: old) }
        add(delta, type: type, id: id)
    }

    func add(_ delta: UInt64, type: String, id: String) {
        guard delta != 0 else { return }
        byBucket[VersionDigest.bucket(type: type, id: id), default: 0] &+= delta
    }

    /// Adds the deltas to the stored digests (modulo 2^64, in Swift: SQLite would turn an
    /// overflowing sum into a float), and forgets them.
    func write(into db: Database) throws {
        guard !byBucket.isEmpty else { return }
        let read = try db.cachedStatement("SELECT digest FROM replica_digests WHERE bucket = ?")
        let upsert = try db.cachedStatement("""
            INSERT INTO replica_digests (bucket, digest) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET digest = excluded.digest
            """)
        for (bucket, delta) in byBucket where delta != 0 {
            try read.bind(values: [.integer(Int64(bucket))])
            let stored = try read.step() ? UInt64(bitPattern: Int64(read.row().int(0) ?? 0)) : 0
            read.reset()
            try upsert.run([.integer(Int64(bucket)), .integer(Int64(bitPattern: stored &+ delta))])
        }
        byBucket.removeAll()
    }
}

@available(*, unavailable)
extension DigestDeltas: Sendable {}
