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
                                rateLimiter: RateLimiter? = nil) throws -> TestServerStore {
        let directory = try makeTemporaryDirectory("server")
        let store = try ServerStore(path: directory + "/server.db", now: now)
        for district in districts { try store.addDistrict(id: district.id, name: district.name) }
        var tokens: [String: String] = [:]
        for user in users { tokens[user.name] = try store.addUser(name: user.name, role: user.role, districts: user.districts) }
        return TestServerStore(store: store, api: SyncAPI(storage: store, rateLimiter: rateLimiter), tokens: tokens)
    }

    /// A new coordinator's store named `name` in a directory that is removed when the test ends.
    /// Its clock is `now` (by default the machine's).
    public func makeLocalStore(name: String?, now: @escaping () -> Int64 = LocalStore.systemMilliseconds) throws -> LocalStore {
        let directory = try makeTemporaryDirectory("client")
        try LocalStore.create(directory: directory, name: name)
        return try LocalStore(directory: directory, now: now)
    }
}
