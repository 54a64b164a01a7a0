import Foundation
import XCTest
@testable import KetteProtocol

final class HybridLogicalClockTests: XCTestCase {
    let a = ReplicaID(rawValue: "aaaa")
    let b = ReplicaID(rawValue: "bbbb")

    func testTicksFollowPhysicalTimeAndStayMonotonic() {
        var clock = HybridLogicalClock(replica: a)
        let first = clock.tick(now: 1_000)
        XCTAssertEqual(first.physicalMilliseconds, 1_000)
        XCTAssertEqual(first.counter, 0)
        let sameMillisecond = clock.tick(now: 1_000)
        XCTAssertEqual(sameMillisecond.counter, 1)
        let clockWentBack = clock.tick(now: 500)  // NTP stepped the wall clock back
        XCTAssertGreaterThan(clockWentBack, sameMillisecond)
        XCTAssertEqual(clockWentBack.physicalMilliseconds, 1_000)
        let later = clock.tick(now: 2_000)
        XCTAssertEqual(later, HLCTimestamp(physicalMilliseconds: 2_000, counter: 0, replica: a))
    }

    func testCounterOverflowBorrowsTheNextMillisecond() {
        var clock = HybridLogicalClock(replica: a, last: HLCTimestamp(physicalMilliseconds: 7, counter: .max, replica: a))
        let next = clock.tick(now: 7)
        XCTAssertEqual(next, HLCTimestamp(physicalMilliseconds: 8, counter: 0, replica: a))
    }

    func testObservingARemoteTimestampMovesPastIt() {
        var clock = HybridLogicalClock(replica: a)
        _ = clock.tick(now: 1_000)
        let remote = HLCTimestamp(physicalMilliseconds: 5_000, counter: 3, replica: b)
        clock.observe(remote, now: 1_001)
        let next = clock.tick(now: 1_002)
        XCTAssertGreaterThan(next, remote)
        XCTAssertEqual(next.physicalMilliseconds, 5_000)
        XCTAssertEqual(next.counter, 4)
    }

    func testReplicaBreaksTiesSoOrderIsTotal() {
        let x = HLCTimestamp(physicalMilliseconds: 10, counter: 0, replica: a)
        let y = HLCTimestamp(physicalMilliseconds: 10, counter: 0, replica: b)
        XCTAssertLessThan(x, y)
        XCTAssertNotEqual(x, y)
    }

    func testTextFormSortsLikeTheTimestamps() {
        var generator = SystemRandomNumberGenerator()
        let replicas = [a, b, ReplicaID.random(), ReplicaID.random()]
        var stamps: [HLCTimestamp] = []
        for _ in 0..<500 {
            stamps.append(HLCTimestamp(physicalMilliseconds: Int64.random(in: 0...2_000_000_000_000, using: &generator),
                                       counter: UInt16.random(in: 0...UInt16.max, using: &generator),
                                       replica: replicas.randomElement(using: &generator)!))
        }
        stamps.append(HLCTimestamp(physicalMilliseconds: 9, counter: 0, replica: a))
        stamps.append(HLCTimestamp(physicalMilliseconds: 10, counter: 0, replica: a))
        XCTAssertEqual(stamps.sorted().map(\.encoded), stamps.map(\.encoded).sorted())
        for stamp in stamps { XCTAssertEqual(HLCTimestamp(encoded: stamp.encoded), stamp) }
    }

