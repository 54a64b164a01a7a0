import CSQLite

/// A connection to one SQLite database file, configured for Kette's durability needs.
///
/// Not thread-safe: a `Database` belongs to one thread at a time. `DatabaseQueue` is the
/// type to share between threads.
public final class Database {
    /// How hard a commit is pushed to disk.
    public enum Durability: Sendable {
        /// `synchronous=FULL`: an acknowledged commit survives power loss (client stores).
        case full
        /// `synchronous=NORMAL` in WAL mode: survives a crash of the process, may lose the
        /// last commits on power loss.
        case normal
    }

    public struct Configuration: Sendable {
        public var readOnly = false
        public var durability: Durability = .full
        /// How long a writer waits for another connection's lock before `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int32 = 5_000
        public var createIfMissing = true
        /// The page cache in KiB. SQLite's default (2 MiB) makes merges into a growing database
        /// read the same index pages again and again.
        public var cacheKiB = 16 * 1024
        /// Switch the file to WAL on open. Off to look at a file without changing its header
        /// (a WAL-mode file stays in WAL mode: the setting is persistent).
        public var switchToWAL = true
        public init() {}
    }

    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    public init(path: String, configuration: Configuration = Configuration()) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if configuration.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if configuration.createIfMissing { flags |= SQLITE_OPEN_CREATE }
        }
        if !configuration.readOnly && configuration.createIfMissing && path != ":memory:" && !path.isEmpty {
            // SQLite would create the file 0644 (less the umask), and its -wal and -shm take the
            // database file's mode: made 0600 first, all three are private (minutes name people).
            PrivateFile.prepareDatabase(at: path)
        }
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            // sqlite3_open_v2 allocates a handle even when it fails; it must be closed again.
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(connection)
            throw SQLiteError(code: ResultCode(rawValue: code), message: "\(message) (\(path))")
        }
        self.handle = connection
        self.path = path
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, configuration.busyTimeoutMilliseconds)
        // From here on `deinit` owns the handle: a throwing init of a fully initialized class
        // releases the instance, which closes the connection.
        // Reading the header makes an unreadable or non-database file fail here, not later.
        try execute("PRAGMA foreign_keys = ON")
        if !configuration.readOnly && configuration.switchToWAL {
            let mode = try scalarString("PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: .error, message: "could not switch to WAL journal mode (got \(mode ?? "nothing"))")
            }
        }
        try execute(configuration.durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        try execute("PRAGMA cache_size = -\(configuration.cacheKiB)")
    }

    deinit {
        statementCache.removeAll()  // statements must be finalized before the connection closes
        sqlite3_close_v2(handle)
    }

    func lastError(code: Int32, sql: String?) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        // Prefer the connection's extended code when it refines the returned primary code.
        let resolved = (extended & 0xFF) == (code & 0xFF) ? extended : code
        return SQLiteError(code: ResultCode(rawValue: resolved), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    // MARK: - Running SQL

    /// Runs one or more statements that take no arguments (schema, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            let extended = sqlite3_extended_errcode(handle)
            throw SQLiteError(code: ResultCode(rawValue: (extended & 0xFF) == (code & 0xFF) ? extended : code), message: message, sql: sql)
        }
    }

    /// A prepared statement for `sql`, reused across calls: hot paths pay for parsing once.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a statement with arguments, discarding any rows.
    public func execute(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws(SQLiteError) {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        while try statement.step() {}
    }

    /// Runs a query and returns every row.
    public func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(SQLiteError) -> [Row] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Runs a query and calls `body` per row without collecting them: for large results.
    public func forEachRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = [], _ body: (Row) throws -> Void) throws {
        try scanRows(sql, arguments) { row in
            try body(row)
            return true
        }
    }

    /// Runs a query and calls `body` per row until it returns false: rows after that are not read.
    public func scanRows(_ sql: String, _ arguments: [DatabaseValueConvertible?] = [], while body: (Row) throws -> Bool) throws {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        while try statement.step() {
            guard try body(statement.row()) else { return }
        }
    }

    public func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(SQLiteError) -> Row? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? statement.row() : nil
    }

    public func scalarInt(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(SQLiteError) -> Int? {
        try firstRow(sql, arguments)?.int(0)
    }

    public func scalarString(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws(SQLiteError) -> String? {
        try firstRow(sql, arguments)?.string(0)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: - Transactions

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        /// Takes the write lock at BEGIN, so a busy database fails before any work is done.
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func inTransaction<T>(_ kind: TransactionKind = .immediate, _ body: (Database) throws -> T) throws -> T {
        try begin(kind)
        let result: T
        do {
            result = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        try commit()
        return result
    }

    /// Begins a transaction that outlives one call (a pull's pages, merged one call each):
    /// `commit()` or `rollback()` ends it. `inTransaction` is the form for a single body.
    public func begin(_ kind: TransactionKind = .immediate) throws(SQLiteError) {
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
    }

    /// Commits the open transaction; a failed commit rolls it back and throws.
    public func commit() throws(SQLiteError) {
        do {
            try execute("COMMIT TRANSACTION")
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// Rolls the open transaction back, if one is open.
    public func rollback() {
        rollbackQuietly()
    }

    private func rollbackQuietly() {
        // A failed COMMIT or an I/O error may already have rolled back; a second ROLLBACK then
        // fails harmlessly with "no transaction is active".
        if isInTransaction { try? execute("ROLLBACK TRANSACTION") }
    }

    /// Runs `PRAGMA integrity_check` and returns its lines ("ok" when healthy).
    public func integrityCheck() throws(SQLiteError) -> [String] {
        try rows("PRAGMA integrity_check").compactMap { $0.string(0) }
    }

    /// Copies this database, as one consistent snapshot, into the database file at `path` (made
    /// if missing, replaced otherwise), with SQLite's online backup API: writers on other
    /// connections go on while it runs. The copy is synced to disk before this returns.
    public func backup(into path: String) throws(SQLiteError) {
        var configuration = Configuration()
        configuration.switchToWAL = false
        let destination = try Database(path: path, configuration: configuration)
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.lastError(code: sqlite3_errcode(destination.handle), sql: nil)
        }
        // One step copies every page under one read transaction: the snapshot is consistent.
        let stepped = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard stepped == SQLITE_DONE, finished == SQLITE_OK else {
            throw destination.lastError(code: stepped == SQLITE_DONE ? finished : stepped, sql: nil)
        }
        // A copy in rollback-journal mode is one self-contained file, readable without its -shm.
        guard try destination.scalarString("PRAGMA journal_mode = DELETE")?.lowercased() == "delete" else {
            throw SQLiteError(code: .error, message: "the backup copy \(path) could not leave WAL mode")
        }
    }

    /// Moves the WAL's content into the database file and truncates the WAL.
    public func checkpoint() throws(SQLiteError) {
        try execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

@available(*, unavailable)
extension Database: Sendable {}
