import Foundation
import KettePostgres
import XCTest

/// An empty PostgreSQL database of one test, in the test run's throw-away cluster.
public struct PostgresTestDatabase: Sendable {
    public let name: String
    /// Over the cluster's Unix socket: for in-process stores.
    public let url: String
    /// `postgres://kette@127.0.0.1:PORT/NAME`: for server processes, in the form operators write.
    public let tcpURL: String
    public let cluster: ThrowawayCluster
}

/// The one cluster of a test run, started when a test first asks for a database (a second or two)
/// and stopped with the process; each test gets a database of its own in it.
public enum SharedPostgresCluster {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<(cluster: ThrowawayCluster, admin: PostgresAdmin), Error>?

    static func cluster() throws -> (cluster: ThrowawayCluster, admin: PostgresAdmin) {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        // A failed start is remembered: every later test fails with the same reason at once.
        let result = Result { () throws -> (cluster: ThrowawayCluster, admin: PostgresAdmin) in
            let cluster = try ThrowawayCluster()
            return (cluster, try PostgresAdmin(url: cluster.socketURL(database: "postgres")))
        }
        started = result
        return try result.get()
    }
}

/// The connection that makes and drops the tests' databases.
final class PostgresAdmin: @unchecked Sendable {
    // @unchecked: the connection is only used under `lock`.
    private let connection: PostgresConnection
    private let lock = NSLock()

    init(url: String) throws {
        connection = try PostgresConnection(url, applicationName: "kette-tests")
    }

    func execute(_ sql: String) throws {
        lock.lock()
        defer { lock.unlock() }
        try connection.execute(sql)
    }
}

extension XCTestCase {
    /// A new, empty PostgreSQL database for this test, dropped when the test ends (also when it
    /// fails), with whatever connections are still open to it.
    public func makePostgresDatabase() throws -> PostgresTestDatabase {
        let (cluster, admin) = try SharedPostgresCluster.cluster()
        let name = "kette_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try admin.execute("CREATE DATABASE \(name) STRATEGY FILE_COPY")
        addTeardownBlock { try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        return PostgresTestDatabase(name: name, url: cluster.socketURL(database: name), tcpURL: cluster.tcpURL(database: name), cluster: cluster)
    }
}
