import Foundation
import KetteProtocol
import KetteStore

/// This laptop's own memory of what happened to its records: what `kette log` lists, what
/// `kette undo` takes back and what `kette trash` and `kette restore` bring back.
///
/// Local only: never synced, never in the outbox, and kept for 30 days (`retention`), purged at
/// the next store opening after that. For each change set written here it keeps the value every
/// field held before (so a deleted record's texts live on here, not in its tombstone, SPEC §8.6);
/// for each pulled page the records and fields that changed, by whom, without values. When the
/// server erases a name, every kept previous value is dropped, since the client cannot tell which
/// held the name.
enum LocalHistory {
    static let retentionMilliseconds: Int64 = 30 * 24 * 60 * 60 * 1000
    /// The most rows of received changes kept, whatever their age: a first sync of a county store
    /// must not double its size.
    static let maxReceivedRows = 100_000

    static func createTables(_ db: Database) throws {
        try db.execute("""
            -- One row per change set written here.
            CREATE TABLE local_actions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                change_set TEXT NOT NULL UNIQUE,
                summary TEXT NOT NULL,
                author TEXT,
                hlc TEXT NOT NULL,
                -- milliseconds since 1970: when it was written
                at INTEGER NOT NULL,
                -- the action this one took back (`kette undo`), and the undo that took this one back
                undoes INTEGER,
                undone_by INTEGER,
                -- 1 when its previous values were dropped (an erasure reached this store)
                forgotten INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX local_actions_by_time ON local_actions (at);

            -- Per action, every field it wrote with the version it replaced (value as JSON text,
            -- NULL when the field had none); `created`: the action made the record.
            CREATE TABLE local_action_fields (
                action INTEGER NOT NULL REFERENCES local_actions (seq) ON DELETE CASCADE,
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                field TEXT NOT NULL,
                previous_value TEXT,
                previous_hlc TEXT,
                created INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (action, record_type, record_id, field)
            ) WITHOUT ROWID;
            CREATE INDEX local_action_fields_deletions ON local_action_fields (record_type, record_id) WHERE field = 'deleted';

            -- Per record and version merged from a pulled page: its fields (comma-separated), author
            -- and times; `deleted` 1 or 0 when it deleted or restored the record.
            CREATE TABLE received_changes (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                fields TEXT NOT NULL,
                deleted INTEGER,
                author TEXT,
                hlc TEXT NOT NULL,
                at INTEGER NOT NULL,
                received_at INTEGER NOT NULL
            );
            CREATE INDEX received_changes_by_time ON received_changes (received_at);
            """)
    }

    /// A field as a local action found it.
    struct PreviousVersion {
        let type: RecordType
        let id: String
        let field: String
        /// Nil when the field had no version.
        let version: MergeRule.Version?
        let created: Bool
    }

    /// Keeps a change set written here, in the transaction that writes it; returns its number.
    @discardableResult
    static func recordAction(_ changeSet: ChangeSet, hlc: HLCTimestamp, previous: [PreviousVersion], undoes: Int?,
                             in db: Database) throws -> Int {
        try db.execute("INSERT INTO local_actions (change_set, summary, author, hlc, at, undoes) VALUES (?, ?, ?, ?, ?, ?)",
                       [changeSet.id, changeSet.summary, changeSet.author, hlc.encoded, hlc.physicalMilliseconds, undoes])
        let action = Int(db.lastInsertRowID)
        let insert = try db.cachedStatement("""
            INSERT INTO local_action_fields (action, record_type, record_id, field, previous_value, previous_hlc, created)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for field in previous {
            try insert.run([.integer(Int64(action)), .text(field.type.rawValue), .text(field.id), .text(field.field),
                            field.version.map { .text($0.value.jsonText) } ?? .null,
                            field.version.map { .text($0.hlc.encoded) } ?? .null, .integer(field.created ? 1 : 0)])
        }
        if let undoes { try db.execute("UPDATE local_actions SET undone_by = ? WHERE seq = ?", [action, undoes]) }
        return action
    }

    /// Keeps what a pulled page changed in one record: one row per version (a change set of the
    /// author's), with the fields that won the merge.
    static func recordReceived(_ won: [Change], authors: [String: String], receivedAt: Int64, in db: Database) throws {
        guard let first = won.first else { return }
        let insert = try db.cachedStatement("""
            INSERT INTO received_changes (record_type, record_id, fields, deleted, author, hlc, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // Mostly one version (one change set) per record and page: grouped without a dictionary.
        var versions: [(hlc: HLCTimestamp, changes: [Change])] = []
        for change in won {
            if let index = versions.firstIndex(where: { $0.hlc == change.hlc }) { versions[index].changes.append(change) } else {
                versions.append((change.hlc, [change]))
            }
        }
        for (hlc, changes) in versions {
            let fields = changes.map(\.field).sorted().joined(separator: ",")
            let tombstone: DatabaseValue = switch changes.first(where: { $0.field == RecordType.deletedField })?.value {
            case .bool(let deleted)?: .integer(deleted ? 1 : 0)
            default: .null
            }
            try insert.run([.text(first.recordType.rawValue), .text(first.recordID), .text(fields), tombstone,
                            authors[hlc.encoded].map { .text($0) } ?? .null, .text(hlc.encoded),
                            .integer(hlc.physicalMilliseconds), .integer(receivedAt)])
        }
    }

    /// Forgets what is older than the retention period, and received rows beyond the cap. Cheap
    /// when there is nothing to forget: one index lookup per table, no write.
    static func purge(now: Int64, in db: Database) throws {
        let cutoff = now - retentionMilliseconds
        let oldActions = try db.scalarInt("SELECT 1 FROM local_actions WHERE at < ? LIMIT 1", [cutoff]) != nil
        let oldReceived = try db.scalarInt("SELECT 1 FROM received_changes WHERE received_at < ? LIMIT 1", [cutoff]) != nil
        let excess = (try db.scalarInt("SELECT max(seq) - min(seq) + 1 FROM received_changes") ?? 0) > maxReceivedRows
        guard oldActions || oldReceived || excess else { return }
        try db.inTransaction { db in
            try db.execute("DELETE FROM local_actions WHERE at < ?", [cutoff])
            try db.execute("DELETE FROM received_changes WHERE received_at < ?", [cutoff])
            try db.execute("DELETE FROM received_changes WHERE seq <= (SELECT max(seq) FROM received_changes) - ?", [maxReceivedRows])
        }
    }

    /// Drops every kept previous value: a name the server erased may be among them.
    static func forgetPreviousValues(in db: Database) throws {
        try db.execute("""
            UPDATE local_action_fields SET previous_value = NULL WHERE previous_value IS NOT NULL;
            UPDATE local_actions SET forgotten = 1 WHERE forgotten = 0;
            """)
    }
}
