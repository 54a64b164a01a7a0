import Foundation
import KetteTestSupport
import XCTest

/// Issue 18, observability: `GET /metrics` only for `--metrics-allow`, counting exactly what was
/// sent, and the request log, one line per request and event, in logfmt or JSON.
final class MetricsTests: FaultTestCase {
    private func scrape(_ port: UInt16? = nil) throws -> (status: Int, body: String) {
        try curl(["http://127.0.0.1:\(port ?? server.port)/metrics"])
    }

    func testMetricsAreOnlyForTheAllowedAddresses() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start()
        XCTAssertEqual(try scrape().status, 404, "no --metrics-allow: nobody")
        server.kill()
        try server.start(extraArguments: ["--metrics-allow", "10.0.0.0/8", "--metrics-allow", "::1"])
        let refused = try scrape()
        XCTAssertEqual(refused.status, 404, "127.0.0.1 is not allowed")
        XCTAssertFalse(refused.body.contains("kette_"), refused.body)
        server.kill()
        try server.start(extraArguments: ["--metrics-allow", "127.0.0.0/8"])
        let allowed = try scrape()
        XCTAssertEqual(allowed.status, 200, allowed.body)
        XCTAssertNotNil(try PrometheusExposition(allowed.body).value("kette_build_info", ["version": "0.9.0", "commit": try buildCommit(),
                                                                                          "protocol": "3"]))
        XCTAssertEqual(try curl(["-X", "POST", "http://127.0.0.1:\(server.port)/metrics"]).status, 405)

        let bad = try server.run(["serve", "--db", server.database, "--metrics-allow", "10.0.0.0/33"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.errors.contains("--metrics-allow must be an IPv4 or IPv6 address or network, e.g. 127.0.0.1, 10.0.0.0/8 or ::1/128; got '10.0.0.0/33'"), bad.errors)
        let format = try server.run(["serve", "--db", server.database, "--log-format", "xml"])
        XCTAssertEqual(format.status, 1)
        XCTAssertTrue(format.errors.contains("--log-format must be one of: logfmt, json; got 'xml'"), format.errors)
    }

    private func buildCommit() throws -> String {
        let version = try server.run(["--version"]).output
        return String(try XCTUnwrap(version.split(separator: "(commit ").last).dropLast(2))
    }

    /// Counters after a known sequence of requests: what the test sent, exactly.
    func testCountersMatchWhatWasSent() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt"), .coordinator("ben", "nordstadt"), .coordinator("carl", "nordstadt")])
        // A burst of 12 and next to no refill: anna (11 requests in 3 syncs) and ben stay under it, carl goes over by 4.
        try server.start(extraArguments: ["--metrics-allow", "127.0.0.1", "--rate-limit", "0.001", "--rate-burst", "12"])
        let url = "http://127.0.0.1:\(server.port)"
        for _ in 0..<3 { XCTAssertEqual(try curl(["\(url)/v1/health"]).status, 200) }
        XCTAssertEqual(try curl(["\(url)/v1/me"]).status, 401)
        XCTAssertEqual(try curl(["\(url)/v1/records/offer/\(UUID().uuidString.lowercased())", "-H", "Authorization: Bearer \(tokens["ben"]!)"]).status, 404)
        XCTAssertEqual(try curl(["\(url)/v1/nowhere"]).status, 404)
        // anna: a first sync (pull) and two pushes that edit the same field from two stores: one conflict.
        connect("a1", as: "anna")
        let offer = kette("a1", ["offer", "add", "--title", "Hebammensprechstunde", "--district", "nordstadt"]).stdout.trimmingCharacters(in: .newlines)
        kette("a1", ["sync"])
        connect("b1", as: "ben")
        kette("a1", ["offer", "edit", offer, "--title", "Sprechstunde A"])
        kette("b1", ["offer", "edit", offer, "--title", "Sprechstunde B"])
        kette("a1", ["sync"])
        kette("b1", ["sync"], expect: 2)
        var refusals = 0
        for _ in 0..<16 where try curl(["\(url)/v1/me", "-H", "Authorization: Bearer \(tokens["carl"]!)"]).status == 429 { refusals += 1 }
        XCTAssertEqual(refusals, 4)

