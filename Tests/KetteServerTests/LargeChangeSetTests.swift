import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// One change set that touches tens of thousands of records (an import) is applied in time
/// linear in its size: the applier once searched an array of the records touched so far for
/// every change, and a 20,000-offer import took 50 s in a release build.
final class LargeChangeSetTests: XCTestCase {
    func testAnImportSizedChangeSetIsAppliedInLinearTime() throws {
        let now = TestClock.start
        let server = try makeServerStore(users: [.coordinator("anna", "nordstadt")])
        let (store, identity) = (server.store, try server.identity("anna"))
        func changeSet(_ id: String, offers: Int) -> ChangeSet {
            let hlc = HLCTimestamp(physicalMilliseconds: now, counter: 0, replica: ReplicaID(rawValue: id))
            return ChangeSet(id: id, replica: ReplicaID(rawValue: id), author: nil, summary: "import", changes: (0..<offers).flatMap { index in
                [Change(recordType: .offer, recordID: "\(id)-\(index)", field: "title", value: .string("Angebot \(index)"), hlc: hlc, base: nil),
                 Change(recordType: .offer, recordID: "\(id)-\(index)", field: "district", value: .string("nordstadt"), hlc: hlc, base: nil)]
            })
        }
        // Twice the records may take about twice as long, not four times (allowing for noise).
        // Timing on a shared machine: only in long runs, where the sizes make the difference clear
        // (quadratic: 3.4 times at 2,500 → 5,000 offers, not enough to tell from noise).
        guard ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1" else {
            throw XCTSkip("a timing comparison; runs with KETTE_LONG_TESTS=1")
        }
        let small = 10_000
        var seconds: [Double] = []
        for (index, offers) in [small, 2 * small].enumerated() {
            let started = Date()
            let response = try store.push(PushRequest(changeSets: [changeSet("set\(index)", offers: offers)]), by: identity)
            seconds.append(Date().timeIntervalSince(started))
            XCTAssertEqual(response.results.map(\.status), [.applied])
        }
        print("one change set: \(small) offers \(seconds[0]) s, \(2 * small) offers \(seconds[1]) s")
        XCTAssertLessThan(seconds[1], seconds[0] * 3.2, "doubling the records more than tripled the time: \(seconds)")
    }
}
