import KetteProtocol
import KetteStore

/// The server's clock and sequence during one write transaction: loaded at its start, saved
/// before its commit, so admin commands and other server processes writing to the same database
/// stay in order (the sequence is held for the transaction: `ServerDatabase.holdPullSequence`).
struct WriteContext {
    let db: any ServerDatabase
    let replica: ReplicaID
    private(set) var clock: HybridLogicalClock
    private(set) var seq: Int64
    let now: Int64
    /// How this transaction changes the scopes' digests; written by `save`.
    var digests = DigestLedger()
    /// Where the records written in this transaction are placed (read once per record).
    var placements: [RecordKey: StoredScope] = [:]
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

    init(db: any ServerDatabase, now: Int64) throws {
        self.db = db
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
        try db.write(Self.upsertState, [change.recordType.rawValue, change.recordID, change.field, change.value.jsonText, change.hlc.encoded,
                                        change.base?.encoded, replica.rawValue, author, nextSeq(), changeSet])
        let type = change.recordType.rawValue
        var delta = VersionDigest.hash(type: type, id: change.recordID, field: change.field, hlc: change.hlc.encoded)
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

    func save() throws {
        try digests.write(into: db)
        try db.savePullSequence(seq)
        try db.write("INSERT INTO server_meta (key, value) VALUES ('clock', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       [clock.last.encoded])
    }
}
