import KetteProtocol
import KetteStore

/// A record, by type and id.
struct RecordKey: Hashable {
    let type: RecordType
    let id: String
}

/// Where the server keeps a record: the `district` and `everyone` columns of `record_scope`.
struct StoredScope: Equatable, Sendable {
    var district: String?
    /// Read by every user: the register of organizations, the list of districts, and conflicts
    /// about them.
    var everyone: Bool

    init(district: String?, everyone: Bool) {
        self.district = district
        self.everyone = everyone
    }

    init(_ scope: RecordScope) {
        self.init(district: scope.storedDistrict, everyone: scope.isReadableByEveryone)
    }

    var digestKey: String { DigestScope.key(district: district, everyone: everyone) }

    /// The rule pull reads by: everyone's records, one's districts', and everything for the
    /// county office and admins.
    func isReadable(by identity: Identity) -> Bool {
        identity.role.seesEverything || everyone || district.map(identity.districts.contains) ?? false
    }
}

/// The scopes digests are kept for (SPEC §16): `district:ID` per district, `everyone` for the
/// records every user reads (the register of organizations and the list of districts, which
/// every user reads together, so one digest serves both), `county` for county-wide records; and
/// `*`, the sum of all, for the county office and admins, summed when it is read, not stored.
enum DigestScope {
    static let all = "*"
    static let everyone = "everyone"
    static let county = "county"

    static func key(district: String?, everyone: Bool) -> String {
        if everyone { return Self.everyone }
        return district.map { "district:" + $0 } ?? county
    }

    /// The scopes a user reads, in a stable order.
    static func keys(readBy identity: Identity) -> [String] {
        identity.role.seesEverything ? [all] : [everyone] + Set(identity.districts).sorted().map { "district:" + $0 }
    }
}

/// The digest changes of one write transaction, per scope and bucket, written in one go by
/// `WriteContext.save`: a write costs a hash and an addition here, not a row update.
struct DigestLedger {
    private(set) var deltas: [String: [Int: UInt64]] = [:]

    /// `*` is not kept: every push would write its buckets (256 rows, as many as its own
    /// scope's), and every server process would update the same rows.
    mutating func add(_ delta: UInt64, scope: String, bucket: Int) {
        guard delta != 0 else { return }
        deltas[scope, default: [:]][bucket, default: 0] &+= delta
    }

    /// Adds the deltas to the stored digests: reads the stored digests of the scopes it changes
    /// in one query, adds modulo 2^64 here (SQLite's own integer addition would turn an overflow
    /// into a float, PostgreSQL's would fail), and writes the sums back as multi-row upserts.
    /// A push changes a few hundred buckets; a read and a write each was two round trips per
    /// bucket, nine in ten of a push's statements on PostgreSQL.
    func write(into db: any ServerDatabase) throws {
        guard !deltas.isEmpty else { return }
        var stored: [String: [Int: UInt64]] = [:]
        try db.forEachRow("SELECT scope, bucket, digest FROM scope_digests WHERE \(db.isListed("scope"))",
                          [FieldValue.list(Array(deltas.keys)).jsonText]) { row in
            guard let scope = row.string(0), let bucket = row.int(1) else { return }
            stored[scope, default: [:]][bucket] = UInt64(bitPattern: Int64(row.int(2) ?? 0))
        }
        var sums = HeldRows<Int>(Self.upsertDigests)
        for (scope, buckets) in deltas {
            for (bucket, delta) in buckets where delta != 0 {
                sums.hold([.text(scope), .integer(Int64(bucket)), .integer(Int64(bitPattern: (stored[scope]?[bucket] ?? 0) &+ delta))])
            }
        }
        // 256 rows per statement on SQLite too: the table is small (a row per scope and bucket),
        // so the statement journal that makes multi-row inserts of versions slower stays small,
        // and a statement per bucket was a tenth of a push on SQLite.
        try sums.send(to: db, rowsPerStatement: max(db.rowsPerInsert, 256))
    }

    static let upsertDigests = MultiRowInsert(
        table: "scope_digests", columns: ["scope", "bucket", "digest"],
        tail: " ON CONFLICT (scope, bucket) DO UPDATE SET digest = excluded.digest")
}

/// Reading and rebuilding the stored digests.
enum DigestUpkeep {
    /// The summed buckets of `scopes`, as stored; `*` sums every stored scope (a few hundred rows
    /// per district).
    static func buckets(of scopes: [String], in db: any ServerDatabase) throws -> DigestBuckets {
        var buckets = DigestBuckets()
        for scope in scopes {
            let (filter, arguments) = scope == DigestScope.all ? ("scope <> ?", [DigestScope.all]) : ("scope = ?", [scope])
            try db.forEachRow("SELECT bucket, digest FROM scope_digests WHERE \(filter)", arguments) { row in
                guard let bucket = row.int(0), (0..<VersionDigest.bucketCount).contains(bucket) else { return }
                buckets.add(UInt64(bitPattern: Int64(row.int(1) ?? 0)), bucket: bucket)
            }
        }
        return buckets
    }

    /// Computes every scope's digests from the stored versions (a migration, or a check that
    /// the kept digests are right): one scan.
    static func rebuild(in db: any ServerDatabase) throws {
        var ledger = DigestLedger()
        try db.forEachRow("""
            SELECT f.record_type, f.record_id, f.field, f.hlc, s.district, s.everyone FROM field_state f
            JOIN record_scope s ON s.record_type = f.record_type AND s.record_id = f.record_id
            """) { row in
            let type = row.string(0) ?? "", id = row.string(1) ?? ""
            ledger.add(VersionDigest.hash(type: type, id: id, field: row.string(2) ?? "", hlc: row.string(3) ?? ""),
                       scope: DigestScope.key(district: row.string(4), everyone: row.int(5) == 1),
                       bucket: VersionDigest.bucket(type: type, id: id))
        }
        try db.write("DELETE FROM scope_digests")
        try ledger.write(into: db)
    }

