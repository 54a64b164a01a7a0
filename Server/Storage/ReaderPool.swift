import Foundation
import KetteStore

/// Connections shared between threads: each is used by one thread at a time, between taking it
/// from and returning it to the pool.
final class ConnectionPool<Connection: AnyObject>: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`; a connection is used by one thread at a
    // time, between taking it from and returning it to `idle`.
    private var idle: [Connection]
    private let lock = NSLock()
    private let available: DispatchSemaphore

    init(_ connections: [Connection]) {
        precondition(!connections.isEmpty, "a pool needs a connection")
        idle = connections
        available = DispatchSemaphore(value: connections.count)
    }

    func with<T>(_ body: (Connection) throws -> T) throws -> T {
        available.wait()
        lock.lock()
        let connection = idle.removeLast()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(connection)
            lock.unlock()
            available.signal()
        }
        return try body(connection)
    }
}

/// Read-only connections for parallel readers: in WAL mode they read a consistent snapshot while
/// the single writer commits.
final class ReaderPool: Sendable {
    private let pool: ConnectionPool<Database>

    init(path: String, size: Int) throws {
        var configuration = Database.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        pool = ConnectionPool(try (0..<max(1, size)).map { _ in try Database(path: path, configuration: configuration) })
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        // A read transaction gives every statement of `body` the same snapshot.
        try pool.with { database in try database.inTransaction(.deferred, body) }
    }
}
