import Foundation
import KetteTestSupport
import XCTest

/// The command line of both binaries: global options anywhere, help everywhere, and each
/// kette-server command with only its own options.
final class GlobalOptionTests: KetteCLITestCase {
    /// A store that is not `KETTE_HOME`, so a command that finds it proves `--home` was read.
    var other: String { runner.root.appendingPathComponent("other").path }

    func testHomeIsAcceptedBeforeTheCommandBetweenItsWordsAndAfterIt() throws {
        ok("--home", other, "init", "--name", "Büro Süd")
        ok("district", "add", "Nordstadt", "--home", other)
        XCTAssertTrue(isUUID(ok("offer", "--home", other, "add", "--title", "Elterncafé", "--district", "Nordstadt")))
        for words in [["--home", other, "offer", "list"], ["offer", "--home", other, "list"], ["offer", "list", "--home", other],
                      ["offer", "list", "--home=\(other)"], ["--home", other, "--json", "offer", "list"]] {
            let result = kette(words)
            XCTAssertEqual(result.exitCode, 0, "\(result)")
            XCTAssertTrue(result.stdout.contains("Elterncafé"), "\(result)")
        }
        // KETTE_HOME has no store: without --home the same command finds none.
        XCTAssertTrue(kette(["offer", "list"]).stderr.contains("no Kette store in \(runner.home.path)"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(kette(["--json", "--home", other, "offer", "list"]).stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(json.compactMap { $0["title"] as? String }, ["Elterncafé"])
    }

    func testHelpIsShownWhereverItStandsAndWithGlobalOptionsBeforeIt() {
        for (words, start) in [(["--home", other, "--help"], "kette — offline record keeper"), (["--help", "--home", other], "kette — offline record keeper"),
                               (["--home", other, "offer", "--help"], "usage: kette offer SUBCOMMAND"),
                               (["--home", other, "offer", "add", "--help"], "kette offer add — record an offer"),
                               (["offer", "add", "--title", "x", "-h"], "kette offer add — record an offer"),
                               (["--help", "report", "tasks"], "kette report tasks — open action items")] {
            let result = kette(words)
            XCTAssertEqual(result.exitCode, 0, "\(result)")
            XCTAssertTrue(result.stdout.hasPrefix(start), "\(result)")
            XCTAssertEqual(result.stderr, "", "\(result)")
        }
        let german = kette(["--home", other, "--help"], env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.stdout.hasPrefix("kette — Offline-Erfassung") && german.stdout.contains("Befehle:"), "\(german)")
        let germanCommand = kette(["offer", "add", "--help"], env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(germanCommand.stdout.contains("Aufruf: kette offer add [Optionen]") && germanCommand.stdout.contains("Titel des Angebots"),
                      "\(germanCommand)")
        // The store is not touched by help.
        XCTAssertFalse(FileManager.default.fileExists(atPath: other))
    }

    func testAFlagBeforeTheCommandIsStillCheckedAgainstTheCommand() {
        ok("init")
        let refused = kette(["--json", "offer", "delete", "x"])
        XCTAssertEqual(refused.exitCode, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("unknown option '--json'. Accepted: --yes, --home, --help"), "\(refused)")
        XCTAssertTrue(refused.stderr.contains("see `kette offer delete --help`"), "\(refused)")
        let misplaced = kette(["--title", "x", "offer", "add"])
        XCTAssertEqual(misplaced.exitCode, 1, "\(misplaced)")
        XCTAssertTrue(misplaced.stderr.contains("'--title' belongs after the command"), "\(misplaced)")
    }

    func testKetteServerCommandsTakeOnlyTheirOwnOptionsAndDbAnywhere() throws {
        let server = ServerProcess(directory: runner.root)
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try server.run(arguments)
            return (result.status, result.output, result.errors)
        }
        XCTAssertEqual(try run(["--db", server.database, "district", "add", "nordstadt", "Nordstadt"]).status, 0)
        XCTAssertEqual(try run(["district", "list", "--db", server.database]).stdout, "nordstadt\tNordstadt\n")
        XCTAssertEqual(try run(["district", "--db", server.database, "list", "--json"]).status, 0)
        // Yesterday any of 15 options was accepted on any command; now each says what it takes.
        for (arguments, accepted) in [(["user", "list", "--role", "county"], "Accepted: --limit, --json, --db, --audit-key, --help"),
                                      (["district", "add", "a", "A", "--port", "80"], "Accepted: --parent, --db, --audit-key, --help"),
                                      (["audit", "verify", "--json"], "Accepted: --db, --audit-key, --help"),
                                      (["serve", "--person", "x"], "--bind, --port")] {
            let result = try run(arguments + ["--db", server.database])
            XCTAssertEqual(result.status, 1, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.contains("unknown option") && result.stderr.contains(accepted), "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.contains("see `kette-server \(arguments.prefix { !$0.hasPrefix("-") }.prefix(2).joined(separator: " "))"),
                          "\(arguments): \(result)")
        }
        let help = try run(["serve", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--rate-limit N") && help.stdout.contains("--tls-cert FILE") && !help.stdout.contains("--person"), help.stdout)
        let overview = try run(["--db", server.database, "--help"])
        XCTAssertEqual(overview.status, 0)
        XCTAssertTrue(overview.stdout.contains("audit verify") && overview.stdout.contains("exit codes:"), overview.stdout)
        XCTAssertEqual(try run([]).status, 1, "no command at all is still a usage error")
        XCTAssertEqual(try run(["user", "add", "x", "--role", "boss", "--db", server.database]).stderr,
                       "kette-server: --role must be one of: coordinator, district, county, admin; got 'boss'\n(see `kette-server user add --help`)\n")
    }

    private func kette(_ words: [String], env: [String: String?] = [:]) -> KetteResult {
        runner.run(words, env: env)
    }
}
