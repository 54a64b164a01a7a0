import Foundation
import KetteCommandLine
import KetteProtocol
import KetteTestSupport
@testable import kette
@testable import kette_server
import XCTest

/// The manual pages and bash completions the Debian packages install are generated from the same
/// declarations as `--help`: every command and option is in them, roff reads the pages without a
/// warning, and bash completes what the parser accepts.
final class GeneratedDocumentationTests: XCTestCase {
    private struct Generated {
        let name: String
        let commands: [(name: String, options: [String])]
        let globalOptions: [String]
        let manPage: (Language) -> String
        let completion: String
    }

    private static func generated<Context>(_ program: Program<Context>) -> Generated {
        Generated(name: program.name, commands: program.commands.map { ($0.name, $0.options.map(\.name)) },
                  globalOptions: program.globalOptions.map(\.name), manPage: program.manPage, completion: program.bashCompletion)
    }

    private let programs = [generated(kette), generated(server)]

    func testTheManualNamesEveryCommandAndOptionInBothLanguages() throws {
        for program in programs {
            for language in [Language.english, .german] {
                let page = program.manPage(language)
                for command in program.commands {
                    XCTAssertTrue(page.contains(".SS \"\(program.name) \(command.name)\"".replacingOccurrences(of: "-", with: "\\-")),
                                  "\(program.name) \(command.name) missing in the \(language) manual")
                    for option in command.options {
                        XCTAssertTrue(page.contains("\\-\\-" + option.replacingOccurrences(of: "-", with: "\\-")), "--\(option) of \(command.name)")
                    }
                }
                XCTAssertTrue(page.contains("\\-\\-version"), program.name)
                XCTAssertTrue(page.contains(LocalizedText(".SH \"SYNOPSIS\"", ".SH \"\\[u00DC]BERSICHT\"")(language)), program.name)
            }
        }
    }

    func testGroffReadsTheManualsWithoutAWarning() throws {
        for program in programs {
            for language in [Language.english, .german] {
                let result = try run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z"], input: program.manPage(language))
                XCTAssertEqual(result.status, 0, result.errors)
                XCTAssertEqual(result.errors, "", "\(program.name) (\(language)): groff warns")
            }
        }
        // Rendered, the page reads as the help does: the serve command's port option and its text.
        let rendered = try run("/usr/bin/groff", ["-man", "-Tutf8", "-P-cbou", "-rLL=200n"], input: server.manPage(.english)).output
        XCTAssertTrue(rendered.contains("--port N"), rendered)
        XCTAssertTrue(rendered.contains("the TCP port (default: 8080; 0 picks a free one)"), rendered)
        let german = try run("/usr/bin/groff", ["-man", "-Tutf8", "-P-cbou", "-rLL=200n"], input: kette.manPage(.german)).output
        XCTAssertTrue(german.contains("ÜBERSICHT") && german.contains("Präventionsketten"), german)
    }

    func testRoffRequestsInHelpTextsArePrintedNotObeyed() {
        let program = Program<Void>(name: "demo", abstract: LocalizedText(".so /etc/passwd", "'de"), commands: [
            Command<Void>("show", abstract: LocalizedText("a \\fBbold\\fR claim", "b"),
                          discussion: LocalizedText(".sp 100\n'br\nline", "x")) { _, _ in },
        ])
        let page = program.manPage(.english)
        let lines = page.split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.contains { $0.hasPrefix(".so") || $0.hasPrefix(".sp") || $0.hasPrefix("'br") }, page)
        XCTAssertTrue(page.contains("\\&.sp 100"), page)
        XCTAssertTrue(page.contains("a \\efBbold\\efR claim"), page)
    }

    func testBashCompletesCommandsSubcommandsOptionsAndChoices() throws {
        let offerSubcommands = kette.commands(under: ["offer"]).map { $0.path[1] }
        let offerAddOptions = try XCTUnwrap(kette.command(["offer", "add"])).options.map { "--" + $0.name } + ["--home", "--help"]
        let cases: [(program: String, words: [String], expected: [String])] = [
            ("kette", ["off"], ["offer"]),
            ("kette", ["offer", ""], offerSubcommands),
            ("kette", ["--home", "/tmp/x", "offer", "a"], ["add"]),
            ("kette", ["offer", "add", "--ti"], ["--title"]),
            ("kette", ["offer", "add", "--"], offerAddOptions),
            ("kette", ["--vers"], ["--version"]),
            ("kette", ["conflicts", "resolve", "ID", "--keep", ""], ["mine", "theirs", "winner", "loser"]),
            ("kette-server", ["serve", "--po"], ["--port"]),
            ("kette-server", ["serve", "--con"], ["--config"]),
            ("kette-server", ["user", "add", "anna", "--role", "c"], ["coordinator", "county"]),
            ("kette-server", ["au"], ["audit"]),
        ]
        for (name, words, expected) in cases {
            let program = try XCTUnwrap(programs.first { $0.name == name })
            let script = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
            try program.completion.write(to: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: script) }
            let function = "_" + name.replacingOccurrences(of: "-", with: "_")
            let quoted = ([name] + words).map { "'\($0)'" }.joined(separator: " ")
            // Sourced inside a function, as bash-completion loads it on first use: the tables must be global.
            let shell = "load() { source '\(script.path)'; }; load; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count); \(function); printf '%s\\n' \"${COMPREPLY[@]}\""
            let result = try run("/bin/bash", ["-c", shell])
            XCTAssertEqual(result.errors, "", "\(name) \(words)")
            XCTAssertEqual(result.output.split(separator: "\n").map(String.init).sorted(), expected.sorted(), "\(name) \(words)")
        }
    }

    func testVersionIsAskedForAloneOnTheLine() throws {
        guard case .help(.version) = try kette.parse(["--version"]) else { return XCTFail("--version") }
        XCTAssertTrue(kette.help(.version, .english).hasPrefix("kette \(KetteVersion.release) (commit "))
        guard case .help(.manual) = try server.parse(["--help-man"]) else { return XCTFail("--help-man") }
        XCTAssertThrowsError(try kette.parse(["offer", "list", "--version"])) { error in
            XCTAssertTrue((error as? UsageError)?.message.english.contains("unknown option '--version'") == true, "\(error)")
        }
        XCTAssertTrue(kette.help(.program, .english).contains("--version"), "the overview lists --version")
    }

    private func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> ProcessOutcome {
        try runProcess(executable, arguments, input: input)
    }
}
