import Foundation
import KetteMessages
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteClient

final class LocalStoreTests: XCTestCase {
    var home: String!
    var time = TestClock.start

    override func setUpWithError() throws {
        home = try makeTemporaryDirectory("client")
        XCTAssertTrue(try LocalStore.create(directory: home, name: "Anna"))
    }

    func open() throws -> LocalStore {
        try LocalStore(directory: home, now: { [unowned self] in self.time })
    }

    func seed(_ store: LocalStore) throws -> (district: String, offer: String) {
        let district = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        var input = OfferInput()
        input.title = "Sprachförderung in der Kita"
        input.district = "nordstadt"
        input.phases = "primary,preschool"
        input.category = "promotion"
        let offer = try store.addOffer(input, language: .english)
        return (district, offer)
    }

    func testCreateIsIdempotentAndKeepsTheReplica() throws {
        let replica = try open().replica
        XCTAssertFalse(try LocalStore.create(directory: home, name: "Other"))
        XCTAssertEqual(try open().replica, replica)
        XCTAssertEqual(try open().name, "Anna")
    }

    func testEveryActionIsOneChangeSetWithItsFieldChanges() throws {
        let store = try open()
        let (_, offer) = try seed(store)
        let sets = try Outbox.pending(in: store.database, replica: store.replica)
        XCTAssertEqual(sets.map(\.summary), ["district add", "offer add"])
        let offerSet = sets[1]
        XCTAssertEqual(offerSet.author, "Anna")
        XCTAssertEqual(Set(offerSet.changes.map(\.field)), ["title", "district", "phases", "category", "status"])
        XCTAssertTrue(offerSet.changes.allSatisfy { $0.recordID == offer && $0.recordType == .offer && $0.base == nil })
        XCTAssertEqual(Set(offerSet.changes.map(\.hlc)).count, 1, "one action, one timestamp")
        XCTAssertEqual(offerSet.changes.first { $0.field == "phases" }?.value, .list(["preschool", "primary"]),
                       "phases are kept in the order of growing up")
        XCTAssertGreaterThan(offerSet.changes[0].hlc, sets[0].changes[0].hlc)
    }

