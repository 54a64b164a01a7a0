import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// A coordinator's local store: the SQLite file with every record this replica holds, its
/// outbox of unsynced change sets, its replica id and its clock.
///
/// Every write goes through `record(_:_:)`, which turns one user action into one change set and
/// commits the records, the field versions and the outbox entry in one transaction.
///
/// The store's API is spread over extensions, one concern per file:
///
/// | concern | file |
/// | --- | --- |
/// | opening, creating, the clock, `record(_:_:)` | `Client/Store/LocalStore.swift` (this file) |
/// | writes: districts, organizations, offers, bodies, meetings, agenda, decisions, tasks, deletion | `Client/Records/LocalStore+Writes.swift` |
/// | corrections of the minutes' parts: attendees, agenda items (moves), decisions, action items | `Client/Records/LocalStore+Minutes.swift` |
/// | undo, trash and restore, from the local history (`Client/Store/LocalHistory.swift`) | `Client/Records/LocalStore+Undo.swift` |
/// | indicator figures per offer and period | `Client/Records/LocalStore+Indicators.swift` |
/// | reads: lists, single records, search, status | `Client/Queries/LocalStore+Reads.swift` |
/// | what changed (`kette log`), record titles | `Client/Queries/LocalStore+Log.swift` |
/// | sync state: outbox batches, push results, merging pulled pages, cursor, conflicts, refusals | `Client/Sync/LocalStore+Sync.swift` |
/// | reports: coverage, indicators, meetings, tasks, the committee report | `Client/Reports/*Report.swift` |
/// | exports (CSV, HSDS, OParl) and the offer import | `Client/Exchange/CSVExport.swift`, `HSDSExport.swift`, `OParlExport.swift`, `OfferImport.swift` |
///
/// Access levels: `public` is the client library's API, what a front end such as `kette` needs
/// (open, record, read, report, export, import, conflicts and sync status). `package` is for
/// this package's tests and `kette-bench` only: the SQLite connection (`database`), raw change
/// sets (`record(_:_:)`, `ChangeSetBuilder`, `newID()`), the `Outbox` and the pull cursor.
/// Everything else is internal to `KetteClient`.
public final class LocalStore {
    public static let fileName = "kette.db"

    /// The SQLite connection. Not public: everything a front end may change goes through
    /// `record(_:_:)`, so that no write bypasses the outbox.
    package let database: Database
    public let replica: ReplicaID
    /// Who works with this store (a coordinator or an office), the author of local changes: set by
    /// `kette init --name`, and again by it on an existing store (`rename(to:)`).
    public private(set) var name: String?
    var clock: HybridLogicalClock
    /// Milliseconds to add to this machine's clock, learnt from the server when the machine's
    /// clock was found to run ahead (see `restampAheadOfServer`).
    var clockOffset: Int64
    private let now: () -> Int64
    private let makeID: () -> String

