import Foundation
import KetteMessages
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteClient

/// The report queries over a local store, and the pieces reports are built from: periods, days,
/// number formatting and escaping.
final class ReportQueryTests: XCTestCase {
    var store: LocalStore!

    override func setUpWithError() throws {
        store = try makeLocalStore(name: "Koordination")
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        _ = try store.addDistrict(name: "Südstadt", id: "suedstadt", parent: nil, language: .english)
    }

    /// The day the reports are made on.
    let reportDay = CalendarDay("2026-04-14")!
    var today: ReportWindow { ReportWindow(day: reportDay) }

    override func tearDownWithError() throws {
        store = nil
    }

    @discardableResult
    func offer(_ title: String, _ district: String, _ phases: String, _ category: String = "promotion", status: String = "active") throws -> String {
        var input = OfferInput()
        input.title = title
        input.district = district
        input.phases = phases
        input.category = category
        input.status = status
        return try store.addOffer(input, language: .english)
    }

    // MARK: Periods and days

    func testPeriodsAreQuartersOrYearsAndKnowTheOneBefore() throws {
        XCTAssertEqual(try ReportingPeriod(parsing: "2026-Q1"), .quarter(year: 2026, quarter: 1))
        XCTAssertEqual(try ReportingPeriod(parsing: "2026-q4"), .quarter(year: 2026, quarter: 4))
        XCTAssertEqual(try ReportingPeriod(parsing: "2025"), .year(2025))
        for bad in ["2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "2026-1", "2026-Q", "Q1-2026", "", "1899", "２０２６", "2026-Q1-1"] {
            XCTAssertThrowsError(try ReportingPeriod(parsing: bad), bad) { error in
                guard case KetteError.malformedValue(let field, let value, let expected) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(field, FieldText.period.text); XCTAssertEqual(value, bad); XCTAssertTrue(expected.english.contains("YYYY-Qn"))
            }
        }
        XCTAssertEqual(ReportingPeriod.quarter(year: 2026, quarter: 1).previous, .quarter(year: 2025, quarter: 4))
        XCTAssertEqual(ReportingPeriod.quarter(year: 2026, quarter: 3).previous, .quarter(year: 2026, quarter: 2))
        XCTAssertEqual(ReportingPeriod.year(2026).previous, .year(2025))
        XCTAssertEqual(ReportingPeriod.quarter(of: "2026-03-31"), .quarter(year: 2026, quarter: 1))
        XCTAssertEqual(ReportingPeriod.quarter(of: "2026-04-01"), .quarter(year: 2026, quarter: 2))
        XCTAssertTrue(ReportingPeriod.year(2026).contains(day: "2026-12-31"))
        XCTAssertFalse(ReportingPeriod.year(2026).contains(day: "2027-01-01"))
        XCTAssertFalse(ReportingPeriod.quarter(year: 2026, quarter: 2).contains(day: "2026-03-31"))
        XCTAssertEqual(ReportingPeriod.quarter(year: 2026, quarter: 1).label(.german), "1. Quartal 2026")
    }

    func testDaysCountAcrossMonthEndsAndLeapDays() throws {
        XCTAssertEqual(CalendarDay("1970-01-01")?.dayNumber, 0)
        XCTAssertEqual(CalendarDay("2024-02-28")!.days(until: CalendarDay("2024-03-01")!), 2, "2024 has a leap day")
        XCTAssertEqual(CalendarDay("2026-02-28")!.days(until: CalendarDay("2026-03-01")!), 1)
        XCTAssertEqual(CalendarDay("2025-12-31")!.days(until: CalendarDay("2026-01-01")!), 1)
        XCTAssertEqual(CalendarDay("2000-01-01")!.dayNumber, 10_957)
        XCTAssertNil(CalendarDay("2026-02-29"))
        XCTAssertEqual(CalendarDay("14.03.2026"), CalendarDay("2026-03-14"), "the German form is a day too")
        XCTAssertNil(CalendarDay("30.02.2026"))
        XCTAssertEqual(CalendarDay("2026-03-14")?.label(.german), "14.03.2026")
    }

    // MARK: Coverage

