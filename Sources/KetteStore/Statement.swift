import CSQLite

/// A prepared statement: owns its `sqlite3_stmt`, finalized in `deinit`.
public final class Statement {
    private let handle: OpaquePointer
    private unowned let database: Database
    public let sql: String
    private var cachedColumns: RowColumns?

    init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw database.lastError(code: code, sql: sql)
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `arguments` to its parameters, in order.
    public func bind(_ arguments: [DatabaseValueConvertible?]) throws(SQLiteError) {
        try bind(values: arguments.map { $0?.databaseValue ?? .null })
    }

    /// Resets the statement and binds `values` to its parameters, in order: the hot-path form,
    /// without an existential per argument.
    public func bind(values arguments: [DatabaseValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw SQLiteError(code: .misuse, message: "expected \(expected) arguments, got \(arguments.count)", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch argument {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let value): code = sqlite3_bind_int64(handle, index, value)
            case .real(let value): code = sqlite3_bind_double(handle, index, value)
            // With its length, not -1: a text holding a NUL is stored whole, never cut at the NUL.
            case .text(let value): code = sqlite3_bind_text(handle, index, value, Int32(value.utf8.count), kette_sqlite_transient())
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), kette_sqlite_transient()) }
            }
            guard code == SQLITE_OK else { throw database.lastError(code: code, sql: sql) }
        }
    }

    /// Binds `values` and runs the statement to its end, discarding rows.
    public func run(_ values: [DatabaseValue]) throws(SQLiteError) {
        try bind(values: values)
        defer { reset() }
        while try step() {}
    }

    /// Advances to the next row; false when done.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.lastError(code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets the statement so it releases its read snapshot and can run again.
    public func reset() { sqlite3_reset(handle) }

    /// The current row's columns.
    public func row() -> Row {
        let count = sqlite3_column_count(handle)
        var values: [DatabaseValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_TEXT:
                // The text first, then its length (SQLite's documented order); read whole, past any NUL.
                let text = sqlite3_column_text(handle, column)
                let length = Int(sqlite3_column_bytes(handle, column))
                values.append(.text(String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)))
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(handle, column))
                if let bytes = sqlite3_column_blob(handle, column), length > 0 {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: bytes, count: length))))
                } else {
                    values.append(.blob([]))
                }
            default: values.append(.null)
            }
        }
        return Row(values: values, columns: columns())
    }

    /// The names of the result's columns, read from SQLite once per statement and shared by every
    /// row it returns. Read again only if SQLite re-prepared the statement with another shape
    /// (a schema change under `SELECT *`).
    private func columns() -> RowColumns {
        let count = Int(sqlite3_column_count(handle))
        if let cachedColumns, cachedColumns.names.count == count { return cachedColumns }
        let names = (0..<count).map { column in
            sqlite3_column_name(handle, Int32(column)).map { String(cString: $0) } ?? ""
        }
        let columns = RowColumns(names: names, sql: sql)
        cachedColumns = columns
        return columns
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
