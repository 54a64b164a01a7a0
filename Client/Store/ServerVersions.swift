import KetteProtocol
import KetteStore

/// The newest version of a field the server is known to hold, kept while local writes of the
/// field wait in the outbox (`server_versions`). A write the server refuses for good is taken back
/// to it, or removed when the server holds no version, so the replica returns to the server's state.
///
/// Invariant: a field without unconfirmed local writes holds a version the server sent or
/// confirmed. So the version a field's first unconfirmed write replaces is the server's; pulled
/// versions and confirmed pushes keep it current until the last unconfirmed write is settled.
enum ServerVersions {
    /// Before a local write: remembers the version it replaces, unless an earlier unconfirmed write
    /// of the field did already (that one replaced the server's version; this one replaces a local one).
    static func noteLocalWrite(type: RecordType, id: String, field: String, replacing current: MergeRule.Version?, in db: Database) throws {
        try db.cachedStatement("""
            INSERT INTO server_versions (record_type, record_id, field, value, hlc, base) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (record_type, record_id, field) DO NOTHING
            """).run([.text(type.rawValue), .text(id), .text(field), current.map { .text($0.value.jsonText) } ?? .null,
                      current.map { .text($0.hlc.encoded) } ?? .null, current?.base.map { .text($0.encoded) } ?? .null])
    }

    /// Whether any field has unconfirmed writes; a pull merges without this bookkeeping when none has.
    static func anyTracked(in db: Database) throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM server_versions)") == 1
    }

    /// A pulled version: the server holds it, so it replaces an older remembered one (also one
    /// with the same stamp that an erasure rewrote).
    static func notePulled(_ change: Change, redacted: Bool, in db: Database) throws {
        try replace(type: change.recordType.rawValue, id: change.recordID, field: change.field, value: change.value.jsonText,
                    hlc: change.hlc.encoded, base: change.base?.encoded, redacted: redacted, in: db)
    }

    /// Outbox change sets the server confirmed (`seqs`, in the order pushed): their versions are
    /// now the server's. Call before removing them from the outbox.
    ///
    /// The fields no other outbox change writes are forgotten first, and only the versions still
    /// remembered then are replaced: updating every version of a large push only to delete it
    /// right after was a quarter of what a confirmed push cost the client. One statement of each
    /// kind for all of them, not one per change set: settling them one by one in order leaves the
    /// same versions (a field the later ones write again is replaced in order, one nobody else
    /// writes is forgotten either way), and took a push answer's change sets twice as long.
    static func noteConfirmed(changeSetSeqs seqs: [Int], in db: Database) throws {
        let listed = Outbox.listed(seqs)
        try forgetSettled(changeSetSeqs: listed, in: db)
        for row in try db.rows("""
            SELECT c.record_type, c.record_id, c.field, c.value, c.hlc, c.base FROM outbox_changes c
            WHERE c.change_set_seq IN (SELECT value FROM json_each(?1)) AND EXISTS (SELECT 1 FROM server_versions s
                WHERE s.record_type = c.record_type AND s.record_id = c.record_id AND s.field = c.field)
            ORDER BY c.change_set_seq, c.ordinal
            """, [listed]) {
            try replace(type: row.string(0) ?? "", id: row.string(1) ?? "", field: row.string(2) ?? "", value: row.string(3) ?? "null",
                        hlc: row.string(4) ?? "", base: row.string(5), redacted: false, in: db)
        }
    }

    /// Replaces a remembered version with one the server holds when the merge rule says it wins
    /// (a field the server held no version of takes any).
    private static func replace(type: String, id: String, field: String, value: String, hlc: String, base: String?, redacted: Bool,
                                in db: Database) throws {
        let key: [DatabaseValue] = [.text(type), .text(id), .text(field)]
        let read = try db.cachedStatement("SELECT hlc FROM server_versions WHERE record_type = ? AND record_id = ? AND field = ?")
        try read.bind(values: key)
        defer { read.reset() }
        guard try read.step() else { return }  // no unconfirmed write of the field: nothing remembered
        let held = read.row().string(0)
        guard held == nil || MergeRule.incomingWins(encoded: hlc, redacted: redacted, over: held) else { return }
        try db.cachedStatement("UPDATE server_versions SET value = ?, hlc = ?, base = ? WHERE record_type = ? AND record_id = ? AND field = ?")
            .run([.text(value), .text(hlc), base.map(DatabaseValue.text) ?? .null] + key)
    }

    /// Forgets the versions of the fields the change sets `listed` (`Outbox.listed`) write that no
    /// other outbox change writes: once they leave the outbox, nothing of theirs waits any more.
    static func forgetSettled(changeSetSeqs listed: String, in db: Database) throws {
        try db.execute("""
            DELETE FROM server_versions WHERE (record_type, record_id, field) IN (
                SELECT c.record_type, c.record_id, c.field FROM outbox_changes c WHERE c.change_set_seq IN (SELECT value FROM json_each(?1))
                AND NOT EXISTS (SELECT 1 FROM outbox_changes o WHERE o.record_type = c.record_type AND o.record_id = c.record_id
                                AND o.field = c.field AND o.change_set_seq NOT IN (SELECT value FROM json_each(?1))))
            """, [listed])
    }

    /// What the server holds of a field with unconfirmed writes: `.none` when it holds no version,
    /// nil when that is not known (an outbox written before this bookkeeping existed).
    static func version(type: RecordType, id: String, field: String, in db: Database) throws -> MergeRule.Version?? {
        guard let row = try db.firstRow("SELECT value, hlc, base FROM server_versions WHERE record_type = ? AND record_id = ? AND field = ?",
                                        [type.rawValue, id, field]) else { return nil }
        guard let hlc = row.string(1).flatMap(HLCTimestamp.init(encoded:)) else { return .some(nil) }
        var reader = JSONReader(Array((row.string(0) ?? "null").utf8))
        return .some(MergeRule.Version(value: try reader.readFieldValue(), hlc: hlc, base: row.string(2).flatMap(HLCTimestamp.init(encoded:))))
    }
}
