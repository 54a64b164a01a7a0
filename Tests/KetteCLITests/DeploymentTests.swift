import Foundation
import KetteProtocol
import KetteTestSupport
import XCTest

/// Issue 18: what a county's IT department and a district office rely on when they deploy:
/// versions on both programs and in /v1/health, `serve --config`, `kette sync --log`, and the
/// client's warning about an older server.
final class DeploymentTests: FaultTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private var serverBinary: String { KetteBinary.url!.deletingLastPathComponent().appendingPathComponent("kette-server").path }
    private var started: [pid_t] = []

    override func tearDown() {
        for pid in started { kill(pid, SIGKILL); _ = try? runner.waitForExit(pid) }
        started = []
        super.tearDown()
    }

    /// Starts `kette-server serve arguments…` and returns its "listening" line.
    private func serve(_ arguments: [String], name: String = "serve") throws -> String {
        let output = runner.root.appendingPathComponent(name).path
        let pid = try spawn(serverBinary, ["serve"] + arguments, output: output)
        started.append(pid)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let line = text(output + ".out").split(separator: "\n").first(where: { $0.contains("listening on") }) { return String(line) }
            usleep(20_000)
        }
        throw NSError(domain: "DeploymentTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(text(output + ".err"))"])
    }

    private func port(of listeningLine: String) throws -> UInt16 {
        let match = try XCTUnwrap(listeningLine.range(of: #":(\d+) "#, options: .regularExpression))
        return try XCTUnwrap(UInt16(listeningLine[match].dropFirst().dropLast()))
    }

    func testBothProgramsNameTheirReleaseAndCommitAndHealthSaysTheSame() throws {
        let client = ok(["--version"])
        let serverVersion = try ServerProcess(directory: runner.root).run(["--version"])
        XCTAssertEqual(serverVersion.status, 0)
        let pattern = #"^kette(-server)? \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(\+modified)?|unknown commit)\)$"#
        XCTAssertNotNil(client.range(of: pattern, options: .regularExpression), client)
        XCTAssertTrue(client.hasPrefix("kette \(KetteVersion.release) (commit "), client)
        let serverLine = serverVersion.output.trimmingCharacters(in: .newlines)
        XCTAssertEqual(serverLine, client.replacingOccurrences(of: "kette ", with: "kette-server "), "both built from the same commit")
        let commit = String(client.split(separator: "(commit ").last!.dropLast())
        // Built from a clean git clone (as CI builds), the commit is HEAD's. A build from a modified
        // tree names the commit it started from, which a later commit moves HEAD past.
        if !commit.hasSuffix("+modified"), commit != "unknown commit", let git = try? runProcess("/usr/bin/git", ["-C", Self.repository.path, "rev-parse", "--short=12", "HEAD"]), git.status == 0 {
            let hash = git.output.trimmingCharacters(in: .newlines)
            XCTAssertTrue(commit.hasPrefix(hash), "\(commit) is not HEAD \(hash)")
        }

        let listening = try serve(["--db", runner.root.appendingPathComponent("v.db").path, "--port", "0"])
        let (status, body) = try curl(["http://127.0.0.1:\(try port(of: listening))/v1/health"])
        XCTAssertEqual(status, 200)
        let health = try JSONDecoder().decode(HealthStatus.self, from: Data(body.utf8))
        XCTAssertEqual(health, HealthStatus(version: KetteVersion.release, commit: commit, protocol: ProtocolLevel.current))
    }

    /// The build step behind `--version`: a clone's commit, "+modified" for a changed tree,
    /// "unknown commit" outside git; an unchanged stamp is not rewritten (nothing recompiles).
    func testTheVersionStampNamesTheCommitOrSaysItIsUnknown() throws {
        let stamp = Self.repository.appendingPathComponent("Sources/VersionStampPlugin/stamp.sh").path
        let package = runner.root.appendingPathComponent("package"), output = runner.root.appendingPathComponent("stamp")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        func commit() throws -> String {
            let result = try runProcess("/bin/sh", [stamp, package.path, output.path, runner.root.appendingPathComponent("scratch").path])
            XCTAssertEqual(result.status, 0, result.errors)
            let file = try String(contentsOf: output.appendingPathComponent("BuildStamp.swift"), encoding: .utf8)
            return String(try XCTUnwrap(file.range(of: #"(?<=static let commit = ")[^"]*"#, options: .regularExpression).map { file[$0] }))
        }
        XCTAssertEqual(try commit(), "unknown commit", "a source tarball")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "no git")
        let git = { (arguments: [String]) in
            _ = try runProcess("/usr/bin/git", ["-C", package.path, "-c", "user.name=t", "-c", "user.email=t@example.org"] + arguments)
        }
        try git(["init", "-q"])
        try "one".write(to: package.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        try git(["add", "file"])
        try git(["commit", "-q", "-m", "one"])
        let head = try runProcess("/usr/bin/git", ["-C", package.path, "rev-parse", "--short=12", "HEAD"]).output.trimmingCharacters(in: .newlines)
        XCTAssertEqual(try commit(), head)
        let written = try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("BuildStamp.swift").path)[.modificationDate] as? Date
        usleep(1_100_000)
        XCTAssertEqual(try commit(), head)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("BuildStamp.swift").path)[.modificationDate] as? Date,
                       written, "an unchanged stamp is left alone")
        try "two".write(to: package.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try commit(), head + "+modified")
    }

    func testServeTakesItsSettingsFromTheConfigurationFileAndTheCommandLineWins() throws {
        let configuration = runner.root.appendingPathComponent("kette-server.conf")
        let fromFile = runner.root.appendingPathComponent("from-file.db").path
        try """
            # the county's settings
            db = \(fromFile)
            bind = 127.0.0.1
            port = 0
            rate-limit = 0
            """.write(to: configuration, atomically: true, encoding: .utf8)
        let first = try serve(["--config", configuration.path], name: "first")
        XCTAssertTrue(first.contains("(database \(fromFile))"), first)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fromFile))

        let fromFlag = runner.root.appendingPathComponent("from-flag.db").path
        let second = try serve(["--config", configuration.path, "--db", fromFlag], name: "second")
        XCTAssertTrue(second.contains("(database \(fromFlag))"), "the flag wins: \(second)")
    }

    func testAMistakeInTheConfigurationFileStopsServeAndNamesTheLineAndTheAcceptedKeys() throws {
        let configuration = runner.root.appendingPathComponent("bad.conf")
        let database = runner.root.appendingPathComponent("never.db").path
        let cases: [(String, [String])] = [
            ("db = \(database)\nport = 0\nprot = 8080\n", ["bad.conf line 3: unknown key 'prot'; accepted: bind, port, threads,", "tls-key, metrics-allow, log-format, db"]),
            ("db = \(database)\nport = 70000\n", ["bad.conf line 2: port must be 0 to 65535; got '70000'"]),
            ("db = \(database)\ntls-cert = /etc/ssl/certs/x.pem\n", ["--tls-cert and --tls-key go together"]),
        ]
        for (text, mentions) in cases {
            try text.write(to: configuration, atomically: true, encoding: .utf8)
            let result = try ServerProcess(directory: runner.root).run(["serve", "--config", configuration.path])
            XCTAssertEqual(result.status, 1, result.errors)
            for mention in mentions { XCTAssertTrue(result.errors.contains(mention), "\(mention) not in: \(result.errors)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: database), "nothing is created")
        }
        let missing = try ServerProcess(directory: runner.root).run(["serve", "--config", "/nonexistent/kette-server.conf"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("cannot read the configuration file /nonexistent/kette-server.conf: No such file or directory"), missing.errors)
    }

    /// The file the package installs as /etc/kette/kette-server.conf names every setting `serve`
    /// has (set or commented out), and the server starts with it.
    func testTheShippedConfigurationFileNamesEverySettingAndServes() throws {
        let shipped = Self.repository.appendingPathComponent("Packaging/etc/kette-server.conf")
        // `key = value` lines, also commented out (`#threads = 4`); prose comments start with "# ".
        let keys = try String(contentsOf: shipped, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            let setting = String(line.hasPrefix("#") ? line.dropFirst() : line[...])
            guard let match = setting.range(of: #"^[a-z-]+ = "#, options: .regularExpression) else { return nil }
            return String(setting[match].dropLast(3))
        }
        let help = try ServerProcess(directory: runner.root).run(["serve", "--help"]).output
        let options = help.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  --") else { return nil }
            return String(line.dropFirst(4).prefix { $0 != " " })
        }.filter { $0 != "help" && $0 != "config" }
        XCTAssertEqual(Set(keys), Set(options), "keys in the shipped file vs serve's options (and db)")
        let database = runner.root.appendingPathComponent("shipped.db").path
        let listening = try serve(["--config", shipped.path, "--db", database, "--port", "0"])
        XCTAssertTrue(listening.contains("http://127.0.0.1:") && listening.contains(database), listening)
    }

    func testSyncLogAppendsOneLinePerRunWhateverTheOutcome() throws {
        try startServer(users: [("anna", "nordstadt")])
        try makeClient("anna", user: "anna")
        let log = runner.root.appendingPathComponent("state/kette/sync.log").path
        _ = try addOffers("anna", 2, district: "nordstadt", tag: "Log")
        let first = kette("anna", ["sync", "--log", log])
        XCTAssertEqual(first.stderr, "", "no warning from a current server")
        server.kill()
        kette("anna", ["sync", "--log", log], env: ["KETTE_RETRIES": "0", "KETTE_TIMEOUT": "2"], expect: 3)

        let lines = text(log).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, text(log))
        let ok = try logfmt(lines[0]), failed = try logfmt(lines[1])
        XCTAssertEqual(ok["outcome"], "ok")
        XCTAssertEqual(ok["exit"], "0")
        XCTAssertEqual(ok["pushed"], "2")
        XCTAssertEqual(ok["refused"], "0")
        XCTAssertEqual(ok["pending"], "0")
        XCTAssertEqual(ok["check"], "verified", "the digest check's outcome")
        XCTAssertEqual(ok["left_scope"], "0")
        XCTAssertEqual(ok["server_version"], KetteVersion.release)
        XCTAssertEqual(ok["server_protocol"], String(ProtocolLevel.current))
        XCTAssertNotNil(ISO8601DateFormatter().date(from: ok["time"] ?? ""), lines[0])
        XCTAssertEqual(failed["outcome"], "failed")
        XCTAssertEqual(failed["exit"], "3")
        XCTAssertTrue(failed["error"]?.contains("cannot be reached") == true, lines[1])
        var status = stat()
        XCTAssertEqual(stat(log, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600, "the log names the server: its owner's only")
    }

    func testSyncWarnsWhenTheServerIsOlderThanTheProtocolFeaturesItUses() throws {
        try XCTSkipIf(ProtocolLevel.requiredByClient <= ProtocolLevel.base, "this client relies on nothing a level-1 server lacks")
        let output = runner.root.appendingPathComponent("old-server").path
        let pid = try spawn("/usr/bin/python3", [Self.fixtures.appendingPathComponent("old_server.py").path], output: output)
        started.append(pid)
        var url = ""
        for _ in 0..<500 where url.isEmpty {
            if let range = text(output + ".out").range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression) { url = "http://" + text(output + ".out")[range] }
            usleep(20_000)
        }
        XCTAssertFalse(url.isEmpty, text(output + ".err"))
        kette("anna", ["init", "--name", "Anna"])
        kette("anna", ["remote", url, "--token", "t0ken"])
        let log = runner.root.appendingPathComponent("sync.log").path
        let result = kette("anna", ["sync", "--log", log], env: ["KETTE_RETRIES": "0"], expect: 3)
        XCTAssertTrue(result.stderr.contains("warning: the server \(url) runs a kette-server before 0.9 (protocol level 1); this kette \(KetteVersion.release) uses level \(ProtocolLevel.requiredByClient)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Ask the county's IT to update kette-server"), result.stderr)
        XCTAssertEqual(try logfmt(text(log).trimmingCharacters(in: .newlines))["server_protocol"], "1")
        let german = kette("anna", ["sync"], env: ["KETTE_RETRIES": "0", "LANG": "de_DE.UTF-8"], expect: 3)
        XCTAssertTrue(german.stderr.contains("Warnung: Der Server \(url) läuft mit einem kette-server vor 0.9 (Protokollstufe 1)"), german.stderr)
    }

    /// A logfmt line as a dictionary; quoted values are JSON strings.
    private func logfmt(_ line: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(line)
        while !rest.isEmpty {
            let key = rest.prefix { $0 != "=" }
            rest = rest.dropFirst(key.count + 1)
            if rest.hasPrefix("\"") {
                var end = rest.index(after: rest.startIndex)
                while rest[end] != "\"" { end = rest.index(rest[end] == "\\" ? rest.index(after: end) : end, offsetBy: 1) }
                let quoted = rest[...end]
                fields[String(key)] = try JSONDecoder().decode(String.self, from: Data(quoted.utf8))
                rest = rest[rest.index(after: end)...]
            } else {
                let value = rest.prefix { $0 != " " }
                fields[String(key)] = String(value)
                rest = rest.dropFirst(value.count)
            }
            rest = rest.drop { $0 == " " }
        }
        return fields
    }
}
