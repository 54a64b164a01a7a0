import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// The planning records (record schema 2) on the server: their field checks, the schema a change
/// set must say, and what a client of schema 1 pulls and reads (SPEC §2, §6, §10).
final class PlanningRecordTests: XCTestCase {
    var server: TestServerStore!
    var clock: Int64 = 0

    override func setUpWithError() throws {
        server = try makeServerStore(districts: [.nordstadt, .suedstadt], users: [.county("kreis"), .coordinator("anna", "nordstadt")],
                                     now: TestClock().now)
    }

    func changeSet(_ changes: [(RecordType, String, String, FieldValue)], schema: Int? = nil) -> ChangeSet {
        clock += 1
        let hlc = HLCTimestamp(physicalMilliseconds: TestClock.start - 60_000 + clock, counter: 0, replica: ReplicaID(rawValue: "test"))
        let list = changes.map { Change(recordType: $0.0, recordID: $0.1, field: $0.2, value: $0.3, hlc: hlc, base: nil) }
        return ChangeSet(id: UUID().uuidString.lowercased(), replica: ReplicaID(rawValue: "test"), author: nil,
                         schemaVersion: schema ?? ChangeSet.schemaVersion(of: list), summary: "test", changes: list)
    }

    func push(_ sets: [ChangeSet], as user: String) throws -> [ChangeSetResult] {
        try server.store.push(PushRequest(changeSets: sets), by: server.identity(user)).results
    }

    func request(_ path: String, as user: String, query: [String: String] = [:]) throws -> HTTPResponse {
        let token = try XCTUnwrap(server.tokens[user])
        return server.api.handle(HTTPRequest(method: "GET", path: path, query: query, headers: ["authorization": "Bearer \(token)"], body: []))
    }

    /// The records a user's pull serves, as `type/id`, read with record schema `schema` (nil: not said).
    func pulledRecords(as user: String, schema: Int?) throws -> Set<String> {
        var query = ["after": "0", "limit": "5000"]
        if let schema { query["schema"] = String(schema) }
        let response = try request("/v1/changes", as: user, query: query)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let page = try PullPage.decode(json: response.body)
        return Set(page.changes.map { "\($0.change.recordType.rawValue)/\($0.change.recordID)" })
    }

    func testEveryPlanningFieldIsCheckedAgainstItsListAndForm() throws {
        let refused: [(RecordType, String, FieldValue, String)] = [
            (.need, "status", .string("erledigt"), "need.status 'erledigt' is not one of open, addressed, closed"),
            (.need, "phases", .list(["baby"]), "need.phases item 'baby'"),
            (.target, "indicator", .string("visitors"), "target.indicator 'visitors' is not one of participants, sessions, active-offers, custom"),
            (.target, "due", .string("next year"), "target.due 'next year' is not a period"),
            (.target, "targetValue", .integer(10_000_001), "target.targetValue must be a whole number from 0 to 10000000"),
            (.targetFigure, "value", .integer(-1), "target-figure.value must be a whole number from 0 to 10000000"),
            (.measure, "status", .string("started"), "measure.status 'started' is not one of planned, running, done, dropped"),
            (.measure, "gaps", .list(["nordstadt"]), "measure.gaps item 'nordstadt' is not a coverage cell"),
            (.measure, "gaps", .list(["nordstadt:baby"]), "measure.gaps item 'nordstadt:baby' is not a coverage cell"),
            (.contact, "consent", .string("yes"), "contact.consent 'yes' is not one of given, withheld"),
            (.agreement, "kind", .string("contract"), "agreement.kind 'contract' is not one of cooperation, rules-of-procedure, other"),
            (.member, "sector", .string("police"), "member.sector 'police'"),
        ]
        for (type, field, value, reason) in refused {
            let result = try push([changeSet([(type, "r-\(type.rawValue)-\(field)", field, value)])], as: "kreis")[0]
            XCTAssertEqual(result.status, .refused, "\(type.rawValue).\(field)")
            XCTAssertEqual(result.code, "invalid")
            XCTAssertTrue(result.reason?.contains(reason) == true, "\(result.reason ?? "nil") should say \(reason)")
        }
        let accepted = try push([changeSet([(.measure, "m", "gaps", .list(["nordstadt:early-childhood"])), (.measure, "m", "status", .string("running")),
                                            (.measure, "m", "district", .string("nordstadt"))])], as: "anna")[0]
        XCTAssertEqual(accepted.status, .applied, "\(accepted)")
    }

    func testAChangeSetMustSayTheSchemaItsRecordsNeed() throws {
        let need = [(RecordType.need, "need-1", "description", FieldValue.string("Elternberatung fehlt")), (.need, "need-1", "district", .string("nordstadt"))]
        let old = try push([changeSet(need, schema: 1)], as: "anna")[0]
        XCTAssertEqual(old.status, .refused)
        XCTAssertEqual(old.code, "invalid")
        XCTAssertTrue(old.reason?.contains("need record schema 2") == true, old.reason ?? "")
        // A field schema 2 added to an old type needs schema 2 too.
        let member = try push([changeSet([(.member, "m", "sector", .string("health"))], schema: 1)], as: "kreis")[0]
        XCTAssertEqual(member.code, "invalid")
        let newer = try push([changeSet(need, schema: ChangeSet.currentSchemaVersion + 1)], as: "anna")[0]
        XCTAssertEqual(newer.code, "unsupported_schema")
        XCTAssertEqual(try push([changeSet(need)], as: "anna")[0].status, .applied)
    }

