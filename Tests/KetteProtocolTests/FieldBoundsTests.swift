import XCTest
@testable import KetteProtocol

/// Every integer field is bounded (SPEC §6.2), so no accepted value can overflow a replica's arithmetic.
final class FieldBoundsTests: XCTestCase {
    func testCountsAreZeroToTenMillion() {
        for field in ["participants", "sessions"] {
            XCTAssertNil(RecordType.indicator.problem(field: field, value: .integer(0)))
            XCTAssertNil(RecordType.indicator.problem(field: field, value: .integer(10_000_000)))
            XCTAssertEqual(RecordType.indicator.problem(field: field, value: .integer(10_000_001)),
                           "indicator.\(field) must be a whole number from 0 to 10000000, not 10000001")
            XCTAssertNotNil(RecordType.indicator.problem(field: field, value: .integer(-1)))
            XCTAssertNotNil(RecordType.indicator.problem(field: field, value: .integer(.max)))
        }
    }

    func testPositionsAreThirtyTwoBitWholeNumbers() {
        for position in [Int64(Int32.min), -1, 0, 1, Int64(Int32.max)] {
            XCTAssertNil(RecordType.agendaItem.problem(field: "position", value: .integer(position)), "\(position)")
        }
        for position in [Int64(Int32.min) - 1, Int64(Int32.max) + 1, .max, .min] {
            XCTAssertEqual(RecordType.agendaItem.problem(field: "position", value: .integer(position)),
                           "agenda-item.position must be a whole number from -2147483648 to 2147483647, not \(position)")
        }
    }

    func testEveryIntegerFieldHasABoundThatKeepsSumsOfAMillionValuesInsideInt64() {
        for type in RecordType.allCases {
            for field in type.fields where field.kind == .integer {
                let range = type.integerRange(field: field.name)
                XCTAssertNotNil(type.problem(field: field.name, value: .integer(.max)), "\(type.rawValue).\(field.name)")
                XCTAssertNotNil(type.problem(field: field.name, value: .integer(.min)), "\(type.rawValue).\(field.name)")
                XCTAssertFalse(range.upperBound.multipliedReportingOverflow(by: 1_000_000).overflow)
                XCTAssertFalse(range.lowerBound.multipliedReportingOverflow(by: 1_000_000).overflow)
            }
        }
    }
}
