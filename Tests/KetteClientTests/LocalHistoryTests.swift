import Foundation
import XCTest
import KetteProtocol
import KetteStore
@testable import KetteClient

/// The local history's bounds and the migration that brings older stores to the German search;
/// what undo, trash and log do for people is tested end to end in KetteCLITests.
final class LocalHistoryTests: XCTestCase {
    var home: String!
    var time: Int64 = 1_763_900_000_000

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("kette-history-\(UUID().uuidString)").path
        XCTAssertTrue(try LocalStore.create(directory: home, name: "Anna"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: home)
    }

    func open() throws -> LocalStore {
        try LocalStore(directory: home, now: { [unowned self] in self.time })
    }

    private func addOffer(_ store: LocalStore, _ title: String, description: String? = nil) throws -> String {
        if try store.districts().isEmpty { _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english) }
        var input = OfferInput()
        input.title = title
        input.district = "nordstadt"
        input.description = description
        return try store.addOffer(input, language: .english)
    }

    func testWhatIsOlderThanThirtyDaysIsForgottenAtTheNextOpening() throws {
        let store = try open()
        let offer = try addOffer(store, "Elterncafé", description: "Frau Öztürk lädt ein")
        _ = try store.deleteRecord(.offer, offer, language: .english)
        XCTAssertEqual(try store.trash().map(\.id), [offer])

        time += LocalHistory.retentionMilliseconds - 60_000
        XCTAssertEqual(try open().trash().map(\.id), [offer], "29 days and 23 hours later it is still there")
        time += 120_000
        let later = try open()
        XCTAssertEqual(try later.trash(), [], "after 30 days the deleted texts are gone")
        XCTAssertEqual(try later.database.scalarInt("SELECT count(*) FROM local_action_fields"), 0)
        XCTAssertEqual(try later.database.scalarInt("SELECT count(*) FROM local_actions"), 0)
        XCTAssertEqual(try later.log(.all).entries, [])
        XCTAssertThrowsError(try later.undo(language: .english)) { XCTAssertEqual($0 as? KetteError, .nothingToUndo) }
    }

    func testNothingOfTheHistoryGoesIntoTheOutbox() throws {
        let store = try open()
        let offer = try addOffer(store, "Elterncafé", description: "Frau Öztürk lädt ein")
        _ = try store.deleteRecord(.offer, offer, language: .english)
        let sets = try Outbox.pending(in: store.database, replica: store.replica)
        let tombstone = try XCTUnwrap(sets.last)
        XCTAssertEqual(tombstone.changes.first { $0.field == "description" }?.value, .null, "the tombstone carries no text")
        XCTAssertEqual(tombstone.changes.first?.field, "deleted")
        XCTAssertTrue(tombstone.changes.dropFirst().allSatisfy { $0.value == .null }, "\(tombstone.changes)")
        XCTAssertEqual(try store.database.scalarString("SELECT previous_value FROM local_action_fields WHERE field = 'description' AND previous_value IS NOT NULL"),
                       "\"Frau Öztürk lädt ein\"", "the text is kept here, beside the outbox")
    }

    func testTrashAndLogNameADeletedRecordByItsFormerTitle() throws {
        let store = try open()
        let offer = try addOffer(store, "Elterncafé", description: "Frau Öztürk lädt ein")
        _ = try store.deleteRecord(.offer, offer, language: .english)
        _ = try store.deleteRecord(.district, "nordstadt", language: .english)
        XCTAssertEqual(try store.trash().map(\.title), ["Nordstadt", "Elterncafé"],
                       "a name the deletion did not empty is read from the record")
        let log = try store.log(.all).entries
        XCTAssertEqual(log.filter { $0.recordID == offer }.map(\.title), ["Elterncafé", "Elterncafé"],
                       "the deletion and the creation of the offer, whose title the deletion emptied: \(log)")
        XCTAssertEqual(Set(log.filter { $0.recordType == .district }.compactMap(\.title)), ["Nordstadt"])
    }

    func testAnErasureDropsEveryKeptValue() throws {
        let store = try open()
        let offer = try addOffer(store, "Elterncafé", description: "Frau Öztürk lädt ein")
        _ = try store.deleteRecord(.offer, offer, language: .english)
        try store.database.inTransaction { db in try LocalHistory.forgetPreviousValues(in: db) }
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM local_action_fields WHERE previous_value IS NOT NULL"), 0)
        XCTAssertEqual(try store.trash(), [])
        XCTAssertThrowsError(try store.undo(language: .english)) { XCTAssertEqual($0 as? KetteError, .undoForgotten(summary: "offer delete")) }
    }

    func testReceivedRowsStayBounded() throws {
        let store = try open()
        try store.database.inTransaction { db in
            for index in 0..<(LocalHistory.maxReceivedRows + 10) {
                try db.execute("INSERT INTO received_changes (record_type, record_id, fields, hlc, at, received_at) VALUES ('offer', ?, 'title', 'x', ?, ?)",
                               ["o\(index)", time, time])
            }
        }
        let reopened = try open()
        XCTAssertEqual(try reopened.database.scalarInt("SELECT count(*) FROM received_changes"), LocalHistory.maxReceivedRows)
        XCTAssertEqual(try reopened.database.scalarString("SELECT min(record_id) FROM received_changes WHERE record_id IN ('o0', 'o9', 'o10')"), "o10",
                       "the oldest rows go first")
    }

    /// `kette log --limit N` after a county's first sync: the newest N entries of the whole log,
    /// each with its time and title, and the total of all; local and received entries interleaved
    /// by time as without a limit.
    func testALimitedLogIsTheNewestOfTheWholeLogWithItsTotal() throws {
        let store = try open()
        var offers: [String] = []
        for index in 0..<4 {
            time += 60_000
            offers.append(try addOffer(store, "Angebot \(index)"))
        }
        // Received versions of those offers, written between and after the local ones.
        try store.database.inTransaction { db in
            for (index, offer) in offers.enumerated() {
                try db.execute("INSERT INTO received_changes (record_type, record_id, fields, author, hlc, at, received_at) VALUES ('offer', ?, 'cost,title', 'c2', 'x', ?, ?)",
                               [offer, time - Int64(index) * 90_000 + 30_000, time])
            }
        }
        let whole = try store.log(.all)
        XCTAssertEqual(whole.total, 9, "the district, four offers made here, four versions received")
        XCTAssertEqual(whole.entries.count, 9)
        XCTAssertEqual(Set(whole.entries.map(\.origin)), ["local", "server"])
        XCTAssertEqual(whole.entries.map(\.writtenAt), whole.entries.map(\.writtenAt).sorted(by: >), "newest first")
        for limit in [1, 3, 5, 9, 20] {
            let limited = try store.log(.all, limit: limit)
            XCTAssertEqual(limited.total, 9, "the total counts every entry, also with --limit \(limit)")
            XCTAssertEqual(limited.entries, Array(whole.entries.prefix(limit)))
        }
        for entry in whole.entries {
            XCTAssertEqual(entry.time, ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(entry.writtenAt) / 1000)))
            XCTAssertTrue(entry.title?.hasPrefix(entry.recordType == .district ? "Nordstadt" : "Angebot ") == true, "\(entry)")
        }
    }

    /// A store written before the German search and the history: the opening migrates it, and
    /// the new index holds every record it had.
    func testAnOlderStoreIsMigratedAndItsIndexRebuilt() throws {
        let store = try open()
        let offer = try addOffer(store, "Bedarfserhebung im Quartier", description: "mit Frau Müller")
        let body = try store.addBody(name: "Netzwerk Frühe Hilfen", level: "network", district: "nordstadt", language: .english)
        var meeting = MeetingInput()
        meeting.body = body
        meeting.date = "2026-03-14"
        meeting.minutes = "Herr Mueller berichtet."
        let meetingID = try store.addMeeting(meeting, language: .english)
        // Back to the schema before: the word index of version 1, no history, no new indexes.
        try store.database.execute("""
            DROP TABLE offers_fts; DROP TABLE meetings_fts;
            DROP TABLE local_action_fields; DROP TABLE local_actions; DROP TABLE received_changes;
            DROP INDEX offers_by_provider; DROP INDEX meetings_by_body;
            CREATE VIRTUAL TABLE offers_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 0');
            CREATE VIRTUAL TABLE meetings_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 0');
            DELETE FROM schema_migrations WHERE identifier IN ('german-search', 'local-history');
            """)
        let migrated = try open()
        XCTAssertEqual(try migrated.search("erhebung").map(\.id), [offer])
        XCTAssertEqual(Set(try migrated.search("Müller").map(\.id)), [offer, meetingID])
        XCTAssertEqual(try Migrator.appliedIdentifiers(migrated.database).suffix(2), ["german-search", "local-history"])
        _ = try migrated.deleteRecord(.offer, offer, language: .english)
        XCTAssertEqual(try migrated.trash().map(\.id), [offer], "the history works on the migrated store")
    }
}
