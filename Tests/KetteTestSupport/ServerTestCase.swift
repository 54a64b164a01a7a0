import Foundation
import XCTest

/// The base of the end-to-end tests that sync: a real `kette-server` process with districts and
/// users (not started: a test may want flags), and `kette` runs in stores named per person, each
/// in its own directory under the test's root.
open class ServerTestCase: KetteCLITestCase {
    public var server: ServerProcess!
    /// The user name → token of every user made with `makeServer`.
    public var tokens: [String: String] = [:]

    /// How long one `kette` run may take before it is killed and reported as exit -1.
    open var ketteTimeout: TimeInterval { 120 }

    open override func tearDown() {
        server?.kill()
        server = nil
        super.tearDown()
    }

    /// Makes the server's database with `districts` and `users` through `kette-server`'s admin
    /// commands and keeps each user's token in `tokens`. Start it with `server.start(…)`.
    /// - Parameter database: a PostgreSQL URL to serve from; nil for a SQLite file.
    public func makeServer(districts: [TestDistrict] = [.nordstadt], users: [TestUser], database: String? = nil,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        server = ServerProcess(directory: runner.root, database: database)
        for district in districts { try server.admin(["district", "add", district.id, district.name], file: file, line: line) }
        for user in users { tokens[user.name] = try server.admin(user.adminArguments, file: file, line: line) }
    }

    /// The directory of the store named `name`.
    public func home(_ name: String) -> String { runner.root.appendingPathComponent(name).path }

    /// Runs `kette` in the store named `name` and asserts its exit code (unless `expect` is nil).
    @discardableResult
    public func kette(_ name: String, _ arguments: [String], env: [String: String?] = [:], expect: Int32? = 0,
                      file: StaticString = #filePath, line: UInt = #line) -> KetteResult {
        let result = runner.run(["--home", home(name)] + arguments, env: env, timeout: ketteTimeout)
        if let expect { XCTAssertEqual(result.exitCode, expect, "\(result)", file: file, line: line) }
        return result
    }

    /// Sends a request with `curl arguments…` (10 s at most, no proxy) and returns the status and body.
    public func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        try curlRequest(arguments)
    }

    /// Makes the store `name` for `user`, points it at the server and syncs once.
    public func connect(_ name: String, as user: String, file: StaticString = #filePath, line: UInt = #line) {
        kette(name, ["init", "--name", user], file: file, line: line)
        kette(name, ["remote", server.url, "--token", tokens[user]!], file: file, line: line)
        kette(name, ["sync"], file: file, line: line)
    }
}
