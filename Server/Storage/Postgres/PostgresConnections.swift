import Foundation
import KettePostgres

/// A PostgreSQL database: one writing connection per process (writes of other processes on the
/// same database wait for the pull sequence, `WriteContext`), and reading connections whose
/// transactions are `REPEATABLE READ`, so a pull reads the newest sequence number and its rows in
/// one snapshot (Protocol/SPEC.md §12.1).
struct PostgresConnections: ServerConnections {
    private let writer: ConnectionPool<PostgresServerDatabase>
    private let readers: ConnectionPool<PostgresServerDatabase>

    /// Opens every connection at once, so a wrong address fails here, not at the first request.
    init(_ url: String, readerCount: Int) throws {
        func connect() throws -> PostgresServerDatabase {
            PostgresServerDatabase(try PostgresConnection(url, applicationName: "kette-server"))
        }
        writer = ConnectionPool([try connect()])
        readers = ConnectionPool(try (0..<max(1, readerCount)).map { _ in try connect() })
    }

    func write<T>(_ body: (any ServerDatabase) throws -> T) throws -> T {
        try writer.with { db in try db.reconnected().connection.inTransaction { _ in try body(db) } }
    }

    func read<T>(_ body: (any ServerDatabase) throws -> T) throws -> T {
        try readers.with { db in try db.reconnected().connection.inTransaction(.repeatableRead, readOnly: true) { _ in try body(db) } }
    }
}

extension PostgresServerDatabase {
    /// Itself, connected again first when the connection broke (the server restarted): the
    /// request that finds it broken is served, not failed.
    func reconnected() -> PostgresServerDatabase {
        if connection.isBroken { connection.reset() }
        return self
    }
}
