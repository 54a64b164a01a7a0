import Foundation
import KetteTestSupport
import XCTest

/// Issue 18, backups: the command kette-server-backup.service runs, run by hand as the unit runs
/// it (its environment file, the server serving meanwhile), keeps the configured number of dated
/// copies, each 0600 with the audit key and signed head beside it, and each one a database that
/// `kette-server serve` opens and whose audit log verifies.
final class BackupServiceTests: FaultTestCase {
    static let packaging = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Packaging")

    /// The unit's ExecStart, mapped from where the package installs the script to the repository's copy.
    private func backupCommand() throws -> String {
        let unit = try String(contentsOf: Self.packaging.appendingPathComponent("systemd/kette-server-backup.service"), encoding: .utf8)
        let execStart = try XCTUnwrap(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
        XCTAssertEqual(execStart, "/usr/lib/kette-server/kette-server-backup", "the package installs Packaging/kette-server-backup there")
        XCTAssertTrue(unit.contains("EnvironmentFile=-/etc/kette/kette-server-backup.conf"))
        return Self.packaging.appendingPathComponent("kette-server-backup").path
    }

    private func runBackup(_ environment: [String: String?]) throws -> (status: Int32, output: String) {
        let output = runner.root.appendingPathComponent("backup-\(UUID().uuidString.prefix(6))").path
        let binaries = KetteBinary.url!.deletingLastPathComponent().path
        let pid = try spawn("/bin/sh", [try backupCommand()], env: environment.merging(["PATH": "\(binaries):/usr/bin:/bin"]) { $1 }, output: output)
        guard case .exited(let status) = try runner.waitForExit(pid) else { return (-1, text(output + ".err")) }
        return (status, text(output + ".out") + text(output + ".err"))
    }

    func testTheBackupServiceKeepsTheConfiguredNumberOfCopiesEachOneAServableDatabase() throws {
        try startServer(users: [("anna", "nordstadt")])
        try makeClient("anna", user: "anna")
        // The environment file as the package ships it, pointed at this test's folders.
        let backups = runner.root.appendingPathComponent("backups").path
        let serverConfiguration = runner.root.appendingPathComponent("kette-server.conf")
        try "# the server's settings\ndb = \"\(server.database)\"\nport = 0\n".write(to: serverConfiguration, atomically: true, encoding: .utf8)
        var environment: [String: String?] = [:]
        let shipped = try String(contentsOf: Self.packaging.appendingPathComponent("etc/kette-server-backup.conf"), encoding: .utf8)
        for line in shipped.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        XCTAssertEqual(environment["KETTE_BACKUP_KEEP"], "14")
        environment["KETTE_BACKUP_KEEP"] = "3"
        environment["KETTE_BACKUP_DIR"] = backups
        environment["KETTE_SERVER_CONFIG"] = serverConfiguration.path

        var offers: [Int] = []
        for round in 1...5 {
            _ = try addOffers("anna", 1, district: "nordstadt", tag: "Runde \(round)")
            kette("anna", ["sync"])
            let result = try runBackup(environment)
            XCTAssertEqual(result.status, 0, result.output)
            offers.append(try openDatabase(server.database).scalarInt("SELECT count(*) FROM record_scope WHERE record_type = 'offer'") ?? -1)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: backups).sorted()
        let copies = names.filter { $0.hasSuffix(".db") }
        XCTAssertEqual(copies.count, 3, "\(names)")
        XCTAssertEqual(names.count, 9, "each copy with its .audit-key and .audit-head: \(names)")
        for copy in copies {
            XCTAssertNotNil(copy.range(of: #"^kette-server-\d{4}-\d{2}-\d{2}T\d{6}Z\.db$"#, options: .regularExpression), copy)
            XCTAssertTrue(names.contains(copy + ".audit-key") && names.contains(copy + ".audit-head"), copy)
        }
        for name in names {
            var status = stat()
            XCTAssertEqual(stat(backups + "/" + name, &status), 0)
            XCTAssertEqual(status.st_mode & 0o777, 0o600, name)
        }
        // The newest three are kept: they hold the offers of rounds 3, 4 and 5.
        for (copy, expected) in zip(copies, offers.suffix(3)) {
            let path = backups + "/" + copy
            XCTAssertEqual(try openDatabase(path).scalarInt("SELECT count(*) FROM record_scope WHERE record_type = 'offer'"), expected, copy)
            let verify = try ServerProcess(directory: runner.root).run(["audit", "verify", "--db", path])
            XCTAssertEqual(verify.status, 0, "\(copy): \(verify.errors)")
            let output = runner.root.appendingPathComponent("serve-\(copy)").path
            let pid = try spawn(KetteBinary.url!.deletingLastPathComponent().appendingPathComponent("kette-server").path,
                                ["serve", "--db", path, "--port", "0"], output: output)
            var listening = false
            for _ in 0..<250 where !listening {
                listening = text(output + ".out").contains("listening on")
                if !listening { usleep(20_000) }
            }
            kill(pid, SIGTERM)
            _ = try runner.waitForExit(pid)
            XCTAssertTrue(listening, "\(copy) does not serve: \(text(output + ".err"))")
        }
    }

    func testAWrongSettingStopsTheBackupWithAMessage() throws {
        let database = runner.root.appendingPathComponent("none.db").path
        for (environment, message) in [(["KETTE_BACKUP_KEEP": "zero", "KETTE_DB": database], "KETTE_BACKUP_KEEP must be a whole number above 0; got 'zero'"),
                                       (["KETTE_BACKUP_KEEP": "2", "KETTE_DB": database], "no database at \(database)")] {
            let result = try runBackup(environment.mapValues { $0 })
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains(message), result.output)
        }
    }
}
