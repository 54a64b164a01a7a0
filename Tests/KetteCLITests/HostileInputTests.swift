import Foundation
import KetteTestSupport
import XCTest

/// The real `kette-server` facing clients that push too hard: the per-IP connection limit and the
/// per-user rate limit set on the command line, and a real `kette` that still completes its sync.
final class HostileInputTests: ServerTestCase {
    /// The server is made here and started by each test, with the flags it tests.
    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(users: [.coordinator("anna", "nordstadt"), .county("kreis")])
    }

    func testPerIPLimitFlagRefusesTheConnectionOverTheLimit() throws {
        let limit = 3
        try server.start(extraArguments: ["--per-ip-limit", String(limit)])
        let held = try (0..<limit).map { _ in try TestSocket(port: server.port) }
        // Each held connection is answered once and stays open, so the server has taken all of
        // them before the next arrives: its worker threads accept in no fixed order, and a
        // connection still in the kernel's queue could lose its place to the extra one.
        for connection in held {
            XCTAssertTrue(connection.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            XCTAssertEqual(connection.readAnswer().end, .complete)
        }
        let extra = try TestSocket(port: server.port, receiveTimeout: 3)
        _ = extra.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let refused = extra.readToEnd()
        XCTAssertTrue(refused.end == .closed || refused.end == .reset, "connection \(limit + 1) is dropped: \(refused.end)")
        XCTAssertTrue(refused.bytes.isEmpty, "and gets no answer")
        // The connections within the limit are served.
        for connection in held {
            XCTAssertTrue(connection.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            XCTAssertTrue(String(decoding: connection.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
    }

    func testFramingAndSizeAreRefusedAndTheServerKeepsServing() throws {
        try server.start(extraArguments: ["--max-body-mb", "1"])
        let auth = "Authorization: Bearer \(tokens["anna"]!)\r\nContent-Type: application/json\r\n"
        let head = "POST /v1/changesets HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
        func answer(_ request: String) throws -> (status: Int, text: String, end: TestSocket.End) {
            let connection = try TestSocket(port: server.port)
            _ = connection.send(request)
            let reply = connection.readToEnd()
            let text = String(decoding: reply.bytes, as: UTF8.self)
            return (Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0, text, reply.end)
        }
        // Conflicting framing: 400 with a JSON error, the connection closed.
        let conflicting = try answer(head + "Content-Length: 16\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"changeSets\":[]}\r\n0\r\n\r\n")
        XCTAssertEqual(conflicting.status, 400)
        XCTAssertTrue(conflicting.text.contains(#"{"error":{"code":"bad_framing""#), conflicting.text)
        XCTAssertEqual(conflicting.end, .closed)
        // Over --max-body-mb 1, declared and chunked: 413 with a JSON error.
        let declared = try answer(head + "Content-Length: 2000000\r\n\r\n")
        XCTAssertEqual(declared.status, 413)
        XCTAssertTrue(declared.text.contains("body_too_large"), declared.text)
        let chunk = String(repeating: "x", count: 0x10000)
        let chunked = try answer(head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + String(repeating: "10000\r\n\(chunk)\r\n", count: 20) + "0\r\n\r\n")
        XCTAssertEqual(chunked.status, 413, String(chunked.text.prefix(300)))
        XCTAssertTrue(chunked.text.contains("body_too_large"), String(chunked.text.prefix(300)))
        // A proper push right after is applied.
        let body = #"{"changeSets":[]}"#
        let fine = try answer(head + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        XCTAssertEqual(fine.status, 200, fine.text)
    }

    /// Found by the decoder fuzzer: a push whose value nests a million `[` overflowed the stack of
    /// the worker thread and killed the whole server (checked against the code before the fix).
    func testDeeplyNestedPushIsRefusedAndTheServerKeepsServing() throws {
        try server.start()
        let body = #"{"changeSets":[{"id":"x","replica":"r","schemaVersion":1,"summary":"s","changes":[{"type":"offer","id":"o","field":"title","hlc":"001763900000000-0000-r","value":"#
            + String(repeating: "[", count: 1_000_000)
        let connection = try TestSocket(port: server.port, receiveTimeout: 20)
        XCTAssertTrue(connection.send("POST /v1/changesets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(tokens["anna"]!)\r\n"
            + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body))
        let text = String(decoding: connection.readToEnd().bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400"), String(text.prefix(200)))
        XCTAssertTrue(text.contains("nested deeper than 64 levels"), String(text.suffix(200)))
        let health = try TestSocket(port: server.port)
        XCTAssertTrue(health.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        XCTAssertTrue(String(decoding: health.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "the server is still up")
    }

    func testServeRefusesBadLimitFlagsClearly() throws {
        for (arguments, expected) in [(["--per-ip-limit", "0"], "--per-ip-limit must be 1 to 100000"),
                                      (["--rate-limit", "fast"], "--rate-limit must be 0 (no limit) to 1000000"),
                                      (["--rate-burst", "-3"], "--rate-burst must be 1 to 10000000"),
                                      (["--rate-limit", "0", "--rate-burst", "5"], "--rate-burst needs a rate limit"),
                                      (["--header-timeout", "0"], "--header-timeout must be 1 to 3600")] {
            let process = Process()
            process.executableURL = server.binary
            process.arguments = ["serve", "--db", server.database, "--port", "0"] + arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = Pipe()
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 1, "\(arguments)")
            XCTAssertTrue(text.contains(expected), "\(arguments): \(text)")
        }
    }

    func testRateLimitAnswers429AndTheClientStillCompletesItsSync() throws {
        // One request a second, three at once: a sync of a few change sets needs more than that.
        try server.start(extraArguments: ["--rate-limit", "1", "--rate-burst", "3"])
        var statuses: [Int] = []
        var retryAfter: String?
        var body = ""
        for _ in 0..<4 {
            let connection = try TestSocket(port: server.port)
            XCTAssertTrue(connection.send("GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(tokens["anna"]!)\r\nConnection: close\r\n\r\n"))
            let text = String(decoding: connection.readToEnd().bytes, as: UTF8.self)
            statuses.append(Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0)
            if let line = text.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("retry-after:") }) {
                retryAfter = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) }
                body = String(text.components(separatedBy: "\r\n\r\n").last ?? "")
            }
        }
        XCTAssertEqual(statuses, [200, 200, 200, 429])
        XCTAssertEqual(retryAfter, "1")
        XCTAssertTrue(body.contains(#""code":"rate_limited""#), body)

        // A real client: several change sets and two syncs in a row are more requests than the
        // bucket holds; the client waits as told and finishes.
        kette("anna", ["init", "--name", "anna"])
        kette("anna", ["remote", server.url, "--token", tokens["anna"]!])
        kette("anna", ["sync"])  // brings the districts
        for index in 0..<5 {
            kette("anna", ["offer", "add", "--title", "Angebot \(index)", "--district", "nordstadt"])
        }
        let started = Date()
        kette("anna", ["sync"])
        kette("anna", ["offer", "add", "--title", "Angebot 5", "--district", "nordstadt"])
        kette("anna", ["sync"])
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(elapsed, 1.0, "the client had to wait for the limit")
        print("two syncs at 1 request/s (burst 3) took \(String(format: "%.1f", elapsed)) s")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(kette("anna", ["status", "--json"]).stdout.utf8))
            as? [String: Any])?["pendingChangeSets"] as? Int, 0)

        // Without retries the same client meets the 429 and says so, and keeps its changes.
        kette("anna", ["offer", "add", "--title", "Angebot 6", "--district", "nordstadt"])
        var refused: KetteResult?
        for _ in 0..<5 {
            let result = kette("anna", ["sync"], env: ["KETTE_RETRIES": "0"], expect: nil)
            if result.exitCode != 0 { refused = result; break }
        }
        let failure = try XCTUnwrap(refused, "five syncs in a row without retries meet the limit")
        XCTAssertTrue(failure.stderr.contains("429"), failure.stderr)

        // Everything arrived: the county sees all seven offers.
        kette("kreis", ["init", "--name", "kreis"])
        kette("kreis", ["remote", server.url, "--token", tokens["kreis"]!])
        kette("kreis", ["sync"])
        kette("anna", ["sync"])
        kette("kreis", ["sync"])
        let offers = try JSONSerialization.jsonObject(with: Data(kette("kreis", ["offer", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(offers?.count, 7)
    }
}
