import Foundation
import KetteStore

/// Read-only connections for parallel readers: in WAL mode they read a consistent snapshot while
/// the single writer commits.
final class ReaderPool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`; a connection is used by one thread at a
    // time, between taking it from and returning it to `idle`.
    private var idle: [Database] = []
    private let lock = NSLock()
    private let available: DispatchSemaphore

    init(path: String, size: Int) throws {
        var configuration = Database.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        for _ in 0..<size { idle.append(try Database(path: path, configuration: configuration)) }
        available = DispatchSemaphore(value: size)
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        available.wait()
        lock.lock()
        let database = idle.removeLast()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(database)
            lock.unlock()
            available.signal()
        }
        // A read transaction gives every statement of `body` the same snapshot.
        return try database.inTransaction(.deferred, body)
    }
}
