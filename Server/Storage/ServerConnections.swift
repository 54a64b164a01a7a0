import Foundation
import KetteStore

/// How the server's storage reaches its database: one write transaction at a time in this
/// process, and read transactions in parallel, each seeing one snapshot.
protocol ServerConnections: Sendable {
    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    func write<T>(_ body: (any ServerDatabase) throws -> T) throws -> T
    /// Runs `body` in a read-only transaction whose statements all see one snapshot.
    func read<T>(_ body: (any ServerDatabase) throws -> T) throws -> T
}

/// The SQLite database: one writer (`BEGIN IMMEDIATE`), read-only connections in WAL mode, and
/// the WAL checkpointed after commits off the writer's path.
struct SQLiteConnections: ServerConnections {
    let writer: DatabaseQueue
    let readers: ReaderPool
    let checkpointer: WALCheckpointer

    func write<T>(_ body: (any ServerDatabase) throws -> T) throws -> T {
        let result = try writer.write { db in try body(db) }
        checkpointer.committed()
        return result
    }

    func read<T>(_ body: (any ServerDatabase) throws -> T) throws -> T {
        try readers.read { db in try body(db) }
    }
}
