import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteClient

/// The goals and measures reports over a real local store: targets' current values computed from
/// the offers, their figures and the custom figures, how a target stands, and which gaps and
/// needs a measure addresses are closed now. Expected values are worked out here from the records
/// the test writes, not read back from the code.
final class PlanningReportTests: XCTestCase {
    var store: LocalStore!

    override func setUpWithError() throws {
        store = try makeLocalStore(name: "Koordination")
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        _ = try store.addDistrict(name: "Südstadt", id: "suedstadt", parent: nil, language: .english)
    }

    override func tearDownWithError() throws { store = nil }

    @discardableResult
    func offer(_ title: String, _ district: String, _ phases: String, category: String = "counselling", status: String = "active",
               start: String? = nil, end: String? = nil) throws -> String {
        var input = OfferInput()
        (input.title, input.district, input.phases, input.category, input.status, input.start, input.end) = (title, district, phases, category, status, start, end)
        return try store.addOffer(input, language: .english)
    }

    func goal(_ targets: [[String: String]]) throws -> String {
        let goal = try store.addGoal(RecordInput(["statement": "Beratung für Familien", "district": "nordstadt"]), language: .english)
        for target in targets { _ = try store.addTarget(goal: goal, RecordInput(target), language: .english) }
        return goal
    }

    func lines(period: String?, today: String = "2026-11-15") throws -> [GoalReport.TargetLine] {
        try store.goalReport(period: period.map { try ReportingPeriod(parsing: $0) }, today: CalendarDay(today)!, language: .english)
            .goals.flatMap(\.targets)
    }

    // MARK: How a target stands

    func testATargetIsMetOnTrackBehindOrMissedByItsBaselineValueAndDuePeriod() {
        let judge = TargetJudgement(baseline: 10, baselinePeriod: .year(2026), targetValue: 30, due: .year(2027))
        let midway = EvaluationPoint.period(.quarter(year: 2026, quarter: 4))  // 4 of 8 quarters: 20 expected
        XCTAssertEqual(judge.standing(current: 30, trend: .up, at: midway), .met)
        XCTAssertEqual(judge.standing(current: 20, trend: .flat, at: midway), .onTrack)
        XCTAssertEqual(judge.standing(current: 19, trend: .up, at: midway), .behind)
        XCTAssertEqual(judge.standing(current: 29, trend: .up, at: .period(.quarter(year: 2028, quarter: 1))), .missed)
        XCTAssertEqual(judge.standing(current: 35, trend: .up, at: .period(.year(2029))), .met, "met stays met after the due period")
        XCTAssertEqual(judge.standing(current: nil, trend: .unknown, at: midway), .noData)
        // A target below its baseline is reached by going down.
        let fewer = TargetJudgement(baseline: 40, baselinePeriod: .year(2026), targetValue: 20, due: .year(2026))
        XCTAssertEqual(fewer.standing(current: 20, trend: .down, at: .period(.quarter(year: 2026, quarter: 2))), .met)
        XCTAssertEqual(fewer.standing(current: 35, trend: .down, at: .period(.quarter(year: 2026, quarter: 2))), .behind, "30 expected by Q2")
        XCTAssertEqual(fewer.standing(current: 30, trend: .down, at: .period(.quarter(year: 2026, quarter: 2))), .onTrack)
        // Without a baseline period, the trend decides.
        let open = TargetJudgement(baseline: nil, baselinePeriod: nil, targetValue: 5, due: .year(2027))
        XCTAssertEqual(open.standing(current: 3, trend: .up, at: midway), .onTrack)
        XCTAssertEqual(open.standing(current: 3, trend: .flat, at: midway), .behind)
    }

    // MARK: Current values

