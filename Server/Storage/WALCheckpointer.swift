import Foundation
import KetteStore

/// Copies the SQLite server's write-ahead log into the database file after writes commit, on a
/// connection and a thread of its own, so that the single writer does not wait for it.
///
/// SQLite checkpoints on the committing connection by default, each time the WAL holds 1,000
/// pages: writing the pages into the file and syncing it took a tenth of a push's time
/// (BENCHMARKS.md, "The push writer"). A passive checkpoint takes no lock a writer needs, so here
/// it runs beside the next push. The writer keeps SQLite's automatic checkpoint as a backstop at
/// `writerBackstopPages`, should this one fall behind. Durability is unchanged: a push is answered
/// only after its commit is synced in the WAL (`synchronous=FULL`), whenever the checkpoint runs.
final class WALCheckpointer: @unchecked Sendable {
    // @unchecked: `database` is used only on `queue`; `scheduled` only under `lock`.
    private let database: Database
    private let queue = DispatchQueue(label: "kette.checkpoint", qos: .utility)
    private let lock = NSLock()
    /// A checkpoint is queued and has not started yet: later commits need no second one.
    private var scheduled = false

    /// Pages in the WAL at which the writer checkpoints itself (SQLite's default is 1,000).
    static let writerBackstopPages = 16_000

    /// Opens the checkpointing connection to the server database at `path` and moves the writer's
    /// own automatic checkpoint to the backstop.
    init(path: String, writer: DatabaseQueue) throws {
        var configuration = Database.Configuration()
        configuration.durability = .full  // the checkpoint syncs the database file before the WAL is reused
        configuration.createIfMissing = false
        database = try Database(path: path, configuration: configuration)
        try database.execute("PRAGMA wal_autocheckpoint = 0")  // it never writes; said for clarity
        try writer.read { db in try db.execute("PRAGMA wal_autocheckpoint = \(Self.writerBackstopPages)") }
    }

    /// Called after a write transaction committed: a passive checkpoint follows soon.
    func committed() {
        let start: Bool = lock.withLock {
            defer { scheduled = true }
            return !scheduled
        }
        guard start else { return }
        queue.async { [self] in
            lock.withLock { scheduled = false }
            // A failure (a busy reader, a full disk) leaves the pages in the WAL, where readers
            // find them; the next checkpoint or the writer's backstop copies them.
            try? database.execute("PRAGMA wal_checkpoint(PASSIVE)")
        }
    }

    /// Runs `body` while no background checkpoint runs (a truncating checkpoint of the writer's
    /// own would fail at once beside one).
    func holding<T>(_ body: () throws -> T) rethrows -> T {
        try queue.sync { try body() }
    }
}
