import Foundation
import KetteTestSupport
import XCTest
import KetteClient
import KetteProtocol

/// `kette report …` and `kette offer indicator` end to end: a generated county whose gaps and
/// duplicates are known from how it was made, figures per period, action items as of a given
/// day, and the committee page.
final class ReportTests: KetteCLITestCase {
    // MARK: A generated county

    struct PlannedOffer {
        var title: String
        var district: String
        var phases: [LifePhase]
        var category: OfferCategory
        var status: OfferStatus
        var deleted = false
        var id = ""
        /// Whether it should count in the coverage matrix.
        func counts(removedDistrict: String) -> Bool { status == .active && !deleted && district != removedDistrict }
    }

    /// The county as planned: the plan is the oracle the report is checked against.
    struct County {
        var districts: [(id: String, name: String)] = []
        var offers: [PlannedOffer] = []
        /// Cells ("district/phase") kept free of active offers on purpose.
        var plantedGaps: Set<String> = []
        /// Cells and categories ("district/phase/category") given two active offers on purpose.
        var plantedDuplicates: Set<String> = []
        /// A district whose offers were recorded before it was deleted.
        var removedDistrict = ""

        var shownDistricts: [String] { districts.map(\.id).filter { $0 != removedDistrict } }

        func activeOffers(_ district: String, _ phase: LifePhase) -> [PlannedOffer] {
            offers.filter { $0.counts(removedDistrict: removedDistrict) && $0.district == district && $0.phases.contains(phase) }
        }

        var expectedGaps: Set<String> {
            Set(shownDistricts.flatMap { district in
                LifePhase.allCases.filter { activeOffers(district, $0).isEmpty }.map { "\(district)/\($0.slug)" }
            })
        }

        /// "district/phase/category" → the ids of its active offers, for every duplicate.
        var expectedDuplicates: [String: Set<String>] {
            var result: [String: Set<String>] = [:]
            for district in shownDistricts {
                for phase in LifePhase.allCases {
                    for (category, offers) in Dictionary(grouping: activeOffers(district, phase), by: \.category) where offers.count > 1 {
                        result["\(district)/\(phase.slug)/\(category.slug)"] = Set(offers.map(\.id))
                    }
                }
            }
            return result
        }
    }

