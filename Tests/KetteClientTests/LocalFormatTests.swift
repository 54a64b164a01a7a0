import Foundation
import KetteMessages
import XCTest

/// `LocalFormat.isoTimestamp` stands in for `ISO8601DateFormatter` wherever Kette stamps a
/// moment (the outbox, the local history, exports): it must write what the formatter writes.
final class LocalFormatTests: XCTestCase {
    func testAnISOTimestampIsWhatISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        func expected(_ milliseconds: Int64) -> String {
            formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
        // Day, month and year boundaries, leap days (2000 and 2024 are leap years, 2100 is not),
        // the last millisecond of a second (cut, not rounded), and moments before 1970.
        let days = ["1970-01-01", "1999-12-31", "2000-02-29", "2000-03-01", "2024-02-29", "2026-03-29", "2026-10-25",
                    "2026-12-31", "2038-01-19", "2100-02-28", "2100-03-01", "2199-12-31"]
        var moments: [Int64] = [0, 999, 1000, -1, -999, -1000, -1001, -86_400_000, 1_763_900_000_000]
        for day in days {
            let seconds = Int64(LocalFormat.epochSeconds(iso: day + "T00:00:00Z") ?? 0)
            for offset: Int64 in [-1, 0, 1, 999, 1000, 43_200_000, 86_399_999] { moments.append(seconds * 1000 + offset) }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 { moments.append(Int64.random(in: 0...7_258_118_400_000, using: &random)) }  // up to 2200
        for milliseconds in moments {
            XCTAssertEqual(LocalFormat.isoTimestamp(milliseconds: milliseconds), expected(milliseconds), "\(milliseconds) ms")
        }
    }
}
