import Foundation
import KetteProtocol
import KetteStore

/// The digest check every sync ends with, and what narrows a difference down and repairs it
/// (SPEC §16). The digests are kept up to date by every write (`WriteContext`), so the check
/// reads a few hundred rows and scans nothing.
extension ServerStore {
    /// The database's identity, made when it was created and new after every restore.
    static func databaseID(in db: any ServerDatabase) throws -> String {
        try db.scalarString("SELECT value FROM server_meta WHERE key = 'database'") ?? ""
    }

    public func databaseID() throws -> String {
        try connections.read { db in try Self.databaseID(in: db) }
    }

    /// The records that left the caller's scope after `cursor`: exits from a scope the caller
    /// reads, of records whose current scope the caller does not read (a record that came back
    /// is not announced as gone). Records of a record schema newer than `schema` are left out:
    /// the caller never received them.
    static func scopeExits(after cursor: Int64, limit: Int, for identity: Identity, schema: Int = ChangeSet.currentSchemaVersion,
                           in db: any ServerDatabase) throws -> [ScopeExit] {
        guard !identity.role.seesEverything else { return [] }
        let districts = FieldValue.list(identity.districts).jsonText
        let newer = RecordType.allCases.filter { $0.schemaVersion > schema }.map { "'\($0.rawValue)'" }
        let rows = try db.rows("""
            SELECT e.seq, e.record_type, e.record_id FROM scope_exits e
            LEFT JOIN record_scope s ON s.record_type = e.record_type AND s.record_id = e.record_id
            WHERE e.seq > ? AND (e.everyone OR \(db.isListed("e.district")))
              AND NOT (coalesce(s.everyone, FALSE) OR coalesce(\(db.isListed("s.district")), FALSE))
              \(newer.isEmpty ? "" : "AND e.record_type NOT IN (\(newer.joined(separator: ", ")))")
            ORDER BY e.seq LIMIT ?
            """, [cursor, districts, districts, limit])
        return try rows.compactMap { row in
            guard let type = row.string(1).flatMap(RecordType.init(rawValue:)), let id = row.string(2) else { return nil }
            var versions: [String: String] = [:]
            for field in try db.rows("SELECT field, hlc FROM field_state WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) {
                versions[field.string(0) ?? ""] = field.string(1) ?? ""
            }
            return ScopeExit(seq: Int64(row.int(0) ?? 0), type: type, id: id, versions: versions)
        }
    }

    // MARK: - The check

    /// `GET /v1/digests`: the digests of every scope the caller reads, summed per bucket. When
    /// `clientTotal` matches, the buckets are left out: nothing differs.
    public func digests(for identity: Identity, clientTotal: UInt64?) throws -> DigestAnswer {
        try connections.read { db in
            let scopes = DigestScope.keys(readBy: identity)
            let buckets = try DigestUpkeep.buckets(of: scopes, in: db)
            let seq = try db.newestPullSequence()
            return DigestAnswer(server: try Self.databaseID(in: db), seq: seq, scope: scopes, total: VersionDigest.hex(buckets.total),
                                buckets: clientTotal == buckets.total ? nil : buckets.sums.map(VersionDigest.hex))
        }
    }

    /// `POST /v1/digests/buckets`: every record the caller reads in the given buckets, with its
    /// digest. Reads the caller's placements once and the versions of the records listed.
    public func bucketListing(_ request: BucketListingRequest, for identity: Identity) throws -> BucketListing {
        let wanted = Set(request.buckets)
        return try connections.read { db in
            var keys: [RecordKey] = []
            let (sql, arguments): (String, [DatabaseValueConvertible?]) = identity.role.seesEverything
                ? ("SELECT record_type, record_id FROM record_scope", [])
                : ("SELECT record_type, record_id FROM record_scope WHERE everyone OR \(db.isListed("district"))",
                   [FieldValue.list(identity.districts).jsonText])
            try db.forEachRow(sql, arguments) { row in
                guard let type = row.string(0).flatMap(RecordType.init(rawValue:)), let id = row.string(1),
                      wanted.contains(VersionDigest.bucket(type: type.rawValue, id: id)) else { return }
                keys.append(RecordKey(type: type, id: id))
            }
            return BucketListing(records: try keys.map { key in
                BucketListing.Record(type: key.type, id: key.id, digest: VersionDigest.hex(try DigestUpkeep.recordDigest(key, in: db)))
            })
        }
    }

