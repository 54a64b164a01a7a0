import KetteCommandLine
import KetteProtocol
import XCTest

/// A small program in the shape of `kette`, to test the parser on its own.
enum Sample {
    enum Format: String, CaseIterable, Sendable { case text, csv, json }

    static let home = Option<String>("home", value: "DIR", help: LocalizedText("the store", "der Speicher"))
    static let json = Flag("json", help: LocalizedText("print JSON", "JSON ausgeben"))
    static let title = Option<String>("title", value: "T", help: LocalizedText("the title", "der Titel"))
    static let attendee = Option<String>("attendee", value: "NAME", help: LocalizedText("who came", "wer kam"), repeatable: true)
    static let limit = Option<Int>.integer("limit", in: 1...100, help: LocalizedText("at most N", "höchstens N"))
    static let format = Option<Format>.choice("format", value: "F", help: LocalizedText("the form", "die Form"))
    static let cert = Option<String>("cert", value: "FILE", help: LocalizedText("a certificate", "ein Zertifikat"))
    static let key = Option<String>("key", value: "FILE", help: LocalizedText("its key", "sein Schlüssel"))
    static let id = Argument<String>("ID", help: LocalizedText("the offer's id", "die ID des Angebots"))
    static let text = Argument<String>("TEXT", help: LocalizedText("what to find", "was gesucht wird"))
    static let url = Argument<String?>.optional("URL", help: LocalizedText("the server", "der Server"))
    static let minutes = Option<String>("minutes", value: "[TEXT]", help: LocalizedText("the minutes; alone: the editor", "das Protokoll; allein: der Editor"),
                                        expected: nil, whenAlone: "<editor>") { $0 }

    /// What a run saw, so a test can check the typed values arrived.
    final class Recorder: @unchecked Sendable {
        var runs: [String] = []
    }

    static let program = Program<Recorder>(
        name: "sample", abstract: LocalizedText("a sample program", "ein Beispielprogramm"),
        commands: [
            Command("offer add", abstract: LocalizedText("add an offer", "ein Angebot anlegen"), options: [title, attendee]) { input, recorder in
                recorder.runs.append("add \(input[title] ?? "-") \(input.all(attendee))")
            },
            Command("offer show", abstract: LocalizedText("show an offer", "ein Angebot zeigen"), arguments: [id], options: [json]) { input, recorder in
                recorder.runs.append("show \(input[id]) json=\(input[json])")
            },
            Command("offer list", abstract: LocalizedText("list offers", "Angebote auflisten"), options: [format, json]) { input, recorder in
                recorder.runs.append("list \(input[format]?.rawValue ?? "-") json=\(input[json]) home=\(input[home] ?? "-")")
            },
            Command("search", abstract: LocalizedText("search", "suchen"), arguments: [text], options: [limit]) { input, recorder in
                recorder.runs.append("search \(input[text]) \(input[limit] ?? 20)")
            },
            Command("meeting edit", abstract: LocalizedText("edit a meeting", "eine Sitzung ändern"), arguments: [id],
                    options: [minutes, title]) { input, recorder in
                recorder.runs.append("edit \(input[id]) \(input[minutes] ?? "-") \(input[title] ?? "-")")
            },
            Command("remote", abstract: LocalizedText("set the server", "den Server festlegen"), arguments: [url]) { input, recorder in
                recorder.runs.append("remote \(input[url] ?? "none")")
            },
            Command("serve", abstract: LocalizedText("serve", "bereitstellen"), options: [cert, key],
                    discussion: LocalizedText("Certificates are PEM.", "Zertifikate sind PEM."),
                    validate: { input in
                        if (input[cert] == nil) != (input[key] == nil) {
                            throw UsageError("--cert and --key go together", "--cert und --key gehören zusammen")
                        }
                    }) { _, recorder in
                recorder.runs.append("serve")
            },
        ],
        globalOptions: [home])
}

final class CommandLineParserTests: XCTestCase {
    /// Parses and runs `words`; returns what the command recorded.
    func run(_ words: String...) throws -> String {
        guard case .run(let command, let input) = try Sample.program.parse(words) else {
            XCTFail("\(words) did not name a command to run")
            return ""
        }
        let recorder = Sample.Recorder()
        try command.run(input, recorder)
        return recorder.runs.joined()
    }

    /// The usage error `words` cause, in English and German.
    func usageError(_ words: String..., file: StaticString = #filePath, line: UInt = #line) -> (english: String, german: String, path: [String]) {
        do {
            _ = try Sample.program.parse(words)
            XCTFail("\(words) should be refused", file: file, line: line)
        } catch let error as UsageError {
            return (error.message(.english), error.message(.german), error.commandPath)
        } catch {
            XCTFail("\(words): not a usage error: \(error)", file: file, line: line)
        }
        return ("", "", [])
    }

    func help(_ words: String...) throws -> HelpTopic? {
        guard case .help(let topic) = try Sample.program.parse(words) else { return nil }
        return topic
    }

