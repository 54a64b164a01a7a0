/// A PostgreSQL error code (SQLSTATE): five characters, the first two naming the class
/// (`23` integrity constraint violation, `40` transaction rollback, `08` connection exception).
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The class: the code's first two characters.
    public var errorClass: String { String(rawValue.prefix(2)) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let invalidCatalogName = SQLState(rawValue: "3D000")
    public static let objectNotInPrerequisiteState = SQLState(rawValue: "55000")
    public static let diskFull = SQLState(rawValue: "53100")
    /// A value PostgreSQL's text type cannot hold: Kette raises it itself for a NUL character,
    /// which libpq's text parameters would silently cut off.
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    /// Kette's own code for a failure libpq reports without a SQLSTATE: the connection could not
    /// be made or broke (`08006`, connection failure, as the server would name it).
    public static let connectionFailure = SQLState(rawValue: "08006")
    /// Kette's own code for a misuse of the API (wrong number of arguments): `08P01`, protocol
    /// violation, is what the server answers to the same mistake.
    public static let protocolViolation = SQLState(rawValue: "08P01")

    public var description: String { rawValue }
}

/// An error reported by PostgreSQL or libpq: the SQLSTATE, the primary message and the SQL that
/// failed.
///
/// Bound arguments are never part of it, and neither is PostgreSQL's DETAIL line (which repeats
/// the key values of a unique violation): they may be personal data and would end up in logs. The
/// messages of data exceptions (class 22) quote the rejected input after a colon, so for them only
/// the part before it is kept.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let code: SQLState
    public let message: String
    public let sql: String?

    public init(code: SQLState, message: String, sql: String? = nil) {
        self.code = code
        self.message = code.errorClass == "22" ? Self.withoutQuotedInput(message) : message
        self.sql = sql
    }

    public var description: String {
        var text = "PostgreSQL error \(code.rawValue): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }

    /// True when running the same transaction again may succeed: it lost a serialization race or
    /// was chosen to break a deadlock.
    public var isTransient: Bool { code == .serializationFailure || code == .deadlockDetected }

    /// True for failures of the database service itself (connection lost, disk full, out of
    /// memory, shut down, I/O), as opposed to a constraint or a mistake in our SQL.
    public var isStorageFailure: Bool {
        ["08", "53", "57", "58", "XX"].contains(code.errorClass)
    }

    /// `invalid input syntax for type bigint: "Anna"` becomes `invalid input syntax for type bigint`.
    private static func withoutQuotedInput(_ message: String) -> String {
        guard let colon = message.range(of: ": ") else { return message }
        return String(message[..<colon.lowerBound])
    }
}