        let scraped = try scrape().body
        let metrics = try PrometheusExposition(scraped)
        let requests = { (endpoint: String, status: Int) in
            metrics.all("kette_http_requests_total", ["endpoint": endpoint, "status": String(status)]).reduce(0) { $0 + $1.value }
        }
        XCTAssertEqual(requests("/v1/health", 200), 3 + 5, "3 by curl, one after each of the 5 syncs")
        XCTAssertEqual(requests("/v1/me", 401), 1)
        XCTAssertEqual(requests("/v1/records/{type}/{id}", 404), 1)
        XCTAssertEqual(requests("other", 404), 1)
        XCTAssertEqual(requests("/v1/changesets", 200), 3, "a1: offer, a1: edit, b1: edit")
        XCTAssertEqual(requests("/v1/me", 200), 12 + 5, "carl's 12 within his burst, one scope check at each of the 5 syncs")
        XCTAssertEqual(requests("/v1/me", 429), 4)
        XCTAssertEqual(requests("/v1/changes", 200), 5, "one pull per sync")
        XCTAssertEqual(requests("/v1/digests", 200), 5, "one digest check per sync; nothing differed, so nothing more")
        XCTAssertEqual(metrics.all("kette_http_requests_total").filter { $0.labels["endpoint"] != "/metrics" }.reduce(0) { $0 + $1.value },
                       8 + 1 + 1 + 1 + 3 + 17 + 4 + 5 + 5, "nothing else was counted")
        XCTAssertEqual(metrics.value("kette_rate_limit_refusals_total"), Double(refusals))
        XCTAssertEqual(metrics.value("kette_change_sets_total", ["outcome": "applied"]), 2)
        XCTAssertEqual(metrics.value("kette_change_sets_total", ["outcome": "conflicts"]), 1)
        XCTAssertEqual(metrics.value("kette_change_sets_total", ["outcome": "refused"]), 0)
        XCTAssertEqual(metrics.value("kette_conflicts_opened_total"), 1)
        XCTAssertEqual(metrics.value("kette_http_request_duration_seconds_count", ["endpoint": "/v1/changesets"]), 3)
        var status = stat()
        XCTAssertEqual(stat(server.database, &status), 0)
        XCTAssertGreaterThanOrEqual(metrics.value("kette_database_size_bytes") ?? 0, Double(status.st_size))
        if let problems = try promtoolProblems(try scrape().body) { XCTAssertEqual(problems, "", "promtool check metrics") }
    }

    func testOpenConnectionsAreCountedWhileTheyAreOpen() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start(extraArguments: ["--metrics-allow", "127.0.0.1"])
        let open = { () throws -> Double? in try PrometheusExposition(try self.scrape().body).value("kette_http_open_connections") }
        // Settles once the server has seen earlier scrapes' connections close: only the scrape's own is open.
        func settled(at expected: Double) throws -> Double? {
            var value = try open()
            for _ in 0..<100 where value != expected { usleep(50_000); value = try open() }
            return value
        }
        XCTAssertEqual(try settled(at: 1), 1)
        var idle = try (0..<3).map { _ in try TestSocket(port: server.port) }
        XCTAssertEqual(try settled(at: 4), 4, "three idle connections and the scrape's")
        idle.removeAll()
        XCTAssertEqual(try settled(at: 1), 1, "closed ones are no longer counted")
    }

    /// A sync's requests share their connection: a first sync of many pages, its digest check and
    /// the version check after it open one, not one per request (over a 40 ms link each new
    /// connection costs a round trip, over TLS a handshake as well).
    func testASyncKeepsItsConnectionForAllItsRequests() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt"), .coordinator("ben", "nordstadt")])
        try server.start(extraArguments: ["--metrics-allow", "127.0.0.1"])
        connect("a1", as: "anna")
        for index in 0..<12 { kette("a1", ["offer", "add", "--title", "Angebot \(index)", "--district", "nordstadt"]) }
        kette("a1", ["sync"])
        kette("b1", ["init", "--name", "ben"])
        kette("b1", ["remote", server.url, "--token", tokens["ben"]!])

        let requests = { (metrics: PrometheusExposition) in
            metrics.all("kette_http_requests_total").filter { $0.labels["endpoint"] != "/metrics" }.reduce(0) { $0 + $1.value }
        }
        let before = try PrometheusExposition(try scrape().body)
        let sync = kette("b1", ["sync", "--json"], env: ["KETTE_PAGE_SIZE": "2"])
        let after = try PrometheusExposition(try scrape().body)

        let pulled = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(sync.stdout.utf8)) as? [String: Any])?["pulledChanges"] as? Int)
        XCTAssertGreaterThan(pulled, 30, "twelve offers of several fields each: more than fifteen pages")
        XCTAssertGreaterThanOrEqual(requests(after) - requests(before), Double(pulled / 2), "a request per page at least")
        // The later scrape's own connection is counted too.
        let opened = try XCTUnwrap(after.value("kette_http_connections_opened_total")) - XCTUnwrap(before.value("kette_http_connections_opened_total")) - 1
        XCTAssertLessThanOrEqual(opened, 2, "the sync's connection; two if the page fetcher starts while the first request still runs")
        XCTAssertGreaterThanOrEqual(opened, 1)
    }

    /// A request refused from its headers (no token: 401 before the body) never reaches the
    /// handler's body stage, and is counted, logged and given its request id all the same.
    func testAnAnswerDecidedFromTheHeadersIsCountedAndLogged() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start(extraArguments: ["--log-format", "json", "--metrics-allow", "127.0.0.1"])
        let socket = try TestSocket(port: server.port)
        XCTAssertTrue(socket.send("POST /v1/changesets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 10485760\r\n\r\n"))
        let answer = String(decoding: socket.readAnswer().bytes, as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 401"), answer)
        let requestID = try XCTUnwrap(answer.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id:") }?
            .split(separator: " ").last.map(String.init), answer)
        let metrics = try PrometheusExposition(try scrape().body)
        XCTAssertEqual(metrics.value("kette_http_requests_total", ["endpoint": "/v1/changesets", "method": "POST", "status": "401"]), 1)
        server.kill(SIGTERM)
        let requests = try text(server.logPath + ".err").split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }.filter { $0["event"] == "request" && $0["endpoint"] == "/v1/changesets" }
        XCTAssertEqual(requests.map { $0["status"] }, ["401"])
        XCTAssertEqual(requests.first?["request_id"], requestID)
    }

    func testTheLogHasOneJSONLinePerRequestAndEventAndNoToken() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start(extraArguments: ["--log-format", "json"])
        let headers = runner.root.appendingPathComponent("headers").path
        XCTAssertEqual(try curl(["-D", headers, "-H", "Authorization: Bearer \(tokens["anna"]!)", "http://127.0.0.1:\(server.port)/v1/me"]).status, 200)
        let requestID = try XCTUnwrap(text(headers).split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id:") }?
            .split(separator: " ").last.map(String.init))
        server.kill(SIGTERM)
        let lines = text(server.logPath + ".err").split(separator: "\n").map(String.init)
        let objects = try lines.map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String], $0) }
        XCTAssertEqual(objects.map { $0["event"] }, ["start", "request", "stop"], "\(lines)")
        let request = objects[1]
        XCTAssertEqual(request["request_id"], requestID)
        XCTAssertEqual(request["user"], "anna")
        XCTAssertEqual(request["endpoint"], "/v1/me")
        XCTAssertEqual(request["method"], "GET")
        XCTAssertEqual(request["status"], "200")
        XCTAssertEqual(request["remote"], "127.0.0.1")
        XCTAssertNotNil(request["duration_ms"].flatMap(Double.init))
        XCTAssertNotNil(request["bytes_out"].flatMap(Int.init))
        for object in objects { XCTAssertNotNil(ISO8601DateFormatter.withFractions.date(from: object["time"] ?? ""), "\(object)") }
        XCTAssertEqual(objects[0]["version"], "0.9.0")
        XCTAssertFalse(text(server.logPath + ".err").contains(tokens["anna"]!), "a token in the log")
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
