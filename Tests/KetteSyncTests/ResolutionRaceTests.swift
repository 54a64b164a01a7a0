import Foundation
import XCTest
import KetteClient
import KetteProtocol
import KetteStore

/// Two people resolving the same conflict without seeing each other's resolution (SPEC §8.5):
/// the race becomes a new conflict both of them see, never a silent loss.
final class ResolutionRaceTests: InProcessSyncTestCase {
    struct Side {
        let store: LocalStore
        let engine: SyncEngine
    }

    /// Anna and Bert edit an offer's title concurrently; both have pulled the conflict.
    func conflictOnTitle() throws -> (anna: Side, bert: Side, offer: String, conflict: String) {
        let (annaStore, annaSync) = try client("anna"), (bertStore, bertSync) = try client("bert")
        _ = try annaSync.sync(); _ = try bertSync.sync()
        var input = OfferInput()
        input.title = "Elterncafé"; input.district = "nordstadt"
        let offer = try annaStore.addOffer(input, language: .english)
        _ = try annaSync.sync(); _ = try bertSync.sync()
        clock.milliseconds += 10
        var annaEdit = OfferInput(); annaEdit.title = "Elterncafé Nord"
        _ = try annaStore.editOffer(offer, annaEdit, language: .english)
        clock.milliseconds += 10
        var bertEdit = OfferInput(); bertEdit.title = "Familiencafé"
        _ = try bertStore.editOffer(offer, bertEdit, language: .english)
        _ = try annaSync.sync(); _ = try bertSync.sync(); _ = try annaSync.sync()
        let conflict = try XCTUnwrap(annaStore.conflicts().first).id
        XCTAssertEqual(try bertStore.conflicts().map(\.id), [conflict])
        return (Side(store: annaStore, engine: annaSync), Side(store: bertStore, engine: bertSync), offer, conflict)
    }

    func title(_ side: Side, _ offer: String) throws -> String { try side.store.offer(offer, language: .english).title }

    /// Both resolve the conflict before either syncs; then `first` syncs, `second`, and `first` again.
    func resolveOffline(_ conflict: String, _ first: Side, _ firstChoice: LocalStore.Resolution,
                        _ second: Side, _ secondChoice: LocalStore.Resolution) throws {
        for (side, choice) in [(first, firstChoice), (second, secondChoice)] {
            clock.milliseconds += 10
            _ = try side.store.resolveConflict(conflict, choice, language: .english)
        }
        _ = try first.engine.sync(); _ = try second.engine.sync(); _ = try first.engine.sync()
    }

    /// The case that lost silently: each keeps their own value. Bert's value holds, so his
    /// resolution wrote nothing to the title, and the two labels ("mine", "mine") agreed.
    func testEachKeepingTheirOwnValueOpensANewConflictForBoth() throws {
        let (anna, bert, offer, conflict) = try conflictOnTitle()
        // Anna keeps "Elterncafé Nord" (the loser), Bert "Familiencafé" (the winner).
        try resolveOffline(conflict, anna, .mine, bert, .mine)

        for side in [anna, bert] {
            let open = try side.store.conflicts()
            XCTAssertEqual(open.count, 1, "a new conflict, shown to both")
            let race = try XCTUnwrap(open.first)
            XCTAssertNotEqual(race.id, conflict)
            XCTAssertEqual("\(race.recordType).\(race.recordID).\(race.field)", "offer.\(offer).title")
            XCTAssertEqual(Set([race.winner.value, race.loser.value]), [.string("Elterncafé Nord"), .string("Familiencafé")])
            XCTAssertEqual(try side.store.conflicts(includeResolved: true).first { $0.id == conflict }?.status, "resolved")
        }
        XCTAssertEqual(try title(anna, offer), try title(bert, offer))
    }

    /// Choosing different sides by label ("loser" against "winner") is the same race.
    func testResolvingWithDifferentSidesOpensANewConflictOnTheField() throws {
        let (anna, bert, offer, conflict) = try conflictOnTitle()
        try resolveOffline(conflict, bert, .winner, anna, .loser)
        for side in [anna, bert] {
            XCTAssertEqual(try side.store.conflicts().map { "\($0.recordType).\($0.field)" }, ["offer.title"])
        }
        XCTAssertEqual(try title(anna, offer), "Elterncafé Nord", "the later resolution holds until someone settles the new conflict")
        XCTAssertEqual(try title(bert, offer), "Elterncafé Nord")
    }

    /// Two people who settle on the same value agree: no new conflict.
    func testResolvingTheSameWayOpensNothing() throws {
        let (anna, bert, offer, conflict) = try conflictOnTitle()
        try resolveOffline(conflict, anna, .theirs, bert, .mine)
        XCTAssertEqual(try anna.store.conflicts().count, 0)
        XCTAssertEqual(try bert.store.conflicts().count, 0)
        XCTAssertEqual(try title(anna, offer), "Familiencafé")
    }

    /// A resolution made after seeing the other one is an ordinary later edit, not a race.
    func testAResolutionThatSawTheEarlierOneIsNoConflict() throws {
        let (anna, bert, offer, conflict) = try conflictOnTitle()
        clock.milliseconds += 10
        _ = try anna.store.resolveConflict(conflict, .mine, language: .english)
        _ = try anna.engine.sync(); _ = try bert.engine.sync()
        XCTAssertEqual(try bert.store.conflicts().count, 0, "Bert sees it resolved")
        clock.milliseconds += 10
        var edit = OfferInput(); edit.title = "Familiencafé"
        _ = try bert.store.editOffer(offer, edit, language: .english)
        _ = try bert.engine.sync(); _ = try anna.engine.sync()
        XCTAssertEqual(try anna.store.conflicts().count, 0)
        XCTAssertEqual(try title(anna, offer), "Familiencafé")
    }
}
