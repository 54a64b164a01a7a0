import KettePostgres
import KetteStore

/// The server's storage code on a PostgreSQL connection (`ServerDatabase`): numbers its `?`
/// placeholders as `$1, $2, …` (once per statement text), reads JSON lists with PostgreSQL's
/// functions, and keeps the pull sequence in the `CommitOrderedSequence` of the schema.
///
/// Owns its connection; like it, not thread-safe.
final class PostgresServerDatabase: ServerDatabase {
    let connection: PostgresConnection
    /// PostgreSQL's text of each statement, by the text written for `ServerDatabase`.
    private var translated: [String: String] = [:]

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    @discardableResult
    func write(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Int {
        try connection.execute(postgres(sql), arguments)
    }

    func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> [Row] {
        try connection.rows(postgres(sql), arguments)
    }

    func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Row? {
        try connection.firstRow(postgres(sql), arguments)
    }

    /// Reads every row even after `body` said stop: libpq must read a result to its end before the
    /// connection takes the next command (the server's scans are bounded by LIMIT).
    func scanRows(_ sql: String, _ arguments: [DatabaseValueConvertible?], while body: (Row) throws -> Bool) throws {
        var reading = true
        try connection.forEachRow(postgres(sql), arguments) { row in
            if reading { reading = try body(row) }
        }
    }

    func isListed(_ column: String) -> String {
        "\(column) IN (SELECT json_array_elements_text(?::json))"
    }

    /// One index lookup per key, whatever the statistics say: a generic plan made while the table
    /// was small (a new county's first pushes) took `= ANY (…)` or `IN (SELECT …)` as a filter over
    /// every row of the record type, 790 ms per 512 keys at 100,000 rows; the lateral subquery
    /// behind `OFFSET 0` cannot be flattened into such a join (5 ms). The key columns are "C".
    func keyLookup(_ columns: String, from table: String, keyColumns: [String]) -> String {
        let matches = keyColumns.enumerated().map { "\($1) = (listed.key ->> \($0)) COLLATE \"C\"" }.joined(separator: " AND ")
        return """
            SELECT found.* FROM json_array_elements(?::json) AS listed(key) CROSS JOIN LATERAL (
                SELECT \(columns) FROM \(table) WHERE \(matches) OFFSET 0
            ) AS found
            """
    }

    func insertNew(into table: String, columns: [String], rows: [[DatabaseValue]]) throws {
        guard !rows.isEmpty else { return }
        try connection.copy("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN", rows: rows)
    }

    /// Chunks of 32 KiB (some 200 field versions): PostgreSQL stores each while the push makes
    /// the next.
    func openNewRows(into table: String, columns: [String]) throws -> (any NewRowStream)? {
        try connection.beginCopy("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN", chunkBytes: 1 << 15)
    }

    /// Each statement is a round trip: a push's inserts go 256 rows at a time.
    var rowsPerInsert: Int { 256 }

    /// Locks the counter's row until the transaction ends: the same rule as
    /// `CommitOrderedSequence.take` (Protocol/SPEC.md §12.1), taken when the write starts
    /// because the number of rows it writes is known only at its end.
    func holdPullSequence() throws -> Int64 {
        try PostgresServerSchema.pullSequence.hold(in: connection)
    }

    func savePullSequence(_ last: Int64) throws {
        try PostgresServerSchema.pullSequence.advance(to: last, in: connection)
    }

    func newestPullSequence() throws -> Int64 {
        try PostgresServerSchema.pullSequence.newest(in: connection)
    }

    func holdAuditSequence() throws {
        _ = try PostgresServerSchema.auditSequence.hold(in: connection)
    }

    func saveAuditSequence(_ last: Int64) throws {
        try PostgresServerSchema.auditSequence.advance(to: last, in: connection)
    }

    func auditTriggersInPlace() throws -> Bool {
        try connection.scalarInt("""
            SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass
            AND tgname IN ('audit_log_no_change', 'audit_log_no_truncate') AND tgenabled <> 'D'
            """) == 2
    }

    /// Disabled inside the transaction: a failure (or a crash) leaves them enabled.
    func withoutAuditTriggers(_ body: () throws -> Void) throws {
        try connection.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        try body()
        try connection.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
    }

    /// `sql` with its `?` placeholders numbered (`PostgresPlaceholders`), once per statement text.
    func postgres(_ sql: String) -> String {
        if let known = translated[sql] { return known }
        let text = PostgresPlaceholders.numbered(sql)
        translated[sql] = text
        return text
    }
}

@available(*, unavailable)
extension PostgresServerDatabase: Sendable {}

extension PostgresCopyStream: NewRowStream {
    func send(_ rows: [[DatabaseValue]]) throws {
        try send(rows[...])  // the generic `send`, not this one
    }

    func finish() throws {
        _ = try finish() as Int
    }
}
