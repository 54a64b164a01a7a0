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
        try db.cachedStatement("""
            UPDATE server_versions SET value = ?1, hlc = ?2, base = ?3
            WHERE record_type = ?4 AND record_id = ?5 AND field = ?6 AND (hlc IS NULL OR hlc < ?2 OR (?7 AND hlc = ?2))
            """).run([.text(change.value.jsonText), .text(change.hlc.encoded), change.base.map { .text($0.encoded) } ?? .null,
                      .text(change.recordType.rawValue), .text(change.recordID), .text(change.field), .integer(redacted ? 1 : 0)])
    }

    /// An outbox change set the server confirmed: its versions are now the server's. Call before
    /// removing it from the outbox.
    static func noteConfirmed(changeSetSeq seq: Int, in db: Database) throws {
        try db.execute("""
            UPDATE server_versions SET value = c.value, hlc = c.hlc, base = c.base FROM outbox_changes c
            WHERE c.change_set_seq = ? AND server_versions.record_type = c.record_type AND server_versions.record_id = c.record_id
              AND server_versions.field = c.field AND (server_versions.hlc IS NULL OR server_versions.hlc < c.hlc)
            """, [seq])
        try forgetSettled(changeSetSeq: seq, in: db)
    }

    /// Forgets the versions of the fields a change set writes that no other outbox change writes:
    /// once it leaves the outbox, nothing of theirs waits any more.
    static func forgetSettled(changeSetSeq seq: Int, in db: Database) throws {
        try db.execute("""
            DELETE FROM server_versions WHERE (record_type, record_id, field) IN (
                SELECT c.record_type, c.record_id, c.field FROM outbox_changes c WHERE c.change_set_seq = ?1
                AND NOT EXISTS (SELECT 1 FROM outbox_changes o WHERE o.record_type = c.record_type AND o.record_id = c.record_id
                                AND o.field = c.field AND o.change_set_seq <> ?1))
            """, [seq])
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
