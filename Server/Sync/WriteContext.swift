import KetteProtocol
import KetteStore

/// The server's clock and sequence during one write transaction: loaded at its start, saved
/// before its commit, so admin commands and other server processes writing to the same database
/// stay in order (the sequence is held for the transaction: `ServerDatabase.holdPullSequence`).
struct WriteContext {
    /// Where the transaction's statements go: the push's `WriteBatch` when it batches, else the database.
    let db: any ServerDatabase
    private let batch: WriteBatch?
    /// The versions, placements and outcomes read and written so far (loaded up front by a push).
    let cache = WriteCache()
    let replica: ReplicaID
    private(set) var clock: HybridLogicalClock
    private(set) var seq: Int64
    let now: Int64
    /// How this transaction changes the scopes' digests; written by `save`.
    var digests = DigestLedger()
    /// Digest changes of records written before they were placed (new records).
    var unplaced: [RecordKey: UInt64] = [:]

    /// Makes a field the given version; `redacted` goes back to false, the version is a new write.
    static let upsertState = """
        INSERT INTO field_state (record_type, record_id, field, value, hlc, base, replica, author, seq, change_set)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (record_type, record_id, field) DO UPDATE SET
            value = excluded.value, hlc = excluded.hlc, base = excluded.base, replica = excluded.replica,
            author = excluded.author, seq = excluded.seq, redacted = FALSE, change_set = excluded.change_set
        """

    /// - Parameter batching: hold the inserts and send them as multi-row statements (`WriteBatch`).
    init(db: any ServerDatabase, now: Int64, batching: Bool = false) throws {
        batch = batching ? WriteBatch(db) : nil
        self.db = batch ?? db
        self.now = now
        // First: from here to the commit no other writer takes numbers or reads the clock.
        seq = try db.holdPullSequence()
        guard let replica = try db.scalarString("SELECT value FROM server_meta WHERE key = 'replica'") else {
            throw SQLiteError(code: .corrupt, message: "the server database has no replica id")
        }
        self.replica = ReplicaID(rawValue: replica)
        let last = try db.scalarString("SELECT value FROM server_meta WHERE key = 'clock'").flatMap(HLCTimestamp.init(encoded:))
        clock = HybridLogicalClock(replica: self.replica, last: last)
    }

    mutating func tick() -> HLCTimestamp { clock.tick(now: now) }

    mutating func observe(_ timestamp: HLCTimestamp) { clock.observe(timestamp, now: now) }

    /// The next number in the server's sequence: one per field row written, so a pull page can
    /// end anywhere without splitting a number.
    mutating func nextSeq() -> Int64 {
        seq += 1
        return seq
    }

    /// Makes `change` the field's current version (a new write, so no longer one an erasure
    /// rewrote), replacing the version stamped `replacing` (nil: the field had none), and keeps
    /// the record's scope digest up to date in O(1).
    mutating func writeState(_ change: Change, replica: ReplicaID, author: String?, changeSet: String? = nil,
                             replacing: HLCTimestamp?) throws {
        let hlc = change.hlc.encoded  // for the row and the digest: encoded once
        let row: [DatabaseValue] = [.text(change.recordType.rawValue), .text(change.recordID), .text(change.field), .text(change.value.jsonText),
                                    .text(hlc), (change.base?.encoded).databaseValue, .text(replica.rawValue), author.databaseValue,
                                    .integer(nextSeq()), changeSet.databaseValue]
        let mayHoldRow = cache.noteWritten(change, replica: replica.rawValue, author: author)
        if let batch {
            try batch.holdVersion(row, type: change.recordType.rawValue, id: change.recordID, field: change.field, isNew: !mayHoldRow)
        } else {
            try db.write(Self.upsertState, row)
        }
        let type = change.recordType.rawValue
        var delta = VersionDigest.hash(type: type, id: change.recordID, field: change.field, hlc: hlc)
        if let replacing { delta &-= VersionDigest.hash(type: type, id: change.recordID, field: change.field, hlc: replacing.encoded) }
        try noteDigestChange(delta, of: RecordKey(type: change.recordType, id: change.recordID))
    }

    /// Gives every field of a record a new sequence number, so clients pull the whole record
    /// again (after it moved into their scope). Returns the record's digest.
    @discardableResult
    mutating func resend(type: RecordType, id: String) throws -> UInt64 {
        var digest: UInt64 = 0
        for row in try db.rows("SELECT field, hlc FROM field_state WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) {
            guard let field = row.string(0), let hlc = row.string(1) else { continue }
            digest &+= VersionDigest.hash(type: type.rawValue, id: id, field: field, hlc: hlc)
            try db.write("UPDATE field_state SET seq = ? WHERE record_type = ? AND record_id = ? AND field = ?",
                           [nextSeq(), type.rawValue, id, field])
        }
        return digest
    }

    /// The stored outcome of the change set `id`, nil when it was not applied yet.
    func storedOutcome(of id: String) throws -> String? {
        if let known = cache.outcomes[id] { return known }
        let stored = try db.scalarString("SELECT outcome FROM change_sets WHERE id = ?", [id])
        cache.outcomes[id] = .some(stored)
        return stored
    }

    /// Stores an applied change set's outcome: a retried push gets it again (at most once, by id).
    func recordOutcome(_ changeSet: ChangeSet, user: String, outcome: String) throws {
        let row: [DatabaseValue] = [.text(changeSet.id), .text(changeSet.replica.rawValue), .text(user), .integer(now),
                                    .integer(Int64(changeSet.changes.count)), .text(outcome)]
        if let batch {
            batch.holdOutcome(row)
        } else {
            try db.write("INSERT INTO change_sets (id, replica, user_name, received_at, change_count, outcome) VALUES (?, ?, ?, ?, ?, ?)", row)
        }
        cache.outcomes[changeSet.id] = .some(outcome)
    }

    /// Makes a placement a new record's (`place`), held in the batch when there is one.
    func insertPlacement(_ key: RecordKey, _ placement: WriteCache.Placement) throws {
        let row: [DatabaseValue] = [.text(key.type.rawValue), .text(key.id), placement.scope.district.databaseValue, placement.scope.everyone.databaseValue,
                                    (placement.parent?.type.rawValue).databaseValue, (placement.parent?.id).databaseValue]
        if let batch {
            batch.holdPlacement(row)
        } else {
            try db.write("INSERT INTO record_scope (record_type, record_id, district, everyone, parent_type, parent_id) VALUES (?, ?, ?, ?, ?, ?)", row)
        }
        cache.placements[key] = .some(placement)
    }

    func save() throws {
        try batch?.flush()
        try digests.write(into: db)
        try db.savePullSequence(seq)
        try db.write("INSERT INTO server_meta (key, value) VALUES ('clock', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       [clock.last.encoded])
    }
}
