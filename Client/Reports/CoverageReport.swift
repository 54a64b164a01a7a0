import KetteProtocol
import KetteStore

/// A record named in a report: its id and what people call it.
public struct NamedReference: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// Where the chain has offers and where it has none: the active offers per district and life
/// phase. An empty cell is a gap; a cell with several active offers of one category may hold
/// parallel structures, which the coordinator should look at.
public struct CoverageReport: Codable, Sendable {
    /// An offer named in a report, with its provider so duplicates can be told apart.
    public struct OfferReference: Codable, Hashable, Sendable {
        public var id: String
        public var title: String
        public var provider: String?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id); try c.encode(title, forKey: .title); try c.encode(provider, forKey: .provider)
        }
    }

    /// One district and life phase.
    public struct Cell: Codable, Hashable, Sendable {
        public var district: String
        public var phase: LifePhase
        /// The ids of the active offers here, in the order of their titles.
        public var offers: [String]
        public var activeOffers: Int { offers.count }
        public var isGap: Bool { offers.isEmpty }
        /// Categories with more than one active offer here.
        public var parallelCategories: [OfferCategory]
        /// Offers here that ended (see `CoverageReport.ended`) or are yet to come (`planned`).
        public var ended: Int
        public var planned: Int
        /// Needs not closed that name this cell (district and one of their phases), by id: the
        /// planning cycle's marks on the matrix, as the store holds them now, whatever the window.
        public var openNeeds: [String] = []
        /// Running measures that address this cell, as a gap or through one of their needs, by id.
        public var runningMeasures: [String] = []

        enum CodingKeys: String, CodingKey {
            case district, phase, offers, activeOffers, gap, parallelCategories, ended, planned, openNeeds, runningMeasures
        }

        public init(district: String, phase: LifePhase, offers: [String], parallelCategories: [OfferCategory], ended: Int = 0, planned: Int = 0) {
            self.district = district; self.phase = phase; self.offers = offers; self.parallelCategories = parallelCategories
            self.ended = ended; self.planned = planned
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            district = try c.decode(String.self, forKey: .district)
            phase = try c.decode(LifePhase.self, forKey: .phase)
            offers = try c.decode([String].self, forKey: .offers)
            parallelCategories = try c.decode([OfferCategory].self, forKey: .parallelCategories)
            ended = try c.decodeIfPresent(Int.self, forKey: .ended) ?? 0
            planned = try c.decodeIfPresent(Int.self, forKey: .planned) ?? 0
            openNeeds = try c.decodeIfPresent([String].self, forKey: .openNeeds) ?? []
            runningMeasures = try c.decodeIfPresent([String].self, forKey: .runningMeasures) ?? []
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(district, forKey: .district); try c.encode(phase, forKey: .phase); try c.encode(offers, forKey: .offers)
            try c.encode(activeOffers, forKey: .activeOffers); try c.encode(isGap, forKey: .gap)
            try c.encode(parallelCategories, forKey: .parallelCategories)
            try c.encode(ended, forKey: .ended); try c.encode(planned, forKey: .planned)
            try c.encode(openNeeds, forKey: .openNeeds); try c.encode(runningMeasures, forKey: .runningMeasures)
        }
    }

    /// A district and life phase without any active offer.
    public struct Gap: Codable, Hashable, Sendable {
        public var district: NamedReference
        public var phase: LifePhase
    }

    /// Several active offers of one category for the same district and life phase.
    public struct ParallelCandidate: Codable, Hashable, Sendable {
        public var district: NamedReference
        public var phase: LifePhase
        public var category: OfferCategory
        public var offers: [OfferReference]
    }

    /// An offer that did not count because of its dates or status: it ended, or is yet to come.
    public struct DatedOffer: Codable, Hashable, Sendable {
        public var id: String
        public var title: String
        public var provider: String?
        public var district: NamedReference
        public var phases: [LifePhase]
        public var status: OfferStatus?
        public var start: String?
        public var end: String?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id); try c.encode(title, forKey: .title); try c.encode(provider, forKey: .provider)
            try c.encode(district, forKey: .district); try c.encode(phases, forKey: .phases); try c.encode(status, forKey: .status)
            try c.encode(start, forKey: .start); try c.encode(end, forKey: .end)
        }
    }

    /// The day or period counted: an offer counts when it is active and ran on a day of it.
    public var window: ReportWindow
    /// The districts covered, and why those.
    public var scope: ReportScope
    /// The category the report is limited to; nil: all categories.
    public var category: OfferCategory?
    /// The columns of the matrix, in the order of growing up.
    public var phases: [LifePhase]
    /// The rows of the matrix, by name: exactly the scope's districts.
    public var districts: [NamedReference]
    /// Every cell, district by district, each district's phases in order.
    public var cells: [Cell]
    public var gaps: [Gap]
    public var parallelCandidates: [ParallelCandidate]
    /// Active offers counted (an offer for several phases counts once here, in each phase's cell).
    public var activeOffers: Int
    /// Active offers left out of the matrix because they name no life phase: they cover nothing
    /// that the matrix could show, and the coordinator may want to complete them.
    public var offersWithoutPhase: [OfferReference]
    /// Offers that ended in the period, or are still marked active with an end date before it,
    /// latest end first.
    public var ended: [DatedOffer]
    /// Offers yet to come: planned, or active with a start after the window; soonest first.
    public var planned: [DatedOffer]

    public func cell(district: String, phase: LifePhase) -> Cell? {
        cells.first { $0.district == district && $0.phase == phase }
    }

    enum CodingKeys: String, CodingKey {
        case window, scope, category, phases, districts, cells, gaps, parallelCandidates, activeOffers, offersWithoutPhase, ended, planned
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window, forKey: .window); try c.encode(scope, forKey: .scope)
        try c.encode(category, forKey: .category); try c.encode(phases, forKey: .phases); try c.encode(districts, forKey: .districts)
        try c.encode(cells, forKey: .cells); try c.encode(gaps, forKey: .gaps); try c.encode(parallelCandidates, forKey: .parallelCandidates)
        try c.encode(activeOffers, forKey: .activeOffers); try c.encode(offersWithoutPhase, forKey: .offersWithoutPhase)
        try c.encode(ended, forKey: .ended); try c.encode(planned, forKey: .planned)
    }
}

