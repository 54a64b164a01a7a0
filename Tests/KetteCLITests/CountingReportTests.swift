import Foundation
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Issue 15 end to end, from a county with three districts: reports count what ran, cover what
/// the user can see, compare like with like; every CSV is Excel's; a spreadsheet round trip
/// changes exactly what was edited; duplicates are found on purpose.
final class CountingReportTests: KetteCLITestCase {
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]

    /// Nordstadt, Südstadt and Weststadt, two providers.
    private func makeCounty() {
        ok("init", "--name", "Kreisjugendamt")
        ok("district", "add", "Nordstadt", "--id", "nord")
        ok("district", "add", "Südstadt", "--id", "sued")
        ok("district", "add", "Weststadt", "--id", "west")
        ok("org", "add", "Jugendamt")
        ok("org", "add", "Familienzentrum Regenbogen")
    }

    private func offer(_ title: String, _ district: String, _ phase: String, _ extra: String...) -> String {
        ok(["offer", "add", "--title", title, "--district", district, "--phase", phase, "--category", "sport", "--provider", "Jugendamt"] + extra)
    }

    private func object(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func cellCount(_ report: [String: Any], _ district: String, _ phase: String) -> Int? {
        (report["cells"] as? [[String: Any]])?.first { $0["district"] as? String == district && $0["phase"] as? String == phase }?["activeOffers"] as? Int
    }

    private func titles(_ report: [String: Any], _ key: String) -> [String] {
        (report[key] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
    }

    // MARK: Dates count

    func testOffersThatEndedOrStartLaterDoNotCountAndAreListedApart() throws {
        makeCounty()
        offer("Elterncafé (beendet)", "nord", "preschool", "--end", "2026-02-28")
        offer("Sportverein ab 2027", "nord", "preschool", "--start", "2027-01-01")
        offer("Krabbelgruppe", "sued", "early-childhood", "--start", "2025-09-01", "--end", "2026-12-31")
        offer("Geplanter Treff", "west", "adolescence", "--status", "planned")

        let day = try jsonObject("report", "coverage", "--today", "2026-03-20", "--json")
        XCTAssertEqual(cellCount(day, "nord", "preschool"), 0, "an offer that ended on 28 Feb does not run on 20 Mar, nor one from 2027")
        XCTAssertEqual(cellCount(day, "sued", "early-childhood"), 1, "a running offer with both ends given counts")
        XCTAssertEqual(day["activeOffers"] as? Int, 1)
        XCTAssertEqual(titles(day, "ended"), ["Elterncafé (beendet)"])
        XCTAssertEqual(titles(day, "planned"), ["Sportverein ab 2027", "Geplanter Treff"], "the dated one first, then the one without a start")
        XCTAssertEqual((day["window"] as? [String: Any])?["from"] as? String, "2026-03-20")

        let quarter = try jsonObject("report", "coverage", "--period", "2026-Q1", "--json")
        XCTAssertEqual(cellCount(quarter, "nord", "preschool"), 1, "it ran in January and February: active at some time in the quarter")
        XCTAssertEqual(titles(quarter, "ended"), ["Elterncafé (beendet)"], "and it ended in the quarter")
        XCTAssertEqual(cellCount(try jsonObject("report", "coverage", "--period", "2027", "--json"), "nord", "preschool"), 1)
        XCTAssertEqual(cellCount(try jsonObject("report", "coverage", "--period", "2026-02", "--json"), "nord", "preschool"), 1, "a month")

        let text = ok(["report", "coverage", "--today", "2026-03-20"], env: german)
        XCTAssertTrue(text.contains("laufend am 20.03.2026"), text)
        XCTAssertTrue(text.contains("Beendet, nicht gezählt (1):") && text.contains("Elterncafé (beendet) · Nordstadt · … – 28.02.2026"), text)
        XCTAssertTrue(text.contains("Geplant, noch nicht gezählt (2):"), text)
        try assertRejected(["report", "coverage", "--today", "2026-03-20", "--period", "2026-Q1"], mentions: ["--today", "--period"])
        try assertRejected(["report", "coverage", "--period", "2026-13"], mentions: ["period", "'2026-13'", "YYYY-MM"])
    }

    // MARK: Scope

    func testACoordinatorsCoverageShowsHerDistrictsAndNoFalseGaps() throws {
        let server = ServerProcess(directory: runner.root)
        defer { server.kill() }
        for (id, name) in [("nord", "Nordstadt"), ("sued", "Südstadt"), ("west", "Weststadt")] { try server.admin(["district", "add", id, name]) }
        let county = try server.admin(["user", "add", "kreis", "--role", "county"])
        let anna = try server.admin(["user", "add", "anna", "--role", "coordinator", "--district", "sued"])
        try server.start()
        func home(_ name: String) -> [String] { ["--home", runner.root.appendingPathComponent(name).path] }
        ok(home("kreis") + ["init", "--name", "Kreis"])
        ok(home("kreis") + ["remote", server.url, "--token", county])
        ok(home("kreis") + ["sync"])
        ok(home("kreis") + ["offer", "add", "--title", "Nordtreff", "--district", "nord", "--phase", "adolescence"])
        ok(home("kreis") + ["offer", "add", "--title", "Westtreff", "--district", "west", "--phase", "adolescence"])
        ok(home("kreis") + ["offer", "add", "--title", "Südtreff", "--district", "sued", "--phase", "adolescence"])
        ok(home("kreis") + ["sync"])
        ok(home("anna") + ["init", "--name", "Anna"])
        ok(home("anna") + ["remote", server.url, "--token", anna])
        ok(home("anna") + ["sync"])

        XCTAssertEqual(try jsonArray(home("anna") + ["district", "list", "--json"]).count, 3, "she reads the whole list of districts")
        let hers = try object(ok(home("anna") + ["report", "coverage", "--today", "2026-03-20", "--json"]))
        XCTAssertEqual((hers["districts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["sued"], "only her district")
        XCTAssertEqual((hers["cells"] as? [[String: Any]])?.count, 6)
        XCTAssertFalse((hers["gaps"] as? [[String: Any]] ?? []).contains { ($0["district"] as? [String: Any])?["id"] as? String != "sued" },
                       "no district outside her scope shows as a gap")
        XCTAssertEqual((hers["scope"] as? [String: Any])?["basis"] as? String, "user")
        let text = ok(home("anna") + ["report", "coverage", "--today", "2026-03-20"], env: german)
        XCTAssertTrue(text.contains("Sozialräume (1): Südstadt (die Sozialräume von anna laut letztem Sync)"), text)
        XCTAssertFalse(text.contains("Nordstadt") || text.contains("Weststadt"), text)
        let outside = runner.run(home("anna") + ["report", "coverage", "--district", "Nordstadt"])
        XCTAssertEqual(outside.exitCode, 1, "\(outside)")
        XCTAssertTrue(outside.stderr.contains("'Nordstadt'") && outside.stderr.contains("Südstadt (sued)"), outside.stderr)

        let all = try object(ok(home("kreis") + ["report", "coverage", "--today", "2026-03-20", "--json"]))
        XCTAssertEqual((all["districts"] as? [[String: Any]])?.count, 3, "the county office sees every district")
        XCTAssertEqual((all["scope"] as? [String: Any])?["basis"] as? String, "county")
        XCTAssertEqual(all["activeOffers"] as? Int, 3)
        let page = ok(home("anna") + ["report", "committee", "--period", "2026-Q1", "--today", "2026-04-14"])
        XCTAssertTrue(page.contains("Sozialräume (1): Südstadt"), "the committee page's header names the districts")
    }

    private func jsonArray(_ args: [String]) throws -> [[String: Any]] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok(args).utf8)) as? [[String: Any]])
    }

    // MARK: Like with like

    /// Figures for three offers over two years, recorded per quarter (and once for a whole year);
    /// the expected sums are computed here from the same table, not taken from the report.
    func testQuartersAndYearsAreComparedLikeWithLike() throws {
        makeCounty()
        let offers = [offer("A", "nord", "preschool"), offer("B", "sued", "primary"), offer("C", "west", "adolescence")]
        var recorded: [String: [String: Int]] = [:]  // offer → period → participants
        for (index, id) in offers.enumerated() {
            for year in [2025, 2026] {
                for quarter in 1...4 where year == 2025 || quarter <= 2 {
                    let participants = 10 * (index + 1) + 3 * quarter + (year - 2025) * 7
                    recorded[id, default: [:]]["\(year)-Q\(quarter)"] = participants
                    ok("offer", "indicator", id, "--period", "\(year)-Q\(quarter)", "--participants", String(participants))
                }
            }
        }
        // C reports its 2025 total itself: for the whole year that figure counts, not its quarters.
        recorded[offers[2], default: [:]]["2025"] = 500
        ok("offer", "indicator", offers[2], "--period", "2025", "--participants", "500")

        func sum(_ periods: [String]) -> Int { offers.reduce(0) { total, id in total + periods.reduce(0) { $0 + (recorded[id]?[$1] ?? 0) } } }
        func totals(_ args: String...) throws -> [String: Any] {
            let report = try object(ok(["report", "indicators", "--json"] + args))
            return try XCTUnwrap((report["totals"] as? [[String: Any]])?.first?["figures"] as? [String: Any])
        }

        let q2 = try totals("--period", "2026-Q2", "--today", "2026-07-10")
        XCTAssertEqual(q2["participants"] as? Int, sum(["2026-Q2"]))
        XCTAssertEqual(q2["previousParticipants"] as? Int, sum(["2026-Q1"]), "the quarter before")
        XCTAssertEqual(q2["yearBeforeParticipants"] as? Int, sum(["2025-Q2"]), "the same quarter a year before")

        // 2026 is not over: its two quarters against the same two of 2025, not against all of 2025.
        let ytd = try totals("--period", "2026", "--today", "2026-07-10")
        XCTAssertEqual(ytd["participants"] as? Int, sum(["2026-Q1", "2026-Q2"]))
        XCTAssertEqual(ytd["previousParticipants"] as? Int, sum(["2025-Q1", "2025-Q2"]))
        let wholeYear2025 = offers.reduce(0) { total, id in
            total + (recorded[id]?["2025"] ?? (1...4).reduce(0) { $0 + (recorded[id]?["2025-Q\($1)"] ?? 0) })
        }
        XCTAssertNotEqual(ytd["previousParticipants"] as? Int, wholeYear2025, "the test would prove nothing if both were equal")
        let text = ok(["report", "indicators", "--period", "2026", "--today", "2026-07-10"], env: german)
        XCTAssertTrue(text.contains("1.–2. Quartal 2026 (bisheriges Jahr), verglichen mit 1.–2. Quartal 2025 (bisheriges Jahr)"), text)

        // Once 2026 is over (no more figures came), whole years: 2025 with C's own yearly figure.
        let whole = try totals("--period", "2026", "--today", "2027-01-15")
        XCTAssertEqual(whole["participants"] as? Int, sum(["2026-Q1", "2026-Q2"]))
        XCTAssertEqual(whole["previousParticipants"] as? Int, wholeYear2025)

        let page = ok("report", "committee", "--period", "2026", "--today", "2026-07-10")
        let change = sum(["2026-Q1", "2026-Q2"]) - sum(["2025-Q1", "2025-Q2"])
        XCTAssertTrue(page.contains("Teilnahmen im Zeitraum 1.–2. Quartal 2026 (bisheriges Jahr) (+\(change)"), "the headline compares like with like")
    }

    // MARK: One Excel dialect

    func testEveryCSVKetteWritesIsExcelsDialect() throws {
        makeCounty()
        let kita = offer("Sprachförderung Südstadt", "sued", "preschool")
        ok("offer", "indicator", kita, "--period", "2026-Q1", "--participants", "12")
        let body = ok("body", "add", "Steuerungsgruppe", "--level", "steering")
        let meeting = ok("meeting", "add", "--body", body, "--date", "2026-02-10", "--attendee", "Anna; Jugendamt")
        ok("task", "add", meeting, "=HYPERLINK(\"http://x\")", "--owner", "Anna", "--due", "2026-03-01")
        var files: [String: Data] = [:]
        for report in ["coverage", "indicators", "tasks", "meetings"] {
            let path = runner.root.appendingPathComponent("\(report).csv").path
            ok(["report", report, "--format", "csv", "--out", path, "--today", "2026-04-14"].filter { report != "meetings" || !$0.hasPrefix("--today") && $0 != "2026-04-14" },
               env: german)
            files[report] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let export = runner.root.appendingPathComponent("export")
        ok(["export", "csv", "--out", export.path], env: german)
        for name in ["offers.csv", "organizations.csv", "meetings.csv", "tasks.csv"] {
            files["export " + name] = try Data(contentsOf: export.appendingPathComponent(name))
        }
        for (name, data) in files {
            XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF], "\(name): UTF-8 with byte-order mark")
            let text = String(decoding: data.dropFirst(3), as: UTF8.self)
            let header = String(text.prefix { $0 != "\r" && $0 != "\n" })
            XCTAssertTrue(header.contains(";") && !header.contains(","), "\(name): ';' between cells: \(header)")
            XCTAssertTrue(text.contains("\r\n") && text.replacingOccurrences(of: "\r\n", with: "").allSatisfy { $0 != "\r" }, "\(name): CRLF")
            XCTAssertFalse(text.contains(";=") || text.contains("\n="), "\(name): no cell starts like a formula")
        }
        XCTAssertTrue(String(decoding: files["coverage"]!, as: UTF8.self).contains("Sozialraum-ID;Sozialraum;Lebensphase;Aktive Angebote;Lücke"))
        XCTAssertTrue(String(decoding: files["coverage"]!, as: UTF8.self).contains("sued;Südstadt;Kita-Alter;1;nein"), "German labels, umlauts intact")
        XCTAssertTrue(String(decoding: files["tasks"]!, as: UTF8.self).contains(";\"'=HYPERLINK(\"\"http://x\"\")\";"), "formula neutralized")
        let english = ok("report", "coverage", "--format", "csv", "--today", "2026-04-14")
        XCTAssertTrue(english.hasPrefix("district;districtName;phase;activeOffers;gap"), "JSON keys otherwise: \(english)")
    }

    // MARK: Import that round-trips

    func testAWindows1252FileWithUmlautsIsImportedExactly() throws {
        makeCounty()
        let text = "Titel;Sozialraum;Lebensphasen;Träger;Beschreibung\r\n"
            + "Müttercafé „Sonnenschein“;Südstadt;Frühe Kindheit;Familienzentrum Regenbogen;Größere Räume – 5 € pro Termin\r\n"
            + "Jugendtreff Weststraße;Weststadt;Jugend;Jugendamt;Öffnungszeiten: Mo–Fr\r\n"
        let path = runner.root.appendingPathComponent("excel.csv")
        try XCTUnwrap(text.data(using: .windowsCP1252)).write(to: path)
        XCTAssertNil(String(data: try Data(contentsOf: path), encoding: .utf8), "the file is not UTF-8, or the test proves nothing")

        let output = ok(["import", "offers", path.path], env: german)
        XCTAssertTrue(output.contains("Gelesen als windows-1252") && output.contains("2 Angebote"), output)
        let offers = try jsonArray(["offer", "list", "--json"])
        let cafe = try XCTUnwrap(offers.first { $0["district"] as? String == "sued" })
        XCTAssertEqual(cafe["title"] as? String, "Müttercafé „Sonnenschein“")
        XCTAssertEqual(cafe["providerName"] as? String, "Familienzentrum Regenbogen")
        let shown = try object(ok("offer", "show", try XCTUnwrap(cafe["id"] as? String), "--json"))
        XCTAssertEqual(shown["description"] as? String, "Größere Räume – 5 € pro Termin")
        XCTAssertEqual(offers.first { $0["district"] as? String == "west" }?["title"] as? String, "Jugendtreff Weststraße")

        // The same bytes read as ISO-8859-15 when forced: € and „“ are no Latin-9 characters at those places.
        let latin9 = runner.root.appendingPathComponent("latin9.csv")
        try Data([0x54, 0x69, 0x74, 0x65, 0x6C, 0x3B, 0x53, 0x6F, 0x7A, 0x69, 0x61, 0x6C, 0x72, 0x61, 0x75, 0x6D, 0x0D, 0x0A]
                 + Array("Kurs ".utf8) + [0xA4, 0x20, 0xFC] + Array(";Nordstadt\r\n".utf8)).write(to: latin9)
        ok("import", "offers", latin9.path)
        XCTAssertTrue(try jsonArray(["offer", "list", "--json"]).contains { $0["title"] as? String == "Kurs € ü" }, "ISO-8859-15 detected: 0xA4 is €")
    }

    func testAnEditedExportReimportedChangesExactlyTheEditedCells() throws {
        makeCounty()
        let kita = offer("Sprachkita", "nord", "preschool", "--description", "Sprachförderung", "--start", "2026-01-01")
        let cafe = offer("Elterncafé", "sued", "early-childhood", "--languages", "de,tr")
        offer("Jugendtreff", "west", "adolescence")
        let export = runner.root.appendingPathComponent("export")
        ok(["export", "csv", "--out", export.path], env: german)
        let original = try String(decoding: Data(contentsOf: export.appendingPathComponent("offers.csv")).dropFirst(3), as: UTF8.self)

        // Two cells edited as in Excel: a title and a status; Excel also turns the ISO date into a
        // German one and saves the file as Windows-1252 with ',' between cells.
        var rows = original.components(separatedBy: "\r\n").map { $0.components(separatedBy: ";") }
        let header = rows[0]
        let titleColumn = try XCTUnwrap(header.firstIndex(of: "Titel")), statusColumn = try XCTUnwrap(header.firstIndex(of: "Status"))
        let startColumn = try XCTUnwrap(header.firstIndex(of: "Beginn"))
        for index in rows.indices.dropFirst() where rows[index].count == header.count {
            if rows[index][0] == kita { rows[index][titleColumn] = "Sprachkita Nordstadt"; rows[index][startColumn] = "01.01.2026" }
            if rows[index][0] == cafe { rows[index][statusColumn] = "beendet" }
        }
        let edited = rows.map { $0.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") }.joined(separator: "\r\n")
        let path = runner.root.appendingPathComponent("bearbeitet.csv")
        try XCTUnwrap(edited.data(using: .windowsCP1252)).write(to: path)

        let snapshot = try storeSnapshot()
        let dry = ok(["import", "offers", path.path, "--dry-run"], env: german)
        XCTAssertTrue(dry.contains("0 neu, 2 geändert (2 Felder), 1 unverändert"), dry)
        XCTAssertTrue(dry.contains("Sprachkita Nordstadt [\(RecordIdentifier.shortCode(kita))]: title") && dry.contains("Elterncafé [\(RecordIdentifier.shortCode(cafe))]: status"), dry)
        XCTAssertEqual(try storeSnapshot(), snapshot, "a dry run writes nothing")

        let pending = try pendingChangeSets()
        let output = ok(["import", "offers", path.path], env: german)
        XCTAssertTrue(output.contains("0 neu, 2 geändert (2 Felder), 1 unverändert"), output)
        XCTAssertEqual(try pendingChangeSets(), pending + 1, "one change set")
        XCTAssertEqual(Set(try lastChangeSet()), ["offer \(cafe) status", "offer \(kita) title"], "exactly the two edited cells, nothing created")
        XCTAssertEqual(try status()["offers"] as? Int, 3)
        XCTAssertEqual(try object(ok("offer", "show", kita, "--json"))["title"] as? String, "Sprachkita Nordstadt")
        XCTAssertEqual(try object(ok("offer", "show", kita, "--json"))["start"] as? String, "2026-01-01")
        XCTAssertEqual(try object(ok("offer", "show", cafe, "--json"))["status"] as? String, "ended")

        // Importing the edited file again changes nothing more.
        let again = ok(["import", "offers", path.path], env: german)
        XCTAssertTrue(again.contains("0 neu, 0 geändert (0 Felder), 3 unverändert"), again)
        XCTAssertEqual(try pendingChangeSets(), pending + 1)
    }

    /// The fields of the newest change set in the outbox, as "type id field", sorted.
    private func lastChangeSet() throws -> [String] {
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        let database = try Database(path: runner.databasePath, configuration: configuration)
        return try database.rows("""
            SELECT record_type, record_id, field FROM outbox_changes
            WHERE change_set_seq = (SELECT max(seq) FROM outbox_change_sets)
            """).map { "\($0.string("record_type") ?? "") \($0.string("record_id") ?? "") \($0.string("field") ?? "")" }.sorted()
    }

    func testImportingTheSameListTwiceIsRefusedOrSkippedOrUpdatesNotDoubled() throws {
        makeCounty()
        let list = runner.root.appendingPathComponent("liste.csv")
        try Data("Titel\tSozialraum\tTräger\tOrt\nSchwimmkurs\tNordstadt\tJugendamt\tHallenbad\nLesepaten\tSüdstadt\tJugendamt\t\n".utf8).write(to: list)
        ok("import", "offers", list.path)
        XCTAssertEqual(try status()["offers"] as? Int, 2)

        let snapshot = try storeSnapshot()
        try assertRejected(["import", "offers", list.path], mentions: [
            "2 of 2 rows have problems", "row 2: matches the offer 'Schwimmkurs'", "by title, provider, district", "--on-duplicate",
            "row 3: matches the offer 'Lesepaten'"])
        XCTAssertEqual(try storeSnapshot(), snapshot, "refused: nothing written")
        XCTAssertTrue(ok("import", "offers", list.path, "--on-duplicate", "skip").contains("0 new, 0 updated (0 fields), 0 unchanged, 2 skipped"))
        XCTAssertEqual(try storeSnapshot(), snapshot, "skipped: nothing written")

        try Data("Titel\tSozialraum\tTräger\tOrt\nschwimmkurs\tNordstadt\tJugendamt\tFreibad\n".utf8).write(to: list)
        // Found by the title in another case; the row's values are what the offer becomes.
        let updated = ok("import", "offers", list.path, "--on-duplicate", "update")
        XCTAssertTrue(updated.contains("0 new, 1 updated (2 fields)"), updated)
        let offers = try jsonArray(["offer", "list", "--json"])
        XCTAssertEqual(offers.count, 2)
        let swim = try XCTUnwrap(offers.first { ($0["title"] as? String) == "schwimmkurs" }?["id"] as? String)
        XCTAssertEqual(try object(ok("offer", "show", swim, "--json"))["location"] as? String, "Freibad")

        // By title and district only, the provider may differ.
        try Data("Titel;Sozialraum;Träger\nLesepaten;Südstadt;Familienzentrum Regenbogen\n".utf8).write(to: list)
        XCTAssertTrue(ok("import", "offers", list.path).contains("Imported 1 offer in one change set"), "another provider: another offer")
        try assertRejected(["import", "offers", list.path, "--match", "title,district"], mentions: ["matches several offers here"])
    }

    // MARK: Duplicates

    func testLikelyDuplicatesAreFoundWithTheirReason() throws {
        makeCounty()
        let first = offer("Sprachförderung für Familien", "nord", "preschool")
        let second = offer("Sprachfoerderung fuer Familien", "nord", "preschool,primary")
        offer("Sprachförderung für Familien", "sued", "preschool")  // another district
        offer("Sprachförderung für Familien", "nord", "adolescence")  // no phase in common
        offer("Schwimmkurs", "nord", "preschool")
        ok("offer", "add", "--title", "Sprachförderung für Familien", "--district", "nord", "--phase", "preschool",
           "--provider", "Familienzentrum Regenbogen")  // another provider

        let report = try object(ok("offer", "duplicates", "--json"))
        let groups = try XCTUnwrap(report["groups"] as? [[String: Any]])
        XCTAssertEqual(groups.count, 1, "\(groups)")
        XCTAssertEqual(Set((groups[0]["offers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }), [first, second])
        XCTAssertEqual(groups[0]["sameTitle"] as? Bool, true)
        XCTAssertEqual(groups[0]["sharedPhases"] as? [String], ["preschool"])
        let text = ok(["offer", "duplicates"], env: german)
        XCTAssertTrue(text.contains("gleicher Träger (Jugendamt) und Sozialraum (Nordstadt), denselben Titel"), text)
        XCTAssertTrue(text.contains("[\(RecordIdentifier.shortCode(first))]") && text.contains("[\(RecordIdentifier.shortCode(second))]"), text)
        XCTAssertEqual((try object(ok("offer", "duplicates", "--district", "Südstadt", "--json"))["groups"] as? [Any])?.count, 0)
        ok("offer", "delete", second, "--yes")
        XCTAssertEqual((try object(ok("offer", "duplicates", "--json"))["groups"] as? [Any])?.count, 0, "the merge is the user's: delete one")
    }

    // MARK: The committee report in a browser

    /// Renders a generated 30-district, 20,000-offer county's committee report in headless
    /// Chromium and checks the PDF (scripts/render-committee-report.sh). Minutes: long tests only.
    func testTheCommitteeReportOfALargeCountyPrintsOnAtMostFourPages() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1", "KETTE_LONG_TESTS=1 runs the Chromium check")
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { directory.deleteLastPathComponent() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [directory.appendingPathComponent("scripts/render-committee-report.sh").path, "--large"]
        // The binaries of this build, beside the test bundle: the script must not run `swift build`
        // while `swift test` holds SwiftPM's lock on .build.
        let binaries = try XCTUnwrap(KetteBinary.url, "no built kette").deletingLastPathComponent().path
        process.environment = ProcessInfo.processInfo.environment.merging(["KETTE_BIN_DIR": binaries]) { _, new in new }
        let log = runner.root.appendingPathComponent("render.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("committee report renders: ok"), output)
    }
}
