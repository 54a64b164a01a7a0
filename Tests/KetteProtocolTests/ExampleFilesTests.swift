import Foundation
import XCTest
import KetteProtocol

/// The example documents in Protocol/Examples are instances of the protocol's types: they decode,
/// hold what SPEC.md says they hold, and survive a round trip through the encoder unchanged.
final class ExampleFilesTests: XCTestCase {
    /// Protocol/Examples, found from this file's location so the tests run from any directory.
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol").appendingPathComponent("Examples")

    func data(_ name: String) throws -> Data {
        try Data(contentsOf: Self.examples.appendingPathComponent(name))
    }

    /// Encodes and decodes again, as a message crossing the wire twice.
    func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(value))
    }

    /// Every `hlc` and `base` text in a document, as written in the file.
    func clockTexts(in data: Data) throws -> [String] {
        var texts: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                for (key, value) in object {
                    if key == "hlc" || key == "base", let text = value as? String { texts.append(text) }
                    walk(value)
                }
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(try JSONSerialization.jsonObject(with: data))
        return texts
    }

    func testPushRequestDecodes() throws {
        let raw = try data("push-request.json")
        let push = try JSONDecoder().decode(PushRequest.self, from: raw)
        XCTAssertEqual(push.changeSets.count, 2)
        XCTAssertLessThanOrEqual(push.changeSets.count, SyncLimits.maxChangeSetsPerPush)

        let offer = push.changeSets[0]
        XCTAssertEqual(offer.summary, "offer add")
        // An offer needs only record schema 1, and a change set says the oldest schema that has
        // what it writes (SPEC §2), so a server of schema 1 still takes it.
        XCTAssertEqual(offer.schemaVersion, 1)
        XCTAssertEqual(ChangeSet.schemaVersion(of: offer.changes), 1)
        XCTAssertEqual(offer.author, "Anna Schulz")
        XCTAssertEqual(offer.replica, ReplicaID(rawValue: "5b23d5c76a124f71b6602429308ddac9"))
        XCTAssertTrue(offer.changes.allSatisfy { $0.recordType == .offer })
        func value(_ set: ChangeSet, _ field: String) -> FieldValue? { set.changes.first { $0.field == field }?.value }
        XCTAssertEqual(value(offer, "title"), .string("Elterncafé im Familienzentrum Nordstadt"))
        XCTAssertEqual(value(offer, "district"), .string("nordstadt"))
        XCTAssertEqual(value(offer, "phases"), .list([LifePhase.pregnancy.slug, LifePhase.earlyChildhood.slug]))
        XCTAssertEqual(value(offer, "category"), .string(OfferCategory.counselling.slug))
        XCTAssertEqual(offer.changes[0].hlc, HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 0, replica: offer.replica))
        XCTAssertNil(offer.changes[0].base)

        let meeting = push.changeSets[1]
        XCTAssertEqual(meeting.summary, "meeting add")
        XCTAssertEqual(Set(meeting.changes.map(\.recordType)), [.meeting, .attendee])
        let meetingID = try XCTUnwrap(meeting.changes.first { $0.recordType == .meeting }?.recordID)
        let attendees = Set(meeting.changes.filter { $0.recordType == .attendee }.map(\.recordID))
        XCTAssertEqual(attendees.count, 3)
        XCTAssertEqual(meeting.changes.filter { $0.recordType == .attendee && $0.field == "meeting" }.map(\.value),
                       Array(repeating: .string(meetingID), count: 3), "every attendee points to the meeting")
        XCTAssertEqual(value(meeting, "offers"), .list([offer.changes[0].recordID]), "the meeting links the offer")

        // Every change is one the server would accept as a value of its field.
        for change in push.changeSets.flatMap(\.changes) {
            XCTAssertNil(change.recordType.problem(field: change.field, value: change.value), "\(change.recordType).\(change.field)")
        }
        // The clock texts are in the canonical form, so text order is clock order.
        for text in try clockTexts(in: raw) {
            XCTAssertEqual(HLCTimestamp(encoded: text)?.encoded, text)
        }

        XCTAssertEqual(try roundTrip(push).changeSets, push.changeSets)
    }

    func testPushResponseDecodes() throws {
        let response = try JSONDecoder().decode(PushResponse.self, from: try data("push-response.json"))
        XCTAssertEqual(response.results.map(\.status), [.applied, .conflicts, .refused, .refused])
        XCTAssertEqual(response.results.map(\.code), [nil, nil, "forbidden", "clock_ahead"])
        XCTAssertNil(response.results[0].conflicts)
        let conflicts = try XCTUnwrap(response.results[1].conflicts)
        XCTAssertEqual(conflicts.count, 2)
        XCTAssertTrue(conflicts.allSatisfy { UUID(uuidString: $0) != nil })
        XCTAssertTrue(response.results[2].reason?.contains("oststadt") == true)
        XCTAssertTrue(response.results[3].reason?.contains("2 h 5 min ahead") == true)
        XCTAssertEqual(response.serverTime, 1_763_900_065_000)

        let again = try roundTrip(response)
        XCTAssertEqual(again.results, response.results)
        XCTAssertEqual(again.serverTime, response.serverTime)
    }

    /// After `kette-server erase` (SPEC §8.7): rewritten versions come again, marked redacted,
    /// with the stamps they had; both readers see the mark, and it is written only when true.
    func testARedactedPullPageDecodesWithItsMark() throws {
        let raw = try data("pull-page-redacted.json")
        for page in [try JSONDecoder().decode(PullPage.self, from: raw), try PullPage.decode(json: Array(raw))] {
            XCTAssertEqual(page.changes.map(\.redacted), [true, true])
            XCTAssertEqual(page.changes.first?.change.value, .string("[gelöscht]"))
        }
        let plain = try PullPage.decode(json: Array(try data("pull-page.json")))
        XCTAssertFalse(plain.changes.contains(where: \.redacted))
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("redacted"))
        let page = try JSONDecoder().decode(PullPage.self, from: raw)
        XCTAssertEqual(try JSONDecoder().decode(PullPage.self, from: try JSONEncoder().encode(page)).changes.map(\.redacted), [true, true])
    }

    func testPullPageDecodes() throws {
        let raw = try data("pull-page.json")
        let page = try JSONDecoder().decode(PullPage.self, from: raw)
        XCTAssertFalse(page.more)
        XCTAssertEqual(page.cursor, 21, "without more, the cursor is the server's newest sequence number")
        XCTAssertEqual(page.changes.map(\.seq), page.changes.map(\.seq).sorted(), "a page is ordered by seq")
        XCTAssertGreaterThanOrEqual(page.cursor, page.changes.last?.seq ?? 0)
        XCTAssertEqual(Set(page.changes.map(\.change.recordType)), [.district, .offer, .conflict])

        let districts = page.changes.filter { $0.change.recordType == .district }
        XCTAssertEqual(districts.map(\.change.value), [.string("Nordstadt"), .string("Oststadt")])
        XCTAssertEqual(Set(districts.compactMap(\.author)), ["kette-server"])

        let title = try XCTUnwrap(page.changes.first { $0.change.recordType == .offer && $0.change.field == "title" })
        XCTAssertEqual(title.author, "Bernd Krüger")
        let titleBase = try XCTUnwrap(title.change.base)
        XCTAssertLessThan(titleBase, title.change.hlc)

        // The conflict record: both sides of the title, values as JSON text.
        let conflict = page.changes.filter { $0.change.recordType == .conflict }
        XCTAssertEqual(Set(conflict.map(\.change.recordID)).count, 1)
        func field(_ name: String) -> FieldValue? { conflict.first { $0.change.field == name }?.change.value }
        XCTAssertEqual(field("recordType"), .string("offer"))
        XCTAssertEqual(field("recordID"), .string(title.change.recordID))
        XCTAssertEqual(field("field"), .string("title"))
        XCTAssertEqual(field("status"), .string("open"))
        let winnerText = try XCTUnwrap(field("winnerValue")?.stringValue)
        XCTAssertEqual(try JSONDecoder().decode(FieldValue.self, from: Data(winnerText.utf8)), title.change.value,
                       "the winner is the value the field holds")
        let loserText = try XCTUnwrap(field("loserValue")?.stringValue)
        XCTAssertEqual(try JSONDecoder().decode(FieldValue.self, from: Data(loserText.utf8)), .string("Offene Hebammensprechstunde"))
        let winnerHLC = try XCTUnwrap(field("winnerHLC")?.stringValue.flatMap(HLCTimestamp.init(encoded:)))
        let loserHLC = try XCTUnwrap(field("loserHLC")?.stringValue.flatMap(HLCTimestamp.init(encoded:)))
        XCTAssertEqual(winnerHLC, title.change.hlc)
        XCTAssertGreaterThan(winnerHLC, loserHLC, "the winner is the later write")
        XCTAssertLessThan(titleBase, loserHLC, "the winner's author had not seen the loser: a conflict")
        for entry in page.changes {
            XCTAssertNil(entry.change.recordType.problem(field: entry.change.field, value: entry.change.value))
        }

        for text in try clockTexts(in: raw) {
            XCTAssertEqual(HLCTimestamp(encoded: text)?.encoded, text)
        }
        let again = try roundTrip(page)
        XCTAssertEqual(again.changes, page.changes)
        XCTAssertEqual(again.cursor, page.cursor)
        XCTAssertEqual(again.more, page.more)
        XCTAssertEqual(again.serverTime, page.serverTime)
    }

    func testErrorDecodes() throws {
        let body = try JSONDecoder().decode(ErrorBody.self, from: try data("error.json"))
        XCTAssertEqual(body.error.code, "unknown_field")
        XCTAssertTrue(body.error.message.contains("districtId"))
        let again = try roundTrip(body)
        XCTAssertEqual(again.error.code, body.error.code)
        XCTAssertEqual(again.error.message, body.error.message)
    }
}

