import Foundation
import KetteTestSupport
import XCTest

/// Schemathesis (from PyPI; scripts/setup.sh installs it) generates requests from
/// Protocol/openapi.json and sends them to a real `kette-server` with a valid token: no 5xx, and
/// every answer's status, content type, headers and body as the document says.
///
/// Two of its checks are left out on purpose, as they test promises this protocol does not make:
/// `positive_data_acceptance` (a schema-valid request must not get a 400; but a pull cursor ahead
/// of the server's newest change is refused with 400 `cursor_ahead`, which no schema can
/// express) and `negative_data_rejection` (a schema-violating request must get a 4xx; but a push
/// answers 200 and refuses the faulty change sets one by one in its results, so one bad change set
/// does not hold back the good ones).
final class SchemathesisTests: ServerTestCase {
    func testNoServerErrorAndNoResponseOutsideTheSchema() throws {
        let long = ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1"
        try makeServer(districts: [.nordstadt, .suedstadt], users: [.coordinator("anna", "nordstadt")])
        let token = tokens["anna"]!
        // No rate limit: Schemathesis sends as fast as it can, which is not what is tested here.
        try server.start(extraArguments: ["--rate-limit", "0"])

        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Protocol/openapi.json").standardizedFileURL.path
        let report = runner.root.appendingPathComponent("schemathesis")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["schemathesis", "run", spec, "--url", server.url,
                             "--header", "Authorization: Bearer \(token)",
                             "--checks", "all", "--exclude-checks", "positive_data_acceptance,negative_data_rejection",
                             "--max-examples", long ? "1000" : "25", "--seed", long ? String(Int.random(in: 1...1_000_000)) : "4",
                             "--workers", "1", "--no-color", "--generation-database", "none",
                             "--report", "junit", "--report-dir", report.path]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "*"
        environment["SCHEMATHESIS_TELEMETRY"] = "false"
        process.environment = environment
        process.currentDirectoryURL = runner.root  // its cache (.schemathesis/) stays out of the checkout
        let output = runner.root.appendingPathComponent("schemathesis.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let started = Date()
        do {
            try process.run()
        } catch {
            XCTFail("cannot run schemathesis (scripts/setup.sh installs it from PyPI): \(error)")
            return
        }
        process.waitUntilExit()
        try handle.close()
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let summary = log.split(separator: "\n").filter { $0.contains("generated") || $0.contains("=====") }.suffix(2)
        print("schemathesis (\(long ? "long" : "short") run, \(String(format: "%.0f", Date().timeIntervalSince(started))) s): "
            + summary.joined(separator: " | "))
        XCTAssertFalse(log.contains("No module named") || log.contains("command not found"),
                       "schemathesis is not installed (scripts/setup.sh installs it from PyPI): \(log.prefix(500))")
        XCTAssertEqual(process.terminationStatus, 0, "schemathesis found failures:\n\(log.suffix(6000))")
        XCTAssertTrue(log.contains("passed"), log.suffix(2000).description)
        XCTAssertFalse(log.contains("ST1") || log.contains("Server error"), "a 5xx: \(log.suffix(4000))")
    }
}
