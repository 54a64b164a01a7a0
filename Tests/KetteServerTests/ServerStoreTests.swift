import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// The server's storage and API without a socket: push, pull, idempotency, scope, conflicts,
/// clock skew and bad input.
final class ServerStoreTests: XCTestCase {
    var path: String!
    var store: ServerStore!
    var api: SyncAPI!
    var tokens: [String: String] = [:]
    let serverNow = TestClock.start

    override func setUpWithError() throws {
        let server = try makeServerStore(districts: [.nordstadt, .suedstadt],
                                         users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "suedstadt"), .county("kreis")],
                                         now: TestClock(milliseconds: serverNow).now)
        (store, api, tokens, path) = (server.store, server.api, server.tokens, server.path)
    }

    override func tearDownWithError() throws {
        store = nil
        api = nil
    }

    // MARK: helpers

    func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
        HLCTimestamp(physicalMilliseconds: serverNow + offset, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    func offerSet(_ id: String, offer: String, district: String, title: String, hlc: HLCTimestamp, base: HLCTimestamp? = nil,
                  replica: String) -> ChangeSet {
        ChangeSet(id: id, replica: ReplicaID(rawValue: replica), author: nil, summary: "offer add", changes: [
            Change(recordType: .offer, recordID: offer, field: "title", value: .string(title), hlc: hlc, base: base),
            Change(recordType: .offer, recordID: offer, field: "district", value: .string(district), hlc: hlc, base: nil),
        ])
    }

    func request(_ method: String, _ path: String, token: String?, body: [UInt8] = [], query: [String: String] = [:],
                 contentType: String = "application/json") -> HTTPResponse {
        var headers = ["content-type": contentType]
        if let token { headers["authorization"] = "Bearer \(token)" }
        return api.handle(HTTPRequest(method: method, path: path, query: query, headers: headers, body: body))
    }

    func push(_ sets: [ChangeSet], as user: String) throws -> (HTTPResponse, PushResponse?) {
        let response = request("POST", "/v1/changesets", token: tokens[user], body: Array(try JSONEncoder().encode(PushRequest(changeSets: sets))))
        return (response, try? JSONDecoder().decode(PushResponse.self, from: Data(response.body)))
    }

    func pullAll(as user: String, pageSize: Int = 1000) throws -> [PulledChange] {
        var cursor: Int64 = 0
        var all: [PulledChange] = []
        while true {
            let response = request("GET", "/v1/changes", token: tokens[user], query: ["after": String(cursor), "limit": String(pageSize)])
            XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
            let page = try JSONDecoder().decode(PullPage.self, from: Data(response.body))
            all += page.changes
            XCTAssertGreaterThanOrEqual(page.cursor, cursor)
            cursor = page.cursor
            if !page.more { return all }
        }
    }

    func errorCode(_ response: HTTPResponse) -> String? {
        (try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)))?.error.code
    }

    // MARK: tests

    func testHealthNeedsNoTokenAndSyncNeedsOne() throws {
        XCTAssertEqual(request("GET", "/v1/health", token: nil).status, 200)
        XCTAssertEqual(request("GET", "/v1/changes", token: nil).status, 401)
        XCTAssertEqual(request("GET", "/v1/changes", token: "kette_not-a-token").status, 401)
        XCTAssertEqual(errorCode(request("GET", "/v1/changes", token: "kette_x")), "unauthorized")
        XCTAssertEqual(request("GET", "/v1/nothing", token: tokens["anna"]).status, 404)
        XCTAssertEqual(request("DELETE", "/v1/changes", token: tokens["anna"]).status, 405)
    }

    func testRevokedTokenIsRefusedOnTheNextRequest() throws {
        XCTAssertEqual(request("GET", "/v1/me", token: tokens["anna"]).status, 200)
        try store.revokeUser(name: "anna")
        XCTAssertEqual(request("GET", "/v1/me", token: tokens["anna"]).status, 401)
        XCTAssertThrowsError(try store.revokeUser(name: "nobody")) { error in
            XCTAssertEqual(error as? AdminError, .unknownUser("nobody"))
        }
    }

    func testTokensAreRandomAndStoredOnlyAsHashes() throws {
        XCTAssertNotEqual(tokens["anna"], tokens["bert"])
        XCTAssertGreaterThanOrEqual(tokens["anna"]!.count - "kette_".count, 64, "256 bits as hex")
        let db = try ServerDatabaseInspector(path)
        let stored = try db.rows("SELECT token_hash FROM users").compactMap { $0.string(0) }
        XCTAssertEqual(stored.count, 3)
        for token in tokens.values {
            XCTAssertFalse(stored.contains(token))
            XCTAssertTrue(stored.contains(Secrets.sha256Hex(token)))
        }
        XCTAssertEqual(Secrets.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testPushIsIdempotentByChangeSetID() throws {
        let set = offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Elterncafé", hlc: stamp(0, "aaaa"), replica: "aaaa")
        let (first, firstResult) = try push([set], as: "anna")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(firstResult?.results, [ChangeSetResult(id: "cs-1", status: .applied)])
        let before = try pullAll(as: "kreis")
        let (_, again) = try push([set, set], as: "anna")
        XCTAssertEqual(again?.results.map(\.status), [.applied, .applied], "a retried push returns the same outcome")
        let after = try pullAll(as: "kreis")
        XCTAssertEqual(before, after, "nothing was applied a second time")
        let db = try ServerDatabaseInspector(path)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM change_sets WHERE id = 'cs-1'"), 1)
    }

    func testPullIsPagedResumableAndScoped() throws {
        var sets: [ChangeSet] = []
        for index in 0..<30 {
            let district = index % 3 == 0 ? "suedstadt" : "nordstadt"
            sets.append(offerSet("cs-\(index)", offer: "o\(index)", district: district, title: "Angebot \(index)",
                                 hlc: stamp(Int64(index), "aaaa"), replica: "aaaa"))
        }
        let (response, result) = try push(sets.filter { $0.changes[1].value == .string("nordstadt") }, as: "anna")
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(result!.results.allSatisfy { $0.status == .applied })
        _ = try push(sets.filter { $0.changes[1].value == .string("suedstadt") }, as: "bert")

        let anna = try pullAll(as: "anna", pageSize: 7)
        let annaOffers = Set(anna.filter { $0.change.recordType == .offer }.map(\.change.recordID))
        XCTAssertEqual(annaOffers.count, 20)
        XCTAssertFalse(anna.contains { $0.change.value == .string("suedstadt") }, "no data of the other district leaks")
        XCTAssertEqual(Set(anna.filter { $0.change.recordType == .district }.map(\.change.recordID)), ["nordstadt", "suedstadt"],
                       "every user reads the list of districts")
        XCTAssertEqual(Set(anna.map(\.seq)).count, anna.count, "every row once")
        let county = try pullAll(as: "kreis", pageSize: 1000)
        XCTAssertEqual(Set(county.filter { $0.change.recordType == .offer }.map(\.change.recordID)).count, 30)

        // Resume: a pull from the cursor after the first page returns exactly the rest.
        let first = try JSONDecoder().decode(PullPage.self, from: Data(request("GET", "/v1/changes", token: tokens["kreis"], query: ["after": "0", "limit": "10"]).body))
        let rest = try JSONDecoder().decode(PullPage.self, from: Data(request("GET", "/v1/changes", token: tokens["kreis"], query: ["after": String(first.cursor), "limit": "5000"]).body))
        XCTAssertEqual(first.changes + rest.changes, county)
    }

    func testWriteOutsideScopeIsRefusedPerChangeSet() throws {
        let mine = offerSet("cs-a", offer: "o1", district: "nordstadt", title: "Mein Angebot", hlc: stamp(0, "aaaa"), replica: "aaaa")
        let theirs = offerSet("cs-b", offer: "o2", district: "suedstadt", title: "Fremd", hlc: stamp(1, "aaaa"), replica: "aaaa")
        let district = ChangeSet(id: "cs-c", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "district add", changes: [
            Change(recordType: .district, recordID: "neu", field: "name", value: .string("Neu"), hlc: stamp(2, "aaaa"), base: nil)])
        let (_, result) = try push([mine, theirs, district], as: "anna")
        XCTAssertEqual(result?.results.map(\.status), [.applied, .refused, .refused])
        XCTAssertEqual(result?.results[1].code, "forbidden")
        XCTAssertTrue(result?.results[1].reason?.contains("suedstadt") == true)
        XCTAssertFalse(try pullAll(as: "kreis").contains { $0.change.recordID == "o2" || $0.change.recordID == "neu" }, "a refused set writes nothing")

        // Moving an offer out of one's districts is refused too.
        let move = ChangeSet(id: "cs-d", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "district", value: .string("suedstadt"), hlc: stamp(3, "aaaa"), base: stamp(0, "aaaa"))])
        XCTAssertEqual(try push([move], as: "anna").1?.results.first?.code, "forbidden")
        // Bert may not edit Anna's offer either.
        let edit = ChangeSet(id: "cs-e", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Übernommen"), hlc: stamp(4, "bbbb"), base: stamp(0, "aaaa"))])
        XCTAssertEqual(try push([edit], as: "bert").1?.results.first?.code, "forbidden")
        // Organizations are a county-wide register every coordinator writes.
        let org = ChangeSet(id: "cs-f", replica: ReplicaID(rawValue: "bbbb"), author: nil, summary: "org add", changes: [
            Change(recordType: .organization, recordID: "org1", field: "name", value: .string("Jugendamt"), hlc: stamp(5, "bbbb"), base: nil)])
        XCTAssertEqual(try push([org], as: "bert").1?.results.first?.status, .applied)
        XCTAssertTrue(try pullAll(as: "anna").contains { $0.change.recordID == "org1" })
    }

    func testConcurrentEditsOpenOneConflictVisibleToBoth() throws {
        _ = try push([offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Elterncafé", hlc: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let base = stamp(0, "aaaa")
        let annaEdit = ChangeSet(id: "cs-2", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Elterncafé Nord"), hlc: stamp(10, "aaaa"), base: base)])
        let countyEdit = ChangeSet(id: "cs-3", replica: ReplicaID(rawValue: "cccc"), author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Familiencafé"), hlc: stamp(5, "cccc"), base: base)])
        XCTAssertEqual(try push([annaEdit], as: "anna").1?.results.first?.status, .applied)
        let result = try XCTUnwrap(try push([countyEdit], as: "kreis").1?.results.first)
        XCTAssertEqual(result.status, .conflicts, "the older concurrent edit loses and is reported")
        XCTAssertEqual(result.conflicts?.count, 1)

        let annaView = try pullAll(as: "anna")
        XCTAssertEqual(annaView.last { $0.change.recordID == "o1" && $0.change.field == "title" }?.change.value, .string("Elterncafé Nord"))
        let conflictFields = Dictionary(annaView.filter { $0.change.recordType == .conflict }.map { ($0.change.field, $0.change.value) },
                                        uniquingKeysWith: { $1 })
        XCTAssertEqual(conflictFields["status"], .string("open"))
        XCTAssertEqual(conflictFields["winnerValue"], .string(#""Elterncafé Nord""#))
        XCTAssertEqual(conflictFields["loserValue"], .string(#""Familiencafé""#))
        XCTAssertEqual(conflictFields["loserAuthor"], .string("kreis"))
        XCTAssertFalse(try pullAll(as: "bert").contains { $0.change.recordType == .conflict }, "the conflict stays in Nordstadt's scope")
    }

    func testEditingADeletedRecordIsAConflict() throws {
        _ = try push([offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Elterncafé", hlc: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let delete = ChangeSet(id: "cs-2", replica: ReplicaID(rawValue: "cccc"), author: nil, summary: "offer delete", changes: [
            Change(recordType: .offer, recordID: "o1", field: "deleted", value: .bool(true), hlc: stamp(5, "cccc"), base: nil)])
        XCTAssertEqual(try push([delete], as: "kreis").1?.results.first?.status, .applied)
        let edit = ChangeSet(id: "cs-3", replica: ReplicaID(rawValue: "aaaa"), author: nil, summary: "offer edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "location", value: .string("Rathaus"), hlc: stamp(9, "aaaa"), base: nil)])
        let result = try XCTUnwrap(try push([edit], as: "anna").1?.results.first)
        XCTAssertEqual(result.status, .conflicts)
        let conflict = try pullAll(as: "anna").filter { $0.change.recordType == .conflict && $0.change.field == "field" }
        XCTAssertEqual(conflict.map(\.change.value), [.string("deleted")])
    }

    func testClockFarAheadIsRefusedWithTheAmount() throws {
        let ahead = offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Zukunft", hlc: stamp(3 * 3_600_000 + 12 * 60_000, "aaaa"), replica: "aaaa")
        let result = try XCTUnwrap(try push([ahead], as: "anna").1?.results.first)
        XCTAssertEqual(result.status, .refused)
        XCTAssertEqual(result.code, "clock_ahead")
        XCTAssertTrue(result.reason?.contains("3 h 12 min") == true, result.reason ?? "")
        let slightlyAhead = offerSet("cs-2", offer: "o2", district: "nordstadt", title: "Fast jetzt", hlc: stamp(60_000, "aaaa"), replica: "aaaa")
        XCTAssertEqual(try push([slightlyAhead], as: "anna").1?.results.first?.status, .applied, "a minute of drift is tolerated")
    }

    func testNewerSchemaAndInvalidValuesAreRefusedNotFatal() throws {
        var newer = offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Neu", hlc: stamp(0, "aaaa"), replica: "aaaa")
        newer.schemaVersion = 99
        var badField = offerSet("cs-2", offer: "o2", district: "nordstadt", title: "X", hlc: stamp(1, "aaaa"), replica: "aaaa")
        badField.changes.append(Change(recordType: .offer, recordID: "o2", field: "colour", value: .string("blau"), hlc: stamp(1, "aaaa"), base: nil))
        var badPhase = offerSet("cs-3", offer: "o3", district: "nordstadt", title: "Y", hlc: stamp(2, "aaaa"), replica: "aaaa")
        badPhase.changes.append(Change(recordType: .offer, recordID: "o3", field: "phases", value: .list(["baby"]), hlc: stamp(2, "aaaa"), base: nil))
        let good = offerSet("cs-4", offer: "o4", district: "nordstadt", title: "Gut", hlc: stamp(3, "aaaa"), replica: "aaaa")
        let results = try XCTUnwrap(try push([newer, badField, badPhase, good], as: "anna").1?.results)
        XCTAssertEqual(results.map(\.code), ["unsupported_schema", "invalid", "invalid", nil])
        XCTAssertTrue(results[1].reason?.contains("colour") == true)
        XCTAssertTrue(results[2].reason?.contains("baby") == true)
    }

    func testBadRequestsGetA4xxThatSaysWhatIsWrong() throws {
        let token = tokens["anna"]
        let cases: [(String, [UInt8], String, Int, String)] = [
            ("malformed JSON", Array("{\"changeSets\": [".utf8), "application/json", 400, "invalid_json"),
            ("wrong type", Array(#"{"changeSets": "many"}"#.utf8), "application/json", 400, "invalid_body"),
            ("unknown top-level field", Array(#"{"changeSets": [], "sudo": true}"#.utf8), "application/json", 400, "unknown_field"),
            ("unknown record type", Array(#"{"changeSets":[{"id":"x","replica":"aaaa","schemaVersion":1,"summary":"s","changes":[{"type":"spaceship","id":"1","field":"name","value":"x","hlc":"001763900000000-0000-aaaa"}]}]}"#.utf8), "application/json", 400, "invalid_body"),
            ("bad clock text", Array(#"{"changeSets":[{"id":"x","replica":"aaaa","schemaVersion":1,"summary":"s","changes":[{"type":"offer","id":"1","field":"title","value":"x","hlc":"yesterday"}]}]}"#.utf8), "application/json", 400, "invalid_body"),
            ("invalid UTF-8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "application/json", 400, "invalid_utf8"),
            ("not JSON at all", Array("changeSets=1".utf8), "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ]
        for (name, body, contentType, status, code) in cases {
            let response = request("POST", "/v1/changesets", token: token, body: body, contentType: contentType)
            XCTAssertEqual(response.status, status, name)
            XCTAssertEqual(errorCode(response), code, "\(name): \(String(decoding: response.body, as: UTF8.self))")
        }
        let future = request("GET", "/v1/changes", token: token, query: ["after": "999999"])
        XCTAssertEqual(future.status, 400)
        XCTAssertEqual(errorCode(future), "cursor_ahead")
        XCTAssertEqual(request("GET", "/v1/changes", token: token, query: ["after": "-1"]).status, 400)
        XCTAssertEqual(request("GET", "/v1/changes", token: token, query: ["after": "zero"]).status, 400)
        XCTAssertEqual(request("GET", "/v1/health", token: nil).status, 200, "the server keeps serving")
    }

    func testAdminRefusesUnknownDistrictsAndDuplicates() throws {
        XCTAssertThrowsError(try store.addUser(name: "carl", role: .coordinator, districts: ["mond"])) { error in
            XCTAssertEqual(error as? AdminError, .unknownDistrict("mond", known: ["nordstadt", "suedstadt"]))
            XCTAssertTrue("\(error)".contains("mond") && "\(error)".contains("nordstadt"), "\(error)")
        }
        XCTAssertThrowsError(try store.addUser(name: "anna", role: .county, districts: [])) { error in
            XCTAssertEqual(error as? AdminError, .userExists("anna"))
        }
        XCTAssertThrowsError(try store.addUser(name: "dora", role: .coordinator, districts: [])) { error in
            XCTAssertEqual((error as? AdminError)?.description, "a coordinator needs at least one --district")
        }
        XCTAssertThrowsError(try store.addDistrict(id: "nordstadt", name: "Doppelt")) { error in
            XCTAssertEqual(error as? AdminError, .districtExists("nordstadt"))
        }
        XCTAssertEqual(try store.districts().map(\.name), ["Nordstadt", "Südstadt"])
    }
}

extension ServerStoreTests {
    func testOneRecordIsReadableOnlyInScope() throws {
        _ = try push([offerSet("cs-1", offer: "o1", district: "nordstadt", title: "Elterncafé", hlc: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let own = request("GET", "/v1/records/offer/o1", token: tokens["anna"])
        XCTAssertEqual(own.status, 200)
        XCTAssertEqual(try JSONDecoder().decode(RecordSnapshot.self, from: Data(own.body)).fields["title"], .string("Elterncafé"))
        let foreign = request("GET", "/v1/records/offer/o1", token: tokens["bert"])
        XCTAssertEqual(foreign.status, 403)
        XCTAssertFalse(String(decoding: foreign.body, as: UTF8.self).contains("Elterncafé"), "the refusal leaks no data")
        XCTAssertEqual(request("GET", "/v1/records/offer/o1", token: tokens["kreis"]).status, 200)
        XCTAssertEqual(request("GET", "/v1/records/district/nordstadt", token: tokens["bert"]).status, 200)
        XCTAssertEqual(request("GET", "/v1/records/offer/nope", token: tokens["anna"]).status, 404)
        XCTAssertEqual(request("GET", "/v1/records/spaceship/o1", token: tokens["anna"]).status, 400)
    }
}

extension ServerStoreTests {
    /// Regression: conflicts about organizations (the county-wide register) reached only county
    /// users, though coordinators write the register too.
    func testConflictsAboutOrganizationsReachCoordinators() throws {
        func orgSet(_ id: String, _ name: String, _ hlc: HLCTimestamp, base: HLCTimestamp?, replica: String) -> ChangeSet {
            ChangeSet(id: id, replica: ReplicaID(rawValue: replica), author: nil, summary: "org", changes: [
                Change(recordType: .organization, recordID: "org1", field: "name", value: .string(name), hlc: hlc, base: base)])
        }
        _ = try push([orgSet("cs-1", "Jugendamt", stamp(0, "aaaa"), base: nil, replica: "aaaa")], as: "anna")
        _ = try push([orgSet("cs-2", "Jugendamt Nord", stamp(10, "aaaa"), base: stamp(0, "aaaa"), replica: "aaaa")], as: "anna")
        let result = try push([orgSet("cs-3", "Kreisjugendamt", stamp(5, "bbbb"), base: stamp(0, "aaaa"), replica: "bbbb")], as: "bert")
        XCTAssertEqual(result.1?.results.first?.status, .conflicts)
        for user in ["anna", "bert", "kreis"] {
            XCTAssertTrue(try pullAll(as: user).contains { $0.change.recordType == .conflict }, "\(user) sees the conflict")
        }
    }
}
