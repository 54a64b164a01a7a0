import KettePostgres
import KetteStore

/// A connection of its own to a test server's database, to look inside it whatever the backend:
/// the SQLite file, or the PostgreSQL database (the store's `path` is then its URL), with the
/// same SQL (`?` placeholders, numbered for PostgreSQL).
public final class ServerDatabaseInspector {
    private let sqlite: Database?
    private let postgres: PostgresConnection?

    public init(_ path: String) throws {
        if PostgresURL.isPostgres(path) {
            (sqlite, postgres) = (nil, try PostgresConnection(path, applicationName: "kette-tests"))
        } else {
            (sqlite, postgres) = (try Database(path: path), nil)
        }
    }

    public func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> [Row] {
        if let sqlite { return try sqlite.rows(sql, arguments) }
        return try postgres!.rows(PostgresPlaceholders.numbered(sql), arguments)
    }

    public func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> Row? {
        try rows(sql, arguments).first
    }

    public func scalarInt(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> Int? {
        try firstRow(sql, arguments)?.int(0)
    }

    public func scalarString(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> String? {
        try firstRow(sql, arguments)?.string(0)
    }

    /// Runs a statement (a test damaging the database on purpose).
    public func execute(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws {
        if let sqlite { return try sqlite.execute(sql, arguments) }
        try postgres!.execute(PostgresPlaceholders.numbered(sql), arguments)
    }
}
