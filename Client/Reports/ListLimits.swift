/// How many entries of each long list a page shows; the rest is counted ("… and 12 more") and
/// goes to the appendix. The committee page has a budget of a few printed pages whatever the size
/// of the county: 40 sports clubs in one cell must not make four pages of one table.
public struct ListLimits: Equatable, Sendable {
    /// Parallel-structure candidates (district, phase, category) shown, those with most offers first.
    public var parallelCandidates: Int
    /// Offers named per candidate.
    public var offersPerCandidate: Int
    /// Districts in the gap list, those with most gaps first.
    public var gapDistricts: Int
    /// Ended and planned offers, each.
    public var datedOffers: Int
    /// Bodies whose work is shown, those with most meetings in the period first.
    public var bodies: Int
    /// Organizations named per body and quarter, most present first.
    public var organizations: Int
    /// Decisions shown per body, latest first.
    public var decisions: Int
    /// Open action items, overdue (longest first) before the others.
    public var tasks: Int
    /// Targets of goals, missed and behind before the others.
    public var targets: Int = .max
    /// Measures, overdue (longest first) before the others.
    public var measures: Int = .max
    /// Agreements due for review, soonest first (the committee page only counts them: the
    /// steering group reviews them, the committee hears of them).
    public var agreements: Int = .max

    public static let unlimited = ListLimits(parallelCandidates: .max, offersPerCandidate: .max, gapDistricts: .max, datedOffers: .max,
                                             bodies: .max, organizations: .max, decisions: .max, tasks: .max)
    /// The committee page's budget: at most four A4 pages for a 30-district county of 20,000 offers
    /// (checked in Chromium by scripts/render-committee-report.sh).
    public static let committee = ListLimits(parallelCandidates: 5, offersPerCandidate: 3, gapDistricts: 10, datedOffers: 5,
                                             bodies: 6, organizations: 3, decisions: 2, tasks: 8, targets: 3, measures: 2,
                                             agreements: 0)

    public var isUnlimited: Bool { self == .unlimited }
}

extension Array {
    /// At most `limit` elements: all of them in their order when they fit, else the most relevant
    /// (highest `relevance` first, ties in their order).
    func mostRelevant(_ limit: Int, by relevance: (Element) -> Int) -> ArraySlice<Element> {
        guard count > limit else { return self[...] }
        return enumerated().sorted { (relevance($1.element), $0.offset) < (relevance($0.element), $1.offset) }.map(\.element).prefix(limit)
    }
}
