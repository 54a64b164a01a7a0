import Dispatch

/// A database connection shared between threads: every access runs on one serial queue.
public final class DatabaseQueue: @unchecked Sendable {
    // @unchecked: the connection is only touched from `queue`, which serializes all access.
    private let database: Database
    private let queue: DispatchQueue

    public init(path: String, configuration: Database.Configuration = Database.Configuration()) throws {
        self.database = try Database(path: path, configuration: configuration)
        self.queue = DispatchQueue(label: "kette.database")
    }

    /// Runs `body` with exclusive access to the connection.
    public func read<T>(_ body: (Database) throws -> T) rethrows -> T {
        try queue.sync { try body(database) }
    }

    /// Runs `body` in an immediate transaction with exclusive access to the connection.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.sync { try database.inTransaction(.immediate, body) }
    }
}