    /// Writes a county into a new store in the runner's home, through the normal write path.
    func generateCounty(seed: UInt64 = 20_260_414) throws -> County {
        var random = SeededGenerator(seed: seed)
        var county = County()
        let names = ["Nordstadt", "Südstadt", "Weststadt", "Oststadt", "Altstadt", "Hafenviertel", "Lindenau", "Mühlental", "Am Rosenhügel"]
        county.districts = names.enumerated().map { ("d\($0.offset + 1)", $0.element) }
        county.removedDistrict = "d9"
        let kept = county.districts.map(\.id).filter { $0 != county.removedDistrict }
        while county.plantedGaps.count < 6 {
            county.plantedGaps.insert("\(kept.randomElement(using: &random)!)/\(LifePhase.allCases.randomElement(using: &random)!.slug)")
        }
        while county.plantedDuplicates.count < 4 {
            let cell = "\(kept.randomElement(using: &random)!)/\(LifePhase.allCases.randomElement(using: &random)!.slug)"
            guard !county.plantedGaps.contains(cell), !county.plantedDuplicates.contains(where: { $0.hasPrefix(cell + "/") }) else { continue }
            let category = OfferCategory.allCases.randomElement(using: &random)!
            county.plantedDuplicates.insert("\(cell)/\(category.slug)")
            let parts = cell.split(separator: "/").map(String.init)
            for copy in 1...2 {
                county.offers.append(PlannedOffer(title: "Doppelt \(cell) \(copy)", district: parts[0], phases: [LifePhase(rawValue: parts[1])!],
                                                  category: category, status: .active))
            }
        }
        for index in 0..<110 {
            var phases = [LifePhase.allCases.randomElement(using: &random)!]
            if Bool.random(using: &random) { phases.append(LifePhase.allCases.randomElement(using: &random)!) }
            phases = LifePhase.allCases.filter(phases.contains)
            var offer = PlannedOffer(title: "Angebot \(index + 1)", district: county.districts.randomElement(using: &random)!.id,
                                     phases: phases, category: OfferCategory.allCases.randomElement(using: &random)!,
                                     status: [.active, .active, .active, .planned, .ended].randomElement(using: &random)!,
                                     deleted: Int.random(in: 0..<12, using: &random) == 0)
            // Offers land in the planted gaps too, but never as ones that count: planned,
            // ended or deleted offers must leave a gap a gap.
            if offer.phases.contains(where: { county.plantedGaps.contains("\(offer.district)/\($0.slug)") }), offer.counts(removedDistrict: county.removedDistrict) {
                offer.status = Bool.random(using: &random) ? .planned : .ended
            }
            county.offers.append(offer)
        }

        try LocalStore.create(directory: runner.home.path, name: "Koordination Landkreis")
        let store = try LocalStore(directory: runner.home.path)
        for district in county.districts {
            _ = try store.addDistrict(name: district.name, id: district.id, parent: nil, language: .english)
        }
        for index in county.offers.indices {
            var input = OfferInput()
            input.title = county.offers[index].title
            input.district = county.offers[index].district
            input.phases = county.offers[index].phases.map(\.slug).joined(separator: ",")
            input.category = county.offers[index].category.slug
            input.status = county.offers[index].status.slug
            county.offers[index].id = try store.addOffer(input, language: .english)
            if county.offers[index].deleted { _ = try store.deleteRecord(.offer, county.offers[index].id, language: .english) }
        }
        var withoutPhase = OfferInput()
        withoutPhase.title = "Ohne Lebensphase"
        withoutPhase.district = "d1"
        _ = try store.addOffer(withoutPhase, language: .english)
        _ = try store.deleteRecord(.district, county.removedDistrict, language: .english)
        return county
    }

