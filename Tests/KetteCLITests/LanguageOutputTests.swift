import Foundation
import KetteMessages
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Issue 14 items 1, 6 and 7 end to end with the real binaries: every line in the user's language
/// (checked against the message catalog's words), German dates and labels in and out, `--limit`
/// and totals, the pager, JSON error objects, token refusals and new tokens, naming the owner.
final class LanguageOutputTests: KetteCLITestCase {
    static let german = "de_DE.UTF-8"
    static let english = "C"
    var server: ServerProcess!
    var tokens: [String: String] = [:]

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = ServerProcess(directory: runner.root)
        try server.admin(["district", "add", "nordstadt", "Nordstadt"])
        tokens["xaver"] = try server.admin(["user", "add", "xaver", "--role", "county"])
        tokens["mika"] = try server.admin(["user", "add", "mika", "--role", "coordinator", "--district", "nordstadt"])
        tokens["ilse"] = try server.admin(["user", "add", "ilse", "--role", "coordinator", "--district", "nordstadt"])
        try server.start()
    }

    override func tearDown() {
        server?.kill()
        server = nil
        super.tearDown()
    }

    func home(_ name: String) -> String { runner.root.appendingPathComponent(name).path }

    @discardableResult
    func kette(_ name: String, _ arguments: [String], lang: String = english, env: [String: String?] = [:], expect: Int32? = 0,
               file: StaticString = #filePath, line: UInt = #line) -> KetteResult {
        let result = runner.run(["--home", home(name)] + arguments, env: env.merging(["LANG": lang]) { $1 }, timeout: 120)
        if let expect { XCTAssertEqual(result.exitCode, expect, "\(result)", file: file, line: line) }
        return result
    }

    func connect(_ name: String, as user: String) {
        kette(name, ["init", "--name", user])
        kette(name, ["remote", server.url, "--token", tokens[user]!])
        kette(name, ["sync"])
    }

    func json(_ result: KetteResult) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
    }

    // MARK: One language at a time

    /// A store with one record of every kind, a conflict, a refusal-free sync: made-up words as
    /// data, so the only words in the output are Kette's own.
    func populate() throws -> (offer: String, meeting: String) {
        connect("mika", as: "mika")
        connect("ilse", as: "ilse")
        kette("mika", ["org", "add", "Xylo eV", "--sector", "Gesundheit"], lang: Self.german)
        let offer = kette("mika", ["offer", "add", "--title", "Zorblat Quimby", "--district", "nordstadt", "--phase", "Frühe Kindheit,Kita",
                                   "--category", "Beratung", "--provider", "Xylo", "--start", "14.03.2026", "--cost", "kostenlos"],
                          lang: Self.german).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        kette("mika", ["body", "add", "Lenkung Xylo", "--level", "Steuerungsgruppe", "--district", "nordstadt"], lang: Self.german)
        let meeting = kette("mika", ["meeting", "add", "--body", "Lenkung", "--date", "14.03.2026", "--time", "09:30", "--place", "Raum 7",
                                     "--attendee", "Mika Zorn; Xylo eV; Vorsitz", "--minutes", "Quimby Zorblat", "--offer", "Zorblat"],
                            lang: Self.german).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        kette("mika", ["meeting", "agenda", meeting, "Zorblat", "--notes", "Quimby"])
        kette("mika", ["meeting", "decide", meeting, "Quimby"])
        kette("mika", ["task", "add", meeting, "Zorblat Quimby", "--owner", "Ilse Quast", "--due", "01.04.2026"], lang: Self.german)
        kette("mika", ["offer", "indicator", "Zorblat", "--period", "2026-Q1", "--participants", "1234", "--sessions", "12"])
        kette("mika", ["sync"])
        kette("ilse", ["sync"])
        // The same field on two laptops without seeing each other: a conflict for both.
        kette("mika", ["offer", "edit", "Zorblat", "--location", "Xylo Saal"])
        kette("ilse", ["offer", "edit", "Zorblat", "--location", "Quimby Saal"])
        kette("mika", ["sync"])
        kette("ilse", ["sync"], expect: 2)
        kette("mika", ["sync"], expect: 2)
        // Something in the trash.
        kette("mika", ["offer", "add", "--title", "Xylo Quast", "--district", "nordstadt", "--description", "Quimby"])
        kette("mika", ["offer", "delete", "Xylo Quast", "--yes"])
        // A store whose server is gone, for the transport error.
        kette("offline", ["init"])
        kette("offline", ["remote", "http://127.0.0.1:9", "--token", "x"])
        return (offer, meeting)
    }

    /// Every human line of every kind of command, in `lang`: lists, shows, text reports, status,
    /// sync, conflicts, errors, the server's admin output.
    func outputs(_ lang: String, offer: String, meeting: String) throws -> [String: String] {
        var outputs: [String: String] = [:]
        func run(_ arguments: [String], _ expect: Int32? = 0, env: [String: String?] = [:], store: String = "mika") {
            let result = kette(store, arguments, lang: lang, env: env, expect: expect)
            outputs[arguments.joined(separator: " ")] = result.stdout + result.stderr
        }
        for list in [["offer", "list"], ["offer", "list", "--limit", "1"], ["district", "list"], ["org", "list"], ["body", "list"],
                     ["meeting", "list"], ["task", "list"], ["conflicts"], ["conflicts", "--all"], ["search", "Zorblat"], ["status"]] {
            run(list)
        }
        run(["offer", "show", offer])
        run(["meeting", "show", meeting])
        // What changed, what was deleted, and the search's marks.
        for history in [["log"], ["log", "--since-sync"], ["log", "--limit", "2"], ["trash"], ["search", "anbieter:Xylo"], ["search", "Zorblat Quimby"]] {
            run(history)
        }
        for report in [["coverage", "--today", "2026-04-14"], ["indicators"], ["tasks", "--today", "2026-04-14"], ["meetings"]] {
            run(["report"] + report)
        }
        run(["sync"], 2)
        run(["verify"])
        // Mistakes and failures.
        run(["offer", "add", "--title", "Quimby", "--district", "nordstadt", "--phase", "Zorblat"], 1)
        run(["meeting", "add", "--body", "Lenkung", "--date", "32.03.2026"], 1)
        run(["offer", "show", "Xylophon"], 1)
        run(["offer", "list", "--limit", "0"], 1)
        run(["conflicts", "resolve", "ffffffff", "--keep", "both"], 1)
        run(["sync"], 3, env: ["KETTE_RETRIES": "0"], store: "offline")
        run(["status"], 1, store: "nowhere")
        run(["offer", "delete", offer], 1)
        run(["restore", "Zorblat"], 1)
        run(["search", "phase:Zorblat"], 1)
        run(["log", "--since", "gestern"], 1)
        run(["init", "--name", "Mika Zorn"], store: "offline")
        run(["undo"])  // last: it takes back mika's newest action
        // Not `audit list`: its detail column is the signed log's own text, shown as it was recorded.
        for admin in [["district", "list"], ["user", "list"], ["audit", "verify"], ["user", "add", "mika", "--role", "county"],
                      ["user", "token", "niemand"]] {
            let result = try server.run(admin + ["--db", server.database], language: lang)
            outputs["kette-server " + admin.joined(separator: " ")] = result.output + result.errors
        }
        return outputs
    }

    func testNoHumanOutputHasAWordOfTheOtherLanguage() throws {
        let (offer, meeting) = try populate()
        for (lang, other, language) in [(Self.german, Language.english, "German"), (Self.english, Language.german, "English")] {
            let foreign = CatalogWords.distinctive(other)
            let outputs = try outputs(lang, offer: offer, meeting: meeting)
            XCTAssertGreaterThan(outputs.count, 25)
            for (command, output) in outputs.sorted(by: { $0.key < $1.key }) {
                XCTAssertFalse(output.isEmpty, "\(language) `\(command)` printed nothing")
                let words = CatalogWords.words(in: output).intersection(foreign)
                XCTAssertEqual(words, [], "\(language) output of `\(command)` has words of the other language:\n\(output)")
            }
        }
    }

    /// The check above can fail: the English words it looks for are in English output.
    func testTheWordCheckSeesEnglishOutput() throws {
        let (offer, meeting) = try populate()
        let english = try outputs(Self.english, offer: offer, meeting: meeting)
        let words = CatalogWords.distinctive(.english)
        let found = english.values.reduce(into: Set<String>()) { $0.formUnion(CatalogWords.words(in: $1).intersection(words)) }
        XCTAssertTrue(found.isSuperset(of: ["attendees", "decisions", "offers", "conflict"]), "\(found.sorted())")
    }

    // MARK: German input and formats

    func testGermanDatesLabelsAndShortFormsAreAcceptedEverywhere() throws {
        kette("mika", ["init", "--name", "Mika Zorn"])
        kette("mika", ["district", "add", "Nordstadt", "--id", "nordstadt"])
        for (lang, phase) in [(Self.german, "Schwangerschaft"), (Self.english, "Frühe Kindheit"), (Self.german, "fruehe-kindheit"),
                              (Self.english, "kita"), (Self.german, "primary")] {
            let id = kette("mika", ["offer", "add", "--title", "Angebot \(phase)", "--district", "nordstadt", "--phase", phase,
                                    "--sector", "Jugendhilfe", "--status", "geplant", "--start", "01.09.2026", "--end", "2026-12-31"],
                           lang: lang).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let stored = json(kette("mika", ["offer", "show", id, "--json"]))
            XCTAssertEqual(stored?["start"] as? String, "2026-09-01", phase)
            XCTAssertEqual(stored?["end"] as? String, "2026-12-31", phase)
            XCTAssertEqual(stored?["sector"] as? String, "youth-welfare")
            XCTAssertEqual(stored?["status"] as? String, "planned")
            XCTAssertEqual((stored?["phases"] as? [String])?.count, 1)
        }
        let ids = (try JSONSerialization.jsonObject(with: Data(kette("mika", ["offer", "list", "--json"]).stdout.utf8)) as? [[String: Any]]) ?? []
        XCTAssertEqual(Set(ids.compactMap { ($0["phases"] as? [String])?.first }), ["pregnancy", "early-childhood", "preschool", "primary"])
        kette("mika", ["body", "add", "Kernteam Nord", "--level", "Kernteam"], lang: Self.german)
        let meeting = kette("mika", ["meeting", "add", "--body", "Kernteam", "--date", "14.03.2026", "--minutes", "–"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        kette("mika", ["task", "add", meeting, "Liste", "--owner", "Ilse", "--due", "2026-04-01"])

        // Shown as Germans write dates, and as ISO dates otherwise.
        let germanShow = kette("mika", ["meeting", "show", meeting], lang: Self.german).stdout
        XCTAssertTrue(germanShow.contains("14.03.2026") && germanShow.contains("fällig 01.04.2026"), germanShow)
        let englishShow = kette("mika", ["meeting", "show", meeting]).stdout
        XCTAssertTrue(englishShow.contains("2026-03-14") && englishShow.contains("due 2026-04-01"), englishShow)
        XCTAssertFalse(englishShow.contains("Teilnehmende") || englishShow.contains("Beschlüsse") || englishShow.contains("TOP "), englishShow)
        XCTAssertTrue(kette("mika", ["task", "list"], lang: Self.german).stdout.contains("01.04.2026"))
        XCTAssertTrue(kette("mika", ["offer", "show", "Angebot Schwangerschaft"], lang: Self.german).stdout.contains("Beginn:       01.09.2026"))

        // What is accepted is listed in the reader's language.
        let german = kette("mika", ["offer", "add", "--title", "X", "--district", "nordstadt", "--phase", "baby"], lang: Self.german, expect: 1)
        XCTAssertTrue(german.stderr.contains("Unbekannter Wert „baby“ für Lebensphase. Erlaubt: schwangerschaft (Schwangerschaft und Geburt), fruehe-kindheit (Frühe Kindheit), kita (Kita-Alter)"),
                      german.stderr)
        XCTAssertFalse(german.stderr.contains("early-childhood"), german.stderr)
        let english = kette("mika", ["offer", "add", "--title", "X", "--district", "nordstadt", "--phase", "baby"], expect: 1)
        XCTAssertTrue(english.stderr.contains("unknown life phase 'baby'. Accepted: pregnancy, early-childhood, preschool"), english.stderr)
        let badDate = kette("mika", ["meeting", "add", "--body", "Kernteam", "--date", "31.04.2026"], lang: Self.german, expect: 1)
        XCTAssertTrue(badDate.stderr.contains("Ungültiger Wert „31.04.2026“ für Datum: erwartet ein Datum TT.MM.JJJJ oder JJJJ-MM-TT"), badDate.stderr)
        let level = kette("mika", ["body", "add", "Y", "--level", "Chefetage"], lang: Self.german, expect: 1)
        XCTAssertTrue(level.stderr.contains("planungsgruppe (Planungsgruppe/Kernteam)"), level.stderr)
        // Reports take the German form too.
        XCTAssertTrue(kette("mika", ["report", "tasks", "--today", "14.04.2026"], lang: Self.german).stdout.contains("Stand 14.04.2026"))
    }

    func testStatusShowsTheLastSyncInLocalTimeAndNumbersWithSeparators() throws {
        connect("mika", as: "mika")
        // 1.200 offers in one import.
        var csv = "Titel;Sozialraum\r\n"
        for index in 1...1200 { csv += "Angebot \(index);nordstadt\r\n" }
        let file = runner.root.appendingPathComponent("angebote.csv")
        try Data(csv.utf8).write(to: file)
        kette("mika", ["import", "offers", file.path])
        kette("mika", ["sync"])
        let german = kette("mika", ["status"], lang: Self.german, env: ["TZ": "Europe/Berlin"]).stdout
        XCTAssertNotNil(german.range(of: #"Letzter erfolgreicher Sync: +\d\d\.\d\d\.\d{4} \d\d:\d\d\n"#, options: .regularExpression), german)
        XCTAssertTrue(german.contains("Angebote:") && german.contains("1.200"), german)
        let english = kette("mika", ["status"], env: ["TZ": "UTC"]).stdout
        XCTAssertNotNil(english.range(of: #"Last successful sync: +\d{4}-\d\d-\d\d \d\d:\d\d\n"#, options: .regularExpression), english)
        XCTAssertTrue(english.contains("1,200"), english)
        // Local time: the same moment reads an hour or two later in Berlin than in UTC.
        let utc = kette("mika", ["status"], env: ["TZ": "UTC"]).stdout, berlin = kette("mika", ["status"]).stdout
        XCTAssertNotEqual(utc.split(separator: "\n").first { $0.hasPrefix("Last successful sync") },
                          berlin.split(separator: "\n").first { $0.hasPrefix("Last successful sync") }, "TZ unset is Europe/Berlin, not UTC")

        // --limit and the totals.
        let limited = kette("mika", ["offer", "list", "--limit", "3"], lang: Self.german).stdout.split(separator: "\n")
        XCTAssertEqual(limited.count, 5, "\(limited)")  // header, three offers, total
        XCTAssertEqual(limited.last, "1.200 Angebote, davon 3 angezeigt (--limit)")
        XCTAssertEqual(kette("mika", ["offer", "list"]).stdout.split(separator: "\n").last, "1,200 offers")
        let json = try JSONSerialization.jsonObject(with: Data(kette("mika", ["offer", "list", "--limit", "2", "--json"]).stdout.utf8)) as? [Any]
        XCTAssertEqual(json?.count, 2)
        for list in [["district", "list"], ["org", "list"], ["body", "list"], ["meeting", "list"], ["task", "list"], ["conflicts"]] {
            XCTAssertEqual(kette("mika", list + ["--limit", "1"]).exitCode, 0, list.joined(separator: " "))
        }
        XCTAssertEqual(try server.run(["user", "list", "--limit", "1", "--db", server.database]).output.split(separator: "\n").count, 1)
    }

    // MARK: Failures for scripts

    func testAFailingJSONCommandPrintsOneErrorObjectOnStandardOutput() throws {
        kette("offline", ["init"])
        kette("offline", ["remote", "http://127.0.0.1:9", "--token", "x"])
        let sync = kette("offline", ["sync", "--json"], env: ["KETTE_RETRIES": "0"], expect: 3)
        let error = json(sync)
        XCTAssertEqual(error?["code"] as? String, "unreachable", sync.stdout)
        XCTAssertEqual(error?["exitCode"] as? Int, 3)
        XCTAssertTrue((error?["message"] as? String)?.contains("nothing was lost") == true, sync.stdout)
        let show = kette("offline", ["offer", "show", "nichts", "--json"], lang: Self.german, expect: 1)
        XCTAssertEqual(json(show)?["code"] as? String, "not_found", show.stdout)
        XCTAssertEqual(json(show)?["exitCode"] as? Int, 1)
        XCTAssertEqual(json(show)?["message"] as? String, "Kein Eintrag (Angebot) „nichts“ gefunden.")
        // Usage errors too, and without --json nothing goes to standard output.
        XCTAssertEqual(json(kette("offline", ["offer", "list", "--json", "--limit", "x"], expect: 1))?["code"] as? String, "usage")
        XCTAssertEqual(kette("offline", ["offer", "show", "nichts"], expect: 1).stdout, "")
    }

    // MARK: Tokens

    func testARefusedTokenExitsFiveAndANewTokenReplacesTheOldAtOnce() throws {
        connect("mika", as: "mika")
        kette("mika", ["offer", "add", "--title", "Vor dem neuen Token", "--district", "nordstadt"])
        let old = tokens["mika"]!
        let new = try server.admin(["user", "token", "mika"])
        XCTAssertEqual(new.count, old.count)
        XCTAssertNotEqual(new, old)
        // The old token stops working at once: exit 5 (not 3, an outage), with what to do.
        let refused = kette("mika", ["sync"], lang: Self.german, expect: 5)
        XCTAssertTrue(refused.stderr.contains("Bitte beim Kreis einen neuen Token erfragen"), refused.stderr)
        let json = json(kette("mika", ["sync", "--json"], expect: 5))
        XCTAssertEqual(json?["code"] as? String, "token_refused")
        XCTAssertEqual(json?["exitCode"] as? Int, 5)
        // Nothing was lost; the new token syncs it.
        kette("mika", ["remote", server.url, "--token", new])
        kette("mika", ["sync"])
        XCTAssertEqual(self.json(kette("mika", ["status", "--json"]))?["pendingChangeSets"] as? Int, 0)
        // Audited, shown once, for an unknown user refused.
        XCTAssertTrue(try server.admin(["audit", "list"]).contains("\tuser-token\t"))
        let unknown = try server.run(["user", "token", "niemand", "--db", server.database], language: Self.german)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.errors.contains("Keine Person namens „niemand“"), unknown.errors)
        // A revoked user gets 5 too, and a new token makes them active again.
        try server.admin(["user", "revoke", "mika"])
        kette("mika", ["sync"], expect: 5)
        kette("mika", ["remote", server.url, "--token", try server.admin(["user", "token", "mika"])])
        kette("mika", ["sync"])
    }

    // MARK: Refusals

    /// The server's refusal is told from its code and details in the reader's language, not in the
    /// server's English `reason`.
    func testARefusalIsExplainedInTheReadersLanguage() throws {
        try server.admin(["district", "add", "suedstadt", "Südstadt"])
        tokens["bert"] = try server.admin(["user", "add", "bert", "--role", "coordinator", "--district", "suedstadt", "--district", "nordstadt"])
        connect("bert", as: "bert")
        kette("bert", ["offer", "add", "--title", "Zorblat", "--district", "nordstadt"])
        // The county takes Nordstadt away before the offer reaches the server: the server refuses it.
        try server.admin(["user", "districts", "bert", "--district", "suedstadt"])
        let german = kette("bert", ["sync"], lang: Self.german, expect: 2)
        XCTAssertTrue(german.stdout.contains("abgelehnt: ") && german.stdout.contains("gehört zum Sozialraum nordstadt, den Ihr Token nicht schreiben darf (Koordination)"),
                      german.stdout)
        XCTAssertFalse(german.stdout.contains("outside what"), "not the server's English: \(german.stdout)")
        let english = kette("bert", ["refused"]).stdout
        XCTAssertTrue(english.contains("outside what your token may write"), english)
        XCTAssertTrue(kette("bert", ["refused"], lang: Self.german).stdout.contains("außerhalb dessen, was Ihr Token schreiben darf"))
    }

    // MARK: The owner

    func testAStoreMadeWithoutANameCanBeNamedLater() throws {
        kette("laptop", ["init"])
        XCTAssertTrue(kette("laptop", ["status"]).stdout.contains("Owner:"))
        XCTAssertNil(json(kette("laptop", ["status", "--json"]))?["name"] as? String)
        kette("laptop", ["district", "add", "Nordstadt"])
        let renamed = kette("laptop", ["init", "--name", "Mika Zorn"], lang: Self.german).stdout
        XCTAssertTrue(renamed.contains("Der Speicher gehört jetzt Mika Zorn"), renamed)
        XCTAssertEqual(json(kette("laptop", ["status", "--json"]))?["name"] as? String, "Mika Zorn")
        XCTAssertTrue(kette("laptop", ["status"], lang: Self.german).stdout.contains("Inhaber*in:                          Mika Zorn"))
        kette("laptop", ["district", "add", "Südstadt"])
        let database = try KetteTestDatabase(path: home("laptop") + "/kette.db")
        XCTAssertEqual(try database.authors(), [nil, "Mika Zorn"], "the change before the name keeps none, the one after carries it")
        XCTAssertTrue(kette("laptop", ["init", "--name", "Mika Zorn"]).stdout.contains("already"))
        kette("laptop", ["init", "--name", " "], expect: 1)
    }

    // MARK: The pager

    func testListsArePagedOnATerminalAndNeverWhenPiped() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is not installed")
        kette("mika", ["init"])
        kette("mika", ["district", "add", "Nordstadt"])
        let pager = "echo PAGER-RAN; cat"
        // Piped (the runner writes to files): never paged, whatever PAGER says.
        XCTAssertFalse(kette("mika", ["district", "list"], env: ["KETTE_PAGER": pager]).stdout.contains("PAGER-RAN"))
        // On a terminal: paged with KETTE_PAGER, then PAGER; `cat` turns paging off; writes never page.
        XCTAssertTrue(try onTerminal(["district", "list"], env: ["KETTE_PAGER": pager]).contains("PAGER-RAN"))
        XCTAssertTrue(try onTerminal(["district", "list"], env: ["PAGER": pager]).contains("PAGER-RAN"))
        XCTAssertTrue(try onTerminal(["--help"], env: ["PAGER": pager]).contains("PAGER-RAN"))
        XCTAssertFalse(try onTerminal(["district", "list"], env: ["KETTE_PAGER": "cat", "PAGER": pager]).contains("PAGER-RAN"))
        XCTAssertFalse(try onTerminal(["district", "add", "Südstadt"], env: ["PAGER": pager]).contains("PAGER-RAN"))
        XCTAssertTrue(try onTerminal(["district", "list"], env: ["PAGER": pager]).contains("Südstadt"))
    }

    /// Runs kette with a pseudo-terminal as its standard output (util-linux `script`).
    func onTerminal(_ arguments: [String], env: [String: String]) throws -> String {
        let command = ([runner.binary.path, "--home", home("mika")] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = runner.environment(env.mapValues { Optional($0) })
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads a client store directly, for what no command shows.
struct KetteTestDatabase {
    let database: Database
    init(path: String) throws { database = try Database(path: path) }

    /// The author of each change set waiting in the outbox, oldest first.
    func authors() throws -> [String?] {
        try database.rows("SELECT author FROM outbox_change_sets ORDER BY seq").map { $0.string(0) }
    }
}