    func testTypedValuesReachTheCommand() throws {
        XCTAssertEqual(try run("offer", "add", "--title", "Elterncafé", "--attendee", "Anna", "--attendee=Bert"),
                       #"add Elterncafé ["Anna", "Bert"]"#)
        XCTAssertEqual(try run("offer", "show", "3f2a", "--json"), "show 3f2a json=true")
        XCTAssertEqual(try run("offer", "show", "3f2a"), "show 3f2a json=false")
        XCTAssertEqual(try run("offer", "list", "--format", "CSV"), "list csv json=false home=-")
        XCTAssertEqual(try run("search", "Kita", "--limit", "5"), "search Kita 5")
        XCTAssertEqual(try run("search", "Kita"), "search Kita 20")
        XCTAssertEqual(try run("remote"), "remote none")
        XCTAssertEqual(try run("remote", "https://kreis.example"), "remote https://kreis.example")
        // After `--` every word is an argument, even one that looks like an option.
        XCTAssertEqual(try run("search", "--", "--limit"), "search --limit 20")
        // A value option takes the next word whatever it looks like, so a bad value is named.
        XCTAssertEqual(usageError("search", "x", "--limit", "-3").english, "--limit must be 1 to 100; got '-3'")
    }

    func testGlobalOptionsAreAcceptedBeforeBetweenAndAfterTheCommandWords() throws {
        for words in [["--home", "/h", "offer", "list"], ["offer", "--home", "/h", "list"], ["offer", "list", "--home", "/h"],
                      ["offer", "list", "--home=/h"], ["--home=/h", "offer", "list"]] {
            guard case .run(let command, let input) = try Sample.program.parse(words) else { return XCTFail("\(words)") }
            XCTAssertEqual(command.path, ["offer", "list"], "\(words)")
            let recorder = Sample.Recorder()
            try command.run(input, recorder)
            XCTAssertEqual(recorder.runs, ["list - json=false home=/h"], "\(words)")
        }
        // A command's flag may stand before the command too (`kette --json offer list`) …
        XCTAssertEqual(try run("--json", "offer", "list"), "list - json=true home=-")
        XCTAssertEqual(try run("--home", "/h", "--json", "offer", "show", "x"), "show x json=true")
        // … but only a command that declares it accepts it.
        let notOffered = usageError("--json", "search", "x")
        XCTAssertEqual(notOffered.english, "unknown option '--json'. Accepted: --limit, --home, --help")
        XCTAssertEqual(notOffered.path, ["search"])
        // A command's value option cannot stand before it: the parser could not tell its value from the command.
        XCTAssertTrue(usageError("--title", "x", "offer", "add").english.hasPrefix("option '--title' belongs after the command"))
    }

    func testHelpWinsAnywhereAndNamesItsTopic() throws {
        XCTAssertEqual(try help(), .program)
        XCTAssertEqual(try help("--help"), .program)
        XCTAssertEqual(try help("-h"), .program)
        XCTAssertEqual(try help("help"), .program)
        XCTAssertEqual(try help("--home", "/h", "--help"), .program)
        XCTAssertEqual(try help("--home", "/h"), .program)
        XCTAssertEqual(try help("offer", "--help"), .group(["offer"]))
        XCTAssertEqual(try help("offer", "help"), .group(["offer"]))
        XCTAssertEqual(try help("--home", "/h", "offer", "--help"), .group(["offer"]))
        XCTAssertEqual(try help("offer", "show", "--help"), .command(["offer", "show"]))
        XCTAssertEqual(try help("--help", "offer", "show"), .command(["offer", "show"]))
        // Help comes before every other check: no argument, an unknown option, a failing validation.
        XCTAssertEqual(try help("offer", "show", "--colour", "red", "-h"), .command(["offer", "show"]))
        XCTAssertEqual(try help("serve", "--cert", "c.pem", "--help"), .command(["serve"]))
    }

    func testWordsThatFitNoCommandNameWhatIsAccepted() {
        XCTAssertEqual(usageError("frob").english, "unknown command 'frob'. Accepted: meeting, offer, remote, search, serve")
        XCTAssertEqual(usageError("frob").german, "Unbekannter Befehl „frob“. Erlaubt: meeting, offer, remote, search, serve")
        XCTAssertEqual(usageError("offer", "frob").english, "unknown subcommand 'frob' of 'offer'. Accepted: add, show, list")
        XCTAssertEqual(usageError("offer", "frob").path, ["offer"])
        XCTAssertEqual(usageError("offer").english, "'offer' needs a subcommand. Accepted: add, show, list")
        XCTAssertEqual(usageError("--frob").english, "unknown option '--frob'. Accepted: --home, --help")
    }

    func testOptionsThatDoNotFitAreRefusedBeforeTheCommandRuns() {
        let unknown = usageError("offer", "add", "--colour", "red")
        XCTAssertEqual(unknown.english, "unknown option '--colour'. Accepted: --title, --attendee, --home, --help")
        XCTAssertEqual(unknown.german, "Unbekannte Option „--colour“. Erlaubt: --title, --attendee, --home, --help")
        XCTAssertEqual(unknown.path, ["offer", "add"])
        XCTAssertEqual(usageError("offer", "add", "-x").english, "unknown option '-x'")
        XCTAssertEqual(usageError("offer", "add", "--title").english, "option --title needs a value (T)")
        XCTAssertEqual(usageError("offer", "add", "--title", "a", "--title", "b").english, "option --title given more than once")
        XCTAssertEqual(usageError("offer", "show", "x", "--json=yes").english, "option --json takes no value")
        XCTAssertEqual(usageError("search", "x", "--limit", "many").english, "--limit must be 1 to 100; got 'many'")
        XCTAssertEqual(usageError("search", "x", "--limit", "0").german, "Ungültiger Wert „0“ für --limit; erwartet: 1 bis 100")
        XCTAssertEqual(usageError("offer", "list", "--format", "pdf").english, "--format must be one of: text, csv, json; got 'pdf'")
    }

    func testArgumentsAreCountedBeforeTheCommandRuns() {
        let missing = usageError("offer", "show")
        XCTAssertEqual(missing.english, "missing argument ID (the offer's id)")
        XCTAssertEqual(missing.german, "Argument ID fehlt (die ID des Angebots)")
        XCTAssertEqual(missing.path, ["offer", "show"])
        // Options are no argument.
        XCTAssertEqual(usageError("offer", "show", "--json").english, "missing argument ID (the offer's id)")
        XCTAssertEqual(usageError("offer", "show", "a", "b").english, "unexpected argument 'b' (put text with spaces in quotes)")
        XCTAssertEqual(usageError("remote", "a", "b").english, "unexpected argument 'b' (put text with spaces in quotes)")
    }

    func testValidationRunsAfterParsingAndNamesTheCommand() throws {
        let half = usageError("serve", "--cert", "c.pem")
        XCTAssertEqual(half.english, "--cert and --key go together")
        XCTAssertEqual(half.german, "--cert und --key gehören zusammen")
        XCTAssertEqual(half.path, ["serve"])
        XCTAssertEqual(try run("serve", "--cert", "c.pem", "--key", "k.pem"), "serve")
        XCTAssertEqual(try run("serve"), "serve")
    }

    func testARequiredOptionIsAUsageErrorThatNamesIt() throws {
        guard case .run(_, let input) = try Sample.program.parse(["offer", "add"]) else { return XCTFail() }
        XCTAssertThrowsError(try input.require(Sample.title)) { error in
            XCTAssertEqual((error as? UsageError)?.message.english, "missing option --title T (the title)")
            XCTAssertEqual((error as? UsageError)?.commandPath, ["offer", "add"])
        }
        guard case .run(_, let given) = try Sample.program.parse(["offer", "add", "--title", "Kita"]) else { return XCTFail() }
        XCTAssertEqual(try given.require(Sample.title), "Kita")
        XCTAssertTrue(given.isGiven(Sample.title))
        XCTAssertFalse(given.isGiven(Sample.attendee))
        XCTAssertTrue(given.accepts(Sample.attendee))
        XCTAssertFalse(given.accepts(Sample.json))
    }

    func testAnOptionWhoseValueMayBeLeftOutTakesTheNextWordOnlyWhenItIsNoOption() throws {
        XCTAssertEqual(try run("meeting", "edit", "7", "--minutes"), "edit 7 <editor> -", "alone at the end")
        XCTAssertEqual(try run("meeting", "edit", "7", "--minutes", "--title", "T"), "edit 7 <editor> T", "alone before another option")
        XCTAssertEqual(try run("meeting", "edit", "7", "--minutes", "Kurzprotokoll"), "edit 7 Kurzprotokoll -")
        XCTAssertEqual(try run("meeting", "edit", "7", "--minutes=--title"), "edit 7 --title -", "an inline value is always the value")
        XCTAssertEqual(try run("meeting", "edit", "7", "--minutes="), "edit 7  -", "an inline empty value is a value")
        XCTAssertEqual(usageError("meeting", "edit", "--minutes", "7").english, "missing argument ID (the offer's id)",
                       "a word after it is its value, even one meant as the argument")
        XCTAssertEqual(usageError("meeting", "edit", "7", "--minutes", "--minutes").english, "option --minutes given more than once")
    }

    func testTheDeclarationsOfTheSampleAreConsistentAndMistakesAreFound() {
        XCTAssertEqual(Sample.program.declarationProblems, [])
        let clash = Flag("title", help: LocalizedText("a flag", "ein Schalter"))
        let broken = Program<Sample.Recorder>(
            name: "broken", abstract: LocalizedText("broken", "kaputt"),
            commands: [
                Command("a", abstract: LocalizedText("a", "a"), options: [Sample.title, Sample.title]) { _, _ in },
                Command("b", abstract: LocalizedText("b", "b"), arguments: [Sample.url, Sample.id], options: [clash]) { _, _ in },
                Command("b", abstract: LocalizedText("b", "b")) { _, _ in },
            ])
        XCTAssertEqual(broken.declarationProblems, [
            "a: --title declared twice", "b: an optional argument before a required one", "b: declared twice",
            "--title is a flag in one command and takes a value in another",
        ])
    }
}
