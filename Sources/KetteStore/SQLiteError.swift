import CSQLite

/// A SQLite result code, primary or extended (`SQLITE_CONSTRAINT_UNIQUE` is 2067, its primary is 19).
public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary code: the low byte of an extended code.
    public var primary: ResultCode { ResultCode(rawValue: rawValue & 0xFF) }

    public static let ok = ResultCode(rawValue: SQLITE_OK)
    public static let error = ResultCode(rawValue: SQLITE_ERROR)
    public static let busy = ResultCode(rawValue: SQLITE_BUSY)
    public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
    public static let readonly = ResultCode(rawValue: SQLITE_READONLY)
    public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
    public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
    public static let full = ResultCode(rawValue: SQLITE_FULL)
    public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
    public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)
    public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
    public static let constraintUnique = ResultCode(rawValue: 2067)      // SQLITE_CONSTRAINT_UNIQUE
    public static let constraintForeignKey = ResultCode(rawValue: 787)   // SQLITE_CONSTRAINT_FOREIGNKEY
    public static let constraintPrimaryKey = ResultCode(rawValue: 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY

    /// Lets `case .constraint:` match every extended constraint code, as GRDB does.
    public static func ~= (pattern: ResultCode, code: ResultCode) -> Bool {
        pattern == code || (pattern.primary == pattern && pattern == code.primary)
    }

    public var description: String { String(cString: sqlite3_errstr(rawValue)) }
}

/// An error reported by SQLite, with the extended result code, SQLite's message and the SQL that failed.
///
/// Bound arguments are deliberately not part of the description: they may hold personal data
/// (attendee names) and would end up in logs.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: ResultCode
    public let message: String
    public let sql: String?

    public init(code: ResultCode, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }

    /// True for failures of the storage itself (disk full, I/O, locked, corrupt, unreadable),
    /// as opposed to a constraint or a mistake in our SQL.
    public var isStorageFailure: Bool {
        switch code.primary {
        case .busy, .locked, .readonly, .ioError, .corrupt, .full, .cantOpen, .notADatabase: return true
        default: return false
        }
    }
}
