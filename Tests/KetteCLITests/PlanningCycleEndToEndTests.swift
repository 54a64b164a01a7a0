import Foundation
import KetteTestSupport
import XCTest

/// One planning cycle with the real binaries over a county with three districts: a need found in
/// a meeting → a goal with a target on a coverage cell → a measure assigned in a decision → an
/// offer recorded that fills the gap → `report goals` shows the target met and `report measures`
/// the need closed; all of it synced to the county office and to a second coordinator, with a
/// conflict on the measure's status resolved on the way.
final class PlanningCycleEndToEndTests: ServerTestCase {
    let day = ["--today", "2026-06-15"]

    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(districts: [.nordstadt, .suedstadt, TestDistrict("weststadt", "Weststadt")],
                       users: [.county("kreis"), .coordinator("anna", "nordstadt"), .coordinator("bea", "nordstadt"), .coordinator("cem", "suedstadt")])
        try server.start()
        for name in ["anna", "bea", "kreis", "cem"] { connect(name, as: name) }
    }

    func output(_ name: String, _ arguments: [String]) -> String {
        kette(name, arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json(_ name: String, _ arguments: [String]) throws -> [String: Any] {
        let text = output(name, arguments + ["--json"])
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// Syncs every store once; exit 2 (open conflicts) is allowed only when `settled` is false.
    func syncAll(settled: Bool = true) {
        for name in ["anna", "bea", "kreis", "cem"] { kette(name, ["sync"], expect: settled ? 0 : nil) }
    }

    /// The target of the goal and the measure's needs and gaps, as each store's reports see them.
    func reports(_ name: String) throws -> (target: [String: Any], measure: [String: Any]) {
        let goals = try XCTUnwrap(try json(name, ["report", "goals"] + day)["goals"] as? [[String: Any]])
        let target = try XCTUnwrap((goals.first?["targets"] as? [[String: Any]])?.first, "\(name): \(goals)")
        let measures = try XCTUnwrap(try json(name, ["report", "measures"] + day)["measures"] as? [[String: Any]])
        return (target, try XCTUnwrap(measures.first, "\(name): \(measures)"))
    }

    func testANeedFoundInAMeetingIsClosedByAMeasureAndAnOfferAcrossTheCounty() throws {
        // The Nordstadt working group meets and finds the need.
        let body = output("anna", ["body", "add", "Sozialraumgruppe Nordstadt", "--level", "working", "--district", "nordstadt"])
        let meeting = output("anna", ["meeting", "add", "--body", body, "--date", "2026-03-10", "--minutes", "Bedarfe aus der Kita-Befragung"])
        let need = output("anna", ["need", "add", "Keine Elternberatung für Familien mit Kleinkindern", "--district", "nordstadt",
                                   "--phase", "early-childhood", "--category", "counselling", "--meeting", meeting,
                                   "--source", "Bedarfserhebung Kita 2026", "--found", "2026-03-10"])
        // The other districts have their own records, which Nordstadt's coordinators never hold.
        let southNeed = output("cem", ["need", "add", "Zu wenig Sprachförderung", "--district", "suedstadt", "--phase", "preschool"])
        output("kreis", ["offer", "add", "--title", "Sprachkita West", "--district", "weststadt", "--phase", "preschool"])

        // The group sets a goal with a target on the coverage cell Nordstadt × early childhood.
        let decision = output("anna", ["meeting", "decide", meeting, "Die Familienberatung richtet eine Elternsprechstunde ein"])
        let goal = output("anna", ["goal", "add", "Jede Familie mit Kleinkind findet Beratung im Sozialraum", "--decision", decision])
        output("anna", ["goal", "target", "add", goal, "--indicator", "active-offers", "--district", "nordstadt", "--phase", "early-childhood",
                        "--baseline", "0", "--baseline-period", "2026", "--value", "1", "--due", "2026"])
        // The decision assigns the measure.
        let measure = output("anna", ["measure", "add", "--from-decision", decision, "--need", need, "--gap", "nordstadt:early-childhood",
                                      "--goal", goal, "--owner", "Familienberatung Nord", "--due", "2026-09-30"])
        syncAll()

        var (target, line) = try reports("kreis")
        XCTAssertEqual(target["current"] as? Int, 0)
        XCTAssertEqual(target["standing"] as? String, "behind", "half a year gone, no offer yet")
        XCTAssertEqual((line["gaps"] as? [[String: Any]])?.first?["closedNow"] as? Bool, false)
        XCTAssertEqual((line["needs"] as? [[String: Any]])?.first?["status"] as? String, "addressed")

        // Two coordinators change the measure's status without seeing each other's change.
        output("anna", ["measure", "edit", measure, "--status", "running"])
        output("bea", ["measure", "edit", measure, "--status", "dropped"])
        kette("anna", ["sync"])
        XCTAssertEqual(kette("bea", ["sync"], expect: 2).exitCode, 2, "the conflict needs a person")
        let conflicts = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output("bea", ["conflicts", "--json"]).utf8)) as? [[String: Any]])
        XCTAssertEqual(conflicts.count, 1)
        XCTAssertEqual(conflicts.first?["recordType"] as? String, "measure")
        kette("bea", ["conflicts", "resolve", try XCTUnwrap(conflicts.first?["id"] as? String), "--value", "running"])
        // The offer that fills the gap.
        output("anna", ["offer", "add", "--title", "Elternsprechstunde im Familienzentrum", "--district", "nordstadt", "--phase", "early-childhood",
                        "--category", "counselling", "--start", "2026-06-01"])
        output("anna", ["measure", "note", measure, "Sprechstunde läuft seit Juni", "--date", "2026-06-10"])
        // Anna pulls the conflict before Bea's resolution arrives: one round to spread it, and
        // the next one finds everything settled (exit 0 everywhere).
        syncAll(settled: false)
        syncAll()

        for name in ["kreis", "anna", "bea"] {
            (target, line) = try reports(name)
            XCTAssertEqual(target["current"] as? Int, 1, name)
            XCTAssertEqual(target["standing"] as? String, "met", name)
            XCTAssertEqual(line["id"] as? String, measure)
            XCTAssertEqual(line["status"] as? String, "running", "\(name): the resolution reached every store")
            XCTAssertEqual((line["gaps"] as? [[String: Any]])?.first?["closedNow"] as? Bool, true, name)
            let needState = try XCTUnwrap((line["needs"] as? [[String: Any]])?.first)
            XCTAssertEqual(needState["id"] as? String, need)
            XCTAssertEqual(needState["closedNow"] as? Bool, true, "\(name): the need is met by the running offer")
            XCTAssertEqual((line["lastNote"] as? [String: Any])?["text"] as? String, "Sprechstunde läuft seit Juni")
            XCTAssertEqual(output(name, ["conflicts"]).contains("measure"), false)
        }
        // The county's coverage marks the cell: the need is addressed, not closed, and the measure runs.
        let cells = try XCTUnwrap(try json("kreis", ["report", "coverage"] + day)["cells"] as? [[String: Any]])
        let cell = try XCTUnwrap(cells.first { $0["district"] as? String == "nordstadt" && $0["phase"] as? String == "early-childhood" })
        XCTAssertEqual(cell["openNeeds"] as? [String], [need])
        XCTAssertEqual(cell["runningMeasures"] as? [String], [measure])
        // Scope: the county office holds every district's records, Nordstadt's coordinators only theirs.
        let countyNeeds = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output("kreis", ["need", "list", "--json"]).utf8)) as? [[String: Any]])
        XCTAssertEqual(Set(countyNeeds.compactMap { $0["id"] as? String }), [need, southNeed])
        for name in ["anna", "bea"] {
            XCTAssertFalse(output(name, ["need", "list", "--json"]).contains(southNeed), name)
            XCTAssertFalse(output(name, ["offer", "list"]).contains("Sprachkita West"), name)
        }
        XCTAssertFalse(output("cem", ["measure", "list", "--json"]).contains(measure), "Südstadt does not hold Nordstadt's measure")
        // A coordinator's need without a district would be county-wide: refused before anything is written.
        let refused = kette("anna", ["need", "add", "Kreisweiter Bedarf"], expect: 1)
        XCTAssertTrue(refused.stderr.contains("county-wide") && refused.stderr.contains("Nordstadt (nordstadt)"), refused.stderr)
        XCTAssertEqual(kette("anna", ["status", "--json"]).stdout.contains("\"pendingChangeSets\" : 0"), true)
        let german = kette("bea", ["report", "measures"] + day, env: ["LANG": "de_DE.UTF-8"]).stdout
        XCTAssertTrue(german.contains("Lücke Nordstadt × Frühe Kindheit: geschlossen"), german)
    }
}
