import Foundation
import KetteProtocol
import KetteClient
import KetteStore
import KetteTestSupport
import XCTest

/// The real binaries end to end: a `kette-server` process on loopback and several `kette` stores.
final class SyncEndToEndTests: ServerTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(districts: [.nordstadt, .suedstadt],
                       users: [.county("kreis"), .coordinator("anna", "nordstadt"), .coordinator("bert", "suedstadt")])
        try server.start()
    }

    func json(_ result: KetteResult) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Issue 12 item 8: a name with terminal escapes, written on one laptop, arrives exactly on
    /// another and is shown there, not obeyed.
    func testEscapesInAColleaguesRecordArriveExactAndPrintVisibly() throws {
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        let name = TerminalEscapeTests.hostileName, title = TerminalEscapeTests.hostileTitle
        kette("anna", ["org", "add", name])
        let offer = kette("anna", ["offer", "add", "--title", title, "--district", "nordstadt", "--provider", name]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kette("anna", ["sync"])
        kette("kreis", ["sync"])
        for command in [["org", "list"], ["offer", "list"], ["offer", "show", offer]] {
            let output = kette("kreis", command).stdout
            XCTAssertFalse(output.utf8.contains(0x1B), "\(command): \(output)")
            XCTAssertFalse(output.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{2066}" || $0 == "\u{9B}" }, "\(command): \(output)")
            XCTAssertTrue(output.contains("<U+001B>"), "\(command): \(output)")
        }
        let organizations = json(kette("kreis", ["org", "list", "--json"])) as? [[String: Any]]
        XCTAssertEqual(organizations?.compactMap { $0["name"] as? String }, [name])
        XCTAssertEqual((json(kette("kreis", ["offer", "show", offer, "--json"])) as? [String: Any])?["title"] as? String, title)
    }

    func testTheCountySeesEveryDistrictAndAConflictResolvesEverywhere() throws {
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        connect("kreis", as: "kreis")
        let offer = kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt", "--phase", "early-childhood"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kette("bert", ["offer", "add", "--title", "Hausaufgabenhilfe", "--district", "südstadt"])
        kette("anna", ["body", "add", "Netzwerk Frühe Hilfen", "--level", "network", "--district", "nordstadt"])
        let meeting = kette("anna", ["meeting", "add", "--body", "netzwerk", "--date", "2026-03-14",
                                     "--attendee", "Dr. Petra Müller; Gesundheitsamt; Leitung", "--minutes", "Hebammenmangel besprochen."]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kette("anna", ["sync"])
        kette("bert", ["sync"])
        kette("kreis", ["sync"])

        let countyOffers = json(kette("kreis", ["offer", "list", "--json"])) as? [[String: Any]]
        XCTAssertEqual(Set(countyOffers?.compactMap { $0["title"] as? String } ?? []), ["Elterncafé", "Hausaufgabenhilfe"])
        XCTAssertTrue(kette("kreis", ["meeting", "show", meeting]).stdout.contains("Dr. Petra Müller"))
        XCTAssertTrue(kette("kreis", ["search", "Hebammenmangel"]).stdout.contains(RecordIdentifier.shortCode(meeting)))
        let annaOffers = json(kette("anna", ["offer", "list", "--json"])) as? [[String: Any]]
        XCTAssertEqual(annaOffers?.compactMap { $0["title"] as? String }, ["Elterncafé"], "Anna does not receive Südstadt's offers")

        // Both edit the same field without seeing each other's edit.
        kette("anna", ["offer", "edit", offer, "--title", "Elterncafé Nord"])
        kette("kreis", ["offer", "edit", offer, "--title", "Familiencafé"])
        kette("anna", ["sync"])
        let countySync = kette("kreis", ["sync", "--json"], expect: 2)
        XCTAssertEqual((json(countySync) as? [String: Any])?["openConflicts"] as? Int, 1)
        kette("anna", ["sync"], expect: 2)
        let conflicts = json(kette("anna", ["conflicts", "--json"])) as? [[String: Any]]
        XCTAssertEqual(conflicts?.count, 1, "the conflict shows up on both sides")
        let conflictID = try XCTUnwrap(conflicts?.first?["id"] as? String)
        XCTAssertEqual((json(kette("kreis", ["conflicts", "--json"])) as? [[String: Any]])?.first?["id"] as? String, conflictID)

        kette("anna", ["conflicts", "resolve", RecordIdentifier.shortCode(conflictID), "--keep", "mine"])
        kette("anna", ["sync"])
        kette("kreis", ["sync"])
        for store in ["anna", "kreis"] {
            let shown = json(kette(store, ["offer", "show", offer, "--json"])) as? [String: Any]
            XCTAssertEqual(shown?["title"] as? String, "Elterncafé Nord", store)
            XCTAssertEqual((json(kette(store, ["conflicts", "--json"])) as? [Any])?.count, 0, "resolved everywhere (\(store))")
        }
    }

    func testADistrictTokenNeitherReadsNorWritesAnotherDistrict() throws {
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        let offer = kette("anna", ["offer", "add", "--title", "Sprachförderung Nord", "--district", "nordstadt"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kette("anna", ["sync"])

        // Reading: Bert's pull brings nothing of Nordstadt, and asking for the record directly is 403.
        kette("bert", ["sync"])
        XCTAssertFalse(kette("bert", ["offer", "list"]).stdout.contains("Sprachförderung"))
        let direct = try curl(["-H", "Authorization: Bearer \(tokens["bert"]!)", "\(server.url)/v1/records/offer/\(offer)"])
        XCTAssertEqual(direct.status, 403)
        XCTAssertFalse(direct.body.contains("Sprachförderung"), "the refusal leaks nothing")

        // Writing: Bert's offer in Nordstadt is refused as he writes it (his last sync told his
        // store his districts; RefusalEndToEndTests has the refusal at sync).
        let refused = kette("bert", ["offer", "add", "--title", "Übergriff", "--district", "nordstadt"], expect: 1)
        XCTAssertTrue(refused.stderr.contains("nordstadt"), refused.stderr)
        kette("bert", ["sync"])
        XCTAssertEqual((json(kette("bert", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int, 0)
        XCTAssertEqual(try curl(["-H", "Authorization: Bearer \(tokens["kreis"]!)", "\(server.url)/v1/changes?after=0&limit=5000"]).body
            .contains("Übergriff"), false, "nothing of the refused change set reached the server")
    }

    func testARevokedTokenGets401AndNothingIsLost() throws {
        connect("anna", as: "anna")
        kette("anna", ["offer", "add", "--title", "Nach dem Widerruf", "--district", "nordstadt"])
        try server.admin(["user", "revoke", "anna"])
        // Not an outage (3): only a new token helps, and the message says where to get one.
        let sync = kette("anna", ["sync"], expect: 5)
        XCTAssertTrue(sync.stderr.contains("Ask the county office for a new token"), sync.stderr)
        XCTAssertEqual((json(kette("anna", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int, 1)
        XCTAssertEqual(try curl(["-H", "Authorization: Bearer \(tokens["anna"]!)", "\(server.url)/v1/me"]).status, 401)
    }

    func testAnUnreachableServerExits3QuicklyAndKeepsTheOutbox() throws {
        connect("anna", as: "anna")
        kette("anna", ["offer", "add", "--title", "Offline erfasst", "--district", "nordstadt"])
        server.kill()
        let started = Date()
        let sync = kette("anna", ["sync"], env: ["KETTE_RETRIES": "1"], expect: 3)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(sync.stderr.lowercased().contains("reach") || sync.stderr.contains("unreachable"), sync.stderr)
        XCTAssertEqual((json(kette("anna", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int, 1)
    }

    /// Kills the server with SIGKILL in the middle of a large push, restarts it, syncs again:
    /// every change set arrives exactly once.
    func testServerKilledMidPushLosesAndDuplicatesNothing() throws {
        connect("anna", as: "anna")
        let count = 1500
        try fillStore(home("anna"), offers: count)
        let sync = try runner.spawn(["--home", home("anna"), "sync"], env: ["KETTE_PUSH_BATCH": "50", "KETTE_RETRIES": "0"])
        usleep(useconds_t(Int.random(in: 150_000...400_000)))
        server.kill()
        _ = try runner.waitForExit(sync)
        let pendingAfterKill = (json(kette("anna", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int ?? -1
        XCTAssertGreaterThan(pendingAfterKill, 0, "the kill came before the push was done")
        try server.start(port: server.port)  // the same address the client knows
        kette("anna", ["sync"], env: ["KETTE_PUSH_BATCH": "50"])
        XCTAssertEqual((json(kette("anna", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int, 0)

        let db = try Database(path: server.database)
        XCTAssertEqual(try db.integrityCheck(), ["ok"])
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM change_sets WHERE user_name = 'anna'"), count)
        XCTAssertEqual(try db.scalarInt("SELECT count(DISTINCT record_id) FROM field_state WHERE record_type = 'offer'"), count)
        print("server killed with \(pendingAfterKill) of \(count) change sets still pending; all \(count) arrived exactly once")
    }

    /// Kills the client in the middle of a paged pull; the next sync resumes after the last
    /// merged page instead of starting over.
    func testAPullCutOffMidwayResumesFromTheLastStoredPage() throws {
        connect("anna", as: "anna")
        let count = 1500
        try fillStore(home("anna"), offers: count)
        kette("anna", ["sync"])
        kette("kreis", ["init"])
        kette("kreis", ["remote", server.url, "--token", tokens["kreis"]!])
        let pull = try runner.spawn(["--home", home("kreis"), "sync"], env: ["KETTE_PAGE_SIZE": "100"])
        // Wait until some pages are merged, then cut the pull off.
        let deadline = Date().addingTimeInterval(20)
        var cursor = 0
        while Date() < deadline, cursor == 0 {
            usleep(20_000)
            cursor = (try? cursorOf(home("kreis"))) ?? 0
        }
        Glibc.kill(pull, SIGKILL)
        _ = try runner.waitForExit(pull)
        cursor = try cursorOf(home("kreis"))
        XCTAssertGreaterThan(cursor, 0, "pages merged before the cut are stored")
        let resumed = json(kette("kreis", ["sync", "--json"], env: ["KETTE_PAGE_SIZE": "100"])) as? [String: Any]
        let offers = json(kette("kreis", ["offer", "list", "--json"])) as? [Any]
        XCTAssertEqual(offers?.count, count)
        let totalRows = try Database(path: server.database).scalarInt("SELECT count(*) FROM field_state") ?? 0
        let pulledAgain = resumed?["pulledChanges"] as? Int ?? 0
        XCTAssertLessThanOrEqual(pulledAgain, totalRows - cursor + 1, "resumed after cursor \(cursor), not from the start")
    }

    func testServeRefusesATakenPortAndAnUnusableDatabaseClearly() throws {
        let taken = try server.run(["serve", "--db", server.database, "--port", String(server.port)])
        XCTAssertEqual(taken.status, 5)
        XCTAssertTrue(taken.errors.contains("already in use") && taken.errors.contains(String(server.port)), taken.errors)

        let garbage = runner.root.appendingPathComponent("garbage.db").path
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: garbage))
        let broken = try server.run(["user", "list", "--db", garbage])
        XCTAssertEqual(broken.status, 4)
        XCTAssertTrue(broken.errors.contains("garbage.db") && broken.errors.contains("not a database"), broken.errors)
        XCTAssertEqual(try curl(["\(server.url)/v1/health"]).status, 200, "the running server is unaffected")
    }

    /// A large import is one change set; pushes are split so requests stay under the server's
    /// body limit, and a single change set larger than the limit is refused with advice.
    func testLargeChangeSetsAndBatchesFitTheBodyLimit() throws {
        server.kill()
        try server.start(port: server.port, extraArguments: ["--max-body-mb", "8"])
        connect("anna", as: "anna")
        // 40 change sets of 50 offers with long descriptions: about 10 MB in all, more than one
        // 8 MiB request.
        let store = try LocalStore(directory: home("anna"))
        for set in 0..<40 {
            try store.record("offer import") { change in
                for index in 0..<50 {
                    try change.create(.offer, "o-\(set)-\(index)", [("title", .string("Angebot \(set)-\(index)")), ("district", .string("nordstadt")),
                                                                 ("description", .string(String(repeating: "Beschreibung mit Umlauten: äöüß. ", count: 150)))])
                }
            }
        }
        kette("anna", ["sync"])
        XCTAssertEqual(try Database(path: server.database).scalarInt("SELECT count(DISTINCT record_id) FROM field_state WHERE record_type = 'offer'"), 2_000)

        // One change set of about 10 MB cannot travel under an 8 MiB limit: exit 3, kept, with advice.
        try store.record("offer import") { change in
            for index in 0..<2_000 {
                try change.create(.offer, "big-\(index)", [("title", .string("Groß \(index)")), ("district", .string("nordstadt")),
                                                          ("description", .string(String(repeating: "x", count: 5_000)))])
            }
        }
        let refused = kette("anna", ["sync"], expect: 3)
        XCTAssertTrue(refused.stderr.contains("--max-body-mb"), refused.stderr)
        XCTAssertEqual((json(kette("anna", ["status", "--json"])) as? [String: Any])?["pendingChangeSets"] as? Int, 1)
        // With the default limit (64 MiB) it goes through.
        server.kill()
        try server.start(port: server.port)
        kette("anna", ["sync"])
        XCTAssertEqual(try Database(path: server.database).scalarInt("SELECT count(DISTINCT record_id) FROM field_state WHERE record_type = 'offer'"), 4_000)
    }

    // MARK: helpers

    func cursorOf(_ directory: String) throws -> Int {
        var configuration = Database.Configuration()
        configuration.readOnly = true
        let db = try Database(path: directory + "/kette.db", configuration: configuration)
        return Int(try db.scalarString("SELECT value FROM replica_meta WHERE key = 'cursor'") ?? "0") ?? 0
    }

    /// Records `count` offers through the store's normal write path (one change set each), faster
    /// than one process per offer.
    func fillStore(_ directory: String, offers count: Int) throws {
        let store = try LocalStore(directory: directory)
        try store.database.execute("PRAGMA synchronous = OFF")
        for index in 0..<count {
            var input = OfferInput()
            input.title = "Angebot \(index)"
            input.district = "nordstadt"
            input.description = "Beschreibung des Angebots \(index) mit etwas Text, damit die Seiten nicht leer sind."
            _ = try store.addOffer(input, language: .english)
        }
    }
}