    func testRejectsMalformedText() {
        for text in ["", "12-0000-a", "000000000001000-zzzz-a", "000000000001000-0000-", "000000000001000-0000-a b",
                     "-00000000001000-0000-a", "abc"] {
            XCTAssertNil(HLCTimestamp(encoded: text), text)
        }
        XCTAssertThrowsError(try JSONDecoder().decode([HLCTimestamp].self, from: Data(#"["tomorrow"]"#.utf8))) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(context.debugDescription.contains("not a hybrid logical clock timestamp: tomorrow"), context.debugDescription)
        }
    }
}

final class MergeRuleTests: XCTestCase {
    let a = ReplicaID(rawValue: "aaaa")
    let b = ReplicaID(rawValue: "bbbb")
    func stamp(_ ms: Int64, _ replica: ReplicaID) -> HLCTimestamp { HLCTimestamp(physicalMilliseconds: ms, counter: 0, replica: replica) }

    func testGreatestTimestampWinsWhateverTheOrder() {
        let v1 = MergeRule.Version(value: .string("Kita"), hlc: stamp(1, a), base: nil)
        let v2 = MergeRule.Version(value: .string("Grundschule"), hlc: stamp(2, b), base: v1.hlc)
        // v2 arrives after v1, or v1 arrives late after v2: v2 holds either way.
        XCTAssertTrue(MergeRule.merge(incoming: v2, current: v1).incomingWins)
        XCTAssertFalse(MergeRule.merge(incoming: v1, current: v2).incomingWins)
        XCTAssertFalse(MergeRule.merge(incoming: v1, current: v1).incomingWins, "a change seen twice does nothing")
    }

    func testEditOnTheSeenVersionIsNoConflict() {
        let v1 = MergeRule.Version(value: .string("Kita"), hlc: stamp(1, a), base: nil)
        let v2 = MergeRule.Version(value: .string("Grundschule"), hlc: stamp(2, b), base: v1.hlc)
        XCTAssertFalse(MergeRule.merge(incoming: v2, current: v1).isConflict)
        XCTAssertFalse(MergeRule.merge(incoming: v1, current: v2).isConflict)
    }

    func testConcurrentDifferentEditsConflictOnBothSides() {
        let v1 = MergeRule.Version(value: .string("Kita"), hlc: stamp(1, a), base: nil)
        let mine = MergeRule.Version(value: .string("Grundschule"), hlc: stamp(2, a), base: v1.hlc)
        let theirs = MergeRule.Version(value: .string("Jugend"), hlc: stamp(3, b), base: v1.hlc)
        let atServer = MergeRule.merge(incoming: theirs, current: mine)
        XCTAssertEqual(atServer, MergeRule.Outcome(incomingWins: true, isConflict: true))
        let atOtherReplica = MergeRule.merge(incoming: mine, current: theirs)
        XCTAssertEqual(atOtherReplica, MergeRule.Outcome(incomingWins: false, isConflict: true))
    }

    func testConcurrentEqualEditsAreNoConflict() {
        let v1 = MergeRule.Version(value: .string("Kita"), hlc: stamp(1, a), base: nil)
        let mine = MergeRule.Version(value: .string("Jugend"), hlc: stamp(2, a), base: v1.hlc)
        let theirs = MergeRule.Version(value: .string("Jugend"), hlc: stamp(3, b), base: v1.hlc)
        XCTAssertFalse(MergeRule.merge(incoming: theirs, current: mine).isConflict)
    }

    func testARedactedRewriteReplacesTheSameVersionButNeverANewerOne() {
        let held = MergeRule.Version(value: .string("Ali Öztürk"), hlc: stamp(5, a), base: nil)
        let rewritten = MergeRule.Version(value: .string("[gelöscht]"), hlc: stamp(5, a), base: nil, redacted: true)
        XCTAssertEqual(MergeRule.merge(incoming: rewritten, current: held), MergeRule.Outcome(incomingWins: true, isConflict: false))
        let unmarked = MergeRule.Version(value: .string("[gelöscht]"), hlc: stamp(5, a), base: nil)
        XCTAssertFalse(MergeRule.merge(incoming: unmarked, current: held).incomingWins, "without the mark, the same stamp is a version seen before")
        let newer = MergeRule.Version(value: .string("Ali Ö."), hlc: stamp(6, b), base: held.hlc)
        XCTAssertFalse(MergeRule.merge(incoming: rewritten, current: newer).incomingWins, "a redacted rewrite never beats a newer edit")
        XCTAssertFalse(MergeRule.incomingWins(encoded: rewritten.hlc.encoded, redacted: true, over: newer.hlc.encoded))
        XCTAssertTrue(MergeRule.incomingWins(encoded: rewritten.hlc.encoded, redacted: true, over: held.hlc.encoded))
    }

    /// The text fast path the client's pull uses decides exactly like the timestamps.
    func testTheEncodedFormDecidesLikeTheTimestamps() {
        var generator = SeededGenerator(seed: 11)
        let replicas = [a, b, ReplicaID(rawValue: "a"), ReplicaID(rawValue: "bbbbb")]
        func random() -> HLCTimestamp {
            HLCTimestamp(physicalMilliseconds: Int64(generator.next() % 4), counter: UInt16(generator.next() % 3),
                         replica: replicas[Int(generator.next() % 4)])
        }
        for _ in 0..<2_000 {
            let incoming = random(), current = random(), redacted = generator.next() % 2 == 0
            XCTAssertEqual(MergeRule.incomingWins(encoded: incoming.encoded, redacted: redacted, over: current.encoded),
                           MergeRule.incomingWins(incoming, redacted: redacted, over: current), "\(incoming) over \(current)")
        }
        XCTAssertTrue(MergeRule.incomingWins(encoded: stamp(1, a).encoded, over: nil))
    }

    /// Replicas that see the same versions in any order end with the same value.
    func testEveryArrivalOrderConverges() {
        let versions = (0..<6).map { index in
            MergeRule.Version(value: .integer(Int64(index)), hlc: stamp(Int64([5, 3, 9, 9, 1, 7][index]), index % 2 == 0 ? a : b), base: nil)
        }
        var results = Set<FieldValue>()
        for _ in 0..<200 {
            var current: MergeRule.Version?
            for version in versions.shuffled() where MergeRule.merge(incoming: version, current: current).incomingWins {
                current = version
            }
            results.insert(current!.value)
        }
        XCTAssertEqual(results, [.integer(3)], "the version at (9, bbbb) wins everywhere")
    }
}

final class WireFormatTests: XCTestCase {
    func testChangeSetRoundTripsThroughJSON() throws {
        let replica = ReplicaID(rawValue: "5b23d5c76a124f71b6602429308ddac9")
        let hlc = HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 2, replica: replica)
        let set = ChangeSet(id: "0f8e2c9a-1111-4222-8333-444455556666", replica: replica, author: "Anna", summary: "offer add", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Sprachförderung \"Kita\"\n"), hlc: hlc, base: nil),
            Change(recordType: .offer, recordID: "o1", field: "phases", value: .list(["preschool", "primary"]), hlc: hlc, base: hlc),
            Change(recordType: .agendaItem, recordID: "a1", field: "position", value: .integer(3), hlc: hlc, base: nil),
            Change(recordType: .offer, recordID: "o1", field: "deleted", value: .bool(true), hlc: hlc, base: nil),
            Change(recordType: .offer, recordID: "o1", field: "contact", value: .null, hlc: hlc, base: nil),
        ])
        let data = try JSONEncoder().encode(set)
        XCTAssertEqual(try JSONDecoder().decode(ChangeSet.self, from: data), set)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(json.contains(#""type":"agenda-item""#), json)
        XCTAssertTrue(json.contains(#""hlc":"001763900000000-0002-5b23d5c76a124f71b6602429308ddac9""#), json)
    }

    func testHandWrittenJSONTextMatchesTheDecoder() throws {
        let values: [FieldValue] = [.null, .bool(false), .integer(-42), .string("Übergang \"Schule–Beruf\"\n\t\\ \u{1}"),
                                    .list([]), .list(["de", "tr", "ar\u{7}"])]
        for value in values {
            XCTAssertEqual(try JSONDecoder().decode(FieldValue.self, from: Data(value.jsonText.utf8)), value, value.jsonText)
        }
    }
}

final class VocabularyTests: XCTestCase {
    func testSlugsAreTheContract() {
        XCTAssertEqual(LifePhase.slugs, ["pregnancy", "early-childhood", "preschool", "primary", "adolescence", "transition"])
        XCTAssertEqual(OfferCategory.slugs, ["counselling", "education", "leisure", "sport", "support", "promotion", "health"])
        XCTAssertEqual(Sector.slugs, ["youth-welfare", "health", "education", "social", "urban-development", "free-providers"])
        XCTAssertEqual(OfferStatus.slugs, ["planned", "active", "ended"])
        XCTAssertEqual(BodyLevel.slugs, ["steering", "planning", "working", "network"])
    }

    func testParsesSlugsAndLabelsInBothLanguages() {
        XCTAssertEqual(LifePhase.parse("Early-Childhood"), .earlyChildhood)
        XCTAssertEqual(LifePhase.parse("frühe kindheit"), .earlyChildhood)
        XCTAssertEqual(LifePhase.parse("ÜBERGANG SCHULE–BERUF"), .transition)
        XCTAssertEqual(OfferCategory.parse(" Förderung "), .promotion)
        XCTAssertNil(LifePhase.parse("baby"))
        XCTAssertEqual(LifePhase.preschool.label(.german), "Kita-Alter")
        XCTAssertEqual(LifePhase.preschool.label(.english), "Preschool age (3–6)")
    }

    func testLanguageFollowsLANG() {
        XCTAssertEqual(Language.from(environment: ["LANG": "de_DE.UTF-8"]), .german)
        XCTAssertEqual(Language.from(environment: ["LANG": "de_AT.UTF-8", "LC_ALL": "C.UTF-8"]), .german)
        XCTAssertEqual(Language.from(environment: ["LANG": "en_GB.UTF-8"]), .english)
        XCTAssertEqual(Language.from(environment: [:]), .english)
    }
}

final class FieldValidationTests: XCTestCase {
    func testIndicatorsNeedAPeriodAndCountsOfZeroOrMore() {
        XCTAssertNil(RecordType.indicator.problem(field: "period", value: .string("2026-Q1")))
        XCTAssertNil(RecordType.indicator.problem(field: "period", value: .string("2026")))
        for bad in ["2026-Q5", "2026-Q0", "26", "2026-q1", "Q1-2026", "2026-01"] {
            XCTAssertNotNil(RecordType.indicator.problem(field: "period", value: .string(bad)), bad)
        }
        XCTAssertNil(RecordType.indicator.problem(field: "participants", value: .integer(0)))
        XCTAssertNotNil(RecordType.indicator.problem(field: "participants", value: .integer(-3)))
        XCTAssertNotNil(RecordType.offer.problem(field: "phases", value: .list(["baby"])))
        XCTAssertNotNil(RecordType.offer.problem(field: "colour", value: .string("blau")))
        XCTAssertNotNil(RecordType.offer.problem(field: "title", value: .integer(3)))
        XCTAssertNil(RecordType.offer.problem(field: "deleted", value: .bool(true)))
    }
}
