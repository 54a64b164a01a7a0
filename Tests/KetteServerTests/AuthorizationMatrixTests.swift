import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// A generated authorization matrix: every endpoint × every role × every district, against the
/// real handler and a real SQLite store. The expectations come from DESIGN §4.8 as written down
/// here (`Expectation`), not from the server's own scope code, so a scope bug cannot agree with
/// itself.
final class AuthorizationMatrixTests: XCTestCase {
    static let districts = ["nordstadt", "suedstadt", "weststadt"]
    var path: String!
    var store: ServerStore!
    var api: SyncAPI!
    let serverNow = TestClock.start
    var clock: Int64 = 0

    /// Who asks: a name, the token, the role and districts the test expects it to have.
    struct Caller: CustomStringConvertible {
        let name: String
        let token: String
        let role: Role
        let districts: Set<String>
        var description: String { "\(name) (\(role.rawValue) of \(districts.sorted().joined(separator: ",")))" }
    }

    /// The record the seed made for one scope, with a secret only its readers may see.
    struct Seeded {
        let type: RecordType
        let id: String
        /// nil: county-wide; "*": readable by everyone (register, district list).
        let district: String?
        let secret: String
    }

    var callers: [Caller] = []
    var seeded: [Seeded] = []

    override func setUpWithError() throws {
        let server = try makeServerStore(districts: Self.districts.map { TestDistrict($0, $0.capitalized) },
                                         now: TestClock(milliseconds: serverNow).now)
        (store, api, path) = (server.store, server.api, server.path)
        // Every role, alone in each district, and once with two districts.
        var districtSets = Self.districts.map { Set([$0]) }
        districtSets.append(["nordstadt", "weststadt"])
        for role in [Role.coordinator, .district] {
            for (index, set) in districtSets.enumerated() {
                let name = "\(role.rawValue)-\(index)"
                callers.append(Caller(name: name, token: try store.addUser(name: name, role: role, districts: set.sorted()),
                                      role: role, districts: set))
            }
        }
        for role in [Role.county, .admin] {
            callers.append(Caller(name: role.rawValue, token: try store.addUser(name: role.rawValue, role: role, districts: []),
                                  role: role, districts: []))
        }
        try seed()
    }

    override func tearDownWithError() throws {
        store = nil
        api = nil
    }

    // MARK: - The expected rules

    func mayRead(_ caller: Caller, district: String?) -> Bool {
        if district == "*" || caller.role == .county || caller.role == .admin { return true }
        guard let district else { return false }
        return caller.districts.contains(district)
    }

    func mayWrite(_ caller: Caller, district: String?, type: RecordType) -> Bool {
        if caller.role == .county || caller.role == .admin { return true }
        if type == .organization || type == .contact { return true }
        if type == .district { return false }
        guard let district, district != "*" else { return false }
        return caller.districts.contains(district)
    }

    // MARK: - Seed: one of everything in every scope, written by the county office