extension LocalStore {
    /// The coverage matrix over the districts the store can see (`ReportScope`), or one; over all
    /// categories, or one; for one day or a period (`ReportWindow`).
    ///
    /// An offer counts when its status is "active" and it ran on a day of the window: a planned
    /// offer does not yet close a gap, an ended one, or one whose end date has passed, no longer
    /// does. Offers whose district is outside the scope, or unknown here (deleted, or not yet
    /// synced), have no row to count in.
    public func coverageReport(district: String? = nil, category: String? = nil, window: ReportWindow,
                               language: Language) throws -> CoverageReport {
        let category = try Input.vocabulary(category, OfferCategory.self)
        let scope = try reportScope(district: district, language: language)
        let offers = try coverageOffers(category: category, scope: scope)
        let counted = offers.filter { window.counts(status: $0.status?.slug, start: $0.start, end: $0.end) }
        var report = CoverageReport(window: window, scope: scope, category: category, phases: LifePhase.allCases, districts: scope.districts,
                                    cells: [], gaps: [], parallelCandidates: [],
                                    activeOffers: counted.filter { !$0.phases.isEmpty }.count,
                                    offersWithoutPhase: counted.filter { $0.phases.isEmpty }.map(\.reference),
                                    ended: offers.filter { window.ended(status: $0.status?.slug, end: $0.end) }.map(\.dated)
                                        .sorted { ($0.end ?? "", $1.title) > ($1.end ?? "", $0.title) },
                                    planned: offers.filter { window.planned(status: $0.status?.slug, start: $0.start) }.map(\.dated)
                                        .sorted { ($0.start ?? "9999", $0.title) < ($1.start ?? "9999", $1.title) })
        report.fillCells(counted)
        try report.markPlanning(needs: needs(language: language), measures: measures(language: language))
        return report
    }

