import Foundation
import XCTest
import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// The planning records (record schema 2) through the real sync engine and server: they sync and
/// merge like every record, a concurrent edit of a measure's status is a conflict that a
/// resolution settles everywhere, and clients and servers of different record schemas keep
/// working with each other (SPEC §2).
final class PlanningSyncTests: InProcessSyncTestCase {
    override class var districts: [TestDistrict] { [.nordstadt, .suedstadt] }

    func testPlanningRecordsSyncAndAConcurrentStatusEditIsAConflictThatOneResolutionSettles() throws {
        let (anna, annaSync) = try client("anna")
        let (bea, beaSync) = try client("bea")
        let (kreis, kreisSync) = try client("kreis", role: .county, districts: [])
        _ = try annaSync.sync()
        let need = try anna.addNeed(RecordInput(["description": "Kein Elterncafé", "district": "nordstadt", "phases": "early-childhood"]),
                                    language: .english)
        let goal = try anna.addGoal(RecordInput(["statement": "Ein Treffpunkt für Eltern", "district": "nordstadt"]), language: .english)
        let target = try anna.addTarget(goal: goal, RecordInput(["indicator": "active-offers", "district": "nordstadt", "phase": "early-childhood",
                                                                 "targetValue": "1", "due": "2026"]), language: .english)
        let measure = try anna.addMeasure(RecordInput(["title": "Elterncafé einrichten", "district": "nordstadt", "needs": need,
                                                       "gaps": "nordstadt:early-childhood", "goals": goal]), language: .english)
        _ = try anna.addMeasureNote(measure: measure, text: "Räume gefunden", date: "2026-04-02", status: "running", language: .english)
        let contact = try anna.addContact(RecordInput(["name": "Petra Sommer", "email": "p@s.example"]), language: .english)
        for engine in [annaSync, beaSync, kreisSync] { _ = try engine.sync() }

        for store in [bea, kreis] {
            XCTAssertEqual(try store.need(need, language: .english).status, .addressed)
            XCTAssertEqual(try store.goal(goal, language: .english).targets.map(\.id), [target])
            let synced = try store.measure(measure, language: .english)
            XCTAssertEqual(synced.status, .running)
            XCTAssertEqual(synced.gaps, ["nordstadt:early-childhood"])
            XCTAssertEqual(synced.notes.map(\.text), ["Räume gefunden"])
            XCTAssertEqual(try store.contact(contact, language: .english).email, "p@s.example")
        }

        // Two coordinators change the measure's status without seeing each other's change.
        clock.milliseconds += 1_000
        _ = try anna.editMeasure(measure, RecordInput(["status": "done"]), language: .english)
        clock.milliseconds += 1_000
        _ = try bea.editMeasure(measure, RecordInput(["status": "dropped"]), language: .english)
        _ = try annaSync.sync()
        let second = try beaSync.sync()
        XCTAssertEqual(second.openConflicts, 1)
        _ = try annaSync.sync()
        let conflict = try XCTUnwrap(anna.conflicts().first)
        XCTAssertEqual(conflict.recordType, "measure")
        XCTAssertEqual(conflict.field, "status")
        XCTAssertEqual(conflict.winner.value, .string("dropped"), "the later write wins until someone decides")
        XCTAssertEqual(try anna.measure(measure, language: .english).status, .dropped)

        _ = try anna.resolveConflict(conflict.id, .mine, language: .english)
        for engine in [annaSync, beaSync, kreisSync, annaSync] { _ = try engine.sync() }
        for store in [anna, bea, kreis] {
            XCTAssertEqual(try store.measure(measure, language: .english).status, .done, "the resolution reaches every replica")
            XCTAssertEqual(try store.conflicts().count, 0)
        }
    }

