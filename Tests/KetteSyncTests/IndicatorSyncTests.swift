import Foundation
import XCTest
import KetteClient
import KetteProtocol
import KetteStore
@testable import KetteServer

/// Indicator figures sync like every other record: two coordinators who record the same offer's
/// figures for the same period offline end up with one record, not two that reports add up.
final class IndicatorSyncTests: InProcessSyncTestCase {
    func testTheSameOfferAndPeriodRecordedOnTwoLaptopsIsOneRecordAfterSync() throws {
        let (anna, annaSync) = try client("anna")
        let (ben, benSync) = try client("ben")
        _ = try annaSync.sync()
        var input = OfferInput()
        input.title = "Sprachkita"
        input.district = "nordstadt"
        input.phases = "preschool"
        let offer = try anna.addOffer(input, language: .english)
        _ = try annaSync.sync()
        _ = try benSync.sync()

        // Both offline: the same quarter, different participants; Anna also records the year before.
        try anna.recordIndicator(offer: offer, period: "2026-Q1", participants: "30", sessions: "12", language: .english)
        try anna.recordIndicator(offer: offer, period: "2025-Q4", participants: "20", sessions: nil, language: .english)
        clock.milliseconds += 1_000
        try ben.recordIndicator(offer: offer, period: "2026-Q1", participants: "31", sessions: "12", language: .english)
        _ = try annaSync.sync()
        _ = try benSync.sync()
        _ = try annaSync.sync()

        for (name, store) in [("anna", anna), ("ben", ben)] {
            XCTAssertEqual(try store.indicators(offer: offer).map { "\($0.period) \($0.participants)" }, ["2025-Q4 20", "2026-Q1 31"],
                           "\(name): one record per period, the later figure wins")
            let report = try store.indicatorReport(period: "2026-Q1", today: CalendarDay("2026-04-14")!, language: .english)
            XCTAssertEqual(report.totals.first?.figures.participants, 31, "\(name): not 30 + 31")
            XCTAssertEqual(report.totals.first?.figures.participantsChange, 11, "\(name)")
        }
        XCTAssertEqual(try anna.conflicts().map(\.field), ["participants"], "the two figures differed: a person should look")
    }
}
