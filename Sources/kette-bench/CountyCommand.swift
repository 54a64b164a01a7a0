import Foundation
import KetteClient
import KetteProtocol

/// `kette-bench county --out DIR`: a generated county in a store of its own, for looking at
/// reports of a realistic size (scripts/render-committee-report.sh --large renders its committee
/// report in Chromium). Districts, providers, offers (with dates: some ended, some yet to come),
/// meetings with minutes and action items, and quarterly figures for a third of the offers.
struct CountyCommand {
    let directory: String
    let districts: Int
    let offers: Int
    let meetings: Int
    let seed: UInt64

    func run() throws {
        try LocalStore.create(directory: directory, name: "Kreisjugendamt")
        let store = try LocalStore(directory: directory)
        var generator = CountyGenerator(random: SeededGenerator(seed: seed), store: store)
        _ = try generator.generate(districts: districts, organizations: 60, offers: offers, meetings: meetings) { print("  \($0)") }
        try addDates(store)
        try addFigures(store)
    }

    /// One offer in ten ended in 2026-Q1 or earlier, one in twenty starts in 2027.
    private func addDates(_ store: LocalStore) throws {
        let ids = try store.offers(OfferFilter(), language: .english).map(\.id)
        try store.record("dates") { change in
            for (index, id) in ids.enumerated() {
                if index % 10 == 3 { try change.set(.offer, id, "end", .string("2026-0\(1 + index % 3)-15")) }
                if index % 20 == 7 { try change.set(.offer, id, "start", .string("2027-01-01")) }
            }
        }
    }

    /// Figures for 2025-Q1 … 2026-Q1 for every third offer, in one change set.
    private func addFigures(_ store: LocalStore) throws {
        let ids = try store.offers(OfferFilter(), language: .english).map(\.id)
        let periods = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
        try store.record("figures") { change in
            for (index, id) in ids.enumerated() where index % 3 == 0 {
                for (number, period) in periods.enumerated() {
                    try change.create(.indicator, "\(id)|\(period)", [("offer", .string(id)), ("period", .string(period)),
                                                                      ("participants", .integer(Int64(5 + (index * 7 + number * 3) % 40))),
                                                                      ("sessions", .integer(Int64(2 + (index + number) % 10)))])
                }
            }
        }
    }
}
