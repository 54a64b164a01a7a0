import Foundation
import KetteTestSupport
import XCTest

/// The planning cycle in the existing reports, with the real `kette` binary: `report tasks` lists
/// agreements due for review, `report coverage` marks cells with an open need or a running
/// measure, and the committee page has its section "Ziele und Maßnahmen".
final class PlanningReportTests: KetteCLITestCase {
    var fixture: Fixture!

    override func setUpWithError() throws {
        try super.setUpWithError()
        fixture = makeFixture()
    }

    private func json(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let output = ok(args, file: file, line: line)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output, file: file, line: line)
    }

    func testReportTasksListsTheAgreementsDueForReviewSoonestFirst() throws {
        let today = ["--today", "2026-04-14"]
        let overdue = ok("agreement", "add", "Geschäftsordnung Steuerungsgruppe", "--kind", "rules-of-procedure", "--review", "2026-04-01",
                         "--body", fixture.steering)
        let soon = ok("agreement", "add", "Kooperation Frühe Hilfen", "--kind", "cooperation", "--review", "2026-07-13")
        ok("agreement", "add", "Kooperation Schule", "--kind", "cooperation", "--review", "2026-07-14")  // 91 days ahead: not yet
        ok("agreement", "add", "Ohne Überprüfung", "--kind", "other")
        let report = try json(["report", "tasks", "--json"] + today)
        let due = try XCTUnwrap(report["agreementsForReview"] as? [[String: Any]])
        XCTAssertEqual(due.map { $0["id"] as? String }, [overdue, soon])
        XCTAssertEqual(due[0]["daysOverdue"] as? Int, 13)
        XCTAssertEqual(due[0]["overdue"] as? Bool, true)
        XCTAssertEqual((due[0]["body"] as? [String: Any])?["id"] as? String, fixture.steering)
        XCTAssertTrue(due[1]["daysOverdue"] is NSNull)
        XCTAssertEqual(due[1]["kind"] as? String, "cooperation")

        let english = ok(["report", "tasks"] + today)
        XCTAssertTrue(english.contains("Agreements due for review within 90 days: 2"), english)
        XCTAssertTrue(english.contains("overdue by 13 days") && english.contains("in 90 days"), english)
        XCTAssertFalse(english.contains("Kooperation Schule"), english)
        let german = ok(["report", "tasks"] + today, env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.contains("seit 13 Tagen überfällig") && german.contains("Kooperationsvereinbarung"), german)
        // --body: only that body's agreements.
        let ofBody = try json(["report", "tasks", "--json", "--body", "Steuerungsgruppe"] + today)
        XCTAssertEqual((ofBody["agreementsForReview"] as? [[String: Any]])?.map { $0["id"] as? String }, [overdue])
        let page = ok(["report", "tasks", "--format", "html"] + today)
        XCTAssertTrue(page.contains("Geschäftsordnung Steuerungsgruppe") && page.contains("seit 13 Tagen überfällig"), page)
    }

    func testReportCoverageMarksCellsWithAnOpenNeedOrARunningMeasure() throws {
        let today = ["--today", "2026-04-14"]
        let need = ok("need", "add", "Keine Elternberatung für Kleinkinder", "--district", "nordstadt", "--phase", "early-childhood,preschool")
        let measure = ok("measure", "add", "Elterncafé", "--district", "nordstadt", "--gap", "nordstadt:primary", "--status", "running")
        ok("measure", "add", "Geplant", "--district", "nordstadt", "--gap", "nordstadt:adolescence")  // planned: no mark
        ok("need", "add", "Kreisweit zu wenig Sprachförderung", "--phase", "preschool")  // county-wide: no cell
        var report = try json(["report", "coverage", "--json"] + today)
        func cell(_ phase: String) throws -> [String: Any] {
            let cells = try XCTUnwrap(report["cells"] as? [[String: Any]])
            return try XCTUnwrap(cells.first { $0["district"] as? String == "nordstadt" && $0["phase"] as? String == phase })
        }
        XCTAssertEqual(try cell("early-childhood")["openNeeds"] as? [String], [need])
        XCTAssertEqual(try cell("preschool")["openNeeds"] as? [String], [need])
        XCTAssertEqual(try cell("primary")["runningMeasures"] as? [String], [measure])
        XCTAssertEqual(try cell("adolescence")["runningMeasures"] as? [String], [])
        let marked = try XCTUnwrap(report["cells"] as? [[String: Any]]).filter {
            !(($0["openNeeds"] as? [String]) ?? []).isEmpty || !(($0["runningMeasures"] as? [String]) ?? []).isEmpty
        }
        XCTAssertEqual(marked.count, 3, "the two cells of the need and the measure's gap, nothing in Südstadt")

        let text = ok(["report", "coverage"] + today)
        XCTAssertTrue(text.contains("0!?") && text.contains("0!+"), text)
        XCTAssertTrue(text.contains("Cells with open needs or running measures (3):"), text)
        let german = ok(["report", "coverage"] + today, env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.contains("1 offener Bedarf, 0 laufende Maßnahmen"), german)
        let html = ok(["report", "coverage", "--format", "html"] + today)
        XCTAssertEqual(html.components(separatedBy: "data-open-needs=\"1\" data-running-measures=\"0\">?</text>").count, 3, html)
        XCTAssertEqual(html.components(separatedBy: "data-open-needs=\"0\" data-running-measures=\"1\">+</text>").count, 2, html)
        let csv = ok(["report", "coverage", "--format", "csv"] + today)
        XCTAssertTrue(csv.contains("openNeeds") && csv.contains("runningMeasures"), csv)

        // A need closed and a measure done leave no mark.
        ok("need", "edit", need, "--status", "closed")
        ok("measure", "edit", measure, "--status", "done")
        report = try json(["report", "coverage", "--json"] + today)
        XCTAssertEqual(try cell("early-childhood")["openNeeds"] as? [String], [])
        XCTAssertEqual(try cell("primary")["runningMeasures"] as? [String], [])
    }

    func testTheCommitteePageHasGoalsAndMeasuresWithinItsBudget() throws {
        let args = ["report", "committee", "--period", "2026-Q1", "--today", "2026-04-14"]
        let out = runner.root.appendingPathComponent("ausschuss.html").path
        ok(args + ["--out", out])
        var page = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(page.contains("5. Ziele und Maßnahmen") && page.contains("Keine Ziele oder Maßnahmen erfasst."))

        addOffer(title: "Krabbelgruppe", extra: ["--phase", "early-childhood", "--start", "2026-01-01"])
        let goal = ok("goal", "add", "Jede Familie mit Kleinkind findet ein Angebot <im Sozialraum>", "--district", "nordstadt")
        ok("goal", "target", "add", goal, "--indicator", "active-offers", "--district", "nordstadt", "--phase", "early-childhood",
           "--value", "1", "--due", "2026-Q4")
        for number in 1...8 {
            ok("goal", "target", "add", goal, "--indicator", "active-offers", "--district", "nordstadt", "--phase", "adolescence",
               "--value", "\(number)", "--due", "2026-Q1")
        }
        let need = ok("need", "add", "Kein Treffpunkt", "--district", "nordstadt", "--phase", "early-childhood")
        ok("measure", "add", "Elterncafé einrichten", "--need", need, "--gap", "nordstadt:early-childhood", "--due", "2026-03-31",
           "--status", "running")
        ok(args + ["--out", out])
        page = try String(contentsOfFile: out, encoding: .utf8)
        // Evaluated over 2026-Q1, the quarter they are due in: behind, not yet missed.
        XCTAssertTrue(page.contains("1 Ziel mit 9 Zielwerten: 1 erreicht, 8 im Rückstand."), page)
        XCTAssertTrue(page.contains("&lt;im Sozialraum&gt;"), "escaped")
        XCTAssertTrue(page.contains("Elterncafé einrichten") && page.contains("seit 14 Tagen überfällig"), page)
        XCTAssertTrue(page.contains("geschlossen: Lücken 1/1, Bedarfe 1/1"), page)
        // Nine targets on a budget of three: the met one is cut, three of those behind are shown.
        XCTAssertTrue(page.contains("… und 6 weitere"), page)
        XCTAssertFalse(page.contains("<td>erreicht</td>"), page)
        let appendix = runner.root.appendingPathComponent("anhang.html").path
        ok(args + ["--out", out, "--appendix", appendix])
        let full = try String(contentsOfFile: appendix, encoding: .utf8)
        XCTAssertTrue(full.contains("<td>erreicht</td>"), "the appendix has every target")
        XCTAssertTrue(full.contains("Kein Treffpunkt: durch laufende Angebote gedeckt"), "and names the needs")
        let json = try json(args + ["--format", "json"])
        XCTAssertEqual(((json["goals"] as? [String: Any])?["goals"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual(((json["measures"] as? [String: Any])?["measures"] as? [[String: Any]])?.count, 1)
    }
}
