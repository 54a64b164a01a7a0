import Foundation
import KetteMessages
import XCTest
import KetteProtocol
import KetteTestSupport
@testable import KetteClient

/// The import follows `kette offer add` value for value, and the small rules exports rely on.
final class OfferImportTests: XCTestCase {
    var home: String!

    override func setUpWithError() throws {
        home = try makeTemporaryDirectory("import")
        XCTAssertTrue(try LocalStore.create(directory: home, name: "Anna"))
    }

    private func csv(_ rows: [[String]]) -> Data { CSV.write(rows) }

    /// The import checks values by its own rules (remembered per cell, for speed): this keeps them
    /// the rules of `offer add`, field by field, for the same typed values.
    func testAnImportedOfferEqualsTheSameOfferAdded() throws {
        let store = try LocalStore(directory: home)
        _ = try store.addDistrict(name: "Südstadt", id: nil, parent: nil, language: .english)
        _ = try store.addOrganization(name: "Jugendamt Süd", kind: nil, sector: nil, contact: nil, language: .english)
        var input = OfferInput()
        input.title = "  Sprachförderung  "
        input.district = "südstadt"
        input.phases = "Kita-Alter, early-childhood,preschool"
        input.category = "Förderung"
        input.sector = "Youth welfare"
        input.provider = "jugendamt süd"
        input.description = "Zeile 1\nZeile 2; mit \"Zitat\""
        input.contact = "Frau Öztürk"
        input.location = "Lindenweg 3"
        input.cost = "kostenfrei"
        input.languages = "DE, tr,de"
        input.targetGroups = "Eltern, Alleinerziehende"
        input.schedule = "dienstags"
        input.accessibility = "barrierefrei"
        input.start = "2026-03-01"
        input.end = "2026-12-31"
        let added = try store.offer(try store.addOffer(input, language: .english), language: .english)

        let header = ["Titel", "Sozialraum", "Lebensphasen", "Kategorie", "Bereich", "Träger", "Beschreibung", "Ansprechperson", "Ort",
                      "Kosten", "Sprachen", "Zielgruppen", "Zeiten", "Barrierefreiheit", "Beginn", "Ende", "Status"]
        let row = [input.title, input.district, input.phases, input.category, input.sector, input.provider, input.description,
                   input.contact, input.location, input.cost, input.languages, input.targetGroups, input.schedule,
                   input.accessibility, input.start, input.end, ""].map { $0 ?? "" }
        // The added offer is deleted first: a row that matches a live offer is a duplicate.
        _ = try store.deleteRecord(.offer, added.id, language: .english)
        let result = try store.importOffers(csv: csv([header, row]), options: OfferImportOptions(dryRun: false), language: .english)
        XCTAssertEqual(result.offers, 1)
        let imported = try XCTUnwrap(try store.offers(OfferFilter(), language: .english).first { $0.id != added.id })
        var expected = added
        expected.id = imported.id
        XCTAssertEqual(imported, expected)
        XCTAssertEqual(imported.status, .active)
    }

    func testNothingIsWrittenWhenAnyRowIsWrong() throws {
        let store = try LocalStore(directory: home)
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        let before = try store.status()
        let rows = [["title", "district", "phases"], ["A", "nordstadt", "preschool"], ["B", "nordstadt", "baby"], ["C", "nowhere", ""]]
        XCTAssertThrowsError(try store.importOffers(csv: csv(rows), options: OfferImportOptions(dryRun: false), language: .english)) { error in
            guard case .importRefused(let problems, let count) = error as? ExchangeError else { return XCTFail("\(error)") }
            XCTAssertEqual(count, 3)
            XCTAssertEqual(problems.map(\.row), [3, 4])
            XCTAssertEqual(problems.map(\.column), ["phases", "district"])
            XCTAssertEqual(problems.first?.reason, .value(.invalidValue(field: .verbatim("phases"), value: "baby", accepted: Input.accepted(LifePhase.self))))
        }
        XCTAssertEqual(try store.status().offers, before.offers)
        XCTAssertEqual(try store.status().pendingChangeSets, before.pendingChangeSets)
    }

    func testIDsAreKeptCheckedAndNeverUsedTwice() throws {
        let store = try LocalStore(directory: home)
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        let kept = "3f2a9c1e-0000-4000-8000-000000000001"
        let rows = [["ID", "Titel", "Sozialraum"], [kept.uppercased(), "A", "nordstadt"], ["", "B", "nordstadt"]]
        XCTAssertEqual(try store.importOffers(csv: csv(rows), options: OfferImportOptions(dryRun: false), language: .english).offers, 2)
        XCTAssertEqual(try store.offer(kept, language: .english).title, "A")

        _ = try store.deleteRecord(.offer, kept, language: .english)
        let again = [["ID", "Titel", "Sozialraum"], [kept, "A", "nordstadt"], ["7", "B", "nordstadt"],
                     ["3f2a9c1e-0000-4000-8000-000000000002", "C", "nordstadt"], ["3f2a9c1e-0000-4000-8000-000000000002", "D", "nordstadt"]]
        XCTAssertThrowsError(try store.importOffers(csv: csv(again), options: OfferImportOptions(dryRun: true), language: .english)) { error in
            guard case .importRefused(let problems, _) = error as? ExchangeError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map(\.reason), [.idDeleted, .idMalformed, .idRepeated(firstRow: 4)])
            XCTAssertEqual(problems.map(\.row), [2, 3, 5])
        }
    }

    func testRowRangesAndMeetingTimes() {
        XCTAssertEqual(ImportProblem.ranges([2, 3, 4, 5, 7, 9, 10]), "2–5, 7, 9–10")
        XCTAssertEqual(ImportProblem.ranges([4]), "4")
        // Summer time in Germany: last Sunday of March (02:00) to last Sunday of October (03:00).
        XCTAssertEqual(OParl.GermanTime.lastSunday(year: 2026, month: 3), 29)
        XCTAssertEqual(OParl.GermanTime.lastSunday(year: 2026, month: 10), 25)
        XCTAssertEqual(OParl.GermanTime.lastSunday(year: 2027, month: 10), 31)
        XCTAssertEqual(OParl.GermanTime.dateTime(date: "2026-03-29", time: "01:30"), "2026-03-29T01:30:00+01:00")
        XCTAssertEqual(OParl.GermanTime.dateTime(date: "2026-03-29", time: "10:00"), "2026-03-29T10:00:00+02:00")
        XCTAssertEqual(OParl.GermanTime.dateTime(date: "2026-10-25", time: "18:00"), "2026-10-25T18:00:00+01:00")
        XCTAssertEqual(OParl.GermanTime.dateTime(date: "2026-07-01", time: nil), "2026-07-01T00:00:00+02:00")
        XCTAssertEqual(OParl.GermanTime.dateTime(date: "2026-01-15", time: "09:30"), "2026-01-15T09:30:00+01:00")
    }
}