    func testParticipantsAndSessionsAddUpTheFiguresOfTheOffersInTheTargetsCell() throws {
        let cafe = try offer("Elterncafé", "nordstadt", "early-childhood")
        let hebamme = try offer("Hebammensprechstunde", "nordstadt", "pregnancy,early-childhood")
        let south = try offer("Elterncafé Süd", "suedstadt", "early-childhood")
        let older = try offer("Lernhilfe", "nordstadt", "primary")
        for (offer, period, participants, sessions) in [(cafe, "2026-Q1", "12", "4"), (cafe, "2026-Q2", "15", "5"), (hebamme, "2026-Q2", "7", nil),
                                                        (hebamme, "2026", "30", "10"), (south, "2026-Q2", "100", "9"), (older, "2026-Q2", "50", "8"),
                                                        (cafe, "2025", "20", "6")] {
            try store.recordIndicator(offer: offer, period: period, participants: participants, sessions: sessions, language: .english)
        }
        _ = try goal([["indicator": "participants", "district": "nordstadt", "phase": "early-childhood", "targetValue": "60", "due": "2026"],
                      ["indicator": "sessions", "district": "nordstadt", "phase": "early-childhood", "targetValue": "12", "due": "2026"],
                      ["indicator": "participants", "phase": "early-childhood", "targetValue": "200", "due": "2026"]])
        // 2026-Q2 in Nordstadt × early childhood: the café's 15 and the midwife's 7.
        var targets = try lines(period: "2026-Q2")
        XCTAssertEqual(targets.map(\.current), [22, 5, 122], "sessions: 5 from the café, the midwife recorded none that quarter")
        XCTAssertEqual(targets.map(\.previous), [12, 4, 12])
        XCTAssertEqual(targets.map(\.trend), [.up, .up, .up])
        // The year 2026: the café's quarters (12 + 15), the midwife's yearly figure (30, not 7).
        targets = try lines(period: "2026")
        XCTAssertEqual(targets.map(\.current), [57, 19, 157])
        XCTAssertEqual(targets[0].previous, 20, "2025: only the café's yearly figure")
        XCTAssertEqual(targets[0].standing, .onTrack, "57 of 60 within the due year, without a baseline the trend (up) decides")
        XCTAssertEqual(targets[1].standing, .met, "19 sessions of 12")
        // As of a day: the latest period with figures that has begun. The midwife's yearly 2026
        // ends after the café's 2026-Q2, so the year is the latest, compared with the year before.
        targets = try lines(period: nil, today: "2026-11-15")
        XCTAssertEqual(targets[0].period, "2026")
        XCTAssertEqual(targets[0].current, 57)
        targets = try lines(period: nil, today: "2026-03-01")
        XCTAssertEqual(targets[0].period, "2026", "a period that has begun counts as of a day in it")
    }

    func testActiveOffersCountTheCellsOffersThatRanInThePeriodOrOnTheDay() throws {
        try offer("Elterncafé", "nordstadt", "early-childhood", start: "2026-05-01")
        try offer("Babytreff", "nordstadt", "early-childhood", end: "2026-02-28")
        try offer("Krabbelgruppe", "nordstadt", "early-childhood", status: "planned")
        try offer("Elterncafé Süd", "suedstadt", "early-childhood")
        try offer("Spielgruppe", "nordstadt", "preschool")
        _ = try goal([["indicator": "active-offers", "district": "nordstadt", "phase": "early-childhood", "baseline": "1",
                       "baselinePeriod": "2026-Q1", "targetValue": "2", "due": "2026-Q4"]])
        var target = try XCTUnwrap(try lines(period: "2026-Q2").first)
        XCTAssertEqual(target.current, 1, "the café from May; the Babytreff ended in February, the Krabbelgruppe is planned")
        XCTAssertEqual(target.previous, 1, "Q1: the Babytreff")
        XCTAssertEqual(target.standing, .behind, "1 where 1.5 was expected after 2 of 4 quarters")
        target = try XCTUnwrap(try lines(period: "2026").first)
        XCTAssertEqual(target.current, 2, "both ran on some day of 2026")
        XCTAssertEqual(target.standing, .met)
        target = try XCTUnwrap(try lines(period: nil, today: "2026-04-15").first)
        XCTAssertEqual(target.period, "2026-04-15")
        XCTAssertEqual(target.current, 0, "neither runs on that day")
        XCTAssertEqual(target.previousPeriod, "2026-Q1")
        XCTAssertEqual(target.trend, .down)
    }

