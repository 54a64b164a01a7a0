import Foundation
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest

/// `kette-server migrate --from county.db --to postgres://…`, the real binary against a real
/// throw-away PostgreSQL cluster: the county arrives whole, and every mistake is refused with a
/// message that names it, changing nothing.
final class CountyMoveCommandTests: ServerTestCase {
    /// A county that served a client: two offers synced by anna, then the server stopped.
    private func makeCounty() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start()
        connect("anna", as: "anna")
        kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"])
        kette("anna", ["offer", "add", "--title", "Sprachkurs", "--district", "nordstadt"])
        kette("anna", ["sync"])
        server.kill(SIGTERM)
    }

    func testTheCountyArrivesWithItsSequenceAndTheAuditKeyIsNamed() throws {
        try makeCounty()
        let database = try makePostgresDatabase()
        let moved = try server.run(["migrate", "--from", server.database, "--to", database.tcpURL])
        XCTAssertEqual(moved.status, 0, moved.errors)
        let source = try Database(path: server.database)
        let versions = try XCTUnwrap(try source.scalarInt("SELECT count(*) FROM field_state"))
        let sequence = try XCTUnwrap(try source.scalarInt("SELECT value FROM server_meta WHERE key = 'seq'"))
        XCTAssertTrue(moved.output.contains("\(versions) field versions, 1 user,"), moved.output)
        XCTAssertTrue(moved.output.contains("pull sequence at \(sequence)"), moved.output)
        XCTAssertTrue(moved.errors.contains(server.database + ".audit-key"), moved.errors)

        let target = try PostgresConnection(database.url)
        XCTAssertEqual(try target.scalarInt("SELECT count(*) FROM field_state"), versions)
        XCTAssertEqual(try target.scalarString("SELECT value FROM server_meta WHERE key = 'database'"),
                       try source.scalarString("SELECT value FROM server_meta WHERE key = 'database'"))

        // Into the same database again: refused (exit 1), in German too, and the data stays.
        let again = try server.run(["migrate", "--from", server.database, "--to", database.tcpURL], language: "de_DE.UTF-8")
        XCTAssertEqual(again.status, 1, again.errors)
        XCTAssertTrue(again.errors.contains("enthält schon Daten (Tabelle server_meta)"), again.errors)
        XCTAssertEqual(again.output, "")
        XCTAssertEqual(try target.scalarInt("SELECT count(*) FROM field_state"), versions)
    }

    /// `postgresql://` alone takes the database from the PG* environment variables, as libpq does.
    func testTheEnvironmentNamesTheDatabaseWhenTheURLLeavesItOut() throws {
        try makeCounty()
        let database = try makePostgresDatabase()
        let environment = ["PGHOST": "127.0.0.1", "PGPORT": String(database.cluster.port), "PGUSER": database.cluster.user,
                           "PGDATABASE": database.name]
        let moved = try server.run(["migrate", "--from", server.database, "--to", "postgresql://", "--json"], environment: environment)
        XCTAssertEqual(moved.status, 0, moved.errors)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(moved.output.utf8)) as? [String: Any], moved.output)
        let rows = try XCTUnwrap(summary["rows"] as? [String: Int])
        XCTAssertEqual(rows["users"], 1)
        XCTAssertEqual(try PostgresConnection(database.url).scalarInt("SELECT count(*) FROM users"), 1)
    }

    func testMistakesAreNamedAndChangeNothing() throws {
        try makeCounty()
        let database = try makePostgresDatabase()
        let missing = runner.root.appendingPathComponent("nowhere.db").path
        let absent = try server.run(["migrate", "--from", missing, "--to", database.tcpURL])
        XCTAssertEqual(absent.status, 1, absent.errors)
        XCTAssertTrue(absent.errors.contains("no county database \(missing)"), absent.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "a missing source must not be created")

        // A client's store is a SQLite file too, but no county: refused and left untouched.
        let clientStore = home("anna") + "/kette.db"
        let before = try Data(contentsOf: URL(fileURLWithPath: clientStore))
        let foreign = try server.run(["migrate", "--from", clientStore, "--to", database.tcpURL])
        XCTAssertEqual(foreign.status, 1, foreign.errors)
        XCTAssertTrue(foreign.errors.contains("is not a kette-server database"), foreign.errors)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: clientStore)), before)

        let notURL = try server.run(["migrate", "--from", server.database, "--to", "county2.db"])
        XCTAssertEqual(notURL.status, 1, notURL.errors)
        XCTAssertTrue(notURL.errors.contains("--to needs a PostgreSQL database as postgres://USER@HOST/DB"), notURL.errors)

        // Port 1 on loopback: nobody listens there. The password is never shown.
        let unreachable = try server.run(["migrate", "--from", server.database, "--to", "postgres://kette:geheim@127.0.0.1:1/county"])
        XCTAssertEqual(unreachable.status, 4, unreachable.errors)
        XCTAssertTrue(unreachable.errors.contains("cannot reach the PostgreSQL database postgres://kette:***@127.0.0.1:1/county"), unreachable.errors)
        XCTAssertFalse(unreachable.errors.contains("geheim"), unreachable.errors)

        let noDatabase = try server.run(["migrate", "--from", server.database, "--to", database.cluster.tcpURL(database: "no_such_county")])
        XCTAssertEqual(noDatabase.status, 4, noDatabase.errors)
        XCTAssertTrue(noDatabase.errors.contains("\"no_such_county\" does not exist"), noDatabase.errors)
        XCTAssertEqual(try PostgresConnection(database.url).scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0,
                       "nothing was written to the empty database")
    }
}
