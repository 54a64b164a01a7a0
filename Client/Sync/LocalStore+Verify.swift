import Foundation
import KetteProtocol
import KetteStore

/// The replica's side of the digest check and its repair (SPEC §16).
extension LocalStore {
    /// The digest of everything this replica holds, per bucket.
    func replicaDigests() throws -> DigestBuckets {
        try ReplicaDigest.buckets(in: database)
    }

    /// Every record held in `buckets`, with its digest and its versions (field → hlc).
    func records(inBuckets buckets: Set<Int>) throws -> [RecordKey: (digest: UInt64, versions: [String: String])] {
        try ReplicaDigest.records(inBuckets: buckets, in: database)
    }

    /// A replica holding at most this many versions checks itself at every sync; a larger one
    /// once a day (a scan of its versions), and at every `kette verify`.
    static let selfCheckEverySyncUpTo = 20_000
    static let selfCheckIntervalMilliseconds: Int64 = 24 * 3_600_000

    /// Checks the replica's kept digests against its data (`ReplicaDigest.selfCheck`) when it is
    /// due or `force`d; nil when it did not run.
    func selfCheck(force: Bool) throws -> ReplicaDigest.SelfCheck? {
        if !force, let held = try meta("versions_held").flatMap(Int.init), let at = try meta("self_checked_at").flatMap(Int64.init),
           held > Self.selfCheckEverySyncUpTo, physicalNow() - at < Self.selfCheckIntervalMilliseconds {
            return nil
        }
        return try database.inTransaction { db in
            let check = try ReplicaDigest.selfCheck(in: db)
            try setMeta("versions_held", String(check.versions), in: db)
            try setMeta("self_checked_at", String(physicalNow()), in: db)
            return check
        }
    }

    /// Whether the replica holds no field versions: a new store before its first pull.
    func holdsNoVersions() throws -> Bool {
        try database.scalarInt("SELECT 1 FROM field_versions LIMIT 1") == nil
    }

    /// Counts a store that a pull has just built from empty as self-checked now: its digests were
    /// kept in the very transactions that wrote its versions, so a scan of them (1.3 s at a
    /// million versions) would find only what was just written. Its next check is due a day
    /// later, as for any store of its size; a small store is still checked at every sync.
    func noteBuiltByPull() throws {
        try database.inTransaction { db in
            // Only whether it is above the every-sync limit matters: counted that far.
            let held = try db.scalarInt("SELECT count(*) FROM (SELECT 1 FROM field_versions LIMIT ?)", [Self.selfCheckEverySyncUpTo + 1]) ?? 0
            try setMeta("versions_held", String(held), in: db)
            try setMeta("self_checked_at", String(physicalNow()), in: db)
        }
    }

    /// The server database this replica last pulled from (nil before the first pull).
    func knownServer() throws -> String? { try meta("server") }

    /// What settling one record check did.
    struct Settlement {
        /// Field versions taken from the server.
        var pulled = 0
        /// Records removed: the server holds them in a scope the user does not read.
        var left = 0
        /// Records kept although the server does not hold them where the user reads: they hold
        /// versions the server lacks that the user may not bring back there.
        var kept = 0
        /// Field versions the server lacks that wait in the outbox (a change set it refused).
        var waiting = 0
        /// The fields of each record whose versions the server lacks: what a repair brings back.
        var lacking: [RecordKey: [String]] = [:]
        /// Fields whose newest version waits in the outbox, of records the server lacks: the
        /// version the server held before (remembered while the write waits) is brought back,
        /// so the record can be placed before the waiting write is pushed.
        var remembered: [RecordKey: [String]] = [:]
    }

    /// Takes what the server answered about records whose digests differ, in one transaction:
    /// merges the server's versions of the records the user reads (by the merge rule), removes
    /// the records that left the user's scope when nothing would be lost, and lists the versions
    /// the server lacks. Versions still in the outbox are never repaired around the outbox, nor
    /// is a record dropped while it holds any.
    func settle(_ check: RecordCheck) throws -> Settlement {
        var settlement = Settlement()
        var clock = self.clock
        try database.inTransaction { db in
            let pending = try Self.pendingFields(in: db)
            let statements = try RecordApplier.MergeStatements(db)
            defer { statements.reset() }
            for record in check.records {
                let key = RecordKey(type: record.type, id: record.id)
                if let versions = record.versions, record.status == .present {
                    let sorted = versions.filter { $0.change.recordType == key.type && $0.change.recordID == key.id }
                    settlement.pulled += try mergeVersions(sorted[...], clock: &clock, in: db, statements: statements).merged
                }
                let lacking = record.lacking.filter { !pending.contains("\(key.type.rawValue)|\(key.id)|\($0)") }
                settlement.waiting += record.lacking.count - lacking.count
                let waiting = record.lacking.filter { pending.contains("\(key.type.rawValue)|\(key.id)|\($0)") }
                if record.status != .outside, !waiting.isEmpty { settlement.remembered[key] = waiting }
                switch record.status {
                case .outside where record.lacking.isEmpty:
                    try RecordApplier.drop(type: key.type, id: key.id, digests: statements.digests, in: db)
                    settlement.left += 1
                case .outside:
                    if !lacking.isEmpty { settlement.kept += 1 }
                case .present, .unknown:
                    if !lacking.isEmpty { settlement.lacking[key] = lacking }
                }
            }
            try statements.digests.write(into: db)
            try setMeta("clock", clock.last.encoded, in: db)
        }
        self.clock = clock
        return settlement
    }

    /// The fields written by change sets still in the outbox, as `type|id|field`.
    static func pendingFields(in db: Database) throws -> Set<String> {
        Set(try db.rows("SELECT DISTINCT record_type, record_id, field FROM outbox_changes").map {
            "\($0.string(0) ?? "")|\($0.string(1) ?? "")|\($0.string(2) ?? "")"
        })
    }

    /// The versions to bring back, as they were written, parents before the records that belong
    /// to them (the order of `RecordType.allCases`), so the server can place each.
    func repairVersions(for lacking: [RecordKey: [String]], remembered: [RecordKey: [String]] = [:]) throws -> [RepairVersion] {
        let order = Dictionary(uniqueKeysWithValues: RecordType.allCases.enumerated().map { ($1, $0) })
        let keys = Set(lacking.keys).union(remembered.keys).sorted { (order[$0.type]!, $0.id) < (order[$1.type]!, $1.id) }
        return try keys.flatMap { key in
            let held = try (lacking[key] ?? []).sorted().compactMap { field in
                try RecordApplier.storedVersion(type: key.type, id: key.id, field: field, in: database)
            }
            // The server's own earlier version of a field a waiting write changed (its author
            // and change set are not remembered: it goes back as the repairing user's).
            let before = try (remembered[key] ?? []).sorted().compactMap { field -> RepairVersion? in
                guard case .some(let version?) = try ServerVersions.version(type: key.type, id: key.id, field: field, in: database) else { return nil }
                return RepairVersion(change: Change(recordType: key.type, recordID: key.id, field: field, value: version.value,
                                                    hlc: version.hlc, base: version.base), author: nil, changeSet: nil)
            }
            return held + before
        }
    }
}
