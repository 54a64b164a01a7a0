import Foundation
import KetteStore
import KetteTestSupport
import XCTest

/// Integer fields have protocol bounds (SPEC §6.2) that the client and the server check alike, and
/// no figure a store holds, however large, makes a report or a meeting command trap.
final class NumericBoundsTests: KetteCLITestCase {
    private let huge = "9223372036854775807"
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]

    // MARK: Refused at write time and by the server

    func testAFigureBeyondTheBoundsIsRefusedByTheClientAndByTheServer() throws {
        let server = ServerProcess(directory: runner.root)
        defer { server.kill() }
        try server.admin(["district", "add", "nordstadt", "Nordstadt"])
        let token = try server.admin(["user", "add", "kreis", "--role", "county"])
        try server.start()
        ok("init", "--name", "Kreis")
        ok("remote", server.url, "--token", token)
        ok("sync")
        let offer = addOffer(title: "Sprachkita", extra: ["--phase", "preschool"])
        ok("sync")

        // The client refuses before anything is written or queued, naming the field and the bound.
        try assertRejected(["offer", "indicator", offer, "--period", "2026-Q1", "--participants", huge],
                           mentions: ["participants", huge, "at most 10000000"])
        try assertRejected(["offer", "indicator", offer, "--period", "2026-Q1", "--participants", "12", "--sessions", "10000001"],
                           mentions: ["sessions", "10000001", "at most 10000000"])
        try assertRejected(["offer", "indicator", offer, "--period", "2026-Q1", "--participants", huge], mentions: ["höchstens 10000000"], env: german)
        ok("offer", "indicator", offer, "--period", "2026-Q1", "--participants", "10000000", "--sessions", "0")

        // The server refuses a push from a client that does not check, with the same reason; the bound itself is accepted.
        let pushes = [(participants: huge, status: "refused"), (participants: "10000001", status: "refused"), (participants: "10000000", status: "applied")]
        for push in pushes {
            let result = try self.push(server, token: token, changes: [
                #"{"type": "indicator", "id": "\#(offer)|2025", "field": "offer", "value": "\#(offer)", "hlc": "\#(now())"}"#,
                #"{"type": "indicator", "id": "\#(offer)|2025", "field": "period", "value": "2025", "hlc": "\#(now())"}"#,
                #"{"type": "indicator", "id": "\#(offer)|2025", "field": "participants", "value": \#(push.participants), "hlc": "\#(now())"}"#,
            ])
            XCTAssertEqual(result["status"] as? String, push.status, "\(push.participants): \(result)")
            if push.status == "refused" {
                XCTAssertEqual(result["code"] as? String, "invalid")
                XCTAssertEqual(result["reason"] as? String, "indicator.participants must be a whole number from 0 to 10000000, not \(push.participants)")
            }
        }
        let position = try push(server, token: token, changes: [
            #"{"type": "agenda-item", "id": "a1", "field": "position", "value": \#(huge), "hlc": "\#(now())"}"#,
        ])
        XCTAssertEqual(position["status"] as? String, "refused", "\(position)")
        XCTAssertEqual(position["reason"] as? String, "agenda-item.position must be a whole number from -2147483648 to 2147483647, not \(huge)")

        ok("sync")
        let figures = try XCTUnwrap(try jsonObject("report", "indicators", "--period", "2025", "--json")["totals"] as? [[String: Any]])
        XCTAssertEqual((figures.first?["figures"] as? [String: Any])?["participants"] as? Int, 10_000_000, "the accepted figure arrived")
    }

    /// The milliseconds now, as a timestamp of a replica the server has not seen.
    private func now() -> String {
        String(format: "%015lld-0000-0123456789abcdef0123456789abcdef", Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Pushes one change set of `changes` (JSON objects) with curl and returns the server's result for it.
    private func push(_ server: ServerProcess, token: String, changes: [String]) throws -> [String: Any] {
        let body = #"{"changeSets": [{"id": "\#(UUID().uuidString.lowercased())", "replica": "0123456789abcdef0123456789abcdef", "#
            + #""schemaVersion": 1, "summary": "by hand", "changes": [\#(changes.joined(separator: ", "))]}]}"#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--noproxy", "*", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                             "--data-binary", body, server.url + "/v1/changesets"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = (try JSONSerialization.jsonObject(with: answer) as? [String: Any])?["results"] as? [[String: Any]]
        return try XCTUnwrap(results?.first, String(decoding: answer, as: UTF8.self))
    }

    // MARK: A store that holds them anyway

    func testReportsAndMeetingCommandsOverFiguresFromBeyondTheBoundsRunAndSaySomethingSensible() throws {
        let fixture = makeFixture()
        let kita = addOffer(title: "Sprachkita", extra: ["--phase", "preschool"])
        let club = addOffer(title: "Sportverein", extra: ["--phase", "preschool,primary"])
        for offer in [kita, club] {
            ok("offer", "indicator", offer, "--period", "2025-Q4", "--participants", "40", "--sessions", "10")
            ok("offer", "indicator", offer, "--period", "2026-Q1", "--participants", "50", "--sessions", "12")
        }
        let meeting = ok("meeting", "add", "--body", fixture.steering, "--date", "2026-02-10", "--attendee", "Anna; Jugendamt", "--minutes", "Protokoll")
        ok("meeting", "agenda", meeting, "Begrüßung")
        ok("meeting", "agenda", meeting, "Lückenanalyse")
        ok("task", "add", meeting, "Zahlen prüfen", "--owner", "Anna", "--due", "2026-03-01")

        // What a pull from an older server, which accepted any 64-bit integer, leaves in the store.
        let database = try Database(path: runner.databasePath)
        try database.execute("UPDATE indicators SET participants = ?, sessions = ? WHERE period = '2026-Q1'", [Int64.max, Int64.max])
        try database.execute("UPDATE indicators SET sessions = ? WHERE period = '2025-Q4' AND offer = ?", [Int64.min, club])
        try database.execute("UPDATE agenda_items SET position = ? WHERE title = 'Lückenanalyse'", [Int64.max])
        try database.execute("UPDATE agenda_items SET position = ? WHERE title = 'Begrüßung'", [Int64.min])

        let out = runner.root.appendingPathComponent("out").path
        let commands: [[String]] = [
            ["report", "indicators"], ["report", "indicators", "--format", "csv"], ["report", "indicators", "--format", "html"],
            ["report", "indicators", "--by", "year"], ["report", "indicators", "--period", "2026-Q1", "--json"],
            ["report", "committee", "--period", "2026-Q1", "--today", "2026-04-14", "--out", out + ".html"],
            ["report", "committee", "--period", "2026-Q1", "--today", "2026-04-14", "--format", "json"],
            ["report", "meetings"], ["report", "tasks", "--today", "2026-04-14"], ["report", "coverage"],
            ["meeting", "show", meeting], ["meeting", "show", meeting, "--json"], ["meeting", "list"], ["offer", "show", club],
            ["export", "csv", "--out", out + "-csv"], ["export", "oparl", "--out", out + "-oparl"], ["export", "hsds", "--out", out + "-hsds"],
        ]
        for command in commands {
            for language in [[String: String?](), german] {
                let result = runner.run(command, env: language)
                XCTAssertEqual(result.exitCode, 0, "\(result)")
            }
        }

        // Sums stop at the largest Int instead of wrapping or trapping; a change too large for an
        // Int is still written out exactly.
        let report = try jsonObject("report", "indicators", "--period", "2026-Q1", "--json")
        let total = try XCTUnwrap((report["totals"] as? [[String: Any]])?.first?["figures"] as? [String: Any])
        XCTAssertEqual(total["participants"] as? Int, Int.max)
        XCTAssertEqual(total["previousParticipants"] as? Int, 80)
        XCTAssertEqual(total["participantsChange"] as? Int, Int.max - 80)
        let text = ok("report", "indicators", "--period", "2026-Q1")
        XCTAssertTrue(text.contains("9,223,372,036,854,775,807"), text)
        XCTAssertTrue(text.contains("+9,223,372,036,854,775,727"), "the change: \(text)")
        let year = ok("report", "indicators", "--by", "year", "--today", "2027-01-10")  // both years over: whole years compared
        XCTAssertTrue(year.contains("+18,446,744,073,709,551,615"), "Int.max sessions against Int.min: the exact difference, beyond Int: \(year)")

        // The agenda numbers the items by their order, whatever their positions; a new item goes
        // after them, and the positions written stay within the protocol's bounds (with no gap left
        // after the last position, the agenda is numbered afresh).
        let agenda = ok("meeting", "show", meeting)
        XCTAssertTrue(agenda.contains("Item 1: Begrüßung") && agenda.contains("Item 2: Lückenanalyse"), agenda)
        ok("meeting", "agenda", meeting, "Verschiedenes")
        let items = try XCTUnwrap(try jsonObject("meeting", "show", meeting, "--json")["agenda"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["title"] as? String }, ["Begrüßung", "Lückenanalyse", "Verschiedenes"])
        XCTAssertEqual(items.map { $0["number"] as? Int }, [1, 2, 3])
        XCTAssertTrue(items.allSatisfy { (-2_147_483_648...2_147_483_647).contains($0["position"] as? Int ?? .max) }, "\(items)")
    }
}