    func testOnlyActiveOffersCoverACellAndSameCategoryOffersAreCandidates() throws {
        try offer("Sprachkita A", "nordstadt", "preschool,early-childhood", "promotion")
        try offer("Sprachkita B", "nordstadt", "preschool", "promotion")
        try offer("Elternberatung", "nordstadt", "preschool", "counselling")
        try offer("Geplant", "suedstadt", "pregnancy", status: "planned")
        try offer("Beendet", "suedstadt", "adolescence", status: "ended")
        let deleted = try offer("Gelöscht", "suedstadt", "primary")
        _ = try store.deleteRecord(.offer, deleted, language: .english)
        try offer("Sport im Park", "suedstadt", "primary,adolescence", "sport")

        let report = try store.coverageReport(window: today, language: .english)
        XCTAssertEqual(report.districts.map(\.id), ["nordstadt", "suedstadt"])
        XCTAssertEqual(report.cells.count, 12)
        XCTAssertEqual(report.cell(district: "nordstadt", phase: .preschool)?.activeOffers, 3)
        XCTAssertEqual(report.cell(district: "nordstadt", phase: .earlyChildhood)?.activeOffers, 1)
        XCTAssertEqual(report.cell(district: "suedstadt", phase: .pregnancy)?.activeOffers, 0, "a planned offer closes no gap")
        XCTAssertEqual(report.cell(district: "suedstadt", phase: .adolescence)?.activeOffers, 1, "the ended offer does not count")
        XCTAssertEqual(report.cell(district: "suedstadt", phase: .primary)?.activeOffers, 1, "the deleted offer does not count")
        XCTAssertEqual(Set(report.gaps.map { "\($0.district.id)/\($0.phase.slug)" }),
                       ["nordstadt/pregnancy", "nordstadt/primary", "nordstadt/adolescence", "nordstadt/transition",
                        "suedstadt/pregnancy", "suedstadt/early-childhood", "suedstadt/preschool", "suedstadt/transition"])
        XCTAssertEqual(report.parallelCandidates.count, 1)
        let candidate = try XCTUnwrap(report.parallelCandidates.first)
        XCTAssertEqual(candidate.district.id, "nordstadt")
        XCTAssertEqual(candidate.phase, .preschool)
        XCTAssertEqual(candidate.category, .promotion)
        XCTAssertEqual(candidate.offers.map(\.title), ["Sprachkita A", "Sprachkita B"], "the counselling offer is not a duplicate")
        XCTAssertEqual(report.activeOffers, 4)

        let promotion = try store.coverageReport(district: "Nordstadt", category: "promotion", window: today, language: .english)
        XCTAssertEqual(promotion.districts.map(\.id), ["nordstadt"])
        XCTAssertEqual(promotion.cell(district: "nordstadt", phase: .preschool)?.activeOffers, 2)
        XCTAssertThrowsError(try store.coverageReport(district: "Weststadt", window: today, language: .english)) { error in
            XCTAssertEqual(error as? KetteError, .notFoundAmong(kind: FieldText.district.text, reference: "Weststadt",
                                                               known: ["Nordstadt (nordstadt)", "Südstadt (suedstadt)"]))
        }
    }

    // MARK: Indicators

    func testRecordingTheSamePeriodAgainUpdatesTheOneRecord() throws {
        let id = try offer("Sprachkita", "nordstadt", "preschool")
        let first = try store.recordIndicator(offer: id, period: "2026-Q1", participants: "30", sessions: "12", language: .english)
        XCTAssertEqual(first.id, "\(id)|2026-Q1")
        let again = try store.recordIndicator(offer: "sprachkita", period: "2026-q1", participants: "34", sessions: nil, language: .english)
        XCTAssertEqual(again.id, first.id)
        XCTAssertEqual(again.participants, 34)
        XCTAssertEqual(again.sessions, 12, "sessions not given stay as recorded")
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM indicators"), 1)
        let changes = try Outbox.pending(in: store.database, replica: store.replica).last?.changes ?? []
        XCTAssertEqual(changes.map(\.field), ["participants"], "the update is only what changed")
        XCTAssertNotNil(changes.first?.base, "and it names the version it overwrote")

        for (participants, sessions) in [("-3", nil), ("zwölf", nil), ("3.5", nil), ("", nil), ("5", "-1")] as [(String, String?)] {
            XCTAssertThrowsError(try store.recordIndicator(offer: id, period: "2026-Q2", participants: participants, sessions: sessions,
                                                           language: .english)) { error in
                let (field, value) = sessions.map { ("sessions", $0) } ?? ("participants", participants)
                XCTAssertEqual(error as? KetteError, .malformedValue(field: FieldText.named(field), value: value, expected: InputText.expectedCountOrZero.text))
            }
        }
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM indicators"), 1, "refused figures wrote nothing")
    }

