import Foundation
import XCTest
import KetteProtocol
@testable import KetteServer

/// Issue 12.3: pull pages are capped in bytes as well as rows, and the protocol's bounds keep
/// every row far below the cap, so no sequence of accepted writes makes a page unservable.
final class PageBytesTests: XCTestCase {
    private var path: String!
    private var store: ServerStore!
    private var api: SyncAPI!
    private var tokens: [String: String] = [:]
    private let serverNow: Int64 = 1_763_900_000_000

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kette-pages-\(UUID().uuidString).db").path
        let now = serverNow
        store = try ServerStore(path: path, now: { now })
        api = SyncAPI(storage: store)
        try store.addDistrict(id: "nordstadt", name: "Nordstadt")
        tokens["anna"] = try store.addUser(name: "anna", role: .coordinator, districts: ["nordstadt"])
        tokens["kreis"] = try store.addUser(name: "kreis", role: .county, districts: [])
    }

    override func tearDownWithError() throws {
        store = nil
        api = nil
        for suffix in ["", "-wal", "-shm", ".audit-key", ".audit-head"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
        HLCTimestamp(physicalMilliseconds: serverNow - 10_000 + offset, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    private func push(_ sets: [ChangeSet], as user: String) throws -> PushResponse {
        let body = PushRequest(changeSets: sets).encodeJSON()
        let response = api.handle(HTTPRequest(method: "POST", path: "/v1/changesets",
                                              headers: ["authorization": "Bearer \(tokens[user]!)", "content-type": "application/json"],
                                              body: body))
        XCTAssertEqual(response.status, 200, String(decoding: response.body.prefix(300), as: UTF8.self))
        return try JSONDecoder().decode(PushResponse.self, from: Data(response.body))
    }

    private func organization(_ id: String, name: String, hlc: HLCTimestamp, base: HLCTimestamp? = nil) -> ChangeSet {
        ChangeSet(id: UUID().uuidString.lowercased(), replica: hlc.replica, author: nil,
                  summary: "org add", changes: [Change(recordType: .organization, recordID: id, field: "name", value: .string(name),
                                                       hlc: hlc, base: base)])
    }

    /// Every page from 0 on, with its size in bytes.
    private func pages(as user: String, limit: Int = 5000) throws -> [(page: PullPage, bytes: Int)] {
        var cursor: Int64 = 0
        var pages: [(PullPage, Int)] = []
        while true {
            let response = api.handle(HTTPRequest(path: "/v1/changes", query: ["after": String(cursor), "limit": String(limit)],
                                                  headers: ["authorization": "Bearer \(tokens[user]!)"]))
            XCTAssertEqual(response.status, 200)
            let page = try PullPage.decode(json: response.body)
            pages.append((page, response.body.count))
            cursor = page.cursor
            if !page.more { return pages }
        }
    }

    func testPagesStopAtTheByteCapAndTogetherHoldEveryRow() throws {
        // 40 organizations with 250 KiB names: 10 MB, in one page by rows (limit 5000).
        let name = String(repeating: "Träger ", count: 250 * 1024 / 8)
        for batch in stride(from: 0, to: 40, by: 10) {
            let sets = (batch..<batch + 10).map { organization("org-\($0)", name: name + String($0), hlc: stamp(Int64($0), "aaaa")) }
            XCTAssertTrue(try push(sets, as: "anna").results.allSatisfy { $0.status == .applied })
        }
        let pulled = try pages(as: "kreis")
        XCTAssertGreaterThan(pulled.count, 2, "the rows are spread over several pages")
        for (page, bytes) in pulled {
            XCTAssertLessThanOrEqual(bytes, SyncLimits.maxPageBytes + 200, "a page stays within the cap")
            if page.more { XCTAssertGreaterThan(bytes, SyncLimits.maxPageBytes - 300 * 1024, "a full page is nearly full") }
        }
        let names = pulled.flatMap { $0.page.changes }.filter { $0.change.recordType == .organization }
        XCTAssertEqual(Set(names.map(\.change.recordID)).count, 40, "every row arrives once the pages are read")
        XCTAssertEqual(names.count, 40)
        let seqs = pulled.flatMap { $0.page.changes.map(\.seq) }
        XCTAssertEqual(seqs, seqs.sorted(), "in order")
        XCTAssertEqual(Set(seqs).count, seqs.count, "none twice")
    }

    func testAChangeLargerThanTheBudgetTravelsAloneAndTheNextWaits() throws {
        var writer = PullPageWriter(byteBudget: 200)
        let long = FieldValue.string(String(repeating: "x", count: 500)).jsonText
        XCTAssertTrue(writer.append(seq: 1, type: "offer", id: "o1", field: "title", valueJSON: long, hlc: stamp(0, "aaaa").encoded,
                                    base: nil, author: "anna"), "the first change always goes")
        XCTAssertFalse(writer.append(seq: 2, type: "offer", id: "o2", field: "title", valueJSON: "\"short\"", hlc: stamp(0, "aaaa").encoded,
                                     base: nil, author: "anna"), "the page is full")
        let page = try PullPage.decode(json: writer.finish(cursor: 1, more: true, serverTime: serverNow))
        XCTAssertEqual(page.changes.map(\.seq), [1], "the refused change left nothing behind")
    }

    /// The largest row the protocol allows: a conflict record's value holding the JSON text of a
    /// 256 KiB text of control characters (each `\u0001`, escaped again as `\\u0001`).
    func testTheLargestPossibleRowStaysBelowTheChangeBoundAndTheCap() throws {
        let winner = String(repeating: "\u{1}", count: RecordType.maxTextBytes)
        let loser = String(repeating: "\u{2}", count: RecordType.maxTextBytes)
        let id = String(repeating: "\"", count: ProtocolBounds.maxIDCharacters)
        XCTAssertEqual(try push([organization(id, name: loser, hlc: stamp(0, "aaaa"))], as: "anna").results.first?.status, .applied)
        // Written without having seen the first value: the server opens a conflict holding both.
        XCTAssertEqual(try push([organization(id, name: winner, hlc: stamp(1, "bbbb"))], as: "kreis").results.first?.status, .conflicts)
        var largest = 0
        for (page, bytes) in try pages(as: "kreis", limit: 1) where !page.changes.isEmpty {
            largest = max(largest, bytes - 80)  // the page's envelope is under 80 bytes
        }
        print("largest pulled row: \(largest) bytes (bound \(SyncLimits.maxChangeBytes), page cap \(SyncLimits.maxPageBytes))")
        XCTAssertGreaterThan(largest, 7 * RecordType.maxTextBytes, "the conflict value was escaped twice")
        XCTAssertLessThanOrEqual(largest, SyncLimits.maxChangeBytes, "SPEC §14's bound holds")
        XCTAssertLessThan(SyncLimits.maxChangeBytes, SyncLimits.maxPageBytes / 2, "a page holds at least two of the largest rows")
    }

    func testAListCannotHoldMoreTextThanOneTextField() throws {
        let items = (0..<10).map { String(repeating: "\($0)", count: 30 * 1024) }  // 300 KiB in all
        let offer = ChangeSet(id: "cs-list", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "offer add", changes: [
            Change(recordType: .offer, recordID: "o1", field: "district", value: .string("nordstadt"), hlc: stamp(0, "aaaa"), base: nil),
            Change(recordType: .offer, recordID: "o1", field: "targetGroups", value: .list(items), hlc: stamp(0, "aaaa"), base: nil),
        ])
        let result = try push([offer], as: "anna").results.first
        XCTAssertEqual(result?.status, .refused)
        XCTAssertEqual(result?.code, "invalid")
        XCTAssertTrue(result?.reason?.contains("262144 bytes of text in all") == true, "\(String(describing: result))")
    }
}