    /// The offers of the scope's districts (of one category, if asked), with what coverage needs.
    private func coverageOffers(category: OfferCategory?, scope: ReportScope) throws -> [CoverageOffer] {
        var sql = """
            SELECT o.id, o.title, p.name AS provider_name, o.district, o.phases, o.category, o.status, o.start_date, o.end_date
            FROM offers o LEFT JOIN organizations p ON p.id = o.provider
            WHERE o.deleted = 0
            """
        var arguments: [DatabaseValueConvertible?] = []
        if let category {
            sql += " AND o.category = ?"
            arguments.append(category.slug)
        }
        let names = Dictionary(scope.districts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try database.rows(sql + " ORDER BY o.title COLLATE NOCASE, o.id", arguments).compactMap { row -> CoverageOffer? in
            guard let districtID = row.string("district"), let district = names[districtID] else { return nil }
            let reference = CoverageReport.OfferReference(id: row.string("id") ?? "", title: row.string("title") ?? "",
                                                          provider: row.string("provider_name"))
            return CoverageOffer(reference: reference, district: district,
                                 phases: FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:)),
                                 category: row.string("category").flatMap(OfferCategory.init(rawValue:)),
                                 status: row.string("status").flatMap(OfferStatus.init(rawValue:)),
                                 start: row.string("start_date"), end: row.string("end_date"))
        }
    }
}

/// An offer as coverage sees it.
struct CoverageOffer {
    let reference: CoverageReport.OfferReference
    let district: NamedReference
    let phases: [LifePhase]
    let category: OfferCategory?
    let status: OfferStatus?
    let start: String?
    let end: String?

    var dated: CoverageReport.DatedOffer {
        .init(id: reference.id, title: reference.title, provider: reference.provider, district: district, phases: phases,
              status: status, start: start, end: end)
    }
}

extension CoverageReport {
    /// The cells, gaps and parallel candidates of the counted offers, district by district.
    mutating func fillCells(_ counted: [CoverageOffer]) {
        func key(_ district: String, _ phase: LifePhase) -> String { "\(district)\u{0}\(phase.slug)" }
        var byCell: [String: [CoverageOffer]] = [:]
        for offer in counted {
            for phase in offer.phases { byCell[key(offer.district.id, phase), default: []].append(offer) }
        }
        var endedByCell: [String: Int] = [:], plannedByCell: [String: Int] = [:]
        for offer in ended { for phase in offer.phases { endedByCell[key(offer.district.id, phase), default: 0] += 1 } }
        for offer in planned { for phase in offer.phases { plannedByCell[key(offer.district.id, phase), default: 0] += 1 } }
        for district in districts {
            for phase in phases {
                let here = byCell[key(district.id, phase)] ?? []
                // Offers without a category cannot be told to duplicate one another.
                let byCategory = Dictionary(grouping: here.filter { $0.category != nil }) { $0.category! }
                let parallel = OfferCategory.allCases.filter { (byCategory[$0]?.count ?? 0) > 1 }
                cells.append(.init(district: district.id, phase: phase, offers: here.map(\.reference.id), parallelCategories: parallel,
                                   ended: endedByCell[key(district.id, phase)] ?? 0, planned: plannedByCell[key(district.id, phase)] ?? 0))
                if here.isEmpty { gaps.append(.init(district: district, phase: phase)) }
                for category in parallel {
                    parallelCandidates.append(.init(district: district, phase: phase, category: category,
                                                    offers: byCategory[category]!.map(\.reference)))
                }
            }
        }
    }
}

extension CoverageReport {
    /// Marks the cells that have a need not yet closed (of the report's category, or of none) or
    /// a running measure. A county-wide need names no cell and marks none.
    mutating func markPlanning(needs: [Need], measures: [Measure]) {
        var needsByCell: [CoverageCell: [String]] = [:], measuresByCell: [CoverageCell: [String]] = [:]
        let needCells = Dictionary(needs.map { ($0.id, $0.cells) }, uniquingKeysWith: { first, _ in first })
        for need in needs where need.status != .closed && (category == nil || need.category == nil || need.category == category) {
            for cell in need.cells { needsByCell[cell, default: []].append(need.id) }
        }
        for measure in measures where measure.status == .running {
            let cells = Set(measure.gaps.compactMap(CoverageCell.init) + measure.needs.flatMap { needCells[$0] ?? [] })
            for cell in cells { measuresByCell[cell, default: []].append(measure.id) }
        }
        for index in cells.indices {
            let cell = CoverageCell(district: cells[index].district, phase: cells[index].phase)
            cells[index].openNeeds = needsByCell[cell] ?? []
            cells[index].runningMeasures = measuresByCell[cell] ?? []
        }
    }
}