    func testEditRecordsOnlyChangedFieldsWithTheSeenVersionAsBase() throws {
        let store = try open()
        let (_, offer) = try seed(store)
        let created = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last?.changes.first?.hlc)
        time += 1_000
        var edit = OfferInput()
        edit.title = "Sprachförderung in der Kita"   // unchanged: must not be recorded
        edit.status = "ended"
        XCTAssertEqual(try store.editOffer(offer, edit, language: .english), offer)
        let last = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last)
        XCTAssertEqual(last.summary, "offer edit")
        XCTAssertEqual(last.changes.map(\.field), ["status"])
        XCTAssertEqual(last.changes[0].value, .string("ended"))
        XCTAssertEqual(last.changes[0].base, created)
        XCTAssertEqual(try store.offer(offer, language: .english).status, .ended)
    }

    func testAFailedActionWritesNothing() throws {
        let store = try open()
        _ = try seed(store)
        let before = try store.status()
        let versionsBefore = try store.database.scalarInt("SELECT count(*) FROM field_versions")
        struct Boom: Error {}
        XCTAssertThrowsError(try store.record("offer add") { change in
            try change.create(.offer, "half", [("title", .string("Halb")), ("district", .string("nordstadt"))])
            throw Boom()
        }) { error in
            XCTAssertTrue(error is Boom, "the action's own error comes back: \(error)")
        }
        var bad = OfferInput()
        bad.title = "Neu"
        bad.district = "nordstadt"
        bad.phases = "preschool,baby"
        XCTAssertThrowsError(try store.addOffer(bad, language: .english)) { error in
            XCTAssertEqual(error as? KetteError, .invalidValue(field: FieldText.phase.text, value: "baby", accepted: Input.accepted(LifePhase.self)))
        }
        let after = try store.status()
        XCTAssertEqual(after.offers, before.offers)
        XCTAssertEqual(after.pendingChangeSets, before.pendingChangeSets)
        XCTAssertEqual(after.pendingChanges, before.pendingChanges)
        XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM field_versions"), versionsBefore)
        XCTAssertNil(try store.database.scalarInt("SELECT 1 FROM offers WHERE id = 'half'"))
    }

    func testDeleteIsATombstoneChange() throws {
        let store = try open()
        let (_, offer) = try seed(store)
        _ = try store.deleteRecord(.offer, offer, language: .english)
        let last = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last)
        // The tombstone and, in the same change set, the emptying of the text fields the offer had.
        XCTAssertEqual(last.changes.map(\.field), ["deleted", "title", "phases", "category", "status"])
        XCTAssertEqual(last.changes[0].value, .bool(true))
        XCTAssertEqual(Set(last.changes.dropFirst().map(\.value)), [.null])
        XCTAssertEqual(try store.database.scalarString("SELECT title FROM offers WHERE id = ?", [offer]), nil)
        XCTAssertEqual(try store.offers(OfferFilter(), language: .english).count, 0)
        XCTAssertEqual(try store.search("Sprachförderung").count, 0)
        XCTAssertThrowsError(try store.offer(offer, language: .english)) { error in
            XCTAssertEqual(error as? KetteError, .notFound(kind: FieldText.offer.text, reference: offer))
        }
    }

    func testClockSurvivesReopenAndNeverRunsBackwards() throws {
        let store = try open()
        _ = try seed(store)
        let lastBefore = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last?.changes.first?.hlc)
        time -= 60_000  // the laptop's clock was set back a minute
        let reopened = try open()
        _ = try reopened.addOrganization(name: "Jugendamt", kind: nil, sector: nil, contact: nil, language: .english)
        let after = try XCTUnwrap(Outbox.pending(in: reopened.database, replica: reopened.replica).last?.changes.first?.hlc)
        XCTAssertGreaterThan(after, lastBefore)
    }

    func testNamesResolveCaseInsensitivelyWithUmlautsAndAmbiguityIsAnError() throws {
        let store = try open()
        _ = try store.addDistrict(name: "Südstadt", id: nil, parent: nil, language: .english)
        let first = try store.addOrganization(name: "Jugendamt Süd", kind: nil, sector: nil, contact: nil, language: .english)
        XCTAssertEqual(try Resolver.resolve("JUGENDAMT SÜD", as: .organization, in: store.database, language: .english), first)
        XCTAssertNoThrow(try Resolver.resolve("südstadt", as: .district, in: store.database, language: .english))
        XCTAssertThrowsError(try Resolver.resolve("sudstadt", as: .district, in: store.database, language: .english)) { error in
            guard case .notFoundAmong(let kind, let reference, let known) = error as? KetteError else { return XCTFail("\(error)") }
            XCTAssertEqual(kind, FieldText.district.text)
            XCTAssertEqual(reference, "sudstadt")
            XCTAssertEqual(known.map { $0.prefix(10) }, ["Südstadt ("], "the districts there are, with their ids")
        }
        let second = try store.addOrganization(name: "jugendamt süd", kind: nil, sector: nil, contact: nil, language: .english)
        XCTAssertThrowsError(try Resolver.resolve("Jugendamt Süd", as: .organization, in: store.database, language: .english)) { error in
            guard case .ambiguous(_, _, let candidates) = error as? KetteError else { return XCTFail("\(error)") }
            XCTAssertEqual(candidates.count, 2)
            XCTAssertTrue(candidates.joined().contains(first) && candidates.joined().contains(second))
        }
        XCTAssertEqual(try Resolver.resolve(RecordIdentifier.shortCode(first), as: .organization, in: store.database, language: .english), first)
    }

    func testNewRecordsGetTimeOrderedIDsThatTheirShortCodesFind() throws {
        let store = try open()
        // Made within a second: the ids' starts are alike, their short codes are not.
        let ids = try (0..<40).map { try store.addOrganization(name: "Träger \($0)", kind: nil, sector: nil, contact: nil, language: .english) }
        XCTAssertTrue(ids.allSatisfy(RecordIdentifier.isTimeOrdered), "\(ids.prefix(3))")
        for id in ids {
            XCTAssertEqual(try Resolver.resolve(RecordIdentifier.shortCode(id), as: .organization, in: store.database, language: .english), id)
            XCTAssertEqual(try Resolver.resolve(id.uppercased(), as: .organization, in: store.database, language: .english), id)
        }
        XCTAssertThrowsError(try Resolver.resolve(String(ids[0].prefix(6)), as: .organization, in: store.database, language: .english),
                             "the start of ids made together names them all") { error in
            guard case .ambiguous? = error as? KetteError else { return XCTFail("\(error)") }
        }
    }

    func testSearchRanksTitleHitsFirstAndFindsMinutes() throws {
        let store = try open()
        _ = try seed(store)
        var other = OfferInput()
        other.title = "Elterncafé"
        other.district = "nordstadt"
        other.description = "Austausch für Eltern, auch zur Sprachförderung zu Hause"
        _ = try store.addOffer(other, language: .english)
        let body = try store.addBody(name: "Netzwerk Frühe Hilfen", level: "network", district: "nordstadt", language: .english)
        var meeting = MeetingInput()
        meeting.body = body
        meeting.date = "2026-03-14"
        meeting.minutes = "Hebammensprechstunde fehlt im Quartier."
        let meetingID = try store.addMeeting(meeting, language: .english)
        _ = try store.addAgendaItem(meeting: meetingID, title: "Sprachförderung im Übergang", notes: nil, language: .english)

        let hits = try store.search("sprachförderung")
        XCTAssertEqual(hits.count, 3)
        XCTAssertEqual(hits.first?.title, "Sprachförderung in der Kita", "a title hit ranks above a description hit")
        XCTAssertTrue(hits.contains { $0.kind == "meeting" && $0.id == meetingID })
        let hebamme = try XCTUnwrap(try store.search("Hebamme").first)
        XCTAssertTrue(SearchIndex.Hit.marked(hebamme.snippet, hebamme.snippetMarks).contains("[Hebammensprechstunde]"), "\(hebamme)")
        XCTAssertEqual(try store.search("\"AND (").count, 0, "FTS syntax in input is not an error")
    }

    func testRemoteChangesMergeToTheSameStateInAnyOrder() throws {
        // Two replicas receive the same field changes in opposite orders.
        let other = ReplicaID(rawValue: "bbbbbbbb")
        let mine = ReplicaID(rawValue: "aaaaaaaa")
        func change(_ field: String, _ value: String, _ ms: Int64, _ replica: ReplicaID) -> Change {
            Change(recordType: .offer, recordID: "o1", field: field, value: .string(value),
                   hlc: HLCTimestamp(physicalMilliseconds: ms, counter: 0, replica: replica), base: nil)
        }
        let changes = [change("title", "A", 1, mine), change("title", "B", 2, other), change("location", "Rathaus", 3, mine),
                       change("title", "C", 2, mine), change("location", "Schule", 1, other)]
        var states: [[String?]] = []
        for order in [changes, changes.reversed(), changes.shuffled()] {
            let replica = try makeLocalStore(name: nil)
            try replica.database.inTransaction { db in
                let statements = try RecordApplier.MergeStatements(db)
                defer { statements.reset() }
                for change in order {
                    _ = try RecordApplier.mergeRecord(type: change.recordType, id: change.recordID,
                                                      changes: [PulledChange(seq: 1, change: change, author: nil)], in: db, statements: statements)
                }
            }
            let row = try XCTUnwrap(replica.database.firstRow("SELECT title, location FROM offers WHERE id = 'o1'"))
            states.append([row.string(0), row.string(1)])
        }
        XCTAssertEqual(states, Array(repeating: ["B", "Rathaus"], count: 3), "(2, bbbbbbbb) beats (2, aaaaaaaa)")
    }

    func testMeetingWithMinutesIsOneChangeSet() throws {
        let store = try open()
        _ = try seed(store)
        let body = try store.addBody(name: "Steuerungsgruppe", level: "steering", district: nil, language: .english)
        var meeting = MeetingInput()
        meeting.body = "steuerungsgruppe"
        meeting.date = "2026-03-14"
        meeting.time = "09:30"
        meeting.attendees = ["Dr. Petra Müller; Gesundheitsamt; Leitung", "Ali Öztürk"]
        let id = try store.addMeeting(meeting, language: .english)
        let last = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last)
        XCTAssertEqual(Set(last.changes.map(\.recordType)), [.meeting, .attendee])
        XCTAssertEqual(last.changes.filter { $0.recordType == .attendee && $0.field == "name" }.count, 2)
        let shown = try store.meeting(id, language: .english)
        XCTAssertEqual(shown.body, body)
        XCTAssertEqual(shown.attendees.map(\.name), ["Dr. Petra Müller", "Ali Öztürk"])
        XCTAssertEqual(shown.attendees[1].organization, nil)
    }
}

