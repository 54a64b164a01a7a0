import Foundation
import KettePostgres
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Two `kette-server serve` processes on one PostgreSQL database, clients syncing through either
/// at random and at the same time (issue 17, "How we will know"): every change set is on the
/// server exactly once, no two rows share a sequence number, every client ends with the server's
/// state in its scope (no pull skipped a row), and the audit chain verifies.
/// KETTE_LONG_TESTS=1: 20 clients for about a minute; else 6 clients for 8 rounds.
final class PostgresTwoServersTests: ServerTestCase {
    private var long: Bool { ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1" }

    func testClientsSyncingThroughTwoProcessesAtOnceMissAndRepeatNothing() throws {
        let database = try makePostgresDatabase()
        let coordinators = (0..<(long ? 19 : 5)).map { index in (name: "c\(index)", district: index % 2 == 0 ? "nordstadt" : "suedstadt") }
        try makeServer(districts: [.nordstadt, .suedstadt],
                       users: [.county("kreis")] + coordinators.map { .coordinator($0.name, $0.district) }, database: database.tcpURL)
        try server.start()
        let second = ServerProcess(directory: try makeTemporaryDirectory("second").asURL, database: database.tcpURL,
                                   auditKey: server.databaseArguments.last!)
        try second.start()
        defer { second.kill() }
        let servers = [server.url, second.url]
        let clients = ["kreis"] + coordinators.map(\.name)
        for client in clients {
            kette(client, ["init", "--name", client])
            kette(client, ["remote", servers[0], "--token", tokens[client]!])
            kette(client, ["sync"])  // the districts
        }
        var random = SeededGenerator(seed: 17)
        var writes = 0
        var own: [String: [String]] = [:]
        let deadline = Date().addingTimeInterval(long ? 60 : 0)
        var round = 0
        while round < 8 || Date() < deadline {
            for (name, district) in coordinators {
                if let offer = own[name]?.randomElement(using: &random), random.next() % 3 == 0 {
                    kette(name, ["offer", "edit", offer, "--title", "\(name) round \(round)"])
                } else {
                    own[name, default: []].append(kette(name, ["offer", "add", "--title", "\(name) \(round)", "--district", district])
                        .stdout.trimmingCharacters(in: .newlines))
                }
                writes += 1
                kette(name, ["remote", servers[Int(random.next() % 2)], "--token", tokens[name]!])
            }
            try syncAtOnce(clients)
            round += 1
        }
        // Two quiet rounds through the first process: everything pushed is pulled everywhere.
        for _ in 0..<2 { for client in clients { kette(client, ["remote", servers[0], "--token", tokens[client]!]); kette(client, ["sync"], expect: nil) } }

        let stored = try PostgresConnection(database.url)
        XCTAssertEqual(try stored.scalarInt("SELECT count(*) FROM change_sets"), writes, "every change set once")
        XCTAssertEqual(try stored.scalarInt("SELECT count(*) FROM field_state"), try stored.scalarInt("SELECT count(DISTINCT seq) FROM field_state"),
                       "no sequence number given twice")
        for client in clients {
            XCTAssertEqual(try pendingChangeSets(client), 0, client)
            let district = coordinators.first { $0.name == client }?.district
            XCTAssertEqual(try offers(client), try serverOffers(stored, district: district), "\(client) holds the server's offers in its scope")
        }
        server.kill(SIGTERM)
        second.kill(SIGTERM)
        XCTAssertTrue(try server.admin(["audit", "verify"]).contains("audit log intact"))
        print("two processes: \(clients.count) clients, \(round) rounds, \(writes) change sets")
    }

    /// Starts `kette sync` in every client at once and waits for all; 0 or 2 (conflicts) is fine.
    private func syncAtOnce(_ clients: [String]) throws {
        let pids = try clients.map { try runner.spawn(["--home", home($0), "sync"]) }
        for (client, pid) in zip(clients, pids) {
            let end = try runner.waitForExit(pid)
            XCTAssertTrue(end == .exited(0) || end == .exited(2), "\(client): sync ended \(end)")
        }
    }

    private func pendingChangeSets(_ client: String) throws -> Int {
        let status = try JSONSerialization.jsonObject(with: Data(kette(client, ["status", "--json"]).stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(status?["pendingChangeSets"] as? Int)
    }

    private func offers(_ client: String) throws -> [String: String] {
        let output = kette(client, ["offer", "list", "--json", "--limit", "100000"]).stdout
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output)
        return Dictionary(uniqueKeysWithValues: list.compactMap { offer in (offer["id"] as? String).map { ($0, offer["title"] as? String ?? "") } })
    }

    /// The offers the server holds in `district` (all of them for nil), by id with their titles.
    private func serverOffers(_ db: PostgresConnection, district: String?) throws -> [String: String] {
        let rows = try db.rows("""
            SELECT f.record_id, f.value FROM field_state f JOIN record_scope s ON s.record_type = f.record_type AND s.record_id = f.record_id
            WHERE f.record_type = 'offer' AND f.field = 'title' AND ($1::text IS NULL OR s.district = $1)
            """, [district])
        return Dictionary(uniqueKeysWithValues: try rows.map { row in
            (row.string(0) ?? "", try FieldValue(jsonText: row.string(1) ?? "null").stringValue ?? "")
        })
    }
}

private extension String {
    var asURL: URL { URL(fileURLWithPath: self) }
}