/// The anti-entropy examples (SPEC §16) decode into the protocol's types, and their digests are
/// what `VersionDigest` computes (the files were made with another XXH64 implementation).
extension ExampleFilesTests {
    func testAPageWithRecordsThatLeftTheScopeDecodes() throws {
        let raw = try data("pull-page-left.json")
        for page in [try JSONDecoder().decode(PullPage.self, from: raw), try PullPage.decode(json: Array(raw))] {
            XCTAssertEqual(page.left.map(\.type), [.offer, .indicator])
            XCTAssertEqual(page.left.first?.versions["district"], "001763900600000-0000-ecef147a9411422981f42942931602c6")
            XCTAssertEqual(page.server, "46e80bf9e7414b46acd12a92d6fd7a98")
            XCTAssertEqual(page.scope, ["everyone", "district:nordstadt"])
            XCTAssertTrue(page.changes.isEmpty)
        }
        XCTAssertEqual(try PullPage.decode(json: try JSONEncoder().encode(try JSONDecoder().decode(PullPage.self, from: raw)).map { $0 }).left.count, 2)
    }

    func testTheDigestExamplesAreWhatVersionDigestComputes() throws {
        let answer = try JSONDecoder().decode(DigestAnswer.self, from: try data("digests.json"))
        let buckets = try XCTUnwrap(answer.bucketDigests)
        XCTAssertEqual(VersionDigest.hex(buckets.total), answer.total)
        let offer = "8925da1d-2bb2-4118-8f94-df3f6efe6818", indicator = offer + "|2026-Q1"
        let t1 = "001763900000000-0000-5b23d5c76a124f71b6602429308ddac9", t2 = "001763900300000-0000-5b23d5c76a124f71b6602429308ddac9"
        let offerDigest = ["title", "district", "phases", "status"].map { VersionDigest.hash(type: "offer", id: offer, field: $0, hlc: t1) }.reduce(0, &+)
        let indicatorDigest = ["offer", "period", "participants", "sessions"].map { VersionDigest.hash(type: "indicator", id: indicator, field: $0, hlc: t2) }
            .reduce(0, &+)
        let listing = try JSONDecoder().decode(BucketListing.self, from: try data("digest-buckets.json"))
        XCTAssertEqual(listing.records.map(\.digest), [VersionDigest.hex(offerDigest), VersionDigest.hex(indicatorDigest)])
        XCTAssertNotEqual(buckets.sums[VersionDigest.bucket(type: "offer", id: offer)], 0)
        // The texts are joined as `type|id|field|hlc` (and `type|id` for the bucket), empty and
        // non-ASCII parts too.
        for (type, id, field, hlc) in [("offer", offer, "title", t1), ("", "", "", ""), ("meeting", "Übergänge 😀", "", t2)] {
            XCTAssertEqual(VersionDigest.hash(type: type, id: id, field: field, hlc: hlc), XXH64.hash(Array("\(type)|\(id)|\(field)|\(hlc)".utf8)))
            XCTAssertEqual(VersionDigest.bucket(type: type, id: id), Int(XXH64.hash(Array("\(type)|\(id)".utf8)) >> 56))
        }
        // XXH64's published test vectors.
        XCTAssertEqual(XXH64.hash([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(XXH64.hash(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        XCTAssertEqual(XXH64.hash(Array("0123456789abcdef0123456789abcdef".utf8)), 0x642A_9495_8E71_E6C5)
    }

    func testTheRecordCheckAndRepairExamplesDecode() throws {
        let request = try JSONDecoder().decode(RecordCheckRequest.self, from: try data("digest-records-request.json"))
        XCTAssertEqual(request.records.count, 3)
        for record in request.records { XCTAssertTrue(record.versions.values.allSatisfy { HLCTimestamp(encoded: $0) != nil }) }
        let check = try JSONDecoder().decode(RecordCheck.self, from: try data("digest-records.json"))
        XCTAssertEqual(check.records.map(\.status), [.present, .outside, .unknown])
        XCTAssertEqual(check.records[0].versions?.count, 4)
        let repair = try JSONDecoder().decode(RepairRequest.self, from: try data("repair-request.json"))
        XCTAssertEqual(repair.versions.map(\.author), ["Bernd Krüger", "Bernd Krüger", nil, nil])
        XCTAssertEqual(repair.versions[2].change.base, HLCTimestamp(encoded: "001763900000000-0000-5b23d5c76a124f71b6602429308ddac9"))
        XCTAssertEqual(try roundTrip(repair).versions, repair.versions)
        let answer = try JSONDecoder().decode(RepairAnswer.self, from: try data("repair-response.json"))
        XCTAssertEqual(answer.refused.first?.code, "forbidden")
        XCTAssertEqual(try roundTrip(answer), answer)
    }
}
