import Foundation
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Issue 11 with the real binaries, as a county office and its coordinators meet it: a server
/// restored from last night's backup, an offer moved to another district, a coordinator given
/// and losing a district (SPEC §16).
extension SyncEndToEndTests {
    func offerIDs(_ name: String) -> Set<String> {
        Set((json(kette(name, ["offer", "list", "--json"])) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    func verification(_ result: KetteResult) -> [String: Any]? {
        (json(result) as? [String: Any])?["verification"] as? [String: Any]
    }

    func indicatorCount(_ name: String) throws -> Int {
        try Database(path: home(name) + "/kette.db").scalarInt("SELECT count(*) FROM indicators") ?? -1
    }

    func testARestoredServerGetsBackTheOfferSyncedAfterTheBackup() throws {
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        let backup = runner.root.appendingPathComponent("nightly.db").path
        // Last night's backup, taken while the server serves.
        XCTAssertTrue(try server.admin(["backup", "--to", backup]).contains("backup written to"))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int, 0o600)
        let offer = kette("anna", ["offer", "add", "--title", "Babytreff nach dem Backup", "--district", "nordstadt"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(kette("anna", ["sync"]).stdout.contains("Verified"))

        // The disk fails; the county restores last night's backup.
        XCTAssertEqual(try server.run(["restore", backup, "--db", server.database]).status, 1, "a restore under a running server is refused")
        server.kill(SIGTERM)
        let restored = try server.run(["restore", backup, "--db", server.database])
        XCTAssertEqual(restored.status, 0, restored.errors)
        XCTAssertTrue(restored.output.contains("new database id"), restored.output)
        try server.start(port: server.port)

        let countyFirst = kette("kreis", ["sync"])
        XCTAssertTrue(countyFirst.stdout.contains("restored from a backup"), countyFirst.stdout)
        XCTAssertFalse(offerIDs("kreis").contains(offer), "the restore lost the offer")
        let annaSync = kette("anna", ["sync", "--json"])
        XCTAssertEqual(verification(annaSync)?["outcome"] as? String, "repaired")
        XCTAssertGreaterThan(verification(annaSync)?["pushed"] as? Int ?? 0, 0)
        kette("kreis", ["sync"])
        XCTAssertTrue(offerIDs("kreis").contains(offer), "the county sees the offer again")
        for name in ["anna", "kreis"] {
            let check = kette(name, ["verify", "--json"])
            XCTAssertEqual(verification(check)?["outcome"] as? String, "verified", "\(check)")
        }
        let audit = try server.admin(["audit", "list"])
        XCTAssertTrue(audit.contains("\trestore\t"), audit)
        XCTAssertTrue(audit.contains("anna\trepair\t"), "the audit log names who brought the offer back: \(audit)")
        XCTAssertTrue(try server.admin(["audit", "verify"]).contains("intact"))
    }

    func testAMovedOfferLeavesTheOldDistrictWithItsIndicatorsAndArrivesWithThem() throws {
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        connect("kreis", as: "kreis")
        let offer = kette("anna", ["offer", "add", "--title", "Sprachförderung", "--district", "nordstadt", "--phase", "preschool",
                                   "--status", "active"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        kette("anna", ["offer", "indicator", offer, "--period", "2026-Q1", "--participants", "34", "--sessions", "12"])
        kette("anna", ["sync"])
        XCTAssertTrue(kette("anna", ["report", "coverage", "--json"]).stdout.contains(offer))
        kette("kreis", ["sync"])

        kette("kreis", ["offer", "edit", offer, "--district", "suedstadt"])
        kette("kreis", ["sync"])
        let annaSync = kette("anna", ["sync"])
        XCTAssertTrue(annaSync.stdout.contains("2 records left your scope"), annaSync.stdout)
        XCTAssertEqual(offerIDs("anna"), [], "the old district's coordinator no longer has the offer")
        XCTAssertEqual(try indicatorCount("anna"), 0, "nor its indicators")
        XCTAssertFalse(kette("anna", ["report", "coverage", "--json"]).stdout.contains(offer), "her coverage report no longer counts it")
        XCTAssertEqual(kette("anna", ["search", "Sprachförderung"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).contains(RecordIdentifier.shortCode(offer)), false)

        kette("bert", ["sync"])
        XCTAssertEqual(offerIDs("bert"), [offer], "the new district's coordinator has it")
        XCTAssertEqual(try indicatorCount("bert"), 1, "with its indicators")
        XCTAssertTrue(kette("bert", ["report", "indicators", "--period", "2026-Q1", "--json"]).stdout.contains("34"))
        XCTAssertTrue(kette("bert", ["report", "coverage", "--json"]).stdout.contains(offer))
    }

    func testACoordinatorGivenADistrictReceivesItsRecordsAndLosingItRemovesThem() throws {
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        let offer = kette("bert", ["offer", "add", "--title", "Sport im Park", "--district", "suedstadt"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kette("bert", ["sync"])
        kette("anna", ["sync"])
        XCTAssertEqual(offerIDs("anna"), [])

        XCTAssertEqual(try server.admin(["user", "districts", "anna", "--district", "nordstadt", "--district", "suedstadt"]),
                       "user anna now has districts nordstadt, suedstadt")
        let given = kette("anna", ["sync"])
        XCTAssertTrue(given.stdout.contains("given a district"), given.stdout)
        XCTAssertEqual(offerIDs("anna"), [offer])
        // She may now write there too.
        kette("anna", ["offer", "edit", offer, "--location", "Stadtpark"])
        kette("anna", ["sync"])

        try server.admin(["user", "districts", "anna", "--district", "nordstadt"])
        let taken = kette("anna", ["sync", "--json"])
        XCTAssertEqual(verification(taken)?["leftScope"] as? Int, 1)
        XCTAssertEqual(offerIDs("anna"), [], "a district taken away leaves her replica")
        kette("bert", ["sync"])
        XCTAssertEqual((json(kette("bert", ["offer", "show", offer, "--json"])) as? [String: Any])?["location"] as? String, "Stadtpark",
                       "nothing she wrote while she had the district is lost")

        let unknown = try server.run(["user", "districts", "anna", "--district", "mitte", "--db", server.database])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.errors.contains("no district 'mitte'") && unknown.errors.contains("nordstadt, suedstadt"), unknown.errors)
        XCTAssertEqual(try server.run(["user", "districts", "nobody", "--district", "nordstadt", "--db", server.database]).status, 1)
        XCTAssertTrue(try server.admin(["audit", "list"]).contains("user-districts"))
    }
}