final class InputTests: XCTestCase {
    func testDatesMustExist() throws {
        XCTAssertEqual(try Input.date("2024-02-29", field: "date"), "2024-02-29")
        // The German form is accepted too, and stored as YYYY-MM-DD.
        XCTAssertEqual(try Input.date("29.02.2024", field: "date"), "2024-02-29")
        XCTAssertEqual(try Input.date("1.4.2026", field: "date"), "2026-04-01")
        for bad in ["2026-02-29", "2026-13-01", "2026-04-31", "26-04-01", "2026-4-1", "tomorrow", "2026-04-01T10:00",
                    "29.02.2026", "31.04.2026", "14.03.26", "14.13.2026", "1.1.1800"] {
            XCTAssertThrowsError(try Input.date(bad, field: "date"), bad) { error in
                guard case .malformedValue(let field, let value, _) = error as? KetteError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, FieldText.date.text)
                XCTAssertEqual(value, bad)
            }
        }
    }

    func testMessagesAboutShapesAreGermanToo() {
        XCTAssertThrowsError(try Input.date("morgen", field: "date")) { error in
            let date = error as? KetteError
            XCTAssertEqual(date?.message(.german), "Ungültiger Wert „morgen“ für Datum: erwartet ein Datum TT.MM.JJJJ oder JJJJ-MM-TT, z. B. 14.03.2026 oder 2026-03-14.")
            XCTAssertEqual(date?.message(.english), "invalid date 'morgen': expected a date YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-03-14 or 14.03.2026.")
        }
    }

    func testTimes() {
        XCTAssertEqual(try Input.time("09:30", field: "time"), "09:30")
        for bad in ["9:30", "24:00", "12:60", "noon"] {
            XCTAssertThrowsError(try Input.time(bad, field: "time"), bad) { error in
                XCTAssertEqual(error as? KetteError, .malformedValue(field: FieldText.time.text, value: bad, expected: InputText.expectedTime.text))
            }
        }
    }

    func testAttendeeFormat() throws {
        let parsed = try LocalStore.parseAttendee(" Ali Öztürk ; Jugendamt ; ")
        XCTAssertEqual(parsed.name, "Ali Öztürk")
        XCTAssertEqual(parsed.organization, "Jugendamt")
        XCTAssertNil(parsed.role)
        for bad in ["; Jugendamt", "a; b; c; d"] {
            XCTAssertThrowsError(try LocalStore.parseAttendee(bad), bad) { error in
                XCTAssertEqual(error as? KetteError, .malformedValue(field: FieldText.attendee.text, value: bad, expected: InputText.expectedAttendee.text))
            }
        }
    }
}

