import Foundation
import XCTest
import KetteProtocol
import KetteStore
@testable import KetteServer

/// Who may write and read conflict records (SPEC §8.4, §9, §10): a conflict lives in the scope of
/// the record it concerns, and only the server creates conflicts or says what they are about.
/// They use the store-and-API fixture of `ServerStoreTests`.
extension ServerStoreTests {
    private func orgName(_ id: String, _ name: String, _ hlc: HLCTimestamp, base: HLCTimestamp?, replica: String) -> ChangeSet {
        ChangeSet(id: id, replica: ReplicaID(rawValue: replica), author: nil, summary: "org", changes: [
            Change(recordType: .organization, recordID: "org1", field: "name", value: .string(name), hlc: hlc, base: base)])
    }

    private func conflictChange(_ id: String, _ conflict: String, _ field: String, _ value: FieldValue, _ hlc: HLCTimestamp) -> ChangeSet {
        ChangeSet(id: id, replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "conflict resolve", changes: [
            Change(recordType: .conflict, recordID: conflict, field: field, value: value, hlc: hlc, base: nil)])
    }

    /// Anna and Bert rename the same organization without seeing each other: the conflict opens.
    private func organizationConflict() throws -> String {
        _ = try push([orgName("cs-1", "Jugendamt", stamp(0, "aaaa"), base: nil, replica: "aaaa")], as: "anna")
        _ = try push([orgName("cs-2", "Jugendamt Nord", stamp(10, "aaaa"), base: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let result = try push([orgName("cs-3", "Kreisjugendamt", stamp(5, "bbbb"), base: stamp(0, "aaaa"), replica: "bbbb")], as: "bert")
        return try XCTUnwrap(result.1?.results.first?.conflicts?.first)
    }

    /// Regression: a coordinator's resolution of an organization conflict was refused as
    /// `forbidden` on every sync, and reading the conflict by id answered 403, because the
    /// conflict's scope was read as county-wide.
    func testACoordinatorResolvesAnOrganizationConflictAndReadsItById() throws {
        let conflict = try organizationConflict()
        let read = request("GET", "/v1/records/conflict/\(conflict)", token: tokens["bert"])
        XCTAssertEqual(read.status, 200, String(decoding: read.body, as: UTF8.self))
        XCTAssertEqual(try JSONDecoder().decode(RecordSnapshot.self, from: Data(read.body)).fields["recordType"], .string("organization"))

        let resolve = ChangeSet(id: "cs-r", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "conflict resolve", changes: [
            Change(recordType: .organization, recordID: "org1", field: "name", value: .string("Kreisjugendamt"), hlc: stamp(20, "bbbb"), base: stamp(10, "aaaa")),
            Change(recordType: .conflict, recordID: conflict, field: "status", value: .string("resolved"), hlc: stamp(20, "bbbb"), base: nil),
            Change(recordType: .conflict, recordID: conflict, field: "resolution", value: .string("loser"), hlc: stamp(20, "bbbb"), base: nil),
        ])
        let result = try XCTUnwrap(try push([resolve], as: "bert").1?.results.first)
        XCTAssertEqual(result.status, .applied, result.reason ?? "")
        for user in ["anna", "bert", "kreis"] {
            let status = try pullAll(as: user).last { $0.change.recordID == conflict && $0.change.field == "status" }
            XCTAssertEqual(status?.change.value, .string("resolved"), user)
        }
    }

    /// A conflict about a district is read by everyone and resolved by those who write districts.
    func testAConflictAboutADistrictIsReadByEveryoneAndResolvedByTheCounty() throws {
        func rename(_ id: String, _ name: String, _ at: Int64, _ replica: String, base: HLCTimestamp?) -> ChangeSet {
            ChangeSet(id: id, replica: ReplicaID(rawValue: replica), author: nil, summary: "district", changes: [
                Change(recordType: .district, recordID: "nordstadt", field: "name", value: .string(name), hlc: stamp(at, replica), base: base)])
        }
        _ = try push([rename("k-1", "Nordstadt-Mitte", 10, "cccc", base: nil)], as: "kreis")
        let conflict = try XCTUnwrap(try push([rename("k-2", "Nordviertel", 5, "dddd", base: nil)], as: "kreis").1?.results.first?.conflicts?.first)
        XCTAssertEqual(request("GET", "/v1/records/conflict/\(conflict)", token: tokens["bert"]).status, 200)
        let byBert = try XCTUnwrap(try push([conflictChange("b-1", conflict, "status", .string("resolved"), stamp(20, "bbbb"))], as: "bert").1?.results.first)
        XCTAssertEqual(byBert.code, "forbidden", "a coordinator does not write the list of districts, nor its conflicts")
        let byCounty = try XCTUnwrap(try push([conflictChange("k-3", conflict, "status", .string("resolved"), stamp(21, "cccc"))], as: "kreis").1?.results.first)
        XCTAssertEqual(byCounty.status, .applied, byCounty.reason ?? "")
    }

    /// Only the server creates conflict records: one a client made up is refused and leaves no
    /// trace, in any district.
    func testAForgedConflictRecordIsRefusedAndReachesNobody() throws {
        _ = try push([offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Elterncafé", hlc: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let forged = ChangeSet(id: "forged", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "conflict", changes: [
            "recordType": FieldValue.string("offer"), "recordID": .string("o1"), "field": .string("title"),
            "winnerValue": .string(#""Gefälscht""#), "winnerAuthor": .string("kreis"), "status": .string("open"),
        ].map { Change(recordType: .conflict, recordID: "forged-conflict", field: $0.key, value: $0.value, hlc: stamp(5, "aaaa"), base: nil) })
        for user in ["anna", "kreis"] {
            let result = try XCTUnwrap(try push([forged], as: user).1?.results.first)
            XCTAssertEqual(result.code, "forbidden", "\(user): \(result)")
            XCTAssertTrue(result.reason?.contains("only the server") == true, result.reason ?? "")
        }
        // Even the fields a client may write do not create a conflict the server never opened.
        let statusOnly = try XCTUnwrap(try push([conflictChange("s-1", "made-up", "status", .string("open"), stamp(6, "bbbb"))], as: "kreis").1?.results.first)
        XCTAssertEqual(statusOnly.code, "forbidden")
        for user in ["anna", "bert", "kreis"] {
            XCTAssertFalse(try pullAll(as: user).contains { $0.change.recordType == .conflict }, "\(user) pulled a forged conflict")
        }
        XCTAssertEqual(request("GET", "/v1/records/conflict/forged-conflict", token: tokens["kreis"]).status, 404)
    }

    /// A client may change only a conflict's status and resolution: not what it says happened.
    func testAClientMayNotRewriteWhatAConflictSays() throws {
        let conflict = try organizationConflict()
        for (index, field) in ["winnerValue", "loserAuthor", "recordID", "field", "deleted"].enumerated() {
            let value: FieldValue = field == "deleted" ? .bool(true) : .string("gefälscht")
            let result = try XCTUnwrap(try push([conflictChange("w-\(index)", conflict, field, value, stamp(30 + Int64(index), "bbbb"))], as: "kreis")
                .1?.results.first)
            XCTAssertEqual(result.code, "forbidden", field)
            XCTAssertTrue(result.reason?.contains(field) == true, result.reason ?? "")
        }
        let snapshot = try JSONDecoder().decode(RecordSnapshot.self, from: Data(request("GET", "/v1/records/conflict/\(conflict)", token: tokens["kreis"]).body))
        XCTAssertEqual(snapshot.fields["winnerValue"], .string(#""Jugendamt Nord""#))
        XCTAssertEqual(snapshot.fields["recordID"], .string("org1"))
    }

    /// Two people resolving one conflict at once, with different labels, open no conflict about
    /// the conflict (the race shows on the record's field, which every resolution writes).
    func testConcurrentResolutionLabelsOpenNoConflictAboutTheConflict() throws {
        let conflict = try organizationConflict()
        let first = try XCTUnwrap(try push([conflictChange("r-a", conflict, "resolution", .string("mine"), stamp(40, "aaaa"))], as: "anna").1?.results.first)
        let second = try XCTUnwrap(try push([conflictChange("r-b", conflict, "resolution", .string("theirs"), stamp(39, "bbbb"))], as: "bert").1?.results.first)
        XCTAssertEqual([first.status, second.status], [.applied, .applied])
        let conflicts = Set(try pullAll(as: "kreis").filter { $0.change.recordType == .conflict }.map(\.change.recordID))
        XCTAssertEqual(conflicts, [conflict])
    }
}
