import Foundation
import XCTest
import KetteProtocol
@testable import KetteServer

/// The anti-entropy examples go through the real /v1 API as bytes, as a client sends them, and
/// the server answers what the answer examples show (SPEC §16).
extension ExamplePushTests {
    func call(_ method: String, _ path: String, example: String? = nil, as token: String? = nil) throws -> HTTPResponse {
        let body = try example.map { Array(try Data(contentsOf: Self.examples.appendingPathComponent($0))) } ?? []
        return api.handle(HTTPRequest(method: method, path: path,
                                      headers: ["content-type": "application/json", "authorization": "Bearer \(token ?? self.token!)"], body: body))
    }

    /// The offers the examples talk about: one in Nordstadt, one the county moved to Oststadt.
    func pushExampleOffers() throws {
        let anna = ReplicaID(rawValue: "5b23d5c76a124f71b6602429308ddac9"), kreis = ReplicaID(rawValue: "ecef147a9411422981f42942931602c6")
        let t1 = HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 0, replica: anna)
        let tm = HLCTimestamp(physicalMilliseconds: 1_763_900_600_000, counter: 0, replica: kreis)
        let offer = "8925da1d-2bb2-4118-8f94-df3f6efe6818", moved = "efbed90c-5d6e-4a8f-9b1c-2d3e4f5a6b7c"
        let fields: [(String, String, FieldValue)] = [(offer, "title", .string("Sprachförderung in der Kita")), (offer, "district", .string("nordstadt")),
                                                      (offer, "phases", .list(["preschool"])), (offer, "status", .string("active")),
                                                      (moved, "title", .string("Sport im Park")), (moved, "district", .string("nordstadt"))]
        let create = ChangeSet(id: "076c8521-e24e-4afe-9650-9a61baad42f3", replica: anna, author: nil, summary: "offer add",
                               changes: fields.map { Change(recordType: .offer, recordID: $0.0, field: $0.1, value: $0.2, hlc: t1, base: nil) })
        XCTAssertEqual(post(Array(try JSONEncoder().encode(PushRequest(changeSets: [create])))).status, 200)
        let move = ChangeSet(id: "move", replica: kreis, author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: moved, field: "district", value: .string("oststadt"), hlc: tm, base: t1)])
        XCTAssertEqual(try store.push(PushRequest(changeSets: [move]), by: Identity(user: "kreis", role: .county, districts: [])).results.first?.status, .applied)
    }

    func testTheRecordCheckExampleGetsTheAnswerExample() throws {
        try pushExampleOffers()
        let response = try call("POST", "/v1/digests/records", example: "digest-records-request.json")
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let answer = try JSONDecoder().decode(RecordCheck.self, from: Data(response.body))
        let expected = try JSONDecoder().decode(RecordCheck.self, from: Data(contentsOf: Self.examples.appendingPathComponent("digest-records.json")))
        XCTAssertEqual(answer.records.map(\.status), expected.records.map(\.status))
        XCTAssertEqual(answer.records.map(\.lacking), expected.records.map(\.lacking))
        func versions(_ record: RecordCheck.Record) -> [String] {
            (record.versions ?? []).map { "\($0.change.field)|\($0.change.hlc)|\($0.change.value.jsonText)" }.sorted()
        }
        XCTAssertEqual(answer.records.map(versions), expected.records.map(versions))
    }

    func testTheRepairExampleGetsTheAnswerExample() throws {
        try pushExampleOffers()
        let response = try call("POST", "/v1/repairs", example: "repair-request.json")
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let expected = try JSONDecoder().decode(RepairAnswer.self, from: Data(contentsOf: Self.examples.appendingPathComponent("repair-response.json")))
        XCTAssertEqual(try JSONDecoder().decode(RepairAnswer.self, from: Data(response.body)), expected)
        // The digest answer decodes and its buckets sum to its total; a listing of every bucket agrees.
        let digests = try JSONDecoder().decode(DigestAnswer.self, from: Data(try call("GET", "/v1/digests").body))
        XCTAssertEqual(VersionDigest.hex(try XCTUnwrap(digests.bucketDigests).total), digests.total)
    }
}