    func testMeAnnouncesTheServersSchema() throws {
        let identity = try JSONDecoder().decode(Identity.self, from: Data(try request("/v1/me", as: "anna").body))
        XCTAssertEqual(identity.schemaVersion, ChangeSet.currentSchemaVersion)
        XCTAssertEqual(identity.districts, ["nordstadt"])
    }

    /// A client of schema 1 cannot decode a page with a record type it does not know: the server
    /// leaves the newer types out of its pages, with the conflicts about them, and keeps serving
    /// it everything else. A client that says schema 2 gets them.
    func testAClientOfSchemaOneIsServedNoRecordOfANewerType() throws {
        XCTAssertEqual(try push([changeSet([(.offer, "offer-1", "title", .string("Elterncafé")), (.offer, "offer-1", "district", .string("nordstadt"))]),
                                 changeSet([(.need, "need-1", "description", .string("Beratung fehlt")), (.need, "need-1", "district", .string("nordstadt"))]),
                                 changeSet([(.contact, "contact-1", "name", .string("Petra Sommer"))])], as: "anna").map(\.status),
                       [.applied, .applied, .applied])
        // Two writes of the need's status without seeing each other: a conflict about a need.
        let stale = HLCTimestamp(physicalMilliseconds: TestClock.start - 30_000, counter: 0, replica: ReplicaID(rawValue: "other"))
        let concurrent = ChangeSet(id: "concurrent", replica: ReplicaID(rawValue: "other"), author: nil, schemaVersion: 2, summary: "need edit",
                                   changes: [Change(recordType: .need, recordID: "need-1", field: "description", value: .string("anders"), hlc: stale, base: nil)])
        XCTAssertEqual(try push([concurrent], as: "kreis")[0].status, .conflicts)

        for user in ["anna", "kreis"] {
            let old = try pulledRecords(as: user, schema: nil)
            XCTAssertTrue(old.contains("offer/offer-1"), "\(user): \(old)")
            XCTAssertFalse(old.contains { $0.hasPrefix("need/") || $0.hasPrefix("contact/") || $0.hasPrefix("conflict/") }, "\(user): \(old)")
            XCTAssertEqual(try pulledRecords(as: user, schema: 1), old)
            let current = try pulledRecords(as: user, schema: 2)
            XCTAssertTrue(current.isSuperset(of: ["offer/offer-1", "need/need-1", "contact/contact-1"]), "\(user): \(current)")
            XCTAssertTrue(current.contains { $0.hasPrefix("conflict/") }, "the conflict about the need reaches a client of schema 2")
            // A client newer than the server reads what the server has.
            XCTAssertEqual(try pulledRecords(as: user, schema: 9), current)
        }
        XCTAssertEqual(try request("/v1/changes", as: "anna", query: ["schema": "0"]).status, 400)
        XCTAssertEqual(try request("/v1/changes", as: "anna", query: ["schema": "zwei"]).status, 400)
    }

    func testPlanningRecordsArePlacedByTheirDistrictOrTheirParent() throws {
        XCTAssertEqual(try push([
            changeSet([(.goal, "goal-county", "statement", .string("Kreisziel"))]),
            changeSet([(.target, "target-county", "goal", .string("goal-county")), (.target, "target-county", "indicator", .string("custom"))]),
            changeSet([(.goal, "goal-north", "statement", .string("Ziel Nord")), (.goal, "goal-north", "district", .string("nordstadt"))]),
            changeSet([(.target, "target-north", "goal", .string("goal-north")), (.target, "target-north", "indicator", .string("participants"))]),
            changeSet([(.targetFigure, "figure-north", "target", .string("target-north")), (.targetFigure, "figure-north", "value", .integer(3))]),
            changeSet([(.measure, "measure-south", "title", .string("Süd")), (.measure, "measure-south", "district", .string("suedstadt"))]),
            changeSet([(.measureNote, "note-south", "measure", .string("measure-south")), (.measureNote, "note-south", "text", .string("läuft"))]),
        ], as: "kreis").map(\.status), Array(repeating: .applied, count: 7))
        let anna = try pulledRecords(as: "anna", schema: 2)
        XCTAssertTrue(anna.isSuperset(of: ["goal/goal-north", "target/target-north", "target-figure/figure-north"]), "\(anna)")
        XCTAssertTrue(anna.isDisjoint(with: ["goal/goal-county", "target/target-county", "measure/measure-south", "measure-note/note-south"]), "\(anna)")
        // A coordinator writes neither county-wide goals nor another district's measure notes.
        let refused = try push([changeSet([(.target, "t2", "goal", .string("goal-county")), (.target, "t2", "indicator", .string("sessions"))]),
                                changeSet([(.measureNote, "n2", "measure", .string("measure-south")), (.measureNote, "n2", "text", .string("x"))]),
                                changeSet([(.measureNote, "n3", "measure", .string("no-such-measure")), (.measureNote, "n3", "text", .string("x"))])],
                               as: "anna")
        XCTAssertEqual(refused.map(\.code), ["forbidden", "forbidden", "invalid"])
        XCTAssertTrue(refused[2].reason?.contains("its measure is unknown to the server") == true, refused[2].reason ?? "")
    }
}
