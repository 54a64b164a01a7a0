import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// A push loads the versions, placements and outcomes it reads for all its records at once
/// (`WriteCache`) and sends its inserts in batches (`WriteBatch`): a later change set of the same
/// push must still see what an earlier one wrote, records beyond the first query's 512 must be
/// read too, and a statement that reads must see the inserts held before it. On SQLite and, with
/// KETTE_SERVER_BACKEND=postgres, on PostgreSQL (256 rows per insert there).
final class PushBatchTests: XCTestCase {
    private func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
        HLCTimestamp(physicalMilliseconds: TestClock.start + offset, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    func testALaterChangeSetOfOnePushIsMergedAgainstWhatAnEarlierOneWrote() throws {
        let server = try makeServerStore(users: [.coordinator("anna", "nordstadt")])
        let (store, identity) = (server.store, try server.identity("anna"))
        let offers = (0..<700).map { "offer-\($0)" }  // two queries: 512, and 188 padded to 256
        func titles(_ id: String, _ text: String, at hlc: HLCTimestamp, base: HLCTimestamp?) -> ChangeSet {
            ChangeSet(id: id, replica: hlc.replica, author: nil, summary: id, changes: offers.map {
                Change(recordType: .offer, recordID: $0, field: "title", value: .string("\(text) \($0)"), hlc: hlc, base: base)
            })
        }
        let created = stamp(0, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0")
        var first = titles("created", "Angebot", at: created, base: nil)
        first.changes += offers.map { Change(recordType: .offer, recordID: $0, field: "district", value: .string("nordstadt"), hlc: created, base: nil) }
        XCTAssertEqual(try store.push(PushRequest(changeSets: [first]), by: identity).results.map(\.status), [.applied])

        // One push: A edits every title having seen the first version; B edits them too, also
        // having seen only the first version, so it did not see A: a conflict per offer. Read
        // against the versions loaded before the push (without A's), B would look like a plain
        // edit of the first version. Both write each title: the batch keeps B's, the later one.
        let edited = titles("edit-a", "Geändert", at: stamp(1_000, "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"), base: created)
        let concurrent = titles("edit-b", "Auch geändert", at: stamp(2_000, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"), base: created)
        let results = try store.push(PushRequest(changeSets: [edited, concurrent]), by: identity).results
        XCTAssertEqual(results.map(\.status), [.applied, .conflicts])
        XCTAssertEqual(results.last?.conflicts?.count, offers.count, "every offer's title was written twice without seeing the other")

        // The next push reads what this one left, from the database: B's titles, and a write
        // that saw them is no conflict.
        let seen = titles("edit-c", "Zuletzt", at: stamp(3_000, "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"), base: concurrent.changes[0].hlc)
        XCTAssertEqual(try store.push(PushRequest(changeSets: [seen]), by: identity).results.map(\.status), [.applied])
        XCTAssertEqual(try pulledValues(store, identity, type: .offer, field: "title"),
                       Dictionary(uniqueKeysWithValues: offers.map { ($0, FieldValue.string("Zuletzt \($0)")) }))
    }

    /// A body and its meetings made in one change set and moved to another district by a later
    /// change set of the same push: the move reads the children's placements from the database,
    /// which must already hold the ones the batch kept back.
    func testARecordMovedLaterInThePushThatCreatedItTakesItsChildrenAlong() throws {
        let server = try makeServerStore(districts: [.nordstadt, .suedstadt],
                                         users: [.county("kreis"), .coordinator("anna", "nordstadt"), .coordinator("bert", "suedstadt")])
        let (store, kreis) = (server.store, try server.identity("kreis"))
        let made = stamp(0, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"), moved = stamp(1_000, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0")
        let meetings = (0..<300).map { "meeting-\($0)" }
        let create = ChangeSet(id: "create", replica: made.replica, author: nil, summary: "create", changes: [
            Change(recordType: .body, recordID: "body-1", field: "name", value: .string("Netzwerk"), hlc: made, base: nil),
            Change(recordType: .body, recordID: "body-1", field: "district", value: .string("nordstadt"), hlc: made, base: nil),
        ] + meetings.map { Change(recordType: .meeting, recordID: $0, field: "body", value: .string("body-1"), hlc: made, base: nil) })
        let move = ChangeSet(id: "move", replica: made.replica, author: nil, summary: "move", changes: [
            Change(recordType: .body, recordID: "body-1", field: "district", value: .string("suedstadt"), hlc: moved, base: made),
        ])
        let results = try store.push(PushRequest(changeSets: [create, move, create]), by: kreis).results
        XCTAssertEqual(results.map(\.status), [.applied, .applied, .applied], "the repeated change set gets its stored outcome")

        XCTAssertEqual(Set(try pulledValues(store, try server.identity("bert"), type: .meeting, field: "body").keys), Set(meetings),
                       "every meeting followed its body to suedstadt")
        XCTAssertEqual(try pulledValues(store, try server.identity("anna"), type: .meeting, field: "body"), [:])
        for meeting in meetings.prefix(3) {
            XCTAssertThrowsError(try store.record(type: .meeting, id: meeting, for: try server.identity("anna")))
            XCTAssertNoThrow(try store.record(type: .meeting, id: meeting, for: try server.identity("bert")))
        }
    }

    /// Versions of fields the database has no row for go in as new rows (`COPY` on PostgreSQL),
    /// without conflict handling: a field whose row is there but unreadable (a garbled timestamp,
    /// as a hand-edited or damaged database may hold) must be replaced, not inserted again, or
    /// every push of that record would fail on the duplicate key. A field made and edited within
    /// one push is one new row.
    func testAFieldWhoseRowIsUnreadableIsReplacedNotInsertedAgain() throws {
        let server = try makeServerStore(users: [.coordinator("anna", "nordstadt")])
        let (store, identity) = (server.store, try server.identity("anna"))
        let made = stamp(0, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0")
        let create = ChangeSet(id: "create", replica: made.replica, author: nil, summary: "create", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Elterncafé"), hlc: made, base: nil),
            Change(recordType: .offer, recordID: "o1", field: "district", value: .string("nordstadt"), hlc: made, base: nil),
        ])
        XCTAssertEqual(try store.push(PushRequest(changeSets: [create]), by: identity).results.map(\.status), [.applied])
        try store.connections.write { db in
            XCTAssertEqual(try db.write("UPDATE field_state SET hlc = 'garbled' WHERE record_id = 'o1' AND field = 'title'"), 1)
        }

        let later = stamp(1_000, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"), latest = stamp(2_000, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0")
        let edit = ChangeSet(id: "edit", replica: later.replica, author: nil, summary: "edit", changes: [
            Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Elterncafé Nord"), hlc: later, base: nil),
            Change(recordType: .offer, recordID: "o1", field: "description", value: .string("dienstags"), hlc: later, base: nil),
        ])
        let again = ChangeSet(id: "again", replica: latest.replica, author: nil, summary: "again", changes: [
            Change(recordType: .offer, recordID: "o1", field: "description", value: .string("dienstags und freitags"), hlc: latest, base: later),
        ])
        XCTAssertEqual(try store.push(PushRequest(changeSets: [edit, again]), by: identity).results.map(\.status), [.applied, .applied])
        XCTAssertEqual(try pulledValues(store, identity, type: .offer, field: "title"), ["o1": .string("Elterncafé Nord")])
        XCTAssertEqual(try pulledValues(store, identity, type: .offer, field: "description"), ["o1": .string("dienstags und freitags")])
        try store.connections.read { db in
            XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM field_state WHERE record_id = 'o1'"), 3)
        }
    }

    /// The stored outcome written by hand reads back as the result it was made from.
    func testTheStoredOutcomeDecodesToTheResult() throws {
        for result in [ChangeSetResult(id: "a/\"b\"\\c", status: .applied),
                       ChangeSetResult(id: "0b6f9c1e-1d2a-4c1e-9a51-6d5c0e7a8f10", status: .conflicts, conflicts: ["x", "y\n"])] {
            let text = ChangeSetApplier.storedOutcome(result)
            XCTAssertEqual(try JSONDecoder().decode(ChangeSetResult.self, from: Data(text.utf8)), result, text)
        }
    }

    /// The latest value of `field` of every record of `type` that `identity` pulls.
    private func pulledValues(_ store: ServerStore, _ identity: Identity, type: RecordType, field: String) throws -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        var cursor: Int64 = 0
        while true {
            let page = try PullPage.decode(json: store.pullPage(after: cursor, limit: 5_000, for: identity))
            for pulled in page.changes where pulled.change.recordType == type && pulled.change.field == field {
                values[pulled.change.recordID] = pulled.change.value
            }
            cursor = page.cursor
            if !page.more { break }
        }
        return values
    }
}