    func testCoverageOfAGeneratedCountyShowsItsKnownGapsAsGapsAndItsKnownDuplicatesAsCandidates() throws {
        let county = try generateCounty()
        let report = try jsonObject("report", "coverage", "--json")

        let districts = try XCTUnwrap(report["districts"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        let byName = county.districts.filter { $0.id != county.removedDistrict }.sorted { $0.name < $1.name }.map(\.id)
        XCTAssertEqual(districts, byName, "every district but the deleted one, by name")
        let cells = try XCTUnwrap(report["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, county.shownDistricts.count * 6)
        for cell in cells {
            let district = try XCTUnwrap(cell["district"] as? String)
            let phase = try XCTUnwrap((cell["phase"] as? String).flatMap(LifePhase.init(rawValue:)))
            let expected = county.activeOffers(district, phase)
            XCTAssertEqual(cell["activeOffers"] as? Int, expected.count, "\(district)/\(phase.slug)")
            XCTAssertEqual(Set(cell["offers"] as? [String] ?? []), Set(expected.map(\.id)), "\(district)/\(phase.slug)")
            XCTAssertEqual(cell["gap"] as? Bool, expected.isEmpty)
        }

        let gaps = Set(try XCTUnwrap(report["gaps"] as? [[String: Any]]).map { gap in
            "\((gap["district"] as? [String: Any])?["id"] as? String ?? "")/\(gap["phase"] as? String ?? "")"
        })
        XCTAssertEqual(gaps, county.expectedGaps)
        XCTAssertTrue(county.plantedGaps.isSubset(of: gaps), "planted gaps missing: \(county.plantedGaps.subtracting(gaps))")
        XCTAssertTrue(county.offers.contains { offer in
            !offer.counts(removedDistrict: county.removedDistrict) && offer.district != county.removedDistrict
                && offer.phases.contains { county.plantedGaps.contains("\(offer.district)/\($0.slug)") }
        }, "the county puts offers that do not count into its planted gaps, or the test proves little")

        var candidates: [String: Set<String>] = [:]
        for candidate in try XCTUnwrap(report["parallelCandidates"] as? [[String: Any]]) {
            let key = "\((candidate["district"] as? [String: Any])?["id"] as? String ?? "")/\(candidate["phase"] as? String ?? "")/\(candidate["category"] as? String ?? "")"
            candidates[key] = Set((candidate["offers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        }
        XCTAssertEqual(candidates, county.expectedDuplicates)
        XCTAssertTrue(county.plantedDuplicates.isSubset(of: Set(candidates.keys)),
                      "planted duplicates missing: \(county.plantedDuplicates.subtracting(candidates.keys))")
        XCTAssertEqual((report["offersWithoutPhase"] as? [[String: Any]])?.compactMap { $0["title"] as? String }, ["Ohne Lebensphase"])

        // The other formats say the same: CSV rows, the heat map's cells, the text's gap list.
        let csv = ok("report", "coverage", "--format", "csv").components(separatedBy: "\r\n")
        XCTAssertEqual(csv.first, "district;districtName;phase;activeOffers;gap;parallelCategories;ended;planned;openNeeds;runningMeasures",
                       "the Excel dialect: ';' and the JSON keys in English")
        let file = runner.root.appendingPathComponent("coverage.csv")
        ok("report", "coverage", "--format", "csv", "--out", file.path)
        XCTAssertEqual(Array(try Data(contentsOf: file).prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with byte-order mark, so Excel reads the umlauts")
        let csvGaps = Set(csv.dropFirst().map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == 10 && $0[4] == "true" }.map { "\($0[0])/\($0[2])" })
        XCTAssertEqual(csvGaps, county.expectedGaps)

        let html = ok("report", "coverage", "--format", "html")
        let heatMapCells = try NSRegularExpression(pattern: "<g class=\"cell\" data-district=\"([^\"]+)\" data-phase=\"([^\"]+)\" data-count=\"(\\d+)\"( data-parallel=\"([^\"]+)\")?>")
            .matches(in: html, range: NSRange(html.startIndex..., in: html))
            .map { match -> (cell: String, count: Int, parallel: String?) in
                func group(_ index: Int) -> String? { Range(match.range(at: index), in: html).map { String(html[$0]) } }
                return ("\(group(1)!)/\(group(2)!)", Int(group(3)!)!, group(5))
            }
        XCTAssertEqual(heatMapCells.count, county.shownDistricts.count * 6)
        XCTAssertEqual(Set(heatMapCells.filter { $0.count == 0 }.map(\.cell)), county.expectedGaps)
        XCTAssertEqual(Set(heatMapCells.flatMap { cell in (cell.parallel ?? "").split(separator: ",").map { "\(cell.cell)/\($0)" } }),
                       Set(county.expectedDuplicates.keys))

        let text = ok("report", "coverage")
        XCTAssertTrue(text.contains("Gaps (\(county.expectedGaps.count)):"), text)
        XCTAssertTrue(text.contains("Possible parallel structures (\(county.expectedDuplicates.count)):"), text)
    }

    func testCoverageForOneDistrictAndOneCategory() throws {
        let county = try generateCounty()
        let category = OfferCategory.promotion
        let report = try jsonObject("report", "coverage", "--district", "Südstadt", "--category", category.slug, "--json")
        XCTAssertEqual(report["category"] as? String, category.slug)
        XCTAssertEqual((report["districts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["d2"])
        for cell in report["cells"] as? [[String: Any]] ?? [] {
            let phase = LifePhase(rawValue: cell["phase"] as? String ?? "")!
            XCTAssertEqual(cell["activeOffers"] as? Int, county.activeOffers("d2", phase).filter { $0.category == category }.count)
        }
    }

    // MARK: The page for the committee

    func testTheCoveragePageIsSelfContainedGermanAndExplainsItsColours() throws {
        _ = makeFixture()
        ok("district", "add", "<b>Ost & West</b>", "--id", "ost")
        addOffer(title: "Sprachkita A", extra: ["--phase", "preschool", "--category", "promotion"])
        addOffer(title: "Sprachkita B", extra: ["--phase", "preschool", "--category", "promotion"])
        let html = ok("report", "coverage", "--format", "html")  // LANG is English: the page is still German

        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<html lang=\"de\">"))
        XCTAssertFalse(html.lowercased().contains("<script"), "no scripts")
        XCTAssertFalse(html.contains("<link"), "no stylesheets or fonts from elsewhere")
        XCTAssertFalse(html.contains("@import"))
        XCTAssertFalse(html.contains("<img"))
        let outside = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(outside.contains("http://") || outside.contains("https://"), "nothing is loaded from a network")
        XCTAssertFalse(html.range(of: "url\\((?!#)", options: .regularExpression) != nil, "url() only points inside the page")

        XCTAssertTrue(html.contains("<svg"), "the heat map")
        for label in ["Schwangerschaft und Geburt", "Frühe Kindheit", "Kita-Alter", "Grundschulalter", "Jugend", "Übergang Schule–Beruf",
                      "So lesen Sie die Karte", "Lücke: kein aktives Angebot", "1 Angebot", "5 und mehr Angebote",
                      "mögliche Parallelstruktur", "Mögliche Parallelstrukturen", "Lücken"] {
            XCTAssertTrue(html.contains(label), "missing: \(label)")
        }
        XCTAssertTrue(html.contains("&lt;b&gt;Ost &amp; West&lt;/b&gt;"), "names are escaped")
        XCTAssertFalse(html.contains("<b>Ost"))
    }

    func testTextPeopleTypedIsEscapedInEveryHTMLReport() throws {
        func hostile(_ label: String) -> String { "\(label) <script>alert(\"x\")</script>" }
        func escaped(_ label: String) -> String { "\(label) &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" }
        ok("init")
        ok("district", "add", hostile("Bezirk"), "--id", "bezirk")
        ok("org", "add", hostile("Träger"))
        let kita = (1...2).map { copy in
            addOffer(title: hostile("Angebot \(copy)"), district: "bezirk",
                     extra: ["--phase", "preschool", "--category", "sport", "--provider", "Träger"])
        }[0]
        addOffer(title: hostile("Ohne Phase"), district: "bezirk")
        ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "12")
        let body = ok("body", "add", hostile("Gremium"), "--level", "steering")
        let meeting = ok("meeting", "add", "--body", body, "--date", "2026-02-10", "--attendee", "Anna; \(hostile("Organisation"))",
                         "--minutes", "Protokoll")
        ok("meeting", "decide", meeting, hostile("Beschluss"))
        ok("task", "add", meeting, hostile("Auftrag"), "--owner", hostile("Verantwortlich"), "--due", "2026-03-01")

        let committee = runner.root.appendingPathComponent("ausschuss.html").path
        ok("report", "committee", "--period", "2026-Q1", "--today", "2026-04-14", "--title", hostile("Titel"), "--out", committee)
        let pages: [(name: String, html: String, labels: [String])] = [
            ("coverage", ok("report", "coverage", "--format", "html"), ["Bezirk", "Träger", "Angebot 1", "Angebot 2", "Ohne Phase"]),
            ("indicators", ok("report", "indicators", "--format", "html"), ["Bezirk"]),
            ("meetings", ok("report", "meetings", "--format", "html"), ["Gremium", "Organisation", "Beschluss"]),
            ("tasks", ok("report", "tasks", "--today", "2026-04-14", "--format", "html"), ["Gremium", "Auftrag", "Verantwortlich"]),
            ("committee", try String(contentsOfFile: committee, encoding: .utf8),
             ["Titel", "Bezirk", "Träger", "Angebot 1", "Ohne Phase", "Gremium", "Organisation", "Beschluss", "Auftrag", "Verantwortlich"]),
        ]
        for page in pages {
            XCTAssertFalse(page.html.lowercased().contains("<script"), "\(page.name): a script got through")
            XCTAssertFalse(page.html.contains("alert(\"x\")"), "\(page.name): a quote got through unescaped")
            for label in page.labels {
                XCTAssertTrue(page.html.contains(escaped(label)), "\(page.name): \(label) is not shown escaped")
            }
        }
    }

    func testTheCommitteeReportPutsAllFourPartsOnOnePrintablePage() throws {
        let fixture = makeFixture()
        let kita = addOffer(title: "Sprachkita", extra: ["--phase", "preschool", "--category", "promotion"])
        ok("offer", "indicator", kita, "--period", "2025-Q4", "--participants", "20", "--sessions", "10")
        ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "25", "--sessions", "12")
        let meeting = ok("meeting", "add", "--body", fixture.steering, "--date", "2026-02-10", "--attendee", "Anna; Jugendamt",
                         "--minutes", "Bestandsaufnahme")
        ok("meeting", "decide", meeting, "Lückenanalyse beauftragt")
        ok("task", "add", meeting, "Angebotsliste aktualisieren", "--owner", "Anna", "--due", "2026-03-01")
        let out = runner.root.appendingPathComponent("bericht.html").path

        let printed = ok("report", "committee", "--period", "2026-Q1", "--today", "2026-04-14", "--title", "Ausschuss <JHA>", "--out", out)
        XCTAssertEqual(printed, "", "with --out nothing goes to standard output")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("@page { size: A4"), "A4")
        XCTAssertTrue(html.contains(".new-page { break-before: page; }"))
        XCTAssertEqual(html.components(separatedBy: "class=\"indicators new-page\"").count, 2, "indicators start a page")
        XCTAssertTrue(html.contains("thead { display: table-header-group; }"), "table headers repeat on every page")
        for part in ["1. Angebote und Lücken", "2. Was die Angebote erreicht haben", "3. Arbeit der Gremien", "4. Offene Arbeitsaufträge", "5. Ziele und Maßnahmen",
                     "Berichtszeitraum: 1. Quartal 2026", "Stand: 14.04.2026", "<svg", "Lückenanalyse beauftragt", "Angebotsliste aktualisieren",
                     "seit 44 Tagen überfällig", "Am häufigsten beteiligt", "<td>Jugendamt</td>", "+5 (+25 %)", "Ausschuss &lt;JHA&gt;"] {
            XCTAssertTrue(html.contains(part), "missing: \(part)")
        }
        XCTAssertFalse(html.lowercased().contains("<script"))

        let json = try jsonObject("report", "committee", "--period", "2026-Q1", "--today", "2026-04-14", "--format", "json")
        XCTAssertEqual(Set(json.keys), ["period", "today", "coverage", "indicators", "meetings", "tasks", "goals", "measures"])
        XCTAssertEqual(json["period"] as? String, "2026-Q1")
        XCTAssertEqual((json["tasks"] as? [String: Any])?["overdue"] as? Int, 1)
    }

    // MARK: Indicators

    func testAnOffersFiguresAreOneRecordPerPeriodAndRecordingAgainUpdatesIt() throws {
        _ = makeFixture()
        let kita = addOffer(title: "Sprachkita", extra: ["--phase", "preschool,early-childhood", "--category", "promotion"])
        let before = try pendingChangeSets()
        XCTAssertEqual(ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "30", "--sessions", "12"), "\(kita)|2026-Q1")
        XCTAssertEqual(ok("offer", "indicator", "Sprachkita", "--period", "2026-Q1", "--participants", "34"), "\(kita)|2026-Q1",
                       "by title, the same record")
        XCTAssertEqual(ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "34"), "\(kita)|2026-Q1")
        XCTAssertEqual(try pendingChangeSets(), before + 2, "recording the same figures again is no change at all")
        let record = try jsonObject("offer", "indicator", kita, "--period", "2025", "--participants", "100", "--json")
        XCTAssertEqual(record["id"] as? String, "\(kita)|2025")
        XCTAssertEqual(record["sessions"] as? NSNull, NSNull())

        let rows = try storeSnapshot().filter { $0.hasPrefix("indicators: ") }
        XCTAssertEqual(rows.count, 2, "\(rows)")
        XCTAssertTrue(rows.contains { $0.contains("\(kita)|2026-Q1") && $0.contains("integer(34) | integer(12)") }, "\(rows)")
    }

    func testTheIndicatorReportSumsPerPhaseDistrictAndPeriodAndShowsTheChange() throws {
        _ = makeFixture()
        let kita = addOffer(title: "Sprachkita", extra: ["--phase", "preschool,early-childhood", "--category", "promotion"])
        let cafe = addOffer(title: "Elterncafé", extra: ["--phase", "preschool", "--category", "counselling"])
        let sport = addOffer(title: "Sport", district: "Südstadt", extra: ["--phase", "adolescence", "--category", "sport"])
        ok("offer", "indicator", kita, "--period", "2025-Q4", "--participants", "20", "--sessions", "10")
        ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "25", "--sessions", "12")
        ok("offer", "indicator", cafe, "--period", "2026-Q1", "--participants", "7")
        ok("offer", "indicator", sport, "--period", "2026-Q1", "--participants", "1200", "--sessions", "8")

        let report = try jsonObject("report", "indicators", "--period", "2026-Q1", "--json")
        let rows = try XCTUnwrap(report["rows"] as? [[String: Any]])
        let summary = rows.map { row -> String in
            let figures = row["figures"] as? [String: Any] ?? [:]
            let district = (row["district"] as? [String: Any])?["id"] as? String ?? ""
            return "\(row["period"] as? String ?? "") \(district) \(row["phase"] as? String ?? "") "
                + "\(figures["participants"] ?? "") \(figures["participantsChange"] ?? "")"
        }
        XCTAssertEqual(summary, ["2026-Q1 nordstadt early-childhood 25 5",
                                 "2026-Q1 nordstadt preschool 32 12",
                                 "2026-Q1 \(try districtID("Südstadt")) adolescence 1200 <null>"])
        let total = (report["totals"] as? [[String: Any]])?.first?["figures"] as? [String: Any]
        XCTAssertEqual(total?["participants"] as? Int, 1232, "every offer once")
        XCTAssertEqual(total?["previousParticipants"] as? Int, 20)

        let german = ok("report", "indicators", "--period", "2026-Q1", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.contains("Zahlen für 1. Quartal 2026, verglichen mit 4. Quartal 2025 und 1. Quartal 2025"), german)
        XCTAssertTrue(german.contains("1.200"), "German thousands: \(german)")
        XCTAssertTrue(german.contains("+12 (+60 %)"), german)
        // Per year: 2026 whole against 2025 whole once both are over; before that, the quarters of 2026
        // so far (Q1) against the same quarters of 2025, of which none has figures.
        let csv = ok("report", "indicators", "--by", "year", "--format", "csv", "--today", "2027-01-10")
        XCTAssertTrue(csv.hasPrefix("period;span;comparedWith;yearBefore;district;districtName;phase;offers;participants;previousParticipants;"), csv)
        XCTAssertTrue(csv.contains("\r\n2026;2026;2025;;;;;3;1232;20;1212;"), csv)
        let yearToDate = ok("report", "indicators", "--by", "year", "--format", "csv", "--today", "2026-04-14")
        XCTAssertTrue(yearToDate.contains("\r\n2026;2026-Q1..Q1;2025-Q1..Q1;;;;;3;1232;;;"), yearToDate)
    }

    private func districtID(_ name: String) throws -> String {
        try XCTUnwrap(jsonArray("district", "list", "--json").first { $0["name"] as? String == name }?["id"] as? String)
    }

    // MARK: Bodies and action items

    func testOpenActionItemsAreListedOverdueFirstAsOfTheInjectedDay() throws {
        let fixture = makeFixture()
        let network = ok("body", "add", "Netzwerk Frühe Hilfen", "--level", "network")
        let steering = ok("meeting", "add", "--body", fixture.steering, "--date", "2026-01-20", "--minutes", "x")
        let other = ok("meeting", "add", "--body", network, "--date", "2026-03-11", "--minutes", "y")
        let later = ok("task", "add", steering, "Flyer drucken", "--owner", "Bea", "--due", "2026-05-01")
        let late = ok("task", "add", other, "Bedarf erheben", "--owner", "Maria Weiß", "--due", "2026-03-31")
        let undated = ok("task", "add", steering, "Ohne Termin", "--owner", "Cem")
        let latest = ok("task", "add", steering, "Liste aktualisieren", "--owner", "Anna", "--due", "2026-02-28")
        let done = ok("task", "add", other, "Erledigt", "--owner", "Jan", "--due", "2026-01-01")
        ok("task", "done", done)

        func order(_ args: String..., env: [String: String?] = [:]) throws -> [String] {
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok(["report", "tasks", "--json"] + args, env: env).utf8)) as? [String: Any])
            return (report["tasks"] as? [[String: Any]] ?? []).map { "\($0["id"] as? String ?? "") \($0["daysOverdue"] as? Int ?? 0)" }
        }
        XCTAssertEqual(try order("--today", "2026-04-14"), ["\(latest) 45", "\(late) 14", "\(later) 0", "\(undated) 0"])
        XCTAssertEqual(try order(env: ["KETTE_TODAY": "2026-03-31"]), ["\(latest) 31", "\(late) 0", "\(later) 0", "\(undated) 0"],
                       "KETTE_TODAY sets the day; due that day is not yet overdue")
        XCTAssertEqual(try order("--today", "2026-01-01", env: ["KETTE_TODAY": "2026-04-14"]).map { $0.hasSuffix(" 0") }, [true, true, true, true],
                       "--today wins over KETTE_TODAY")
        XCTAssertEqual(try order("--today", "2026-04-14", "--body", "netzwerk"), ["\(late) 14"])

        let text = ok("report", "tasks", "--today", "2026-04-14", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(text.contains("Offene Arbeitsaufträge, Stand 14.04.2026: 4, davon 2 überfällig"), text)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.firstIndex { $0.contains("Liste aktualisieren") }! < lines.firstIndex { $0.contains("Flyer drucken") }!)
        XCTAssertTrue(lines.contains { $0.contains("Bedarf erheben") && $0.contains("überfällig 14 T.") && $0.contains("Maria Weiß")
                                       && $0.contains("Netzwerk Frühe Hilfen") && $0.contains("11.03.2026") }, text)
    }

    func testMeetingsPerBodyAndQuarterWithAttendanceAndDecisions() throws {
        let fixture = makeFixture()
        let first = ok("meeting", "add", "--body", fixture.steering, "--date", "2026-01-20", "--minutes", "x",
                       "--attendee", "Anna; Jugendamt", "--attendee", "Jens; jugendamt", "--attendee", "Ali; Gesundheitsamt")
        ok("meeting", "add", "--body", fixture.steering, "--date", "2026-03-11", "--minutes", "x", "--attendee", "Anna; Jugendamt")
        ok("meeting", "add", "--body", fixture.steering, "--date", "2025-11-11", "--minutes", "x", "--attendee", "Anna; Jugendamt")
        ok("meeting", "decide", first, "Lückenanalyse beauftragt")

        let csv = ok("report", "meetings", "--period", "2026", "--format", "csv").components(separatedBy: "\r\n")
        XCTAssertEqual(csv, ["body;bodyName;level;quarter;meetings;decisions;organization;meetingsAttended;attendees",
                             "\(fixture.steering);Steuerungsgruppe Präventionskette;steering;2026-Q1;2;1;Jugendamt;2;3",
                             "\(fixture.steering);Steuerungsgruppe Präventionskette;steering;2026-Q1;2;1;Gesundheitsamt;1;1"])
        let german = ok(["report", "meetings", "--period", "2026", "--format", "csv"], env: ["LANG": "de_DE.UTF-8"]).components(separatedBy: "\r\n")
        XCTAssertEqual(german.first, "Gremium-ID;Gremium;Ebene;Quartal;Sitzungen;Beschlüsse;Organisation;Sitzungen besucht;Teilnehmende")
        XCTAssertEqual(german[1], "\(fixture.steering);Steuerungsgruppe Präventionskette;Steuerungsgruppe;2026-Q1;2;1;Jugendamt;2;3",
                       "German labels for closed lists, as in export csv")
        let text = ok("report", "meetings", env: ["LANG": "de_DE.UTF-8"])
        for part in ["4. Quartal 2025: 1 Sitzung (11.11.2025)", "1. Quartal 2026: 2 Sitzungen (20.01.2026, 11.03.2026)",
                     "beteiligt: Jugendamt 2/2 (3 Personen); Gesundheitsamt 1/2 (1 Person)", "20.01.2026: Lückenanalyse beauftragt"] {
            XCTAssertTrue(text.contains(part), "missing \(part): \(text)")
        }
    }

    // MARK: Bad input

    func testBadInputIsRefusedNamingTheFieldAndWritesNothing() throws {
        _ = makeFixture()
        let kita = addOffer(title: "Sprachkita", extra: ["--phase", "preschool", "--category", "promotion"])
        ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "30")
        func indicator(_ extra: String...) -> [String] { ["offer", "indicator", kita] + extra }

        for period in ["2026-Q5", "2026-Q0", "26-Q1", "2026/1", "Q1 2026", "2026-13"] {
            try assertRejected(indicator("--period", period, "--participants", "3"), mentions: ["period", "'\(period)'", "YYYY-Qn", "YYYY"])
        }
        try assertRejected(indicator("--period", "2026-Q1", "--participants", "-3"), mentions: ["participants", "'-3'", "0 or more"])
        try assertRejected(indicator("--period", "2026-Q1", "--participants", "zwölf"), mentions: ["participants", "'zwölf'"])
        try assertRejected(indicator("--period", "2026-Q1", "--participants", "3", "--sessions", "-1"), mentions: ["sessions", "'-1'"])
        try assertRejected(indicator("--period", "2026-Q1"), mentions: ["participants"])
        try assertRejected(indicator("--participants", "3"), mentions: ["period"])
        try assertRejected(["offer", "indicator", "Gibt es nicht", "--period", "2026-Q1", "--participants", "3"], mentions: ["offer", "'Gibt es nicht'"])
        let german = try assertRejected(indicator("--period", "2026-Q5", "--participants", "3"), mentions: ["Zeitraum"], env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.stderr.contains("Ungültiger Wert „2026-Q5“ für Zeitraum"), german.stderr)

        let out = runner.root.appendingPathComponent("report.html").path
        try assertRejected(["report", "coverage", "--format", "pdf"], mentions: ["format", "'pdf'", "text", "csv", "json", "html"])
        try assertRejected(["report", "coverage", "--district", "Weststadt"], mentions: ["district", "'Weststadt'", "nordstadt"])
        try assertRejected(["report", "coverage", "--category", "fun"], mentions: ["category", "'fun'"] + OfferCategory.slugs)
        try assertRejected(["report", "indicators", "--period", "2026-Q5"], mentions: ["period", "YYYY-Qn"])
        try assertRejected(["report", "indicators", "--by", "month"], mentions: ["by", "'month'", "quarter", "year"])
        try assertRejected(["report", "indicators", "--phase", "teens"], mentions: ["phase", "'teens'"] + LifePhase.slugs)
        try assertRejected(["report", "meetings", "--period", "2026-13"], mentions: ["period", "YYYY-Qn"])
        try assertRejected(["report", "meetings", "--body", "Gibt es nicht"], mentions: ["body"])
        try assertRejected(["report", "tasks", "--today", "2026-02-30"], mentions: ["today", "'2026-02-30'", "YYYY-MM-DD"])
        try assertRejected(["report", "tasks"], mentions: ["KETTE_TODAY", "'morgen'", "YYYY-MM-DD"], env: ["KETTE_TODAY": "morgen"])
        try assertRejected(["report", "tasks", "--format", "xml"], mentions: ["format", "'xml'"])
        try assertRejected(["report", "committee", "--period", "2026-Q5", "--out", out], mentions: ["period", "'2026-Q5'"])
        try assertRejected(["report", "committee", "--out", out], mentions: ["period"])
        try assertRejected(["report", "committee", "--period", "2026-Q1", "--format", "csv", "--out", out], mentions: ["format", "html", "json"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused report writes no file")
        try assertRejected(["report", "committee", "--period", "2026-Q1", "--out", runner.root.appendingPathComponent("fehlt/report.html").path],
                           mentions: ["out", "fehlt/report.html"])
    }
}