    func testIndicatorsSumPerPeriodDistrictAndPhaseWithTheChangeToThePeriodBefore() throws {
        let kita = try offer("Sprachkita", "nordstadt", "early-childhood,preschool")
        let cafe = try offer("Elterncafé", "nordstadt", "preschool", "counselling")
        let sport = try offer("Sport", "suedstadt", "adolescence", "sport")
        try store.recordIndicator(offer: kita, period: "2025-Q4", participants: "20", sessions: "10", language: .english)
        try store.recordIndicator(offer: kita, period: "2026-Q1", participants: "25", sessions: "12", language: .english)
        try store.recordIndicator(offer: cafe, period: "2026-Q1", participants: "7", sessions: nil, language: .english)
        try store.recordIndicator(offer: sport, period: "2026-Q1", participants: "40", sessions: "8", language: .english)

        let report = try store.indicatorReport(period: "2026-Q1", today: reportDay, language: .english)
        XCTAssertEqual(report.granularity, .quarter)
        func row(_ district: String, _ phase: LifePhase) -> IndicatorReport.Figures? {
            report.rows.first { $0.district.id == district && $0.phase == phase }?.figures
        }
        XCTAssertEqual(report.rows.count, 3)
        XCTAssertEqual(row("nordstadt", .preschool), .init(offers: 2, participants: 32, sessions: 12, previousParticipants: 20, previousSessions: 10))
        XCTAssertEqual(row("nordstadt", .preschool)?.participantsChange, 12)
        XCTAssertEqual(row("nordstadt", .earlyChildhood), .init(offers: 1, participants: 25, sessions: 12, previousParticipants: 20, previousSessions: 10))
        XCTAssertEqual(row("suedstadt", .adolescence), .init(offers: 1, participants: 40, sessions: 8, previousParticipants: nil, previousSessions: nil))
        XCTAssertNil(row("suedstadt", .adolescence)?.participantsChange, "nothing to compare with is not a change from 0")
        XCTAssertEqual(report.totals.map(\.figures), [.init(offers: 3, participants: 72, sessions: 20, previousParticipants: 20, previousSessions: 10)],
                       "the total counts the two-phase offer once")
        XCTAssertEqual(report.byDistrict.map { "\($0.district.id) \($0.figures.participants)" }, ["nordstadt 32", "suedstadt 40"])
        XCTAssertEqual(report.byPhase.map { "\($0.phase!.slug) \($0.figures.participants)" }, ["early-childhood 25", "preschool 32", "adolescence 40"])

        let onlySouth = try store.indicatorReport(district: "Südstadt", today: reportDay, language: .english)
        XCTAssertEqual(onlySouth.rows.map(\.district.id), ["suedstadt"])
    }

    func testTwoRecordsForOneOfferAndPeriodCountOnceNotTwice() throws {
        let kita = try offer("Sprachkita", "nordstadt", "preschool")
        // A record for the same pair under another id (as an import might write it) that sorts first.
        try store.record("import") { change in
            try change.create(.indicator, "0", [("offer", .string(kita)), ("period", .string("2026-Q1")), ("participants", .integer(99))])
        }
        XCTAssertEqual(try store.indicatorReport(today: reportDay, language: .english).totals.first?.figures.participants, 99)
        try store.recordIndicator(offer: kita, period: "2026-Q1", participants: "30", sessions: nil, language: .english)
        XCTAssertEqual(try store.indicatorReport(today: reportDay, language: .english).totals.first?.figures.participants, 30,
                       "the record with the usual id counts, whatever the order of ids")
    }

