import Foundation
import XCTest
@testable import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
import KetteServer

/// The write-time scope check (SPEC §13): once a sync has told the client the user's role and
/// districts (`GET /v1/me`), a write the server would refuse is refused at once, with nothing written.
final class WriteScopeTests: InProcessSyncTestCase {
    override class var districts: [TestDistrict] { [.nordstadt, .suedstadt] }


    /// Everything a write could leave behind, to prove a refused write left nothing.
    func footprint(_ store: LocalStore) throws -> [Int] {
        try ["outbox_change_sets", "outbox_changes", "field_versions", "offers", "bodies", "meetings", "attendees", "server_versions"].map {
            try store.database.scalarInt("SELECT count(*) FROM \($0)") ?? -1
        }
    }

    func assertOutsideScope(_ store: LocalStore, _ write: () throws -> Any, place expected: RecordPlace,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try footprint(store)
        XCTAssertThrowsError(try write(), file: file, line: line) { error in
            guard case KetteError.outsideScope(_, _, let place, let yours)? = error as? KetteError else {
                return XCTFail("not refused as outside the scope: \(error)", file: file, line: line)
            }
            XCTAssertEqual(place, expected, file: file, line: line)
            XCTAssertEqual(yours, ["Nordstadt (nordstadt)"], file: file, line: line)
        }
        XCTAssertEqual(try footprint(store), before, "a refused write left something behind", file: file, line: line)
    }

    func testAfterASyncAWriteOutsideTheScopeIsRefusedWithNothingWritten() throws {
        let (store, engine) = try client("anna")
        _ = try engine.sync()
        XCTAssertEqual(try store.userScope(), Identity(user: "anna", role: .coordinator, districts: ["nordstadt"]))

        try assertOutsideScope(store, { try self.recordOffer(store, "Sprachcafé Süd", district: "südstadt") }, place: .district("Südstadt (suedstadt)"))
        try assertOutsideScope(store, { try store.addBody(name: "Kreisjugendhilfeausschuss", level: "steering", district: nil, language: .english) },
                               place: .countyWide)
        try assertOutsideScope(store, { try store.addDistrict(name: "Weststadt", id: "weststadt", parent: nil, language: .english) },
                               place: .districtList)
        // Inside the scope, and the register every coordinator writes.
        let own = try recordOffer(store, "Elterncafé", district: "nordstadt")
        _ = try store.addBody(name: "Netzwerk Nord", level: "network", district: "nordstadt", language: .english)
        _ = try store.addOrganization(name: "Jugendamt", kind: nil, sector: nil, contact: nil, language: .english)
        // Moving an own offer out of the scope is refused too.
        var move = OfferInput()
        move.district = "suedstadt"
        try assertOutsideScope(store, { try store.editOffer(own, move, language: .english) }, place: .district("Südstadt (suedstadt)"))
        XCTAssertEqual(try engine.sync().refusedChangeSets, [], "what was written is what the server accepts")
    }

    func testTheMessageNamesTheDistrictAndTheUsersDistrictsInEnglishAndGerman() throws {
        let error = KetteError.outsideScope(type: .offer, name: "Sprachcafé Süd", place: .district("Südstadt (suedstadt)"), yours: ["Nordstadt (nordstadt)"])
        let english = error.message(.english), german = error.message(.german)
        for text in [english, german] {
            XCTAssertTrue(text.contains("Südstadt (suedstadt)") && text.contains("Nordstadt (nordstadt)") && text.contains("Sprachcafé Süd"), text)
            XCTAssertTrue(text.contains("kette sync"), text)
        }
        XCTAssertTrue(english.contains("outside your districts") && english.contains("Nothing was written"), english)
        XCTAssertTrue(german.contains("Angebot") && german.contains("außerhalb Ihrer Sozialräume") && german.contains("Nichts wurde gespeichert"), german)
    }

    /// Before the first sync the client does not know the scope: nothing is refused locally, and
    /// what the server refuses is taken back.
    func testBeforeTheFirstSyncNothingIsRefusedLocally() throws {
        let (store, engine) = try client("anna")
        XCTAssertNil(try store.userScope())
        _ = try store.addDistrict(name: "Weststadt", id: "weststadt", parent: nil, language: .english)
        _ = try recordOffer(store, "Angebot West", district: "weststadt")
        let report = try engine.sync()
        XCTAssertEqual(report.refusedChangeSets.map(\.code), ["forbidden", "forbidden"])
        XCTAssertFalse(try store.districts().contains { $0.id == "weststadt" }, "taken back")
        XCTAssertEqual(try store.offers(OfferFilter(), language: .english).count, 0)
        XCTAssertEqual(Set(try store.districts().map(\.id)), ["nordstadt", "suedstadt"], "and the server's districts pulled")
    }

    /// Records without a district of their own are placed by their parent: a meeting by its body,
    /// minutes by their meeting.
    func testChildrenArePlacedByTheirParent() throws {
        let (store, _) = try client("anna")
        // Made while the scope was unknown (before the first sync).
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        _ = try store.addDistrict(name: "Weststadt", id: "weststadt", parent: nil, language: .english)
        let body = try store.addBody(name: "AG West", level: "working", district: "weststadt", language: .english)
        var input = MeetingInput()
        input.body = body
        input.date = "2026-03-14"
        let meeting = try store.addMeeting(input, language: .english)
        let foreignOffer = try recordOffer(store, "Angebot West", district: "weststadt")
        try store.recordUserScope(Identity(user: "anna", role: .coordinator, districts: ["nordstadt"]))

        var attendee = MeetingInput()
        attendee.attendees = ["Dr. Petra Müller; Gesundheitsamt"]
        try assertOutsideScope(store, { try store.editMeeting(meeting, attendee, language: .english) }, place: .district("Weststadt (weststadt)"))
        try assertOutsideScope(store, { try store.addTask(meeting: meeting, text: "Einladen", owner: "Anna", due: nil, language: .english) },
                               place: .district("Weststadt (weststadt)"))
        try assertOutsideScope(store, { try store.recordIndicator(offer: foreignOffer, period: "2026", participants: "12", sessions: nil, language: .english) },
                               place: .district("Weststadt (weststadt)"))
        // Moving a foreign offer into one's own district: the place it leaves is not one's own.
        var move = OfferInput()
        move.district = "nordstadt"
        try assertOutsideScope(store, { try store.editOffer(foreignOffer, move, language: .english) }, place: .district("Weststadt (weststadt)"))
    }

    func testTheCountyOfficeWritesEverything() throws {
        let (store, engine) = try client("kreis", role: .county, districts: [])
        _ = try engine.sync()
        XCTAssertEqual(try store.userScope()?.role, .county)
        _ = try recordOffer(store, "Sprachcafé Süd", district: "suedstadt")
        _ = try store.addBody(name: "Kreisjugendhilfeausschuss", level: "steering", district: nil, language: .english)
        _ = try store.addDistrict(name: "Weststadt", id: "weststadt", parent: nil, language: .english)
        XCTAssertEqual(try engine.sync().refusedChangeSets, [])
    }
}
