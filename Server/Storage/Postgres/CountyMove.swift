import KetteMessages
import KettePostgres
import KetteStore

/// Copies a county's SQLite server database into an empty PostgreSQL database (the core of
/// `kette-server migrate --from county.db --to postgres://…`): users with their token hashes,
/// every field version with its sequence number and author, scopes, applied change sets with
/// their outcomes (a retried push keeps its answer), conflicts, the audit log with its chain, the
/// server's replica id and clock, the digests and scope exits of the anti-entropy check (SPEC §16),
/// and the pull sequence where it stood, so clients continue from their cursors.
///
/// A moved county keeps its database id (`server_meta` key `database`, copied with the table):
/// it holds every version under the same sequence numbers, so a client's cursor and its
/// `?server=` still name it, and no client gets `409 server_changed` or pulls from 0. Only a
/// restore from a backup, which may lack writes, takes a new id (`ServerStore+Backup`).
///
/// The source is read in one snapshot and the target written in one transaction: a failure
/// leaves the target as it was. The audit log's key stays a file (`AuditLog.keyPath`), which the
/// operator moves with the database.
public enum CountyMove {
    /// One SQLite table and the columns copied, in the same names on both sides.
    struct Table {
        let name: String
        let columns: [String]
        /// Rows left out: the SQLite sequence lives in PostgreSQL's `CommitOrderedSequence`.
        var filter = ""
    }

    /// Every table of the SQLite server schema except `schema_migrations`; the move's test fails
    /// when the SQLite schema gains a table that is not listed here.
    static let tables = [
        Table(name: "server_meta", columns: ["key", "value"], filter: "WHERE key <> 'seq'"),
        Table(name: "users", columns: ["name", "role", "districts", "token_hash", "created_at", "revoked_at"]),
        Table(name: "field_state", columns: ["record_type", "record_id", "field", "value", "hlc", "base", "replica", "author", "seq", "redacted",
                                             "change_set"]),
        Table(name: "record_scope", columns: ["record_type", "record_id", "district", "everyone", "parent_type", "parent_id"]),
        Table(name: "change_sets", columns: ["id", "replica", "user_name", "received_at", "change_count", "outcome"]),
        Table(name: "audit_log", columns: ["seq", "at", "actor", "action", "detail", "mac"]),
        Table(name: "scope_digests", columns: ["scope", "bucket", "digest"]),
        Table(name: "scope_exits", columns: ["seq", "record_type", "record_id", "district", "everyone"]),
    ]

    /// What was copied: rows per table, and the pull sequence's number.
    public struct Summary: Codable, Equatable, Sendable {
        public var rows: [String: Int]
        public var sequence: Int64
    }

    public enum Problem: Error, CustomStringConvertible {
        /// The target already holds a county (or part of one): the move never merges two.
        case targetNotEmpty(table: String)

        public var description: String { text.english }
        public var text: LocalizedText {
            switch self {
            case .targetNotEmpty(let table): ServerText.moveTargetNotEmpty.with(["table": table])
            }
        }
    }

    /// Copies the county at `sqlitePath` (migrated to this version's schema first, as every
    /// `kette-server` command does) into the database `connectionString` names.
    public static func copy(from sqlitePath: String, to connectionString: String) throws -> Summary {
        // Checked read-only first: opening a file that is not a county would make one of it.
        try ServerStore.checkIsServerDatabase(sqlitePath, missing: .moveNoSource, foreign: .moveSourceForeign)
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        let source = try Database(path: sqlitePath, configuration: configuration)
        try ServerSchema.migrator.migrate(source)
        let target = try PostgresConnection(connectionString, applicationName: "kette-server migrate")
        try PostgresServerSchema.migrator.migrate(target)
        // A deferred transaction reads one snapshot of the source from its first read on.
        return try source.inTransaction(.deferred) { source in
            try target.inTransaction { target in try copy(source, into: target) }
        }
    }

    private static func copy(_ source: Database, into target: PostgresConnection) throws -> Summary {
        for table in tables {
            if try target.firstRow("SELECT 1 FROM \(table.name) LIMIT 1") != nil { throw Problem.targetNotEmpty(table: table.name) }
        }
        guard try PostgresServerSchema.pullSequence.newest(in: target) == 0 else { throw Problem.targetNotEmpty(table: CommitOrderedSequence.table) }
        var rows: [String: Int] = [:]
        for table in tables { rows[table.name] = try copy(table, from: source, into: target) }
        let sequence = Int64(try source.scalarInt("SELECT value FROM server_meta WHERE key = 'seq'") ?? 0)
        let audited = Int64(try source.scalarInt("SELECT coalesce(max(seq), 0) FROM audit_log") ?? 0)
        try target.execute("UPDATE \(CommitOrderedSequence.table) SET last = $1 WHERE name = $2", [sequence, PostgresServerSchema.pullSequence.name])
        try target.execute("UPDATE \(CommitOrderedSequence.table) SET last = $1 WHERE name = $2", [audited, PostgresServerSchema.auditSequence.name])
        return Summary(rows: rows, sequence: sequence)
    }

    /// Streams one table with COPY, in batches so a large county never sits in memory whole.
    private static func copy(_ table: Table, from source: Database, into target: PostgresConnection) throws -> Int {
        let columns = table.columns.joined(separator: ", ")
        let copySQL = "COPY \(table.name) (\(columns)) FROM STDIN"
        var batch: [[DatabaseValue]] = []
        var copied = 0
        try source.forEachRow("SELECT \(columns) FROM \(table.name) \(table.filter)") { row in
            batch.append(row.values)
            if batch.count == 10_000 {
                copied += try target.copy(copySQL, rows: batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { copied += try target.copy(copySQL, rows: batch) }
        return copied
    }
}