    func testAWriteTheProtocolWouldRefuseIsRefusedBeforeItIsStoredOrQueued() throws {
        let kita = try offer("Sprachkita", "nordstadt", "preschool")
        let pending = try Outbox.pendingCount(in: store.database)
        XCTAssertThrowsError(try store.record("by hand") { change in
            try change.create(.indicator, "x", [("offer", .string(kita)), ("period", .string("2026-Q1")), ("participants", .integer(.max))])
        }) { error in
            XCTAssertEqual(error as? KetteError,
                           .refusedWrite(reason: "indicator.participants must be a whole number from 0 to 10000000, not 9223372036854775807"))
        }
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), pending, "nothing queued")
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM indicators WHERE id = 'x'"), 0, "nothing stored")
        // A new agenda item after a position at or beyond the bounds neither traps nor leaves them.
        let bounds = RecordType.agendaItem.integerRange(field: "position")
        for last: Int64 in [4, 2_147_483_646, .max, .min] {
            let placed = AgendaOrder.place("new", at: 1, among: [AgendaOrder.Item(id: "old", position: last)])
            XCTAssertTrue(placed.allSatisfy { bounds.contains($0.position) }, "after \(last): \(placed)")
        }
    }

    func testAYearCountsTheRecordedYearElseTheSumOfItsQuarters() throws {
        let quarterly = try offer("Quartalsweise", "nordstadt", "primary")
        let yearly = try offer("Jährlich", "nordstadt", "primary", "sport")
        for (quarter, participants) in [("2025-Q1", "10"), ("2025-Q2", "11"), ("2025-Q3", "12"), ("2025-Q4", "13")] {
            try store.recordIndicator(offer: quarterly, period: quarter, participants: participants, sessions: "2", language: .english)
        }
        // Both a yearly figure and quarters: the yearly figure is the offer's own total and wins.
        try store.recordIndicator(offer: yearly, period: "2025", participants: "100", sessions: nil, language: .english)
        try store.recordIndicator(offer: yearly, period: "2025-Q1", participants: "30", sessions: nil, language: .english)
        try store.recordIndicator(offer: yearly, period: "2024", participants: "80", sessions: nil, language: .english)

        let years = try store.indicatorReport(granularity: .year, today: reportDay, language: .english)
        XCTAssertEqual(years.totals.map(\.period), [.year(2025), .year(2024)])
        XCTAssertEqual(years.totals.first?.figures, .init(offers: 2, participants: 146, sessions: 8, previousParticipants: 80, previousSessions: nil))
        XCTAssertNil(years.totals.first?.figures.sessionsChange)

        let quarters = try store.indicatorReport(granularity: .quarter, today: reportDay, language: .english)
        XCTAssertEqual(quarters.totals.map(\.period.description), ["2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"], "a year is not split into quarters")
        XCTAssertEqual(quarters.totals.last?.figures.participants, 40)
        XCTAssertEqual(try store.indicatorReport(period: "2025", today: reportDay, language: .english).granularity, .year)
    }

    // MARK: Action items and meetings

    func testOpenActionItemsOverdueFirstAsOfTheGivenDay() throws {
        let body = try store.addBody(name: "Steuerungsgruppe", level: "steering", district: nil, language: .english)
        var input = MeetingInput()
        input.body = body
        input.date = "2026-01-20"
        let meeting = try store.addMeeting(input, language: .english)
        input.date = "2026-02-01"
        let gone = try store.addMeeting(input, language: .english)
        let later = try store.addTask(meeting: meeting, text: "später", owner: "A", due: "2026-05-01", language: .english)
        let undated = try store.addTask(meeting: meeting, text: "ohne Datum", owner: "B", due: nil, language: .english)
        let today = try store.addTask(meeting: meeting, text: "heute fällig", owner: "C", due: "2026-04-14", language: .english)
        let yesterday = try store.addTask(meeting: meeting, text: "gestern fällig", owner: "D", due: "2026-04-13", language: .english)
        let long = try store.addTask(meeting: meeting, text: "lange fällig", owner: "E", due: "2026-02-28", language: .english)
        let done = try store.addTask(meeting: meeting, text: "erledigt", owner: "F", due: "2026-01-31", language: .english)
        _ = try store.completeTask(done, language: .english)
        _ = try store.addTask(meeting: gone, text: "Sitzung gelöscht", owner: "G", due: "2026-01-01", language: .english)
        _ = try store.deleteRecord(.meeting, gone, language: .english)

        let report = try store.taskReport(today: CalendarDay("2026-04-14")!, language: .english)
        XCTAssertEqual(report.tasks.map(\.id), [long, yesterday, today, later, undated])
        XCTAssertEqual(report.tasks.map(\.daysOverdue), [45, 1, nil, nil, nil], "due today is not yet overdue")
        XCTAssertEqual(report.overdue, 2)
        XCTAssertEqual(report.tasks.first?.body?.name, "Steuerungsgruppe")
        XCTAssertEqual(report.tasks.first?.meetingDate, "2026-01-20")
        XCTAssertEqual(try store.taskReport(today: CalendarDay("2026-01-01")!, language: .english).overdue, 0, "the day is what counts")
    }

    func testMeetingsPerBodyAndQuarterWithAttendanceByOrganization() throws {
        let steering = try store.addBody(name: "Steuerungsgruppe", level: "steering", district: nil, language: .english)
        let network = try store.addBody(name: "Netzwerk Frühe Hilfen", level: "network", district: nil, language: .english)
        _ = try store.addBody(name: "AG Übergang", level: "working", district: "nordstadt", language: .english)
        func meeting(_ body: String, _ date: String, _ attendees: [String]) throws -> String {
            var input = MeetingInput()
            input.body = body
            input.date = date
            input.attendees = attendees
            return try store.addMeeting(input, language: .english)
        }
        let january = try meeting(steering, "2026-01-20", ["Anna; Jugendamt", "Jens; jugendamt", "Ali; Gesundheitsamt"])
        _ = try meeting(steering, "2026-03-11", ["Anna; Jugendamt", "Uwe"])
        _ = try meeting(steering, "2026-04-02", ["Anna; Jugendamt"])
        _ = try meeting(network, "2025-12-01", ["Maria; Gesundheitsamt"])
        _ = try store.addDecision(meeting: january, text: "Lückenanalyse beauftragt", language: .english)

        let report = try store.meetingReport(period: "2026-Q1", language: .english)
        XCTAssertEqual(report.bodies.map(\.body.name), ["Steuerungsgruppe", "AG Übergang", "Netzwerk Frühe Hilfen"],
                       "steering group first, then by level; bodies that did not meet are listed too")
        let quarters = report.bodies[0].quarters
        XCTAssertEqual(quarters.map(\.quarter), [.quarter(year: 2026, quarter: 1)])
        XCTAssertEqual(quarters[0].meetingDates, ["2026-01-20", "2026-03-11"])
        XCTAssertEqual(quarters[0].attendance, [
            .init(organization: "Jugendamt", meetings: 2, attendees: 3),
            .init(organization: "Gesundheitsamt", meetings: 1, attendees: 1),
            .init(organization: nil, meetings: 1, attendees: 1),
        ], "organizations are counted case-insensitively, those not given last")
        XCTAssertEqual(quarters[0].decisions.map(\.text), ["Lückenanalyse beauftragt"])
        XCTAssertEqual(report.meetings, 2)
        XCTAssertEqual(report.bodies[2].quarters, [])

        let year = try store.meetingReport(period: "2026", body: "steuerungsgruppe", language: .english)
        XCTAssertEqual(year.bodies.map(\.body.name), ["Steuerungsgruppe"])
        XCTAssertEqual(year.bodies[0].quarters.map { "\($0.quarter) \($0.meetings)" }, ["2026-Q1 2", "2026-Q2 1"])
        XCTAssertEqual(try store.meetingReport(language: .english).meetings, 4)
    }

    // MARK: Rendering

    func testFormattingOfNumbersAndChanges() {
        XCTAssertEqual(ReportFormatting.number(1_234_567, .german), "1.234.567")
        XCTAssertEqual(ReportFormatting.number(1_234, .english), "1,234")
        XCTAssertEqual(ReportFormatting.number(999, .german), "999")
        XCTAssertEqual(ReportFormatting.change(44, from: 20, .german), "+24 (+120 %)")
        XCTAssertEqual(ReportFormatting.change(8, from: 10, .english), "−2 (−20%)")
        XCTAssertEqual(ReportFormatting.change(5, from: 5, .german), "±0")
        XCTAssertEqual(ReportFormatting.change(5, from: 0, .german), "+5")
        XCTAssertEqual(ReportFormatting.change(5, from: nil, .german), "–")
    }

    func testHTMLAndCSVKeepWhatPeopleTypedFromBecomingMarkupOrFormulas() throws {
        XCTAssertEqual(HTMLDocument.escape("<script>alert('x')</script> & \"Süd\""),
                       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Süd&quot;")
        XCTAssertEqual(CSV.field("=HYPERLINK(\"http://x\")", dialect: ReportCSV.dialect), "\"'=HYPERLINK(\"\"http://x\"\")\"")
        XCTAssertEqual(CSV.field("-12", dialect: ReportCSV.dialect), "-12", "a negative number stays a number")
        XCTAssertEqual(ReportCSV.dialect, .excel, "reports are written in the dialect of every CSV Kette writes")
        XCTAssertEqual(CSV.field("Eltern; Kinder", dialect: ReportCSV.dialect), "\"Eltern; Kinder\"")
        XCTAssertEqual(CSV.field("Eltern, Kinder", dialect: ReportCSV.dialect), "Eltern, Kinder")
        XCTAssertEqual(CSV.field("Zeile 1\nZeile 2", dialect: ReportCSV.dialect), "\"Zeile 1\nZeile 2\"")

        _ = try store.addDistrict(name: "<b>Ost & West</b>", id: "ost", parent: nil, language: .english)
        try offer("<img src=x onerror=alert(1)>", "ost", "primary")
        let html = ReportHTML(language: .german).coveragePage(try store.coverageReport(window: today, language: .german))
        XCTAssertFalse(html.contains("<b>Ost"))
        XCTAssertFalse(html.contains("<img"))
        XCTAssertTrue(html.contains("&lt;b&gt;Ost &amp; West&lt;/b&gt;"))
    }

    func testHTMLEscapesInterpolatedTextAndKeepsMarkupBuiltAsHTML() {
        let title = "<script>alert(\"x\")</script> & 'Süd'"
        let cell: HTML = "<td class=\"t\">\(title)</td>"
        XCTAssertEqual(cell.markup, "<td class=\"t\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Süd&#39;</td>")
        let substring = title.prefix(8)
        let row: HTML = "<tr>\(cell)<td>\(42)</td><td>\(substring)</td></tr>"
        XCTAssertEqual(row.markup, "<tr>" + cell.markup + "<td>42</td><td>&lt;script&gt;</td></tr>", "HTML goes in as it is, text escaped")
        let styles = "p { color: red; } a > b { }"
        let trusted: HTML = "<style>\(trusted: styles)</style>"
        XCTAssertEqual(trusted.markup, "<style>p { color: red; } a > b { }</style>", "trusted markup is inserted only when asked")
        XCTAssertEqual([HTML(text: "<a>"), "<br>", HTML(text: "b")].joined(separator: "; ").markup, "&lt;a&gt;; <br>; b")
        XCTAssertEqual((HTML(text: "1 < 2") + "<hr>").markup, "1 &lt; 2<hr>")
    }

    func testTheHeatMapShadesCellsByTheirNumberOfOffers() throws {
        for index in 1...5 { try offer("Angebot \(index)", "nordstadt", "primary", OfferCategory.slugs[index - 1]) }
        try offer("Hebamme", "suedstadt", "pregnancy", "health")
        try offer("Sprachkita A", "suedstadt", "preschool")
        try offer("Sprachkita B", "suedstadt", "preschool")
        let svg = CoverageHeatMap.svg(try store.coverageReport(window: today, language: .german), language: .german).markup
        func fill(_ district: String, _ phase: String) -> String? {
            guard let start = svg.range(of: "data-district=\"\(district)\" data-phase=\"\(phase)\""),
                  let fill = svg[start.upperBound...].range(of: "fill=\"") else { return nil }
            return String(svg[fill.upperBound...].prefix(7))
        }
        XCTAssertEqual(fill("nordstadt", "primary"), CoverageHeatMap.Shade.fiveOrMore.fill)
        XCTAssertEqual(fill("suedstadt", "pregnancy"), CoverageHeatMap.Shade.one.fill)
        XCTAssertEqual(fill("suedstadt", "preschool"), CoverageHeatMap.Shade.two.fill)
        XCTAssertEqual(fill("nordstadt", "transition"), CoverageHeatMap.Shade.gap.fill)
        XCTAssertEqual(svg.components(separatedBy: "data-parallel=\"promotion\"").count - 1, 1)
        XCTAssertEqual(svg.components(separatedBy: "<g class=\"cell\"").count - 1, 12)
        XCTAssertEqual(Set(CoverageHeatMap.Shade.allCases.map(\.fill)).count, 5, "every class has its own colour")
    }
}