    func nextStamp(_ replica: String = "seed") -> HLCTimestamp {
        clock += 1
        return HLCTimestamp(physicalMilliseconds: serverNow - 60_000 + clock, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    func changeSet(_ changes: [(RecordType, String, String, FieldValue)], replica: String) -> ChangeSet {
        let hlc = nextStamp(replica)
        return ChangeSet(id: UUID().uuidString.lowercased(), replica: ReplicaID(rawValue: replica), author: nil, summary: "matrix",
                         changes: changes.map { Change(recordType: $0.0, recordID: $0.1, field: $0.2, value: $0.3, hlc: hlc, base: nil) })
    }

    func seed() throws {
        var sets: [ChangeSet] = []
        for scope in Self.districts + ["county"] {
            let district: String? = scope == "county" ? nil : scope
            let secret = { (what: String) in "GEHEIM-\(what)-\(scope)" }
            let body = "body-\(scope)", meeting = "meeting-\(scope)"
            var bodyFields: [(RecordType, String, String, FieldValue)] = [(.body, body, "name", .string(secret("gremium"))), (.body, body, "level", .string("network"))]
            if let district { bodyFields.append((.body, body, "district", .string(district))) }
            sets.append(changeSet(bodyFields, replica: "seed"))
            sets.append(changeSet([(.meeting, meeting, "body", .string(body)), (.meeting, meeting, "date", .string("2026-03-14")),
                                   (.meeting, meeting, "minutes", .string(secret("protokoll")))], replica: "seed"))
            sets.append(changeSet([(.attendee, "attendee-\(scope)", "meeting", .string(meeting)), (.attendee, "attendee-\(scope)", "name", .string(secret("person")))], replica: "seed"))
            sets.append(changeSet([(.task, "task-\(scope)", "meeting", .string(meeting)), (.task, "task-\(scope)", "text", .string(secret("aufgabe"))),
                                   (.task, "task-\(scope)", "owner", .string(secret("zustaendig")))], replica: "seed"))
            sets.append(changeSet([(.decision, "decision-\(scope)", "meeting", .string(meeting)), (.decision, "decision-\(scope)", "text", .string(secret("beschluss")))], replica: "seed"))
            sets.append(changeSet([(.agendaItem, "agenda-\(scope)", "meeting", .string(meeting)), (.agendaItem, "agenda-\(scope)", "title", .string(secret("top")))], replica: "seed"))
            sets.append(changeSet([(.member, "member-\(scope)", "body", .string(body)), (.member, "member-\(scope)", "role", .string(secret("mitglied")))], replica: "seed"))
            for (type, id, what) in [(RecordType.body, body, "gremium"), (.meeting, meeting, "protokoll"), (.attendee, "attendee-\(scope)", "person"),
                                     (.task, "task-\(scope)", "aufgabe"), (.decision, "decision-\(scope)", "beschluss"),
                                     (.agendaItem, "agenda-\(scope)", "top"), (.member, "member-\(scope)", "mitglied")] {
                seeded.append(Seeded(type: type, id: id, district: district, secret: secret(what)))
            }
            sets += seedPlanning(scope: scope, district: district)
            if let district {
                sets.append(changeSet([(.offer, "offer-\(scope)", "title", .string(secret("angebot"))), (.offer, "offer-\(scope)", "district", .string(district))], replica: "seed"))
                sets.append(changeSet([(.indicator, "indicator-\(scope)", "offer", .string("offer-\(scope)")), (.indicator, "indicator-\(scope)", "period", .string("2026-Q1")),
                                       (.indicator, "indicator-\(scope)", "participants", .integer(17))], replica: "seed"))
                seeded.append(Seeded(type: .offer, id: "offer-\(scope)", district: district, secret: secret("angebot")))
                seeded.append(Seeded(type: .indicator, id: "indicator-\(scope)", district: district, secret: "offer-\(scope)"))
            }
        }
        sets.append(changeSet([(.organization, "org-register", "name", .string("Familienzentrum Regenbogen"))], replica: "seed"))
        seeded.append(Seeded(type: .organization, id: "org-register", district: "*", secret: "Familienzentrum Regenbogen"))
        // The contact register is the county's network, like the organizations: everyone's.
        sets.append(changeSet([(.contact, "contact-register", "name", .string("Petra Sommer")), (.contact, "contact-register", "consent", .string("given"))],
                              replica: "seed"))
        seeded.append(Seeded(type: .contact, id: "contact-register", district: "*", secret: "Petra Sommer"))
        let county = callers.first { $0.role == .county }!
        let (status, response) = push(sets, as: county)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(response?.results.filter { $0.status != .applied }.count, 0, "the seed applies whole: \(String(describing: response))")
    }

    /// The planning records of one scope (schema 2): a need, a goal with a target and a custom
    /// figure, a measure with a progress note, an agreement; each with a secret of its scope.
    /// Targets, figures and notes have no district of their own: they follow their parent.
    func seedPlanning(scope: String, district: String?) -> [ChangeSet] {
        let secret = { (what: String) in "GEHEIM-\(what)-\(scope)" }
        let place: [(String, FieldValue)] = district.map { [("district", .string($0))] } ?? []
        func record(_ type: RecordType, _ id: String, _ fields: [(String, FieldValue)], what: String, shows: String? = nil) -> ChangeSet {
            seeded.append(Seeded(type: type, id: id, district: district, secret: shows ?? secret(what)))
            return changeSet(fields.map { (type, id, $0.0, $0.1) }, replica: "seed")
        }
        return [
            record(.need, "need-\(scope)", [("description", .string(secret("bedarf"))), ("status", .string("open"))] + place, what: "bedarf"),
            record(.goal, "goal-\(scope)", [("statement", .string(secret("ziel"))), ("body", .string("body-\(scope)"))] + place, what: "ziel"),
            record(.target, "target-\(scope)", [("goal", .string("goal-\(scope)")), ("indicator", .string("custom")), ("name", .string(secret("kennzahl"))),
                                                ("targetValue", .integer(40)), ("due", .string("2027"))], what: "kennzahl"),
            // A figure holds no text: its parent's id is what only its readers see.
            record(.targetFigure, "figure-\(scope)", [("target", .string("target-\(scope)")), ("period", .string("2026")), ("value", .integer(12))],
                   what: "zahl", shows: "target-\(scope)"),
            record(.measure, "measure-\(scope)", [("title", .string(secret("massnahme"))), ("owner", .string(secret("verantwortlich"))),
                                                  ("status", .string("running"))] + place, what: "massnahme"),
            record(.measureNote, "note-\(scope)", [("measure", .string("measure-\(scope)")), ("text", .string(secret("notiz")))], what: "notiz"),
            record(.agreement, "agreement-\(scope)", [("title", .string(secret("vereinbarung"))), ("kind", .string("cooperation"))] + place,
                   what: "vereinbarung"),
        ]
    }

    // MARK: - Requests

    func request(_ method: String, _ path: String, authorization: String?, body: [UInt8] = [], query: [String: String] = [:]) -> HTTPResponse {
        var headers = ["content-type": "application/json"]
        if let authorization { headers["authorization"] = authorization }
        return api.handle(HTTPRequest(method: method, path: path, query: query, headers: headers, body: body))
    }

    func push(_ sets: [ChangeSet], as caller: Caller) -> (Int, PushResponse?) {
        let body = Array(try! JSONEncoder().encode(PushRequest(changeSets: sets)))
        let response = request("POST", "/v1/changesets", authorization: "Bearer \(caller.token)", body: body)
        if response.status != 200 { XCTFail("push by \(caller): \(String(decoding: response.body, as: UTF8.self))") }
        return (response.status, try? JSONDecoder().decode(PushResponse.self, from: Data(response.body)))
    }

    /// A field as the server holds it, nil when the record or the field does not exist.
    func currentValue(_ type: RecordType, _ id: String, _ field: String) throws -> FieldValue? {
        do {
            return try store.record(type: type, id: id, for: Identity(user: "test", role: .admin, districts: [])).fields[field]
        } catch StorageError.recordNotFound {
            return nil
        }
    }

    // MARK: - Reading

    func testEveryCallerPullsExactlyTheirScopeAndNoSecretOfAnotherDistrict() throws {
        for caller in callers {
            var cursor: Int64 = 0
            var seen = Set<String>()
            var bodies: [UInt8] = []
            repeat {
                let response = request("GET", "/v1/changes", authorization: "Bearer \(caller.token)", query: ["after": String(cursor), "limit": "7",
                                                                                                       "schema": String(ChangeSet.currentSchemaVersion)])
                XCTAssertEqual(response.status, 200, "\(caller)")
                bodies += response.body
                let page = try JSONDecoder().decode(PullPage.self, from: Data(response.body))
                for change in page.changes { seen.insert("\(change.change.recordType.rawValue)/\(change.change.recordID)") }
                cursor = page.cursor
                if !page.more { break }
            } while true
            let text = String(decoding: bodies, as: UTF8.self)
            for record in seeded {
                let key = "\(record.type.rawValue)/\(record.id)"
                if mayRead(caller, district: record.district) {
                    XCTAssertTrue(seen.contains(key), "\(caller) misses \(key)")
                } else {
                    XCTAssertFalse(seen.contains(key), "\(caller) pulled \(key) of \(record.district ?? "the county")")
                    XCTAssertFalse(text.contains(record.secret), "\(caller) saw \(record.secret)")
                }
            }
        }
    }

    func testEveryCallerReadsSingleRecordsOnlyInScopeAndARefusalLeaksNothing() throws {
        print("authorization matrix: \(callers.count) callers × \(seeded.count) records read one by one")
        for caller in callers {
            for record in seeded {
                let response = request("GET", "/v1/records/\(record.type.rawValue)/\(record.id)", authorization: "Bearer \(caller.token)")
                let text = String(decoding: response.body, as: UTF8.self)
                if mayRead(caller, district: record.district) {
                    XCTAssertEqual(response.status, 200, "\(caller) reading \(record.type.rawValue)/\(record.id): \(text)")
                    XCTAssertTrue(text.contains(record.secret), "\(caller): \(text)")
                } else {
                    XCTAssertEqual(response.status, 403, "\(caller) reading \(record.type.rawValue)/\(record.id): \(text)")
                    XCTAssertFalse(text.contains(record.secret), "\(caller): \(text)")
                    XCTAssertFalse(text.contains("GEHEIM"), "a refusal carries no field of the record: \(text)")
                }
            }
        }
    }

    // MARK: - Writing

    func testEveryCallerWritesOnlyInScopeAndARefusalChangesNothing() throws {
        var attempts = 0
        for caller in callers {
            for scope in Self.districts + ["county"] {
                let district: String? = scope == "county" ? nil : scope
                let tag = "\(caller.name)-\(scope)"
                // A new record in the scope, an edit of an existing one, a child under its meeting,
                // and taking its offer into one's own district: each alone in its change set.
                var tries: [(RecordType, ChangeSet, check: () throws -> Bool)] = []
                if let district {
                    let newOffer = "new-offer-\(tag)"
                    tries.append((.offer, changeSet([(.offer, newOffer, "title", .string("neu \(tag)")), (.offer, newOffer, "district", .string(district))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                                  { try self.currentValue(.offer, newOffer, "title") != nil }))
                    tries.append((.offer, changeSet([(.offer, "offer-\(scope)", "title", .string("geändert \(tag)"))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                                  { try self.currentValue(.offer, "offer-\(scope)", "title") == .string("geändert \(tag)") }))
                    if let own = caller.districts.sorted().first, own != district {
                        // A fresh offer each time: a permitted move would otherwise change the
                        // district the later callers' expectations assume.
                        let moving = "moving-offer-\(tag)"
                        let admin = callers.first { $0.role == .admin }!
                        XCTAssertEqual(push([changeSet([(.offer, moving, "title", .string("wandert")), (.offer, moving, "district", .string(district))], replica: "seed")],
                                            as: admin).1?.results.first?.status, .applied)
                        tries.append((.offer, changeSet([(.offer, moving, "district", .string(own))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                                      { try self.currentValue(.offer, moving, "district") == .string(own) }))
                    }
                } else {
                    let newBody = "new-body-\(tag)"
                    tries.append((.body, changeSet([(.body, newBody, "name", .string("Kreisgremium \(tag)")), (.body, newBody, "level", .string("steering"))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                                  { try self.currentValue(.body, newBody, "name") != nil }))
                }
                let attendee = "new-attendee-\(tag)"
                tries.append((.attendee, changeSet([(.attendee, attendee, "meeting", .string("meeting-\(scope)")), (.attendee, attendee, "name", .string("Gast \(tag)"))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                              { try self.currentValue(.attendee, attendee, "name") != nil }))
                tries.append((.meeting, changeSet([(.meeting, "meeting-\(scope)", "minutes", .string("überschrieben \(tag)"))], replica: caller.name.filter { $0.isLetter || $0.isNumber }),
                              { try self.currentValue(.meeting, "meeting-\(scope)", "minutes") == .string("überschrieben \(tag)") }))
                tries += planningTries(caller: caller, scope: scope, district: district, tag: tag)
                for (type, set, landed) in tries {
                    attempts += 1
                    let allowed = mayWrite(caller, district: district, type: type)
                    let (status, response) = push([set], as: caller)
                    XCTAssertEqual(status, 200, "\(caller)")
                    let outcome = response?.results.first?.status
                    if allowed {
                        XCTAssertNotEqual(outcome, .refused, "\(caller) writing \(set.changes.map(\.field)) in \(scope): \(String(describing: response))")
                        XCTAssertTrue(try landed(), "\(caller) writing in \(scope)")
                    } else {
                        XCTAssertEqual(outcome, .refused, "\(caller) writing \(set.changes.map(\.field)) in \(scope)")
                        XCTAssertFalse(try landed(), "\(caller)'s refused write in \(scope) changed the record")
                        let text = String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
                        XCTAssertFalse(text.contains("GEHEIM"), "the refusal names no field of the record: \(text)")
                    }
                }
            }
            // The register is everyone's; the list of districts only the county office's and admins'.
            let organization = changeSet([(.organization, "org-\(caller.name)", "name", .string("Verein \(caller.name)"))], replica: caller.name.filter { $0.isLetter || $0.isNumber })
            XCTAssertEqual(push([organization], as: caller).1?.results.first?.status, .applied, "\(caller)")
            let contact = changeSet([(.contact, "contact-\(caller.name)", "name", .string("Kontakt \(caller.name)"))], replica: caller.name.filter { $0.isLetter || $0.isNumber })
            XCTAssertEqual(push([contact], as: caller).1?.results.first?.status, .applied, "\(caller) adding a contact to the register")
            attempts += 1
            let district = changeSet([(.district, "neu-\(caller.name)", "name", .string("Neustadt"))], replica: caller.name.filter { $0.isLetter || $0.isNumber })
            let districtOutcome = push([district], as: caller).1?.results.first?.status
            XCTAssertEqual(districtOutcome == .applied, mayWrite(caller, district: "*", type: .district), "\(caller) adding a district: \(String(describing: districtOutcome))")
            attempts += 2
        }
        XCTAssertGreaterThan(attempts, 150, "the matrix is as large as it claims")
        print("authorization matrix: \(callers.count) callers, \(attempts) write attempts")
    }

    /// Writes of the planning records in one scope: a new need there (county-wide: without a
    /// district), a new target under the scope's goal, a progress note under its measure, a
    /// figure under its target, an edit of its measure's status and agreement, and taking its
    /// measure into one's own district.
    func planningTries(caller: Caller, scope: String, district: String?, tag: String) -> [(RecordType, ChangeSet, check: () throws -> Bool)] {
        let replica = caller.name.filter { $0.isLetter || $0.isNumber }
        let need = "new-need-\(tag)", target = "new-target-\(tag)", note = "new-note-\(tag)", figure = "new-figure-\(tag)"
        var needFields: [(RecordType, String, String, FieldValue)] = [(.need, need, "description", .string("Bedarf \(tag)"))]
        if let district { needFields.append((.need, need, "district", .string(district))) }
        var tries: [(RecordType, ChangeSet, check: () throws -> Bool)] = [
            (.need, changeSet(needFields, replica: replica), { try self.currentValue(.need, need, "description") != nil }),
            (.target, changeSet([(.target, target, "goal", .string("goal-\(scope)")), (.target, target, "indicator", .string("participants")),
                                 (.target, target, "targetValue", .integer(50))], replica: replica),
             { try self.currentValue(.target, target, "targetValue") != nil }),
            (.measureNote, changeSet([(.measureNote, note, "measure", .string("measure-\(scope)")), (.measureNote, note, "text", .string("Notiz \(tag)"))], replica: replica),
             { try self.currentValue(.measureNote, note, "text") != nil }),
            (.targetFigure, changeSet([(.targetFigure, figure, "target", .string("target-\(scope)")), (.targetFigure, figure, "period", .string("2027")),
                                       (.targetFigure, figure, "value", .integer(7))], replica: replica),
             { try self.currentValue(.targetFigure, figure, "value") != nil }),
            (.measure, changeSet([(.measure, "measure-\(scope)", "status", .string("done")), (.measure, "measure-\(scope)", "owner", .string("neu \(tag)"))], replica: replica),
             { try self.currentValue(.measure, "measure-\(scope)", "owner") == .string("neu \(tag)") }),
            (.agreement, changeSet([(.agreement, "agreement-\(scope)", "summary", .string("geändert \(tag)"))], replica: replica),
             { try self.currentValue(.agreement, "agreement-\(scope)", "summary") == .string("geändert \(tag)") }),
        ]
        if let own = caller.districts.sorted().first, own != district {
            // A fresh measure each time, as for offers: a permitted move must not change what later callers assume.
            let moving = "moving-measure-\(tag)"
            let admin = callers.first { $0.role == .admin }!
            var fields: [(RecordType, String, String, FieldValue)] = [(.measure, moving, "title", .string("wandert"))]
            if let district { fields.append((.measure, moving, "district", .string(district))) }
            XCTAssertEqual(push([changeSet(fields, replica: "seed")], as: admin).1?.results.first?.status, .applied)
            tries.append((.measure, changeSet([(.measure, moving, "district", .string(own))], replica: replica),
                          { try self.currentValue(.measure, moving, "district") == .string(own) }))
        }
        return tries
    }

    // MARK: - Authentication and the admin role

    /// Every endpoint that needs a token, with a request that would succeed for an admin.
    var protectedEndpoints: [(method: String, path: String, query: [String: String], body: [UInt8])] {
        [("GET", "/v1/me", [:], []),
         ("GET", "/v1/changes", ["after": "0"], []),
         ("POST", "/v1/changesets", [:], Array(#"{"changeSets":[]}"#.utf8)),
         ("GET", "/v1/records/offer/offer-nordstadt", [:], []),
         ("GET", "/v1/admin/users", [:], []),
         ("POST", "/v1/admin/users/coordinator-0/revoke", [:], [])]
    }

    func testEveryProtectedEndpointAnswers401WithoutAValidTokenAndLeaksNothing() throws {
        let revoked = try store.addUser(name: "ehemalig", role: .county, districts: [])
        XCTAssertEqual(request("GET", "/v1/me", authorization: "Bearer \(revoked)").status, 200)
        try store.revokeUser(name: "ehemalig")
        let valid = callers.first { $0.role == .admin }!.token
        let authorizations: [String?] = [
            nil, "", "Bearer", "Bearer ", "Bearer \(revoked)", "Bearer kette_" + String(repeating: "0", count: 64),
            "Bearer " + String(valid.dropLast()) + (valid.last == "a" ? "b" : "a"),  // one character off
            "Basic " + valid, "bearer\(valid)", "Bearer " + String(repeating: "x", count: 10_000), "Bearer \(valid)\u{0}",
        ]
        for endpoint in protectedEndpoints {
            for authorization in authorizations {
                let response = request(endpoint.method, endpoint.path, authorization: authorization, body: endpoint.body, query: endpoint.query)
                let text = String(decoding: response.body, as: UTF8.self)
                XCTAssertEqual(response.status, 401, "\(endpoint.method) \(endpoint.path) with \(String(describing: authorization?.prefix(30)))")
                XCTAssertTrue(text.contains("\"unauthorized\""), text)
                XCTAssertFalse(text.contains("GEHEIM") || text.contains("nordstadt"), text)
            }
        }
        XCTAssertFalse(try store.users().first { $0.name == "coordinator-0" }!.revoked, "no 401 request revoked anyone")
    }

    func testUserManagementNeedsTheAdminRole() throws {
        for caller in callers {
            let list = request("GET", "/v1/admin/users", authorization: "Bearer \(caller.token)")
            let victim = "opfer-\(caller.name)"
            let victimToken = try store.addUser(name: victim, role: .coordinator, districts: ["nordstadt"])
            let revoke = request("POST", "/v1/admin/users/\(victim)/revoke", authorization: "Bearer \(caller.token)")
            let victimAfter = request("GET", "/v1/me", authorization: "Bearer \(victimToken)").status
            if caller.role == .admin {
                XCTAssertEqual(list.status, 200)
                let users = try JSONDecoder().decode([UserInfo].self, from: Data(list.body))
                XCTAssertEqual(Set(users.map(\.name)).isSuperset(of: callers.map(\.name)), true)
                XCTAssertFalse(String(decoding: list.body, as: UTF8.self).contains("token"), "the list carries no token or hash")
                XCTAssertEqual(revoke.status, 200)
                XCTAssertEqual(victimAfter, 401, "a revoked token is refused on the next request")
            } else {
                XCTAssertEqual(list.status, 403, "\(caller)")
                XCTAssertEqual(revoke.status, 403, "\(caller)")
                XCTAssertEqual(victimAfter, 200, "\(caller) could not revoke \(victim)")
                XCTAssertFalse(String(decoding: list.body, as: UTF8.self).contains("createdAt"), "a refusal lists no users")
            }
        }
        let admin = callers.first { $0.role == .admin }!
        // Only the admin's revoke happened, and the audit log names the admin as who did it.
        let revokes = try store.auditEntries().filter { $0.action == "user-revoke" }
        XCTAssertEqual(revokes.map(\.actor), ["admin"])
        XCTAssertEqual(revokes.map(\.detail), ["opfer-admin"])
        XCTAssertEqual(request("POST", "/v1/admin/users/niemand/revoke", authorization: "Bearer \(admin.token)").status, 404)
        XCTAssertEqual(request("GET", "/v1/admin/users/niemand/revoke", authorization: "Bearer \(admin.token)").status, 405)
    }

    // MARK: - Tokens

    func testTokensAreLongRandomAndStoredOnlyAsHashes() throws {
        let tokens = try (0..<200).map { try store.addUser(name: "t\($0)", role: .coordinator, districts: ["nordstadt"]) }
        XCTAssertEqual(Set(tokens).count, tokens.count)
        for token in tokens {
            XCTAssertTrue(token.hasPrefix("kette_"))
            let secret = token.dropFirst("kette_".count)
            XCTAssertEqual(secret.count, 64, "256 bits as hex")
            XCTAssertTrue(secret.allSatisfy { $0.isHexDigit })
        }
        // Every hex digit shows up in every position across 200 tokens only if they are not
        // patterned; with 200 uniform draws a digit is missing from a given position with
        // probability 16·(15/16)^200 ≈ 4·10⁻⁵, so check the average over positions instead.
        let positions = (0..<64).map { index in Set(tokens.map { Array($0.dropFirst(6))[index] }).count }
        XCTAssertGreaterThan(Double(positions.reduce(0, +)) / 64, 15.5)
        store = nil
        api = nil
        for suffix in ["", "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: path + suffix) else { continue }
            for token in tokens.prefix(20) {
                XCTAssertNil(bytes.range(of: Data(token.utf8)), "a token is stored in \(path + suffix)")
                XCTAssertNil(bytes.range(of: Data(token.dropFirst(6).prefix(16).utf8)), "part of a token is stored")
            }
        }
    }

    func testConstantTimeComparisonComparesWholeStrings() {
        XCTAssertTrue(Secrets.constantTimeEquals("abc", "abc"))
        XCTAssertFalse(Secrets.constantTimeEquals("abc", "abd"))
        XCTAssertFalse(Secrets.constantTimeEquals("abc", "xbc"))
        XCTAssertFalse(Secrets.constantTimeEquals("abc", "abcd"))
        XCTAssertFalse(Secrets.constantTimeEquals("", "a"))
    }
}