    /// `POST /v1/digests/records`: for each record, whether the caller reads it (then with all
    /// its versions), holds it elsewhere or not at all, and which of the caller's versions the
    /// server lacks.
    public func checkRecords(_ request: RecordCheckRequest, for identity: Identity) throws -> RecordCheck {
        try connections.read { db in
            var answers: [RecordCheck.Record] = []
            for record in request.records {
                let versions = record.versions.compactMapValues(HLCTimestamp.init(encoded:))
                answers.append(try Self.check(RecordKey(type: record.type, id: record.id), clientVersions: versions, for: identity, in: db))
            }
            audit.noteRead(user: identity.user, records: answers.filter { $0.status == .present }.count)
            return RecordCheck(records: answers)
        }
    }

    private static func check(_ key: RecordKey, clientVersions: [String: HLCTimestamp], for identity: Identity,
                              in db: any ServerDatabase) throws -> RecordCheck.Record {
        guard let placement = try db.firstRow("SELECT district, everyone FROM record_scope WHERE record_type = ? AND record_id = ?",
                                              [key.type.rawValue, key.id]) else {
            return RecordCheck.Record(type: key.type, id: key.id, status: .unknown, versions: nil, lacking: clientVersions.keys.sorted())
        }
        let readable = StoredScope(district: placement.string(0), everyone: placement.int(1) == 1).isReadable(by: identity)
        var held: [String: String] = [:]
        var versions: [PulledChange] = []
        try db.forEachRow("""
            SELECT field, hlc, value, base, author, redacted, change_set, seq FROM field_state WHERE record_type = ? AND record_id = ?
            """, [key.type.rawValue, key.id]) { row in
            guard let field = row.string(0), let hlcText = row.string(1) else { return }
            held[field] = hlcText
            guard readable, let hlc = HLCTimestamp(encoded: hlcText) else { return }
            var reader = JSONReader(Array((row.string(2) ?? "null").utf8))
            let change = Change(recordType: key.type, recordID: key.id, field: field, value: try reader.readFieldValue(), hlc: hlc,
                                base: row.string(3).flatMap(HLCTimestamp.init(encoded:)))
            versions.append(PulledChange(seq: Int64(row.int(7) ?? 0), change: change, author: row.string(4), redacted: row.int(5) == 1,
                                         changeSet: row.string(6)))
        }
        // What a repair would bring back: the client's versions that would win here.
        let lacking = clientVersions.filter { MergeRule.incomingWins(encoded: $0.value.encoded, over: held[$0.key]) }.keys.sorted()
        return RecordCheck.Record(type: key.type, id: key.id, status: readable ? .present : .outside,
                                  versions: readable ? versions : nil, lacking: lacking)
    }

    // MARK: - Repair

    /// `POST /v1/repairs`: field versions the server lacks, brought back by a replica that holds
    /// them, with their original timestamps, authors and change-set ids. Applied by the merge rule
    /// in one transaction (a repair never beats a newer version; repeating one changes nothing),
    /// only in scopes `identity` may write, and audited with `identity` as who brought them back.
    public func repair(_ request: RepairRequest, by identity: Identity) throws -> RepairAnswer {
        let serverNow = now()
        return try audited { db, events in
            var context = try WriteContext(db: db, now: serverNow)
            let answer = try RepairApplier(identity: identity, serverNow: serverNow).apply(request.versions, into: &context)
            try context.save()
            events.append(.init(actor: identity.user, action: "repair", detail: RepairApplier.summary(request, answer)))
            return answer
        }
    }
}
