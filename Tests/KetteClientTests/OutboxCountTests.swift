import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteClient

/// `kette status` shows the waiting change sets and field changes from totals kept by triggers,
/// not by counting the outbox: they must be what a count of the rows would say, after every kind
/// of write and removal, also in a store written before the totals existed.
final class OutboxCountTests: XCTestCase {
    private func realCount(_ store: LocalStore) throws -> Int {
        try XCTUnwrap(try store.database.scalarInt("SELECT count(*) FROM outbox_changes"))
    }

    private func addOffers(_ store: LocalStore, _ count: Int) throws -> [String] {
        if try store.districts().isEmpty { _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english) }
        return try (0..<count).map { index in
            var input = OfferInput()
            input.title = "Elterncafé \(index)"
            input.district = "nordstadt"
            input.description = index.isMultiple(of: 2) ? "mit Frau Müller" : nil
            return try store.addOffer(input, language: .english)
        }
    }

    func testStatusCountsEveryWaitingChangeAfterAddsEditsAndDeletions() throws {
        let store = try makeLocalStore(name: "Anna")
        let offers = try addOffers(store, 5)
        var edit = OfferInput()
        edit.title = "Elterncafé am Markt"
        _ = try store.editOffer(offers[1], edit, language: .english)
        _ = try store.deleteRecord(.offer, offers[2], language: .english)
        let status = try store.status()
        XCTAssertGreaterThan(status.pendingChanges, 5)
        XCTAssertEqual(status.pendingChanges, try realCount(store))
        XCTAssertEqual(status.pendingChangeSets, 8, "a district, five offers, an edit and a deletion")
    }

    func testAStoreFromBeforeTheCountsIsCountedWhenItIsOpened() throws {
        let store = try makeLocalStore(name: "Anna")
        _ = try addOffers(store, 4)
        let before = try realCount(store)
        // Back to the schema before the totals: no column, index, table or triggers, the migration not applied.
        try store.database.execute("""
            DROP TRIGGER outbox_totals_after_insert; DROP TRIGGER outbox_totals_after_delete; DROP TRIGGER outbox_totals_after_count_change;
            DROP TABLE outbox_totals; DROP INDEX outbox_change_sets_refused; DROP INDEX meetings_live_by_date; DROP INDEX tasks_open_by_due;
            ALTER TABLE outbox_change_sets DROP COLUMN change_count;
            DELETE FROM schema_migrations WHERE identifier = 'status-counts';
            """)
        let reopened = try LocalStore(directory: (store.path as NSString).deletingLastPathComponent)
        XCTAssertEqual(try Migrator.appliedIdentifiers(reopened.database).last, "status-counts")
        XCTAssertEqual(try reopened.status().pendingChanges, before)
        XCTAssertEqual(try reopened.status().pendingChangeSets, 5, "a district and four offers")
        _ = try addOffers(reopened, 1)
        XCTAssertEqual(try reopened.status().pendingChanges, try realCount(reopened))
    }

    /// Change sets leave the outbox when the server confirms or refuses them; the totals follow
    /// whichever way they go, their changes leaving with them (cascade).
    func testTheTotalsFollowChangeSetsThatLeaveTheOutbox() throws {
        let store = try makeLocalStore(name: "Anna")
        _ = try addOffers(store, 3)
        let oldest = try XCTUnwrap(try store.database.scalarInt("SELECT min(seq) FROM outbox_change_sets"))
        try store.database.execute("DELETE FROM outbox_change_sets WHERE seq <= ?", [oldest + 1])
        XCTAssertEqual(try store.status().pendingChangeSets, 2)
        XCTAssertEqual(try store.status().pendingChanges, try realCount(store))
        try store.database.execute("DELETE FROM outbox_change_sets")
        XCTAssertEqual(try store.status().pendingChangeSets, 0)
        XCTAssertEqual(try store.status().pendingChanges, 0)
    }
}