    /// A server of record schema 1 (it announces none in `/v1/me` and would fail a whole push
    /// that names a type it does not know): the client sends it only the change sets of schema 1
    /// and keeps the rest waiting, until the server understands them.
    func testAnOlderServerGetsOnlyWhatItsSchemaHasAndTheRestWaits() throws {
        let old = OlderServerTransport()
        let (anna, annaSync) = try client("anna", transport: { api in old.inner = InProcessTransport(api: api, seed: 3); return old })
        _ = try annaSync.sync()
        let offer = try recordOffer(anna, "Elterncafé")
        _ = try anna.addNeed(RecordInput(["description": "Kein Elterncafé", "district": "nordstadt"]), language: .english)
        let report = try annaSync.sync()
        XCTAssertEqual(old.newerChangeSetsSent, 0, "no change set of schema 2 reached the older server")
        XCTAssertEqual(report.refusedChangeSets.map(\.code), ["unsupported_schema"])
        XCTAssertTrue(report.refusedChangeSets.allSatisfy(\.waiting))
        XCTAssertTrue(report.needsAttention, "the first sync that holds it back says so (exit 2)")
        XCTAssertEqual(try Outbox.pendingCount(in: anna.database), 1, "the need waits in the outbox")
        let admin = Identity(user: "admin", role: .admin, districts: [])
        XCTAssertEqual(try server.record(type: .offer, id: offer, for: admin).fields["title"], .string("Elterncafé"))
        XCTAssertFalse(try annaSync.sync().needsAttention, "a change set still waiting does not fail every later sync")

        old.upgraded = true
        _ = try annaSync.sync()
        XCTAssertEqual(try Outbox.pendingCount(in: anna.database), 0, "once the server understands schema 2 the need goes")
        XCTAssertEqual(try anna.refusedChangeSets().count, 0)
    }

    /// A client that pulled while it read record schema 1 was served no planning record; once it
    /// reads schema 2 it pulls from the start once and gets them.
    func testAClientThatPulledWithAnOlderSchemaGetsTheNewerTypesAfterItsUpgrade() throws {
        let (kreis, kreisSync) = try client("kreis", role: .county, districts: [])
        _ = try kreisSync.sync()
        let need = try kreis.addNeed(RecordInput(["description": "Kein Elterncafé", "district": "nordstadt"]), language: .english)
        let offer = try recordOffer(kreis, "Elterncafé")
        _ = try kreisSync.sync()

        let older = SchemaOneClientTransport()
        let (anna, annaOldSync) = try client("anna", transport: { api in older.inner = InProcessTransport(api: api, seed: 5); return older })
        // Pulls only: the digest check that ends a full sync would bring the need as well (a
        // client of schema 1 had no such check), and this test is about the pull.
        _ = try annaOldSync.sync(.pull)
        XCTAssertEqual(try anna.offers(OfferFilter(), language: .english).map(\.id), [offer])
        XCTAssertEqual(try anna.needs(language: .english).count, 0, "a pull that did not say its schema got no need")
        // What the migration to schema 2 leaves in a store a client of schema 1 pulled into: a
        // cursor past the need, and the schema it was pulled with.
        try anna.database.execute("""
            INSERT INTO replica_meta (key, value) VALUES ('pulled_schema', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)

        let annaSync = SyncEngine(store: anna, remote: remotes["anna"]!, transport: InProcessTransport(api: api, seed: 6))
        _ = try annaSync.sync(.pull)
        XCTAssertEqual(try anna.needs(language: .english).map(\.id), [need], "the upgraded client pulled from the start once")
        XCTAssertEqual(try anna.database.scalarString("SELECT value FROM replica_meta WHERE key = 'pulled_schema'"), "2")
    }
}

/// The answers of a server of record schema 1: `/v1/me` without `schemaVersion`, and a push that
/// names a record type it does not know refused whole (400 invalid_body), as such a server does.
private final class OlderServerTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: used from one test thread at a time.
    var inner: InProcessTransport!
    var upgraded = false
    var newerChangeSetsSent = 0

    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        guard !upgraded else { return try inner.send(request) }
        if request.method == "POST", let body = request.body, let push = try? PushRequest.decode(json: body) {
            let newer = push.changeSets.filter { $0.schemaVersion > 1 }
            newerChangeSetsSent += newer.count
            if !newer.isEmpty {
                return TransportResponse(status: 400, headers: [:], body: Array(#"{"error":{"code":"invalid_body","message":"not a record type"}}"#.utf8))
            }
        }
        let response = try inner.send(request)
        guard request.url.hasSuffix("/v1/me"), var identity = try? JSONDecoder().decode(Identity.self, from: Data(response.body)) else { return response }
        identity.schemaVersion = nil
        return TransportResponse(status: response.status, headers: response.headers, body: Array(try! JSONEncoder().encode(identity)))
    }
}

/// A client of record schema 1 pulls without saying its schema.
private final class SchemaOneClientTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: used from one test thread at a time.
    var inner: InProcessTransport!

    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        var request = request
        request.url = request.url.replacingOccurrences(of: "&schema=\(ChangeSet.currentSchemaVersion)", with: "")
        return try inner.send(request)
    }
}