extension LocalStoreTests {
    func testAnUnknownDistrictNamesTheKnownOnes() throws {
        let store = try open()
        _ = try seed(store)
        _ = try store.addDistrict(name: "Südstadt", id: "suedstadt", parent: nil, language: .english)
        var input = OfferInput()
        input.title = "Irgendwo"
        input.district = "Weststadt"
        XCTAssertThrowsError(try store.addOffer(input, language: .english)) { error in
            XCTAssertEqual(error as? KetteError, .notFoundAmong(kind: FieldText.district.text, reference: "Weststadt",
                                                               known: ["Nordstadt (nordstadt)", "Südstadt (suedstadt)"]))
            XCTAssertTrue((error as? KetteError)?.message(.german).contains("Vorhanden: Nordstadt (nordstadt), Südstadt (suedstadt)") == true)
        }
    }
}

extension LocalStoreTests {
    func testAFieldWrittenTwiceInOneActionKeepsTheBaseSeenBeforeIt() throws {
        let store = try open()
        let (_, offer) = try seed(store)
        let seen = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last?.changes.first?.hlc)
        time += 1_000
        try store.record("offer edit") { change in
            try change.set(.offer, offer, "title", .string("Zwischenstand"))
            try change.set(.offer, offer, "title", .string("Endgültig"))
        }
        let last = try XCTUnwrap(Outbox.pending(in: store.database, replica: store.replica).last)
        XCTAssertEqual(last.changes.count, 1)
        XCTAssertEqual(last.changes[0].value, .string("Endgültig"))
        XCTAssertEqual(last.changes[0].base, seen, "the base is the version seen before the action")
    }
}
