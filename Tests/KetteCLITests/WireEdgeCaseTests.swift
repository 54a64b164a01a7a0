import Foundation
import KetteTestSupport
import XCTest

/// Issue 12.11 against the real `kette-server` over raw sockets: a NUL never cuts an id, a text
/// or a token short (it is refused), and SPEC §4 and §5.4 hold as written (`1.0` is 1, a bare `3`
/// is `invalid_json`).
final class WireEdgeCaseTests: KetteCLITestCase {
    private var server: ServerProcess!
    private var county = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = ServerProcess(directory: runner.root)
        try server.admin(["district", "add", "nordstadt", "Nordstadt"])
        county = try server.admin(["user", "add", "kreis", "--role", "county"])
        try server.start()
    }

    override func tearDown() {
        server?.kill()
        server = nil
        super.tearDown()
    }

    private struct Answer {
        let status: Int
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        /// The first change set result of a push answer.
        var firstResult: [String: Any] { (json["results"] as? [[String: Any]])?.first ?? [:] }
    }

    /// One request on its own connection, bytes exactly as given (a NUL included).
    private func send(_ method: String, _ target: String, authorization: String? = nil, body: String? = nil) throws -> Answer {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        head += "Authorization: \(authorization ?? "Bearer \(county)")\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        let socket = try TestSocket(port: server.port)
        XCTAssertTrue(socket.send(head + "\r\n" + (body ?? "")))
        let text = String(decoding: socket.readToEnd().bytes, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: status, body: body)
    }

    private func push(_ changes: String, id: String = UUID().uuidString.lowercased()) throws -> Answer {
        try send("POST", "/v1/changesets", body: """
            {"changeSets":[{"id":"\(id)","replica":"r1","schemaVersion":1,"summary":"test","changes":[\(changes)]}]}
            """)
    }

    private func change(_ type: String, _ id: String, _ field: String, _ value: String) -> String {
        #"{"type":"\#(type)","id":"\#(id)","field":"\#(field)","value":\#(value),"hlc":"001763900000000-0000-r1"}"#
    }

    func testARecordIDWithANULIsRefusedNotCutShort() throws {
        let answer = try push(change("organization", #"jugendamt\u0000-evil"#, "name", #""Jugendamt""#))
        XCTAssertEqual(answer.status, 200, answer.body)
        XCTAssertEqual(answer.firstResult["status"] as? String, "refused", answer.body)
        XCTAssertEqual(answer.firstResult["code"] as? String, "invalid", answer.body)
        XCTAssertTrue((answer.firstResult["reason"] as? String ?? "").contains("control characters"), answer.body)
        // Nothing was written under the id cut at the NUL, nor under the whole one.
        XCTAssertEqual(try send("GET", "/v1/records/organization/jugendamt").status, 404)
        XCTAssertEqual(try send("GET", "/v1/records/organization/jugendamt%00-evil").status, 404)
        // A change set id with a NUL likewise.
        let setID = try push(change("organization", "jugendamt", "name", #""Jugendamt""#), id: #"set\u0000x"#)
        XCTAssertEqual(setID.firstResult["code"] as? String, "invalid", setID.body)
    }

    func testATextValueWithANULIsRefused() throws {
        let answer = try push(change("organization", "jugendamt", "name", #""Jugend\u0000amt""#))
        XCTAssertEqual(answer.firstResult["status"] as? String, "refused", answer.body)
        XCTAssertTrue((answer.firstResult["reason"] as? String ?? "").contains("NUL"), answer.body)
        let list = try push(change("offer", "o1", "languages", #"["de","t\u0000r"]"#))
        XCTAssertEqual(list.firstResult["code"] as? String, "invalid", list.body)
        XCTAssertEqual(try send("GET", "/v1/records/organization/jugendamt").status, 404, "nothing stored")
    }

    func testAPathWithAnEncodedNULDoesNotReachTheRecordBeforeIt() throws {
        let applied = try push(change("organization", "jugendamt", "name", #""Jugendamt""#))
        XCTAssertEqual(applied.firstResult["status"] as? String, "applied", applied.body)
        XCTAssertEqual(try send("GET", "/v1/records/organization/jugendamt").status, 200)
        XCTAssertEqual(try send("GET", "/v1/records/organization/jugendamt%00anything").status, 404)
    }

    func testAWholeNumberWrittenWithAFractionIsReadAsTheNumber() throws {
        let offer = change("offer", "o1", "district", #""nordstadt""#)
        let answer = try push([offer, change("indicator", "i1", "offer", #""o1""#), change("indicator", "i1", "period", #""2026""#),
                               change("indicator", "i1", "participants", "12.0"), change("indicator", "i1", "sessions", "3e1")]
                              .joined(separator: ","))
        XCTAssertEqual(answer.status, 200, answer.body)
        XCTAssertEqual(answer.firstResult["status"] as? String, "applied", answer.body)
        let record = try send("GET", "/v1/records/indicator/i1").json
        let fields = record["fields"] as? [String: Any] ?? [:]
        XCTAssertEqual(fields["participants"] as? Int, 12, "\(record)")
        XCTAssertEqual(fields["sessions"] as? Int, 30, "\(record)")
        // A real fraction is still not a field value.
        let fraction = try push(change("indicator", "i1", "participants", "12.5"))
        XCTAssertEqual(fraction.status, 400, fraction.body)
        XCTAssertEqual(fraction.errorCode, "invalid_body", fraction.body)
    }

    func testABareScalarIsInvalidJSONAndATopLevelArrayAnInvalidBody() throws {
        for scalar in ["3", #""changeSets""#, "null", "true"] {
            let answer = try send("POST", "/v1/changesets", body: scalar)
            XCTAssertEqual(answer.status, 400, scalar)
            XCTAssertEqual(answer.errorCode, "invalid_json", "\(scalar): \(answer.body)")
        }
        XCTAssertEqual(try send("POST", "/v1/changesets", body: "[]").errorCode, "invalid_body")
    }

    func testATokenFollowedByANULIsRefusedThroughTheRealHTTPLayer() throws {
        XCTAssertEqual(try send("GET", "/v1/me").status, 200, "the token itself is good")
        // libmicrohttpd reads a header value only up to its first NUL; the transport finds what it
        // hid and refuses the request before the token is looked at.
        for authorization in ["Bearer \(county)\u{0}x", "Bearer \(county)\u{0}", "Bearer \(county)\u{0}\u{0}\u{0}x"] {
            let answer = try send("GET", "/v1/me", authorization: authorization)
            XCTAssertEqual(answer.status, 400, answer.body)
            XCTAssertEqual(answer.errorCode, "bad_header", answer.body)
        }
        // A NUL inside the token makes it another token.
        XCTAssertEqual(try send("GET", "/v1/me", authorization: "Bearer \(county.dropLast())\u{0}\(county.last!)").status, 400)
        // The same through any other header, and the server keeps serving.
        let socket = try TestSocket(port: server.port)
        XCTAssertTrue(socket.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\u{0}evil\r\nConnection: close\r\n\r\n"))
        XCTAssertTrue(String(decoding: socket.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        XCTAssertEqual(try send("GET", "/v1/me").status, 200)
    }
}
