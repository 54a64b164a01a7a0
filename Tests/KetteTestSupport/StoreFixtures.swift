import Foundation
import KetteClient
import KetteProtocol
import KetteServer
import XCTest

/// A real `ServerStore` on a SQLite file in a throw-away directory, the API in front of it, and
/// the tokens of the users it was made with.
public struct TestServerStore {
    public let store: ServerStore
    public let api: SyncAPI
    /// The user name → token of every user made with the store.
    public let tokens: [String: String]

    /// The database file; its `-wal`, `-shm`, audit key and audit head lie beside it.
    public var path: String { store.path }

    /// Who the server takes `user` to be, as after signing in with their token.
    public func identity(_ user: String, file: StaticString = #filePath, line: UInt = #line) throws -> Identity {
        let token = try XCTUnwrap(tokens[user], "no user \(user) was made", file: file, line: line)
        return try XCTUnwrap(store.authenticate(token: token), "the token of \(user) is not accepted", file: file, line: line)
    }
}

extension XCTestCase {
    /// A server store with `districts` and `users` in a directory that is removed when the test
    /// ends. Its clock is `now` (by default a `TestClock` that stands still).
    public func makeServerStore(districts: [TestDistrict] = [.nordstadt], users: [TestUser] = [],
                                now: @escaping @Sendable () -> Int64 = TestClock().now,
                                rateLimiter: RateLimiter? = nil, backend: ServerTestBackend = .current) throws -> TestServerStore {
        let store = try makeEmptyServerStore(now: now, backend: backend)
        for district in districts { try store.addDistrict(id: district.id, name: district.name) }
        var tokens: [String: String] = [:]
        for user in users { tokens[user.name] = try store.addUser(name: user.name, role: user.role, districts: user.districts) }
        return TestServerStore(store: store, api: SyncAPI(storage: store, rateLimiter: rateLimiter), tokens: tokens)
    }

    /// A new, empty server store on the backend the test run names (`ServerTestBackend`): a SQLite
    /// file in a directory that is removed when the test ends, or a PostgreSQL database of the
    /// run's throw-away cluster with its audit key in such a directory.
    public func makeEmptyServerStore(replica: ReplicaID = .random(), now: @escaping @Sendable () -> Int64 = TestClock().now,
                                     backend: ServerTestBackend = .current) throws -> ServerStore {
        let directory = try makeTemporaryDirectory("server")
        switch backend {
        case .sqlite:
            return try ServerStore(path: directory + "/server.db", replica: replica, now: now)
        case .postgres:
            return try ServerStore(postgres: try makePostgresDatabase().url, auditKey: directory + "/server.audit-key", replica: replica, now: now)
        }
    }

    /// Skips a test of something only a SQLite file has (its bytes, its WAL, its backups) when the
    /// run's server backend is PostgreSQL.
    public func requireSQLiteServer(_ what: String) throws {
        if ServerTestBackend.current == .postgres { throw XCTSkip("\(what) is a property of the SQLite file; this run's server is on PostgreSQL") }
    }

    /// A new coordinator's store named `name` in a directory that is removed when the test ends.
    /// Its clock is `now` (by default the machine's).
    public func makeLocalStore(name: String?, now: @escaping () -> Int64 = LocalStore.systemMilliseconds) throws -> LocalStore {
        let directory = try makeTemporaryDirectory("client")
        try LocalStore.create(directory: directory, name: name)
        return try LocalStore(directory: directory, now: now)
    }
}

/// Which database the server stores of the server and sync tests run on: SQLite unless
/// `KETTE_SERVER_BACKEND=postgres` (the README's test command runs those tests once more so).
public enum ServerTestBackend: String, Sendable {
    case sqlite, postgres

    public static let current = ServerTestBackend(rawValue: ProcessInfo.processInfo.environment["KETTE_SERVER_BACKEND"] ?? "") ?? .sqlite
}
