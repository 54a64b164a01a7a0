import Foundation
import XCTest
import KetteProtocol

final class RecordIdentifierTests: XCTestCase {
    func testTimeOrderedIDsAreVersionSevenUUIDsWithTheirMillisecondsFirst() throws {
        // 2026-11-30 10:00:00.123 UTC
        let milliseconds: Int64 = 1_796_032_800_123
        let id = RecordIdentifier.timeOrdered(milliseconds: milliseconds)
        XCTAssertEqual(id.count, 36)
        XCTAssertEqual(id, id.lowercased())
        let uuid = try XCTUnwrap(UUID(uuidString: id), "Foundation reads it as a UUID")
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        XCTAssertEqual(bytes[6] >> 4, 7, "version 7")
        XCTAssertEqual(bytes[8] >> 6, 0b10, "RFC 9562 variant")
        let stamped = bytes[0..<6].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        XCTAssertEqual(stamped, milliseconds)
        XCTAssertTrue(RecordIdentifier.isTimeOrdered(id))
    }

    func testIDsSortInTheOrderTheyWereMadeAndDoNotRepeat() {
        var ids: [String] = []
        for milliseconds in stride(from: Int64(1_700_000_000_000), to: 1_700_000_100_000, by: 997) {
            ids.append(RecordIdentifier.timeOrdered(milliseconds: milliseconds))
        }
        XCTAssertEqual(ids, ids.sorted(), "later ids sort after earlier ones, byte for byte")
        let sameMillisecond = (0..<10_000).map { _ in RecordIdentifier.timeOrdered(milliseconds: 1_700_000_000_000) }
        XCTAssertEqual(Set(sameMillisecond).count, sameMillisecond.count, "the random part tells ids of one millisecond apart")
    }

    func testShortCodesOfIDsMadeTogetherComeFromTheRandomPartAndDiffer() {
        let ids = (0..<1_000).map { RecordIdentifier.timeOrdered(milliseconds: 1_700_000_000_000 + Int64($0)) }
        XCTAssertEqual(Set(ids.map { $0.prefix(8) }).count, 1, "their starts are alike: the reason for the rule")
        let codes = ids.map(RecordIdentifier.shortCode)
        XCTAssertEqual(codes.first, String(ids[0].suffix(8)))
        XCTAssertGreaterThan(Set(codes).count, 995, "a thousand records made within a second have (almost all) their own code")
        for (id, code) in zip(ids, codes) {
            XCTAssertTrue(RecordIdentifier.matches(id, typed: code))
            XCTAssertTrue(RecordIdentifier.matches(id, typed: String(code.prefix(5))), "the start of a code")
            XCTAssertTrue(RecordIdentifier.matches(id, typed: id), "the whole id")
        }
    }

    func testOlderIDsKeepTheirStartAsShortCode() {
        let random = "3f2a9c1e-5b7d-4c2e-9a41-0e8d7c6b5a49"  // version 4
        XCTAssertFalse(RecordIdentifier.isTimeOrdered(random))
        XCTAssertEqual(RecordIdentifier.shortCode(random), "3f2a9c1e")
        XCTAssertTrue(RecordIdentifier.matches(random, typed: "3f2a"))
        XCTAssertFalse(RecordIdentifier.matches(random, typed: "7c6b5a49"), "the end of an older id is not its code")
        XCTAssertEqual(RecordIdentifier.shortCode("0000000000000001"), "00000000")
        XCTAssertFalse(RecordIdentifier.matches(random, typed: ""))
    }

    func testTheSeededFormRepeatsForTheSameSeed() {
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42)
        XCTAssertEqual(RecordIdentifier.timeOrdered(milliseconds: 5, using: &first),
                       RecordIdentifier.timeOrdered(milliseconds: 5, using: &second))
    }
}
