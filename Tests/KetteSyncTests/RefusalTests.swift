import Foundation
import XCTest
@testable import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
import KetteServer

/// Refusals that resolve (SPEC §9, §13): a change set the server refuses is taken back locally,
/// kept visible, not pushed again, and fails only the sync that received it.
final class RefusalTests: InProcessSyncTestCase {
    override class var districts: [TestDistrict] { [.nordstadt, .suedstadt] }


    func titles(_ store: LocalStore) throws -> Set<String> { Set(try store.offers(OfferFilter(), language: .english).map(\.title)) }

    func serverFields(_ type: RecordType, _ id: String) throws -> [String: String] {
        let db = try ServerDatabaseInspector(server.path)
        var fields: [String: String] = [:]
        for row in try db.rows("SELECT field, value FROM field_state WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) {
            fields[row.string(0)!] = row.string(1)!
        }
        return fields
    }

    /// Anna's store and engine after her offer "Elterncafé" reached the server; its id.
    func annaWithASyncedOffer() throws -> (LocalStore, SyncEngine, String) {
        let (store, engine) = try client("anna")
        _ = try engine.sync()
        let id = try recordOffer(store, "Elterncafé")
        _ = try engine.sync()
        return (store, engine, id)
    }

    /// Anna had Südstadt at her last sync; the county took it away since. Her scope is stale, so
    /// `kette` lets her write there, and the server refuses.
    func annaWhoLostSuedstadt() throws -> (LocalStore, SyncEngine) {
        let (store, engine) = try client("anna", districts: ["nordstadt", "suedstadt"])
        _ = try engine.sync()
        try server.setDistricts(user: "anna", districts: ["nordstadt"])
        return (store, engine)
    }

    func testARefusedNewOfferDisappearsIsKeptAndFailsOnlyOneSync() throws {
        let (store, engine) = try annaWhoLostSuedstadt()
        let foreign = try recordOffer(store, "Sprachcafé Süd", district: "suedstadt")
        _ = try recordOffer(store, "Elterncafé Nord")
        XCTAssertEqual(try SearchIndex.search("Sprachcafé", in: store.database).count, 1)

        let first = try engine.sync()
        XCTAssertEqual(first.refusedChangeSets.map(\.code), ["forbidden"])
        XCTAssertTrue(first.needsAttention, "the sync that received the refusal exits 2")
        XCTAssertEqual(try titles(store), ["Elterncafé Nord"], "the offer the server never had is gone")
        XCTAssertNil(try store.database.scalarInt("SELECT 1 FROM offers WHERE id = ?", [foreign]))
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM field_versions WHERE record_id = ?", [foreign]), 0)
        XCTAssertEqual(try SearchIndex.search("Sprachcafé", in: store.database), [], "and out of the search index")
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 0, "not pushed again")
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM server_versions"), 0)

        let kept = try XCTUnwrap(store.keptRefusals().first)
        XCTAssertEqual(kept.summary, "offer add")
        XCTAssertTrue(kept.reason.contains("suedstadt"), kept.reason)
        let detail = try store.refusal(RecordIdentifier.shortCode(kept.id), language: .english)
        XCTAssertTrue(detail.changes.contains { $0.field == "title" && $0.value == .string("Sprachcafé Süd") && $0.recordID == foreign }, "the content stays visible")
        XCTAssertEqual(try store.status().refusedChangeSets.map(\.id), [kept.id])