    func testACustomIndicatorIsReadFromItsOwnFigures() throws {
        let goal = try self.goal([["indicator": "custom", "name": "Beratene Familien", "unit": "Familien", "baseline": "0",
                                   "baselinePeriod": "2026", "targetValue": "40", "due": "2027"]])
        let target = try XCTUnwrap(try store.goal(goal, language: .english).targets.first).id
        for (period, value) in [("2026-Q1", "4"), ("2026-Q2", "11"), ("2026-Q3", "17")] {
            try store.recordTargetFigure(target: target, period: period, value: value, language: .english)
        }
        var line = try XCTUnwrap(try lines(period: "2026-Q2").first)
        XCTAssertEqual([line.current, line.previous], [11, 4])
        line = try XCTUnwrap(try lines(period: "2026").first)
        XCTAssertEqual(line.period, "2026-Q3", "a year without its own figure: its latest quarter")
        XCTAssertEqual(line.current, 17)
        line = try XCTUnwrap(try lines(period: nil, today: "2026-08-01").first)
        XCTAssertEqual([line.current, line.previous], [17, 11])
        XCTAssertEqual(line.standing, .onTrack, "17 after 3 of 8 quarters, where 15 was expected")
        line = try XCTUnwrap(try lines(period: "2025").first)
        XCTAssertNil(line.current)
        XCTAssertEqual(line.standing, .noData)
    }

    // MARK: Measures

    func testMeasuresComeOverdueFirstWithTheGapsAndNeedsTheyCloseNow() throws {
        let need = try store.addNeed(RecordInput(["description": "Keine Beratung", "district": "nordstadt", "phases": "early-childhood",
                                                  "category": "counselling"]), language: .english)
        let countyNeed = try store.addNeed(RecordInput(["description": "Kreisweit"]), language: .english)
        let late = try store.addMeasure(RecordInput(["title": "Elterncafé", "district": "nordstadt", "needs": "\(need),\(countyNeed)",
                                                     "gaps": "nordstadt:early-childhood,suedstadt:preschool", "due": "2026-03-31",
                                                     "status": "running"]), language: .english)
        let planned = try store.addMeasure(RecordInput(["title": "Lernhilfe", "due": "2026-12-31"]), language: .english)
        let done = try store.addMeasure(RecordInput(["title": "Flyer", "due": "2026-01-31", "status": "done"]), language: .english)
        let later = try store.addMeasure(RecordInput(["title": "Spielplatz", "due": "2026-02-28", "status": "planned"]), language: .english)
        var report = try store.measureReport(today: CalendarDay("2026-04-10")!, language: .english)
        XCTAssertEqual(report.measures.map(\.id), [later, late, planned, done], "overdue first, longest overdue first; a done one never is")
        XCTAssertEqual(report.measures.map(\.daysOverdue), [41, 10, nil, nil])
        XCTAssertEqual(report.overdue, 2)
        var line = try XCTUnwrap(report.measures.first { $0.id == late })
        XCTAssertEqual(line.gaps.map(\.closedNow), [false, false])
        XCTAssertEqual(line.needs.map(\.closedNow), [false, false])

        // A counselling offer for early childhood opens in Nordstadt: the gap and the need close.
        try offer("Elternberatung", "nordstadt", "early-childhood", start: "2026-04-01")
        try offer("Spielgruppe", "suedstadt", "preschool", status: "planned")
        report = try store.measureReport(today: CalendarDay("2026-04-10")!, language: .english)
        line = try XCTUnwrap(report.measures.first { $0.id == late })
        XCTAssertEqual(line.gaps.map(\.runningOffers), [1, 0], "a planned offer closes no gap")
        XCTAssertEqual(line.needs.map(\.covered), [true, false], "a county-wide need names no cell: only its status closes it")
        XCTAssertEqual(line.needs.map(\.status), [.addressed, .addressed])
        // An offer of another category does not meet a counselling need.
        _ = try store.editNeed(need, RecordInput(["category": "sport"]), language: .english)
        report = try store.measureReport(today: CalendarDay("2026-04-10")!, language: .english)
        XCTAssertEqual(report.measures.first { $0.id == late }?.needs.first?.closedNow, false)
        _ = try store.editNeed(need, RecordInput(["status": "closed"]), language: .english)
        report = try store.measureReport(today: CalendarDay("2026-04-10")!, language: .english)
        XCTAssertEqual(report.measures.first { $0.id == late }?.needs.first?.closedNow, true, "closed by its status")
    }
}
