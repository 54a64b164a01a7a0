import Foundation

/// Connections to one database shared between threads: each is used by one thread at a time,
/// between taking it from and returning it to the pool.
public final class PostgresPool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`; a connection belongs to the thread that took
    // it until it is returned; `connectionString` and `applicationName` are immutable.
    private var idle: [PostgresConnection] = []
    private let lock = NSLock()
    private let available: DispatchSemaphore
    public let connectionString: String
    private let applicationName: String

    /// Opens `size` connections at once, so a wrong address or password fails here, not at the
    /// first request.
    public init(_ connectionString: String, size: Int, applicationName: String = "kette") throws(PostgresError) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        for _ in 0..<max(1, size) { idle.append(try PostgresConnection(connectionString, applicationName: applicationName)) }
        available = DispatchSemaphore(value: max(1, size))
    }

    /// Runs `body` with a connection of its own. A connection that broke (the server restarted)
    /// is connected again before it is handed out next.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
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
        if connection.isBroken { connection.reset() }
        return try body(connection)
    }
}
