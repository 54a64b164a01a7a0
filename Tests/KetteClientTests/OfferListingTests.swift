import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteClient

/// `offer list` reads only the columns its table shows (`offerListing`); the full offers
/// (`offers`, what `--json` prints) must list the same offers in the same order with the same
/// shown values, for every filter.
final class OfferListingTests: XCTestCase {
    func testTheListingShowsWhatTheFullOffersSayInTheSameOrder() throws {
        let store = try makeLocalStore(name: "Anna")
        _ = try store.addDistrict(name: "Nordstadt", id: "nordstadt", parent: nil, language: .english)
        _ = try store.addDistrict(name: "Südstadt", id: "suedstadt", parent: nil, language: .english)
        let titles = ["elterncafé", "Elterncafé", "Babylotsen", "Zwergensprache", "Ärztliche Beratung", "babylotsen"]
        for (index, title) in titles.enumerated() {
            var input = OfferInput()
            input.title = title
            input.district = index.isMultiple(of: 2) ? "nordstadt" : "suedstadt"
            input.category = index.isMultiple(of: 3) ? "counselling" : "support"
            input.phases = index < 3 ? "early-childhood" : "primary"
            input.status = index == 4 ? "ended" : nil
            _ = try store.addOffer(input, language: .english)
        }
        // An offer whose district this laptop does not know (it arrived before its district).
        try store.database.execute("UPDATE offers SET district = 'unbekannt' WHERE title = 'Zwergensprache'")

        var filters = [OfferFilter()]
        for change in [{ (f: inout OfferFilter) in f.district = "Nordstadt" }, { $0.category = "support" }, { $0.phase = "primary" },
                       { $0.status = "ended" }, { $0.district = "suedstadt"; $0.phase = "early-childhood" }] {
            var filter = OfferFilter()
            change(&filter)
            filters.append(filter)
        }
        for filter in filters {
            let full = try store.offers(filter, language: .english)
            let listing = try store.offerListing(filter, language: .english)
            XCTAssertEqual(listing, full.map {
                OfferListing(id: $0.id, title: $0.title, district: $0.districtName ?? $0.district, category: $0.category, status: $0.status)
            }, "filter \(filter)")
        }
        XCTAssertEqual(try store.offerListing(OfferFilter(), language: .english).count, titles.count)
        XCTAssertTrue(try store.offerListing(OfferFilter(), language: .english).contains { $0.district == "unbekannt" })
    }
}
