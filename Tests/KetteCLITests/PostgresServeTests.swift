import Foundation
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest

/// `kette-server serve --db postgres://…`: the real server on a throw-away PostgreSQL cluster, real
/// `kette` clients syncing through it.
final class PostgresServeTests: ServerTestCase {
    private func offers(_ user: String) throws -> [String: String] {
        let output = kette(user, ["offer", "list", "--json"]).stdout
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output)
        return Dictionary(uniqueKeysWithValues: list.compactMap { offer in
            (offer["id"] as? String).map { ($0, offer["title"] as? String ?? "") }
        })
    }

    func testTwoClientsSyncOffersThroughAServerOnPostgreSQLAndConverge() throws {
        let database = try makePostgresDatabase()
        try makeServer(users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "nordstadt"), .county("kreis")], database: database.tcpURL)
        try server.start()
        XCTAssertTrue(try String(contentsOfFile: server.logPath, encoding: .utf8).contains("(database \(database.tcpURL))"))
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        let cafe = kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"]).stdout.trimmingCharacters(in: .newlines)
        kette("bert", ["offer", "add", "--title", "Sprachkurs", "--district", "nordstadt"])
        kette("anna", ["sync"])
        kette("bert", ["sync"])
        kette("anna", ["sync"])
        XCTAssertEqual(Set(try offers("anna").values), ["Elterncafé", "Sprachkurs"])
        XCTAssertEqual(try offers("bert"), try offers("anna"))

        // Both edit the same title without seeing each other: the server opens a conflict, both
        // end with the same winner and the conflict.
        kette("anna", ["offer", "edit", cafe, "--title", "Elterncafé Nord"])
        kette("bert", ["offer", "edit", cafe, "--title", "Elterntreff"])
        kette("anna", ["sync"])
        kette("bert", ["sync"], expect: 2)
        kette("anna", ["sync"], expect: nil)
        XCTAssertEqual(try offers("bert"), try offers("anna"))
        for user in ["anna", "bert"] {
            let conflicts = kette(user, ["conflicts", "--json"]).stdout
            XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(conflicts.utf8)) as? [Any])?.count, 1, "\(user): \(conflicts)")
        }

        // Everything is in PostgreSQL, nothing in a SQLite file; the audit log verifies, and a
        // restarted server serves a new client everything.
        let stored = try PostgresConnection(database.url)
        XCTAssertEqual(try stored.scalarInt("SELECT count(DISTINCT record_id) FROM field_state WHERE record_type = 'offer'"), 2)
        XCTAssertGreaterThan(try stored.scalarInt("SELECT count(*) FROM audit_log WHERE action = 'push'") ?? 0, 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runner.root.appendingPathComponent("server.db").path))
        server.kill(SIGTERM)
        XCTAssertTrue(try server.admin(["audit", "verify"]).contains("audit log intact"))
        try server.start()
        kette("kreis", ["init", "--name", "kreis"])
        kette("kreis", ["remote", server.url, "--token", tokens["kreis"]!])
        kette("kreis", ["sync"], expect: 2)  // 2: the open conflict arrives too
        XCTAssertEqual(try offers("kreis"), try offers("anna"))
    }

    /// "A migrated county serves every client's next sync without a full re-pull."
    func testAMovedCountyServesTheNextSyncFromTheClientsCursor() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start()
        connect("anna", as: "anna")
        for title in ["Elterncafé", "Sprachkurs", "Hausaufgabenhilfe"] { kette("anna", ["offer", "add", "--title", title, "--district", "nordstadt"]) }
        kette("anna", ["sync"])
        server.kill(SIGTERM)
        let database = try makePostgresDatabase()
        let moved = try server.run(["migrate", "--from", server.database, "--to", database.tcpURL])
        XCTAssertEqual(moved.status, 0, moved.errors)

        let sqlite = server!
        server = ServerProcess(directory: runner.root, database: database.tcpURL)
        // The key moves with the county: the PostgreSQL server is given the source's key file.
        try FileManager.default.copyItem(atPath: sqlite.database + ".audit-key", toPath: server.databaseArguments.last!)
        try FileManager.default.copyItem(atPath: sqlite.database + ".audit-head", toPath: runner.root.appendingPathComponent("server.audit-head").path)
        try server.start()
        kette("anna", ["remote", server.url, "--token", tokens["anna"]!])
        let added = kette("anna", ["offer", "add", "--title", "Lernpaten", "--district", "nordstadt"]).stdout.trimmingCharacters(in: .newlines)
        let next = kette("anna", ["sync", "--json"]).stdout
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(next.utf8)) as? [String: Any], next)
        let stored = try PostgresConnection(database.url)
        let newRows = try XCTUnwrap(try stored.scalarInt("SELECT count(*) FROM field_state WHERE record_id = $1", [added]))
        XCTAssertGreaterThan(try stored.scalarInt("SELECT count(*) FROM field_state") ?? 0, 3 * newRows, "a full pull would be more")
        XCTAssertLessThanOrEqual(summary["pulledChanges"] as? Int ?? .max, newRows, "only the new offer's fields, not the county again: \(next)")
        XCTAssertEqual(Set(try offers("anna").values), ["Elterncafé", "Sprachkurs", "Hausaufgabenhilfe", "Lernpaten"])
        XCTAssertTrue(try server.admin(["audit", "verify"]).contains("audit log intact"), "the chain continues on PostgreSQL")
    }

    func testPostgreSQLWithoutAnAuditKeyABackupOrAReachableServerIsRefused() throws {
        let database = try makePostgresDatabase()
        let process = ServerProcess(directory: runner.root)
        let result = try process.run(["user", "list", "--db", database.tcpURL])
        XCTAssertEqual(result.status, 1, result.errors)
        XCTAssertTrue(result.errors.contains("a PostgreSQL database needs --audit-key FILE"), result.errors)
        let backup = try process.run(["backup", "--to", runner.root.appendingPathComponent("b.db").path, "--db", database.tcpURL,
                                      "--audit-key", runner.root.appendingPathComponent("k").path], language: "de_DE.UTF-8")
        XCTAssertEqual(backup.status, 1, backup.errors)
        XCTAssertTrue(backup.errors.contains("pg_dump"), backup.errors)
        // Nobody listens on port 1: a storage error (4) that names the database, never its password.
        let down = try process.run(["serve", "--port", "0", "--db", "postgres://kette:geheim@127.0.0.1:1/county",
                                    "--audit-key", runner.root.appendingPathComponent("k").path])
        XCTAssertEqual(down.status, 4, down.errors)
        XCTAssertTrue(down.errors.contains("the PostgreSQL database postgres://kette:***@127.0.0.1:1/county is unusable (08006)"), down.errors)
        XCTAssertFalse(down.errors.contains("geheim"), down.errors)
    }
}
