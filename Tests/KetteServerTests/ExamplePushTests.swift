import Foundation
import XCTest
import KetteProtocol
import KetteTestSupport
@testable import KetteServer

/// Protocol/Examples/push-request.json goes through the real /v1 API (without a socket) as bytes,
/// exactly as a client would send it, and what it wrote comes back through GET /v1/changes.
final class ExamplePushTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol").appendingPathComponent("Examples")

    /// Ten minutes after the example's last stamp: well within the clock-skew limit.
    let serverNow: Int64 = 1_763_901_200_000
    /// The body the example's meeting belongs to; created before the example is pushed.
    let bodyID = "653e2baf-ba00-4c4d-9e30-79eb0f67a9fb"
    let offerID = "13f48ba9-07a9-4c17-8d44-19fd9b4e65f2"
    let meetingID = "f86dade3-28b7-4a7e-a8f7-8eeeb7dcd0b7"

    var store: ServerStore!
    var api: SyncAPI!
    var token: String!

    override func setUpWithError() throws {
        let server = try makeServerStore(districts: [.nordstadt, TestDistrict("oststadt", "Oststadt")],
                                         users: [.coordinator("Anna Schulz", "nordstadt")], now: TestClock(milliseconds: serverNow).now)
        (store, api, token) = (server.store, server.api, server.tokens["Anna Schulz"])
    }

    override func tearDownWithError() throws {
        store = nil
        api = nil
    }

    func post(_ body: [UInt8]) -> HTTPResponse {
        api.handle(HTTPRequest(method: "POST", path: "/v1/changesets",
                               headers: ["content-type": "application/json", "authorization": "Bearer \(token!)"], body: body))
    }

    func pull(after cursor: Int64, limit: Int) -> HTTPResponse {
        api.handle(HTTPRequest(method: "GET", path: "/v1/changes", query: ["after": String(cursor), "limit": String(limit)],
                               headers: ["authorization": "Bearer \(token!)"]))
    }

    /// The network the example meeting belongs to, as the coordinator would have created it earlier.
    func createBody() throws {
        let stamp = HLCTimestamp(physicalMilliseconds: 1_763_800_000_000, counter: 0, replica: ReplicaID(rawValue: "5b23d5c76a124f71b6602429308ddac9"))
        let set = ChangeSet(id: "624eca6a-da02-483a-b71c-32fc03640d40", replica: stamp.replica, author: "Anna Schulz", summary: "body add", changes: [
            Change(recordType: .body, recordID: bodyID, field: "name", value: .string("Netzwerk Frühe Hilfen Nordstadt"), hlc: stamp, base: nil),
            Change(recordType: .body, recordID: bodyID, field: "level", value: .string(BodyLevel.network.slug), hlc: stamp, base: nil),
            Change(recordType: .body, recordID: bodyID, field: "district", value: .string("nordstadt"), hlc: stamp, base: nil),
        ])
        let response = post(Array(try JSONEncoder().encode(PushRequest(changeSets: [set]))))
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
    }

    func testTheExamplePushIsAppliedAndComesBackInThePull() throws {
        try createBody()
        let bytes = Array(try Data(contentsOf: Self.examples.appendingPathComponent("push-request.json")))
        let sent = try JSONDecoder().decode(PushRequest.self, from: Data(bytes))

        let response = post(bytes)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let result = try JSONDecoder().decode(PushResponse.self, from: Data(response.body))
        XCTAssertEqual(result.results.map(\.id), sent.changeSets.map(\.id), "one result per change set, in order")
        XCTAssertEqual(result.results.map(\.status), [.applied, .applied])
        XCTAssertEqual(result.results.map(\.code), [nil, nil])
        XCTAssertEqual(result.serverTime, serverNow)

        // A retried push (the answer was lost) gets the same outcome and applies nothing twice.
        let before = try pullAll()
        let retry = post(bytes)
        XCTAssertEqual(retry.status, 200)
        XCTAssertEqual(try JSONDecoder().decode(PushResponse.self, from: Data(retry.body)).results, result.results)
        XCTAssertEqual(try pullAll(), before)

        // Everything pushed comes back, with the server's sequence numbers and the token's user as author.
        let pulled = before
        let sentChanges = sent.changeSets.flatMap(\.changes)
        let pushedBack = pulled.filter { $0.change.recordType != .district && $0.change.recordType != .body }
        XCTAssertEqual(Set(pushedBack.map(\.change)), Set(sentChanges))
        XCTAssertEqual(Set(pushedBack.compactMap(\.author)), ["Anna Schulz"])
        XCTAssertEqual(Set(pulled.filter { $0.change.recordType == .district }.map(\.change.recordID)), ["nordstadt", "oststadt"])
        XCTAssertTrue(pulled.contains { $0.change.recordType == .offer && $0.change.recordID == offerID && $0.change.field == "phases"
                                        && $0.change.value == .list(["pregnancy", "early-childhood"]) })
        XCTAssertEqual(Set(pulled.filter { $0.change.recordType == .attendee && $0.change.field == "meeting" }.map(\.change.value)),
                       [.string(meetingID)])
    }

    func testPullPagesEndWhereTheCursorSays() throws {
        try createBody()
        XCTAssertEqual(post(Array(try Data(contentsOf: Self.examples.appendingPathComponent("push-request.json")))).status, 200)

        let first = pull(after: 0, limit: 5)
        XCTAssertEqual(first.status, 200)
        let page = try JSONDecoder().decode(PullPage.self, from: Data(first.body))
        XCTAssertEqual(page.changes.count, 5)
        XCTAssertTrue(page.more)
        XCTAssertEqual(page.cursor, page.changes.last?.seq, "with more pages, the cursor is the last entry's seq")
        XCTAssertEqual(page.serverTime, serverNow)

        let all = try pullAll()
        let newest = try XCTUnwrap(all.map(\.seq).max())
        let last = try JSONDecoder().decode(PullPage.self, from: Data(pull(after: newest, limit: 5).body))
        XCTAssertEqual(last.changes, [])
        XCTAssertFalse(last.more)
        XCTAssertEqual(last.cursor, newest)

        let ahead = pull(after: newest + 1, limit: 5)
        XCTAssertEqual(ahead.status, 400)
        XCTAssertEqual(try JSONDecoder().decode(ErrorBody.self, from: Data(ahead.body)).error.code, "cursor_ahead")
    }

    /// Pulls every page from the beginning, decoding each as a PullPage.
    func pullAll() throws -> [PulledChange] {
        var cursor: Int64 = 0
        var all: [PulledChange] = []
        while true {
            let response = pull(after: cursor, limit: 7)
            XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
            let page = try JSONDecoder().decode(PullPage.self, from: Data(response.body))
            XCTAssertGreaterThanOrEqual(page.cursor, cursor)
            all += page.changes
            cursor = page.cursor
            if !page.more { return all }
        }
    }
}
