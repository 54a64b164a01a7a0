import Foundation
import KetteTestSupport
import XCTest

/// Issue 18, systemd: every unit the packages install passes `systemd-analyze verify` (system
/// units as the system manager, the sync units as a user's), the timers run nightly with a random
/// delay and catch up a missed night, and the server's sandbox is as tight as `systemd-analyze
/// security` can measure. `verify` checks that each ExecStart exists: the units are verified in a
/// private mount namespace where /usr/bin and /usr/lib also hold what the packages install there
/// (this build's programs and the backup script), so the host is not touched.
final class SystemdUnitTests: XCTestCase {
    static let packaging = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Packaging")
    static let systemUnits = ["kette-server.service", "kette-server-backup.service", "kette-server-backup.timer"]
    static let userUnits = ["kette-sync.service", "kette-sync.timer"]

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kette-units-\(UUID().uuidString.prefix(8))")
        let binaries = try XCTUnwrap(KetteBinary.url).deletingLastPathComponent()
        let files = FileManager.default
        try files.createDirectory(at: directory.appendingPathComponent("usr/bin"), withIntermediateDirectories: true)
        try files.createDirectory(at: directory.appendingPathComponent("usr/lib/kette-server"), withIntermediateDirectories: true)
        try files.createDirectory(at: directory.appendingPathComponent("runtime"), withIntermediateDirectories: true)
        chmod(directory.appendingPathComponent("runtime").path, 0o700)
        for program in ["kette", "kette-server"] {
            try files.createSymbolicLink(at: directory.appendingPathComponent("usr/bin/\(program)"), withDestinationURL: binaries.appendingPathComponent(program))
        }
        try files.createSymbolicLink(at: directory.appendingPathComponent("usr/lib/kette-server/kette-server-backup"),
                                     withDestinationURL: Self.packaging.appendingPathComponent("kette-server-backup"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// Runs `script` with the packages' files mounted over /usr/bin and /usr/lib, in the unit folder.
    private func withInstalledFiles(_ script: String) throws -> (status: Int32, output: String) {
        let mounts = ["bin", "lib"].map { "mount -t overlay overlay -o lowerdir=\(directory.path)/usr/\($0):/usr/\($0) /usr/\($0)" }
        let result = try runProcess("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", (mounts + [script]).joined(separator: " && ")],
                                    environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "XDG_RUNTIME_DIR": directory.appendingPathComponent("runtime").path,
                                                  "SYSTEMD_PAGER": "", "LANG": "C.UTF-8"],
                                    directory: Self.packaging.appendingPathComponent("systemd"), mergeErrors: true)
        return (result.status, result.output)
    }

    func testEveryUnitPassesSystemdAnalyzeVerify() throws {
        // verify exits 0 even when it ignores a line it cannot parse: its output must be empty too.
        let system = try withInstalledFiles("systemd-analyze verify --man=no " + Self.systemUnits.joined(separator: " "))
        XCTAssertEqual(system.status, 0, system.output)
        XCTAssertEqual(system.output, "", "system units")
        let user = try withInstalledFiles("systemd-analyze --user verify --man=no " + Self.userUnits.joined(separator: " "))
        XCTAssertEqual(user.status, 0, user.output)
        XCTAssertEqual(user.output, "", "user units")
    }

    func testVerifyWouldCatchAMistake() throws {
        // The check above can fail: a misspelt setting and a missing program are both reported.
        let broken = directory.appendingPathComponent("broken.service")
        let unit = try String(contentsOf: Self.packaging.appendingPathComponent("systemd/kette-server.service"), encoding: .utf8)
        try unit.replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=strikt")
            .replacingOccurrences(of: "/usr/bin/kette-server serve", with: "/usr/bin/kette-serve serve")
            .write(to: broken, atomically: true, encoding: .utf8)
        let result = try withInstalledFiles("systemd-analyze verify --man=no \(broken.path)")
        XCTAssertTrue(result.output.contains("Failed to parse protect system value"), result.output)
        XCTAssertTrue(result.output.contains("/usr/bin/kette-serve is not executable"), result.output)
    }

    func testTimersRunNightlyWithARandomDelayAndCatchUpAMissedNight() throws {
        for (timer, expected, delay) in [("kette-sync.timer", "*-*-* 02:00:00", "1h"), ("kette-server-backup.timer", "*-*-* 01:30:00", "15min")] {
            let settings = try self.settings(of: "systemd/" + timer)
            XCTAssertEqual(settings["Persistent"], ["true"], timer)
            XCTAssertEqual(settings["RandomizedDelaySec"], [delay], timer)
            let calendar = try XCTUnwrap(settings["OnCalendar"]?.first, timer)
            let result = try withInstalledFiles("systemd-analyze calendar --iterations=3 '\(calendar)'")
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("Normalized form: \(expected)"), result.output)
            // Three elapses a day apart: once a night.
            let elapses = result.output.split(separator: "\n").filter { $0.contains("Next elapse:") || $0.contains("Iter. #") }
                .compactMap { line -> Date? in
                    let text = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                    let formatter = DateFormatter()
                    formatter.locale = Locale(identifier: "en_US_POSIX")
                    formatter.dateFormat = "EEE yyyy-MM-dd HH:mm:ss zzz"
                    return formatter.date(from: text)
                }
            XCTAssertEqual(elapses.count, 3, result.output)
            if elapses.count == 3 {
                XCTAssertEqual(elapses[1].timeIntervalSince(elapses[0]), 86_400, accuracy: 3_600, result.output)
                XCTAssertEqual(elapses[2].timeIntervalSince(elapses[1]), 86_400, accuracy: 3_600, result.output)
            }
        }
        let sync = try settings(of: "systemd/kette-sync.service")
        XCTAssertEqual(sync["ExecStart"], ["/usr/bin/kette sync --log %S/kette/sync.log"])
        XCTAssertEqual(sync["SuccessExitStatus"], ["2"], "refusals or conflicts are a finished sync, not a failed unit")
    }

    func testTheServerRunsInATightSandbox() throws {
        let settings = try self.settings(of: "systemd/kette-server.service")
        let required: [String: String] = [
            "User": "kette-server", "StateDirectory": "kette-server", "StateDirectoryMode": "0700", "UMask": "0077",
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
            "CapabilityBoundingSet": "", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallFilter": "@system-service",
            "ExecStart": "/usr/bin/kette-server serve --config /etc/kette/kette-server.conf",
        ]
        for (key, value) in required { XCTAssertTrue(settings[key]?.contains(value) == true, "\(key)=\(value): \(settings[key] ?? [])") }
        // systemd's own measure: 0 is fully sandboxed, 10 not at all; "OK" ends at 4.9. Threshold 20 means 2.0.
        for unit in ["kette-server.service", "kette-server-backup.service"] {
            let result = try withInstalledFiles("systemd-analyze security --offline=true --threshold=20 ./\(unit)")
            XCTAssertEqual(result.status, 0, "\(unit) exposure above 2.0:\n\(result.output)")
            XCTAssertTrue(result.output.contains("Overall exposure level for \(unit)"), result.output)
        }
    }

    /// The `Key=value` lines of a unit file, in order per key.
    private func settings(of path: String) throws -> [String: [String]] {
        var settings: [String: [String]] = [:]
        for line in try String(contentsOf: Self.packaging.appendingPathComponent(path), encoding: .utf8).split(separator: "\n")
        where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }
}
