import KetteProtocol
@testable import KetteServer
import XCTest

/// The pieces of the server's observability that need no socket: address ranges for
/// `--metrics-allow`, endpoint labels, and log lines that no value can break.
final class ObservabilityTests: XCTestCase {
    func testAddressRangesMatchTheirAddressesOnly() throws {
        let loopback = try XCTUnwrap(AddressRange("127.0.0.0/8"))
        XCTAssertTrue(loopback.contains("127.0.0.1"))
        XCTAssertTrue(loopback.contains("127.255.0.9"))
        XCTAssertTrue(loopback.contains("::ffff:127.0.0.1"), "an IPv4 client of a server bound to ::")
        XCTAssertFalse(loopback.contains("128.0.0.1"))
        XCTAssertFalse(loopback.contains("::1"))
        XCTAssertFalse(loopback.contains(""))
        let single = try XCTUnwrap(AddressRange("10.1.2.3"))
        XCTAssertEqual(single.description, "10.1.2.3/32")
        XCTAssertTrue(single.contains("10.1.2.3"))
        XCTAssertFalse(single.contains("10.1.2.4"))
        let v6 = try XCTUnwrap(AddressRange("2001:db8::/32"))
        XCTAssertTrue(v6.contains("2001:db8:ffff::1"))
        XCTAssertFalse(v6.contains("2001:db9::1"))
        XCTAssertTrue(try XCTUnwrap(AddressRange("0.0.0.0/0")).contains("192.0.2.7"))
        XCTAssertTrue(try XCTUnwrap(AddressRange("10.0.0.0/12")).contains("10.15.255.255"))
        XCTAssertFalse(try XCTUnwrap(AddressRange("10.0.0.0/12")).contains("10.16.0.0"))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0", "10.0.0.0/", "10.0.0.0/8/8", "example.org", "10.0.0.0/-1", "", "10.0.0.0/٣"] {
            XCTAssertNil(AddressRange(bad), bad)
        }
    }

    func testEndpointLabelsNeverCarryAnIdOrAName() {
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/records/offer/3f2a"), "/v1/records/{type}/{id}")
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/admin/users/Anna Schulz/revoke"), "/v1/admin/users/{name}/revoke")
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/changesets"), "/v1/changesets")
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/digests/records"), "/v1/digests/records")
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/repairs"), "/v1/repairs")
        XCTAssertEqual(SyncAPI.endpoint(of: "/v1/health/"), "other")
        XCTAssertEqual(SyncAPI.endpoint(of: "/anything/\u{202E}"), "other")
    }

    func testALogLineCannotBeBrokenByItsValues() throws {
        let line = LogLine([("user", "Anna \"x\" Schulz"), ("path", "a\nevent=forged"), ("empty", ""), ("plain", "GET")])
        XCTAssertEqual(line.text(.logfmt), #"user="Anna \"x\" Schulz" path="a\nevent=forged" empty="" plain=GET"#)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.text(.json).utf8)) as? [String: String])
        XCTAssertEqual(object["path"], "a\nevent=forged")
        XCTAssertFalse(line.text(.json).contains("\n"))
    }

    func testMetricsRenderEveryFamilyWithItsType() throws {
        let metrics = ServerMetrics(databasePath: nil, commit: "abc")
        var note = RequestNote()
        note.record(PushResponse(results: [ChangeSetResult(id: "a", status: .applied), ChangeSetResult(id: "b", status: .conflicts, conflicts: ["c1", "c2"])],
                                 serverTime: 0))
        metrics.record(endpoint: "/v1/changesets", method: "POST", status: 200, seconds: 0.02, note: note)
        metrics.record(endpoint: "/v1/me", method: "GET", status: 429, seconds: 0.001, note: RequestNote())
        metrics.countConnections { .init(open: 7, opened: 31) }
        let text = metrics.exposition()
        for line in ["kette_change_sets_total{outcome=\"applied\"} 1", "kette_change_sets_total{outcome=\"conflicts\"} 1",
                     "kette_conflicts_opened_total 2", "kette_rate_limit_refusals_total 1", "kette_http_open_connections 7",
                     "kette_http_connections_opened_total 31", "# TYPE kette_http_connections_opened_total counter",
                     "kette_http_request_duration_seconds_bucket{endpoint=\"/v1/changesets\",le=\"0.01\"} 0",
                     "kette_http_request_duration_seconds_bucket{endpoint=\"/v1/changesets\",le=\"0.025\"} 1",
                     "kette_http_request_duration_seconds_bucket{endpoint=\"/v1/changesets\",le=\"+Inf\"} 1",
                     "# TYPE kette_http_request_duration_seconds histogram", "# TYPE kette_http_requests_total counter"] {
            XCTAssertTrue(text.contains(line + "\n"), "\(line) missing in:\n\(text)")
        }
    }
}
