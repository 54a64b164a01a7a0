import Foundation
import XCTest
import KetteProtocol
@testable import KetteServer

/// Regression tests for what the fuzzers found (Fuzz/README.md); each input is also in the corpus.
final class FuzzFindingsTests: XCTestCase {
    var path: String!
    var store: ServerStore!
    var api: SyncAPI!
    var tokens: [String: String] = [:]
    let serverNow: Int64 = 1_763_900_000_000

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kette-findings-\(UUID().uuidString).db").path
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
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
        HLCTimestamp(physicalMilliseconds: serverNow + offset, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    private func push(_ sets: [ChangeSet], as user: String) throws -> (status: Int, response: PushResponse?, body: String) {
        let body = Array(try JSONEncoder().encode(PushRequest(changeSets: sets)))
        let response = api.handle(HTTPRequest(method: "POST", path: "/v1/changesets",
                                              headers: ["authorization": "Bearer \(tokens[user]!)", "content-type": "application/json"],
                                              body: body))
        return (response.status, try? JSONDecoder().decode(PushResponse.self, from: Data(response.body)),
                String(decoding: response.body, as: UTF8.self))
    }

    private func title(_ value: String, hlc: HLCTimestamp) -> Change {
        Change(recordType: .offer, recordID: "o1", field: "title", value: .string(value), hlc: hlc, base: nil)
    }

    /// Found by the handler fuzzer after about 200,000 inputs: the same pair of versions in
    /// conflict a second time (two changes with one stamp, or a change set that repeats another's
    /// change under a new id) made the conflict's scope row a duplicate, a 500, and the push
    /// could never succeed. The same conflict is now reported again without being written twice.
    func testTheSameConflictTwiceIsReportedNotAServerError() throws {
        let first = ChangeSet(id: "a1", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "offer add", changes: [
            title("Neu", hlc: stamp(10, "aaaa")),
            Change(recordType: .offer, recordID: "o1", field: "district", value: .string("nordstadt"), hlc: stamp(10, "aaaa"), base: nil),
        ])
        XCTAssertEqual(try push([first], as: "anna").status, 200)

        // Within one change set: two older writes with one stamp, both losing against the same version.
        let twice = ChangeSet(id: "b1", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "offer edit", changes: [
            title("Alt", hlc: stamp(5, "bbbb")), title("Älter", hlc: stamp(5, "bbbb")),
        ])
        let within = try push([twice], as: "kreis")
        XCTAssertEqual(within.status, 200, within.body)
        let conflicts = try XCTUnwrap(within.response?.results.first?.conflicts)
        XCTAssertEqual(conflicts.count, 1, "one conflict, listed once")

        // Across change sets: the same losing write again under another change set id.
        let again = ChangeSet(id: "b2", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "offer edit", changes: [
            title("Alt", hlc: stamp(5, "bbbb")),
        ])
        let across = try push([again], as: "kreis")
        XCTAssertEqual(across.status, 200, across.body)
        XCTAssertEqual(across.response?.results.first?.conflicts, conflicts, "the same conflict, by the same id")
    }
}