        let second = try engine.sync()
        XCTAssertEqual(second.refusedChangeSets, [])
        XCTAssertEqual(second.pushedChangeSets, 0)
        XCTAssertFalse(second.needsAttention, "a kept refusal does not fail later syncs")
        XCTAssertEqual(second.keptRefusals, 1)
    }

    /// A sync that stops after the refusal came back (the pull's connection dropped) exits 3; the
    /// next finished sync reports the refusal, once.
    func testARefusalIsReportedByTheNextFinishedSyncWhenTheSyncThatGotItStopped() throws {
        final class PullDropping: HTTPTransport, @unchecked Sendable {
            // @unchecked: used from one test thread at a time.
            let inner: InProcessTransport
            var dropPulls = 1
            init(_ inner: InProcessTransport) { self.inner = inner }
            func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
                if request.url.contains("/v1/changes?"), dropPulls > 0 {
                    dropPulls -= 1
                    throw .unreachable("injected: connection dropped before the pull")
                }
                return try inner.send(request)
            }
        }
        let (store, _) = try annaWhoLostSuedstadt()
        let engine = SyncEngine(store: store, remote: remotes["anna"]!, transport: PullDropping(InProcessTransport(api: api, seed: 3)))
        _ = try recordOffer(store, "Sprachcafé Süd", district: "suedstadt")
        XCTAssertThrowsError(try engine.sync())
        XCTAssertEqual(try store.keptRefusals().count, 1, "taken back and kept although the sync stopped")
        let next = try engine.sync()
        XCTAssertEqual(next.refusedChangeSets.map(\.code), ["forbidden"])
        XCTAssertTrue(next.needsAttention)
        XCTAssertFalse(try engine.sync().needsAttention)
    }

    /// Gives Anna Südstadt back, lets her store learn it, and takes it away again: her store's
    /// scope is stale once more, so it lets her move an offer there and the server refuses.
    func makeAnnasScopeStale(_ engine: SyncEngine) throws {
        try server.setDistricts(user: "anna", districts: ["nordstadt", "suedstadt"])
        _ = try engine.sync()
        try server.setDistricts(user: "anna", districts: ["nordstadt"])
    }

    /// An edit of a record the server has goes back to the server's version, field by field.
    func testARefusedEditReturnsEachFieldToTheServersVersion() throws {
        let (store, engine, id) = try annaWithASyncedOffer()
        try makeAnnasScopeStale(engine)
        try store.record("offer edit") { change in
            try change.set(.offer, id, "title", .string("Elterncafé Süd"))
            try change.set(.offer, id, "description", .string("Umgezogen"))
            try change.set(.offer, id, "district", .string("suedstadt"))
        }
        let report = try engine.sync()
        XCTAssertEqual(report.refusedChangeSets.map(\.code), ["forbidden"])
        let held = try store.offer(id, language: .english)
        XCTAssertEqual(held.title, "Elterncafé")
        XCTAssertEqual(held.district, "nordstadt")
        XCTAssertNil(held.description, "a field the server never had is empty again")
        XCTAssertNil(try store.database.scalarString("SELECT hlc FROM field_versions WHERE record_id = ? AND field = 'description'", [id]))
        XCTAssertEqual(try store.database.scalarString("SELECT hlc FROM field_versions WHERE record_id = ? AND field = 'title'", [id]),
                       try XCTUnwrap(ServerDatabaseInspector(server.path).scalarString("SELECT hlc FROM field_state WHERE record_id = ? AND field = 'title'", [id])),
                       "the very version the server holds")
        XCTAssertEqual(try SearchIndex.search("Umgezogen", in: store.database), [])

        // Deleting the offer afterwards syncs normally.
        _ = try store.deleteRecord(.offer, id, language: .english)
        let after = try engine.sync()
        XCTAssertEqual(after.refusedChangeSets, [])
        XCTAssertEqual(after.appliedChangeSets, 1)
        XCTAssertEqual(try serverFields(.offer, id)["deleted"], "true")
    }

    /// Several unconfirmed change sets write one field; only the refused one is taken back.
    func testStackedWritesOfOneFieldLoseOnlyTheRefusedOne() throws {
        let (store, engine, id) = try annaWithASyncedOffer()
        func edit(_ fields: [(String, FieldValue)]) throws {
            clock.milliseconds += 5
            try store.record("offer edit") { change in for (field, value) in fields { try change.set(.offer, id, field, value) } }
        }
        let away = ("district", FieldValue.string("suedstadt"))  // refused: Südstadt is no longer hers
        try makeAnnasScopeStale(engine)
        try edit([("title", .string("A"))])                                  // applied
        try edit([("title", .string("B")), ("schedule", .string("montags")), away])  // refused
        try edit([("location", .string("Rathaus"))])                         // applied
        let report = try engine.sync()
        XCTAssertEqual(report.refusedChangeSets.count, 1)
        let held = try store.offer(id, language: .english)
        XCTAssertEqual(held.title, "A", "back to the earlier write the server confirmed, not to the original")
        XCTAssertNil(held.schedule)
        XCTAssertEqual(held.district, "nordstadt")
        XCTAssertEqual(held.location, "Rathaus")

        // The refused write in the middle of the stack, with a later write of the same field.
        try makeAnnasScopeStale(engine)
        try edit([("title", .string("C")), away])  // refused
        try edit([("title", .string("D"))])        // applied
        _ = try engine.sync()
        XCTAssertEqual(try store.offer(id, language: .english).title, "D")
        XCTAssertEqual(try serverFields(.offer, id)["title"], #""D""#)

        // Refused at the bottom of the stack: the later write stands, and is what the server has;
        // pushed after the refusal came back (another batch), its base is what its author saw
        // before the refused write, not the refused version nobody else ever saw.
        try makeAnnasScopeStale(engine)
        let before = try XCTUnwrap(store.database.scalarString("SELECT hlc FROM field_versions WHERE record_id = ? AND field = 'title'", [id]))
        try edit([("title", .string("E")), away])                                // refused
        try edit([("title", .string("F")), ("schedule", .string("dienstags"))])
        _ = try SyncEngine(store: store, remote: remotes["anna"]!, transport: InProcessTransport(api: api, seed: 2), pushBatchSize: 1).sync()
        XCTAssertEqual(try store.offer(id, language: .english).title, "F")
        XCTAssertEqual(try store.offer(id, language: .english).schedule, "dienstags")
        XCTAssertEqual(try store.offer(id, language: .english).district, "nordstadt")
        XCTAssertEqual(try ServerDatabaseInspector(server.path).scalarString("SELECT base FROM field_state WHERE record_id = ? AND field = 'title'", [id]), before)
        XCTAssertEqual(try store.keptRefusals().count, 3)
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM server_versions"), 0)
    }

    /// One push answer confirms several writes of a field together while a later write of it waits
    /// for the next batch: the field's remembered server version becomes the newest confirmed
    /// one, so the later write's refusal returns the field to it, not to the version before.
    func testWritesConfirmedTogetherLeaveTheNewestAsTheServersVersion() throws {
        let (store, engine, id) = try annaWithASyncedOffer()
        try makeAnnasScopeStale(engine)
        for (title, away) in [("A", false), ("B", false), ("C", true)] {
            clock.milliseconds += 5
            try store.record("offer edit") { change in
                try change.set(.offer, id, "title", .string(title))
                if away { try change.set(.offer, id, "district", .string("suedstadt")) }  // refused: no longer hers
            }
        }
        let twoPerBatch = SyncEngine(store: store, remote: remotes["anna"]!, transport: InProcessTransport(api: api, seed: 3), pushBatchSize: 2)
        // Push only: a pull would bring the server's version back whatever the refusal left.
        let report = try twoPerBatch.sync(.push)
        XCTAssertEqual(report.refusedChangeSets.count, 1)
        XCTAssertEqual(try store.offer(id, language: .english).title, "B", "back to the newest write confirmed with the first answer")
        XCTAssertEqual(try serverFields(.offer, id)["title"], #""B""#)
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM server_versions"), 0)
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 0)
    }

    /// Confirming a push frees the outbox's pages without zeroing them (they held copies of
    /// versions the store keeps); the connection's `secure_delete` is as it was afterwards, for
    /// an answer with and without a refusal, whatever it was.
    func testConfirmingAPushLeavesTheStoresSecureDeleteAsItWas() throws {
        let (store, engine) = try client("anna")
        _ = try engine.sync()
        for setting in [SecureDelete.on, .off, .fast] {
            try store.database.setSecureDelete(setting)
            _ = try recordOffer(store, "Elterncafé \(setting)")
            XCTAssertEqual(try engine.sync().pushedChangeSets, 1)
            XCTAssertEqual(try store.database.secureDelete(), setting, "after a confirmation")
            try makeAnnasScopeStale(engine)
            _ = try recordOffer(store, "Sprachcafé \(setting)", district: "suedstadt")
            XCTAssertEqual(try engine.sync().refusedChangeSets.map(\.code), ["forbidden"])
            XCTAssertEqual(try store.database.secureDelete(), setting, "after a refusal")
        }
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 0)
    }

    /// A version the server got from someone else while this replica's write waited is the one
    /// the field returns to, even when it lost locally against the waiting write.
    func testTheFieldReturnsToAServerVersionPulledWhileTheWriteWaited() throws {
        let (store, engine) = try client("anna")
        let (county, countySync) = try client("kreis", role: .county, districts: [])
        _ = try engine.sync(); _ = try countySync.sync()
        let id = try recordOffer(store, "Elterncafé")
        _ = try engine.sync(); _ = try countySync.sync()
        try makeAnnasScopeStale(engine)
        var countyEdit = OfferInput()
        countyEdit.title = "Familiencafé"
        _ = try county.editOffer(id, countyEdit, language: .english)
        clock.milliseconds += 10
        try store.record("offer edit") { change in
            try change.set(.offer, id, "title", .string("Elterncafé Süd"))
            try change.set(.offer, id, "district", .string("suedstadt"))
        }
        _ = try countySync.sync()
        _ = try engine.sync(.pull)
        XCTAssertEqual(try store.offer(id, language: .english).title, "Elterncafé Süd", "the waiting local write is newer")
        _ = try engine.sync()
        XCTAssertEqual(try store.offer(id, language: .english).title, "Familiencafé")
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM server_versions"), 0)
    }

    func testRetryAfterTheDistrictWasGivenAppliesTheContent() throws {
        let (store, engine) = try annaWhoLostSuedstadt()
        _ = try recordOffer(store, "Sprachcafé Süd", district: "suedstadt")
        _ = try engine.sync()
        let refusal = try XCTUnwrap(store.keptRefusals().first)

        // Still outside her scope: refused at once, the refusal kept, nothing written.
        XCTAssertThrowsError(try store.retryRefusal(refusal.id, language: .english)) { error in
            guard case KetteError.outsideScope(.offer, "Sprachcafé Süd", .district("Südstadt (suedstadt)"), ["Nordstadt (nordstadt)"])? = error as? KetteError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertEqual(try store.keptRefusals().map(\.id), [refusal.id])
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 0)

        try server.setDistricts(user: "anna", districts: ["nordstadt", "suedstadt"])
        _ = try engine.sync()  // learns the new scope
        try store.retryRefusal(RecordIdentifier.shortCode(refusal.id), language: .english)
        XCTAssertEqual(try store.keptRefusals(), [])
        XCTAssertEqual(try titles(store), ["Sprachcafé Süd"])
        let report = try engine.sync()
        XCTAssertEqual(report.refusedChangeSets, [])
        XCTAssertEqual(report.appliedChangeSets, 1)
        let onServer = try ServerDatabaseInspector(server.path).scalarInt("SELECT count(*) FROM field_state WHERE field = 'title' AND value = ?", [#""Sprachcafé Süd""#])
        XCTAssertEqual(onServer, 1)
    }

    func testDropForgetsOneOrAllKeptRefusals() throws {
        let (store, engine) = try annaWhoLostSuedstadt()
        for title in ["Eins", "Zwei", "Drei"] { _ = try recordOffer(store, title, district: "suedstadt") }
        _ = try engine.sync()
        let kept = try store.keptRefusals()
        XCTAssertEqual(kept.count, 3)
        XCTAssertThrowsError(try store.dropRefusal("zz", language: .english)) { error in
            XCTAssertTrue("\(error)".contains("zz"), "\(error)")
        }
        XCTAssertEqual(try store.dropRefusal(kept[1].id, language: .english).id, kept[1].id)
        XCTAssertEqual(try store.keptRefusals().map(\.id), [kept[0].id, kept[2].id])
        XCTAssertEqual(try store.dropAllRefusals(), 2)
        XCTAssertEqual(try store.keptRefusals(), [])
        XCTAssertEqual(try titles(store), [])
    }
}
