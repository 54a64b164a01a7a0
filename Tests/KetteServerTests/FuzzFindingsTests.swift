import Foundation
import XCTest
import KetteProtocol
@testable import KetteServer

/// Regression tests for what the fuzzers found (Fuzz/README.md); each input is also in the corpus.
/// They use the store-and-API fixture of `ServerStoreTests`.
extension ServerStoreTests {
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
        XCTAssertEqual(try push([first], as: "anna").0.status, 200)

        // Within one change set: two older writes with one stamp, both losing against the same version.
        let twice = ChangeSet(id: "b1", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "offer edit", changes: [
            title("Alt", hlc: stamp(5, "bbbb")), title("Älter", hlc: stamp(5, "bbbb")),
        ])
        let (within, withinResult) = try push([twice], as: "kreis")
        XCTAssertEqual(within.status, 200, String(decoding: within.body, as: UTF8.self))
        let conflicts = try XCTUnwrap(withinResult?.results.first?.conflicts)
        XCTAssertEqual(conflicts.count, 1, "one conflict, listed once")

        // Across change sets: the same losing write again under another change set id.
        let again = ChangeSet(id: "b2", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "offer edit", changes: [
            title("Alt", hlc: stamp(5, "bbbb")),
        ])
        let (across, acrossResult) = try push([again], as: "kreis")
        XCTAssertEqual(across.status, 200, String(decoding: across.body, as: UTF8.self))
        XCTAssertEqual(acrossResult?.results.first?.conflicts, conflicts, "the same conflict, by the same id")
    }
}