    /// The digest of one record: the sum of its versions' hashes.
    static func recordDigest(_ key: RecordKey, in db: any ServerDatabase) throws -> UInt64 {
        var digest: UInt64 = 0
        try db.forEachRow("SELECT field, hlc FROM field_state WHERE record_type = ? AND record_id = ?", [key.type.rawValue, key.id]) { row in
            digest &+= VersionDigest.hash(type: key.type.rawValue, id: key.id, field: row.string(0) ?? "", hlc: row.string(1) ?? "")
        }
        return digest
    }
}

/// Placing records in scopes, and moving them with their children (SPEC §10): the one place
/// that writes `record_scope`, so digests, scope exits and resends cannot be forgotten.
extension WriteContext {
    /// Where `key` is stored now, nil when it has not been placed yet.
    func placement(of key: RecordKey) throws -> StoredScope? {
        try storedPlacement(of: key)?.scope
    }

    /// Where `key` is stored now and the record it belongs to, nil when it has not been placed
    /// yet: read once per transaction (or loaded by the push), then kept up to date here.
    func storedPlacement(of key: RecordKey) throws -> WriteCache.Placement? {
        if let known = cache.placements[key] { return known }
        let placement = try db.firstRow("SELECT district, everyone, parent_type, parent_id FROM record_scope WHERE record_type = ? AND record_id = ?",
                                        [key.type.rawValue, key.id]).map { WriteCache.placement($0, from: 0) }
        cache.placements[key] = .some(placement)
        return placement
    }

    /// Adds a record's digest change to its scope's digest, or keeps it until the record is placed.
    mutating func noteDigestChange(_ delta: UInt64, of key: RecordKey) throws {
        // A record known to be unplaced stays so until `place` (which clears it): no lookup.
        if let index = unplaced.index(forKey: key) {
            unplaced.values[index] &+= delta
        } else if let scope = try placement(of: key) {
            digests.add(delta, scope: scope.digestKey, bucket: VersionDigest.bucket(type: key.type.rawValue, id: key.id))
        } else {
            unplaced[key, default: 0] &+= delta
        }
    }

    /// Stores where a record belongs and which record it belongs to. A record placed for the
    /// first time takes its digest into the scope; a record that moved leaves its old scope with
    /// its children (`move`).
    mutating func place(_ key: RecordKey, in scope: StoredScope, parent: RecordKey?) throws {
        guard let stored = try storedPlacement(of: key) else {
            try insertPlacement(key, WriteCache.Placement(scope: scope, parent: parent))
            if let pending = unplaced.removeValue(forKey: key) {
                digests.add(pending, scope: scope.digestKey, bucket: VersionDigest.bucket(type: key.type.rawValue, id: key.id))
            }
            return
        }
        if stored.scope != scope {
            try move(key, from: stored.scope, to: scope, parent: parent, depth: 0)
        } else if stored.parent != parent {
            try db.write("UPDATE record_scope SET parent_type = ?, parent_id = ? WHERE record_type = ? AND record_id = ?",
                           [parent?.type.rawValue, parent?.id, key.type.rawValue, key.id])
            cache.placements[key] = .some(WriteCache.Placement(scope: scope, parent: parent))
        }
    }

    /// Moves a record and, recursively, the records that belong to it (indicators their offer,
    /// meetings and members their body, minute parts their meeting, conflicts their record):
    /// each leaves its old scope (a scope exit that pull announces to its readers), is sent again
    /// whole to the readers of the new one, and takes its digest along.
    private mutating func move(_ key: RecordKey, from old: StoredScope, to new: StoredScope, parent: RecordKey?, depth: Int) throws {
        try db.write("""
            UPDATE record_scope SET district = ?, everyone = ?, parent_type = ?, parent_id = ? WHERE record_type = ? AND record_id = ?
            """, [new.district, new.everyone, parent?.type.rawValue, parent?.id, key.type.rawValue, key.id])
        cache.placements[key] = .some(WriteCache.Placement(scope: new, parent: parent))
        try db.write("INSERT INTO scope_exits (seq, record_type, record_id, district, everyone) VALUES (?, ?, ?, ?, ?)",
                       [nextSeq(), key.type.rawValue, key.id, old.district, old.everyone])
        let digest = try resend(type: key.type, id: key.id)
        let bucket = VersionDigest.bucket(type: key.type.rawValue, id: key.id)
        digests.add(0 &- digest, scope: old.digestKey, bucket: bucket)
        digests.add(digest, scope: new.digestKey, bucket: bucket)
        // A chain is at most body, meeting, minute part, conflict; the bound stops a cycle that
        // conflicts about conflicts could form.
        guard depth < 8 else { return }
        let children = try db.rows("SELECT record_type, record_id, district, everyone FROM record_scope WHERE parent_id = ? AND parent_type = ?",
                                   [key.id, key.type.rawValue])
        for row in children {
            guard let type = row.string(0).flatMap(RecordType.init(rawValue:)), let id = row.string(1) else { continue }
            let childScope = StoredScope(district: row.string(2), everyone: row.int(3) == 1)
            if childScope != new {
                try move(RecordKey(type: type, id: id), from: childScope, to: new, parent: key, depth: depth + 1)
            }
        }
    }
}
