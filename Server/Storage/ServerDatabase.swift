import KetteProtocol
import KetteStore

/// The one seam between the server's storage code and its database: the statements that push,
/// pull, place records and keep digests run through it, on SQLite (`Database`) or on PostgreSQL
/// (`PostgresServerDatabase`), so the merge logic exists once.
///
/// SQL written for it is in the dialect both accept: `?` placeholders (PostgreSQL's wrapper
/// numbers them), `ON CONFLICT … DO UPDATE/NOTHING`, `coalesce`, booleans as TRUE/FALSE and bare
/// boolean columns (SQLite keeps them as 1 and 0, rows read them as integers on both), no
/// `last_insert_rowid`. What the two cannot say alike is a requirement here: a JSON list of
/// districts, and the pull sequence.
protocol ServerDatabase: AnyObject {
    /// Runs a statement, discarding any rows; returns the number of rows it changed.
    @discardableResult
    func write(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Int
    func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> [Row]
    func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Row?
    /// Calls `body` per row until it returns false.
    func scanRows(_ sql: String, _ arguments: [DatabaseValueConvertible?], while body: (Row) throws -> Bool) throws

    /// A condition that holds when `column` is one of the strings of the JSON list bound to the
    /// one `?` it contains.
    func isListed(_ column: String) -> String
    /// A query for the `columns` of the rows of `table` whose `keyColumns` hold one of the keys
    /// in the JSON list bound to its one `?` (each key a list of strings, one per key column),
    /// looked up in an index that starts with `keyColumns`: a push's records, of every type at once.
    func keyLookup(_ columns: String, from table: String, keyColumns: [String]) -> String

    /// Inserts `rows` (values of `columns`, in order) into `table`, none of whose keys is there
    /// yet: a push holds the pull sequence and its cache knows which rows it adds, so it needs
    /// no conflict handling. PostgreSQL's `COPY` (for 100,000 field versions 0.65 s of the
    /// backend's time against 0.81 s as multi-row upserts); a prepared INSERT per row on SQLite.
    /// A key that is there after all fails the transaction.
    func insertNew(into table: String, columns: [String], rows: [[DatabaseValue]]) throws

    /// A stream of rows new to `table`, as for `insertNew`, that the database stores while the
    /// caller goes on making more (`COPY` on PostgreSQL, in another process); nil where nothing
    /// would run beside the caller (SQLite). Until it is finished, no other statement may go to
    /// the database.
    func openNewRows(into table: String, columns: [String]) throws -> (any NewRowStream)?

    /// Rows one INSERT of a push's `WriteBatch` carries at most, a power of two: many where each
    /// statement is a round trip, one where a statement of many rows costs more than it saves.
    var rowsPerInsert: Int { get }

    /// Inside a write transaction: the last pull sequence number given out, held for this
    /// transaction (no other writer takes numbers until it ends).
    func holdPullSequence() throws -> Int64
    /// Inside the same transaction, before its commit: the last number it gave out.
    func savePullSequence(_ last: Int64) throws
    /// The newest pull sequence number whose rows a reader sees.
    func newestPullSequence() throws -> Int64

    /// Inside a write transaction, before reading the audit log's last entry: no other writer
    /// appends until this transaction ends.
    func holdAuditSequence() throws
    /// Inside the same transaction: the number of the last entry it appended.
    func saveAuditSequence(_ last: Int64) throws
    /// Whether the triggers that keep the audit log append-only are there and enabled.
    func auditTriggersInPlace() throws -> Bool
    /// Runs `body` (an erasure's re-signing) with the audit log's triggers lifted for this
    /// transaction alone.
    func withoutAuditTriggers(_ body: () throws -> Void) throws
}

/// An open stream of new rows (`ServerDatabase.openNewRows`).
protocol NewRowStream: AnyObject {
    func send(_ rows: [[DatabaseValue]]) throws
    /// Sends what is left and waits until the database has stored every row.
    func finish() throws
}

extension ServerDatabase {
    @discardableResult
    func write(_ sql: String) throws -> Int { try write(sql, []) }
    func rows(_ sql: String) throws -> [Row] { try rows(sql, []) }
    func firstRow(_ sql: String) throws -> Row? { try firstRow(sql, []) }

    func forEachRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = [], _ body: (Row) throws -> Void) throws {
        try scanRows(sql, arguments) { row in
            try body(row)
            return true
        }
    }

    func scalarInt(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> Int? {
        try firstRow(sql, arguments)?.int(0)
    }

    func scalarString(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> String? {
        try firstRow(sql, arguments)?.string(0)
    }
}

/// SQLite: one writer at a time (`BEGIN IMMEDIATE`), so the sequence is a value in `server_meta`.
extension Database: ServerDatabase {
    @discardableResult
    func write(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Int {
        try execute(sql, arguments)
        return changes
    }

    func isListed(_ column: String) -> String {
        "\(column) IN (SELECT value FROM json_each(?))"
    }

    func keyLookup(_ columns: String, from table: String, keyColumns: [String]) -> String {
        let listed = keyColumns.indices.map { "json_extract(value, '$[\($0)]')" }.joined(separator: ", ")
        return "SELECT \(columns) FROM \(table) WHERE (\(keyColumns.joined(separator: ", "))) IN (SELECT \(listed) FROM json_each(?))"
    }

    func insertNew(into table: String, columns: [String], rows: [[DatabaseValue]]) throws {
        let insert = try cachedStatement("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
                                         + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")")
        for row in rows { try insert.run(row) }
    }

    /// Nothing runs beside the caller: SQLite works in the caller's thread.
    func openNewRows(into table: String, columns: [String]) throws -> (any NewRowStream)? { nil }

    /// No round trips to save, and a statement that writes many rows keeps a statement journal
    /// of every page it changes (measured: a push took longer with 256 rows per insert).
    var rowsPerInsert: Int { 1 }

    func holdPullSequence() throws -> Int64 {
        try newestPullSequence()
    }

    func savePullSequence(_ last: Int64) throws {
        try execute("INSERT INTO server_meta (key, value) VALUES ('seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(last)])
    }

    func newestPullSequence() throws -> Int64 {
        Int64(try scalarInt("SELECT value FROM server_meta WHERE key = 'seq'") ?? 0)
    }

    /// The write transaction holds the only write lock already.
    func holdAuditSequence() throws {}

    /// The log's numbers are its rows' own.
    func saveAuditSequence(_ last: Int64) throws {}

    func auditTriggersInPlace() throws -> Bool {
        try scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('audit_log_no_update', 'audit_log_no_delete')") == 2
    }

    /// SQLite cannot disable a trigger: they are dropped and made again from their own SQL.
    func withoutAuditTriggers(_ body: () throws -> Void) throws {
        let triggers = try rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            .compactMap { row in row.string(0).flatMap { name in row.string(1).map { (name, $0) } } }
        for (name, _) in triggers { try execute("DROP TRIGGER \"\(name)\"") }
        try body()
        for (_, sql) in triggers { try execute(sql) }
    }
}
