import CPostgres
#if canImport(Glibc)
import Glibc
#endif
import KetteStore

/// A connection to one PostgreSQL database through libpq: owns its `PGconn`, closed in `deinit`.
///
/// Statements with arguments are prepared once per connection (by their SQL text) and their
/// arguments are always bound, never spliced into the text. Not thread-safe: a connection belongs
/// to one thread at a time (the server shares them through `ConnectionPool`, one per thread in turn).
public final class PostgresConnection {
    let handle: OpaquePointer
    /// The name each prepared statement has on this connection, by its SQL.
    private var prepared: [String: String] = [:]
    /// A `COPY … FROM STDIN` not finished yet (`beginCopy`); weak: its owner ends it.
    weak var openCopy: PostgresCopyStream?

    /// Connects with a libpq connection string: a URL (`postgres://USER@HOST/DB`,
    /// `postgresql://…`) or `key=value` pairs; whatever it leaves out comes from the `PG*`
    /// environment variables (an empty string takes them all from there).
    public init(_ connectionString: String, applicationName: String = "kette") throws(PostgresError) {
        // `fallback_application_name` names the connection in pg_stat_activity unless the string
        // names it itself; `dbname` is expanded as a whole connection string (expand_dbname).
        let keywords = ["fallback_application_name", "dbname"]
        let values = [applicationName, connectionString]
        let connection = Self.withCStrings(keywords) { keywords in
            Self.withCStrings(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailure, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(of: connection)
            PQfinish(connection)
            throw PostgresError(code: .connectionFailure, message: message)
        }
        handle = connection
        // libpq prints notices ("relation … already exists, skipping") on stderr by default.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    static func message(of connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingTrailingWhitespace()
    }

    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// True when the connection broke (server restarted, network gone): it cannot be used again
    /// until `reset()`.
    public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Connects again with the same parameters; prepared statements are prepared anew.
    public func reset() {
        prepared.removeAll()
        PQreset(handle)
    }

    /// The server's version as a number (150008 for 15.8).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    // MARK: - Running SQL

    /// Runs one or more statements that take no arguments (schema, session settings).
    public func execute(_ sql: String) throws(PostgresError) {
        _ = try PostgresResult(PQexec(handle, sql), connection: handle, sql: sql)
    }

    /// Runs a statement with arguments, discarding any rows; returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws(PostgresError) -> Int {
        try run(sql, values(arguments)).affectedRows
    }

    /// Runs a query and returns every row.
    public func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(PostgresError) -> [Row] {
        try run(sql, values(arguments)).rows()
    }

    public func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(PostgresError) -> Row? {
        let result = try run(sql, values(arguments))
        return result.rowCount > 0 ? result.row(0, columns: result.columns()) : nil
    }

    public func scalarInt(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(PostgresError) -> Int? {
        try firstRow(sql, arguments)?.int(0)
    }

    public func scalarString(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(PostgresError) -> String? {
        try firstRow(sql, arguments)?.string(0)
    }

    /// Runs a prepared statement with `values` bound: the hot-path form.
    func run(_ sql: String, _ values: [DatabaseValue]) throws(PostgresError) -> PostgresResult {
        let name = try preparedName(sql)
        let parameters = try PostgresParameters(values, sql: sql)
        let raw = parameters.withValues { count, pointers in PQexecPrepared(handle, name, count, pointers, nil, nil, 0) }
        return try PostgresResult(raw, connection: handle, sql: sql)
    }

    /// Runs a query and calls `body` per row as the rows arrive (libpq's single-row mode), without
    /// holding the whole result: for large results.
    public func forEachRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = [], _ body: (Row) throws -> Void) throws {
        let name = try preparedName(sql)
        let parameters = try PostgresParameters(values(arguments), sql: sql)
        let sent = parameters.withValues { count, pointers in PQsendQueryPrepared(handle, name, count, pointers, nil, nil, 0) }
        guard sent == 1 else { throw PostgresError(code: .connectionFailure, message: Self.message(of: handle), sql: sql) }
        PQsetSingleRowMode(handle)
        var columns: RowColumns?
        var failure: Error?
        // Every result must be read before the connection takes the next command, also after a
        // failure: the rest are read and dropped.
        while let raw = PQgetResult(handle) {
            guard failure == nil else { PQclear(raw); continue }
            do {
                let result = try PostgresResult(raw, connection: handle, sql: sql)
                guard result.status == PGRES_SINGLE_TUPLE else { continue }
                let shape = columns ?? result.columns()
                columns = shape
                try body(result.row(0, columns: shape))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    private func values(_ arguments: [DatabaseValueConvertible?]) -> [DatabaseValue] {
        arguments.map { $0?.databaseValue ?? .null }
    }

    /// The name under which `sql` is prepared on this connection, preparing it the first time.
    private func preparedName(_ sql: String) throws(PostgresError) -> String {
        if let name = prepared[sql] { return name }
        let name = "kette_\(prepared.count + 1)"
        _ = try PostgresResult(PQprepare(handle, name, sql, 0, nil), connection: handle, sql: sql)
        prepared[sql] = name
        return name
    }

    // MARK: - Transactions

    /// How a transaction sees other transactions' commits.
    public enum Isolation: String, Sendable {
        /// Every statement sees what was committed when it started (PostgreSQL's default).
        case readCommitted = "READ COMMITTED"
        /// Every statement sees what was committed when the transaction's first statement started.
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func inTransaction<T>(_ isolation: Isolation = .readCommitted, readOnly: Bool = false,
                                 _ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
        let result: T
        do {
            result = try body(self)
            try commit()
        } catch {
            // After a failed statement the transaction is aborted and only ROLLBACK is accepted;
            // a broken connection has rolled back already. A copy still open would take the
            // ROLLBACK for a row of its data: it is cancelled first.
            openCopy?.cancel("the transaction failed")
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    /// PostgreSQL answers COMMIT of a transaction that an earlier error aborted with ROLLBACK, and
    /// calls that success: a caller that caught the error inside the transaction must still hear
    /// that nothing was committed.
    private func commit() throws(PostgresError) {
        let result = try PostgresResult(PQexec(handle, "COMMIT"), connection: handle, sql: "COMMIT")
        guard String(cString: PQcmdStatus(result.handle)) == "COMMIT" else {
            throw PostgresError(code: SQLState(rawValue: "25P02"), message: "the transaction was aborted by an earlier error and rolled back", sql: "COMMIT")
        }
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}