    /// Opens an existing store in `directory`.
    ///
    /// - Parameters:
    ///   - now: physical time in milliseconds since 1970; injected so tests control the clock.
    ///   - makeID: new record and change-set ids; injected so tests can make them predictable.
    ///     Time-ordered ids (`RecordIdentifier`) by `now` when not given.
    public init(directory: String,
                now: @escaping () -> Int64 = LocalStore.systemMilliseconds,
                makeID: (() -> String)? = nil) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        guard FileManager.default.fileExists(atPath: path) else { throw KetteError.storeMissing(directory: directory) }
        let database = try Self.openExisting(path: path)
        try ClientSchema.migrator.migrate(database)
        try LocalHistory.purge(now: now(), in: database)
        let replica = ReplicaID(rawValue: try database.scalarString("SELECT value FROM replica_meta WHERE key = 'replica'") ?? "")
        let last = try database.scalarString("SELECT value FROM replica_meta WHERE key = 'clock'").flatMap(HLCTimestamp.init(encoded:))
        self.database = database
        self.replica = replica
        self.name = try database.scalarString("SELECT value FROM replica_meta WHERE key = 'name'")
        self.clock = HybridLogicalClock(replica: replica, last: last)
        self.clockOffset = Int64(try database.scalarString("SELECT value FROM replica_meta WHERE key = 'clock_offset'") ?? "0") ?? 0
        self.now = now
        self.makeID = makeID ?? { RecordIdentifier.timeOrdered(milliseconds: now()) }
    }

    /// Creates a new store in `directory` (made if missing) with a fresh replica id.
    /// Returns false, changing nothing, when a store is already there.
    @discardableResult
    /// - Parameter replica: the new store's replica id; random unless a test needs to replay a run.
    public static func create(directory: String, name: String?, replica: ReplicaID = .random()) throws -> Bool {
        let path = (directory as NSString).appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: path) {
            _ = try openExisting(path: path)  // a store, or an error that says what is there instead
            return false
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw KetteError.storeUnwritable(directory: directory, reason: LocalizedText(verbatim: (error as NSError).localizedDescription))
        }
        let database = try Database(path: path)
        try ClientSchema.migrator.migrate(database)
        try database.inTransaction { db in
            try db.execute("INSERT INTO replica_meta (key, value) VALUES ('replica', ?)", [replica.rawValue])
            if let name { try db.execute("INSERT INTO replica_meta (key, value) VALUES ('name', ?)", [name]) }
        }
        return true
    }

    /// Opens the store file, looking before writing: a file that is not a Kette store (empty,
    /// another program's database) is reported and left exactly as it is.
    static func openExisting(path: String) throws -> Database {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard size != 0 else {
            throw KetteError.storeDamaged(path: path, reason: StoreText.emptyFile.text)
        }
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        configuration.durability = .full
        configuration.switchToWAL = false  // stores are created in WAL mode, and it persists
        let database = try Database(path: path, configuration: configuration)
        guard try database.scalarInt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'replica_meta'") != nil,
              try database.scalarString("SELECT value FROM replica_meta WHERE key = 'replica'") != nil else {
            throw KetteError.storeDamaged(path: path, reason: StoreText.foreignFile.text)
        }
        return database
    }

    public static func systemMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    public var path: String { database.path }

    /// This machine's time, corrected by what the server taught us.
    func physicalNow() -> Int64 { now() + clockOffset }

    func setMeta(_ key: String, _ value: String?, in db: Database) throws {
        if let value {
            try db.execute("INSERT INTO replica_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
        } else {
            try db.execute("DELETE FROM replica_meta WHERE key = ?", [key])
        }
    }

    /// Makes `name` the owner of this store: the author of the changes written from now on (those
    /// already written keep the author they were made with). Returns false when it already is.
    @discardableResult
    public func rename(to name: String) throws -> Bool {
        guard name != self.name else { return false }
        try database.inTransaction { db in try setMeta("name", name, in: db) }
        self.name = name
        return true
    }

    func meta(_ key: String) throws -> String? {
        try database.scalarString("SELECT value FROM replica_meta WHERE key = ?", [key])
    }

    /// A new id for a record or change set.
    package func newID() -> String { makeID() }

    /// Records one user action: `body` writes fields through the builder; the resulting change
    /// set, the records and the field versions are committed together, or nothing is.
    @discardableResult
    package func record<T>(_ summary: String, _ body: (ChangeSetBuilder) throws -> T) throws -> T {
        var clock = self.clock
        let hlc = clock.tick(now: physicalNow())
        let result = try database.inTransaction { db -> T in
            let builder = ChangeSetBuilder(database: db, hlc: hlc, replica: replica, changeSetID: makeID(), scope: try WriteScope.current(in: db))
            let result = try body(builder)
            guard !builder.changes.isEmpty else { return result }
            // A write the server would refuse as outside the user's scope is refused now (rolled back).
            try builder.scope?.check(builder.changes, in: db)
            try builder.digests.write(into: db)
            // Stamped with the oldest record schema that has what it writes: a server not yet
            // updated to schema 2 still takes the change sets that need only schema 1.
            let changeSet = ChangeSet(id: builder.changeSetID, replica: replica, author: name,
                                      schemaVersion: ChangeSet.schemaVersion(of: builder.changes), summary: summary, changes: builder.changes)
            try Outbox.append(changeSet, createdAt: hlc.physicalMilliseconds, in: db)
            try LocalHistory.recordAction(changeSet, hlc: hlc, previous: builder.previousVersions, undoes: builder.undoing, in: db)
            try SearchIndex.reindex(offers: builder.touchedOffers, meetings: builder.touchedMeetings, in: db)
            try setMeta("clock", hlc.encoded, in: db)
            return result
        }
        self.clock = clock  // only a committed change set moves the clock
        return result
    }
}

@available(*, unavailable)
extension LocalStore: Sendable {}
