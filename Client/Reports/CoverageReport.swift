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

        enum CodingKeys: String, CodingKey { case district, phase, offers, activeOffers, gap, parallelCategories }

        public init(district: String, phase: LifePhase, offers: [String], parallelCategories: [OfferCategory]) {
            self.district = district; self.phase = phase; self.offers = offers; self.parallelCategories = parallelCategories
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            district = try c.decode(String.self, forKey: .district)
            phase = try c.decode(LifePhase.self, forKey: .phase)
            offers = try c.decode([String].self, forKey: .offers)
            parallelCategories = try c.decode([OfferCategory].self, forKey: .parallelCategories)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(district, forKey: .district); try c.encode(phase, forKey: .phase); try c.encode(offers, forKey: .offers)
            try c.encode(activeOffers, forKey: .activeOffers); try c.encode(isGap, forKey: .gap)
            try c.encode(parallelCategories, forKey: .parallelCategories)
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

    /// The category the report is limited to; nil: all categories.
    public var category: OfferCategory?
    /// The columns of the matrix, in the order of growing up.
    public var phases: [LifePhase]
    /// The rows of the matrix, by name.
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

    public func cell(district: String, phase: LifePhase) -> Cell? {
        cells.first { $0.district == district && $0.phase == phase }
    }

    enum CodingKeys: String, CodingKey {
        case category, phases, districts, cells, gaps, parallelCandidates, activeOffers, offersWithoutPhase
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(category, forKey: .category); try c.encode(phases, forKey: .phases); try c.encode(districts, forKey: .districts)
        try c.encode(cells, forKey: .cells); try c.encode(gaps, forKey: .gaps); try c.encode(parallelCandidates, forKey: .parallelCandidates)
        try c.encode(activeOffers, forKey: .activeOffers); try c.encode(offersWithoutPhase, forKey: .offersWithoutPhase)
    }
}

extension LocalStore {
    /// The coverage matrix over all districts, or one; over all categories, or one.
    ///
    /// Only offers with status "active" count: a planned offer does not yet close a gap, an ended
    /// one no longer does. Offers whose district is unknown here (deleted, or not yet synced) have
    /// no row to count in.
    public func coverageReport(district: String? = nil, category: String? = nil, language: Language) throws -> CoverageReport {
        let category = try Input.vocabulary(category, OfferCategory.self)
        var districts = try self.districts().map { NamedReference(id: $0.id, name: $0.name) }
        if let district {
            let id = try Resolver.resolve(district, as: .district, in: database, language: language)
            districts = districts.filter { $0.id == id }
        }
        let wanted = Set(districts.map(\.id))

        struct ActiveOffer {
            let reference: CoverageReport.OfferReference
            let district: String
            let phases: [LifePhase]
            let category: OfferCategory?
        }
        var sql = """
            SELECT o.id, o.title, p.name AS provider_name, o.district, o.phases, o.category
            FROM offers o LEFT JOIN organizations p ON p.id = o.provider
            WHERE o.deleted = 0 AND o.status = 'active'
            """
        var arguments: [DatabaseValueConvertible?] = []
        if let category {
            sql += " AND o.category = ?"
            arguments.append(category.slug)
        }
        let offers = try database.rows(sql + " ORDER BY o.title COLLATE NOCASE, o.id", arguments).compactMap { row -> ActiveOffer? in
            guard let district = row.string("district"), wanted.contains(district) else { return nil }
            let reference = CoverageReport.OfferReference(id: row.string("id") ?? "", title: row.string("title") ?? "",
                                                          provider: row.string("provider_name"))
            return ActiveOffer(reference: reference, district: district,
                               phases: FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:)),
                               category: row.string("category").flatMap(OfferCategory.init(rawValue:)))
        }

        var byCell: [String: [ActiveOffer]] = [:]
        for offer in offers {
            for phase in offer.phases { byCell["\(offer.district)\u{0}\(phase.slug)", default: []].append(offer) }
        }
        var report = CoverageReport(category: category, phases: LifePhase.allCases, districts: districts, cells: [], gaps: [],
                                    parallelCandidates: [], activeOffers: offers.filter { !$0.phases.isEmpty }.count,
                                    offersWithoutPhase: offers.filter { $0.phases.isEmpty }.map(\.reference))
        for district in districts {
            for phase in LifePhase.allCases {
                let here = byCell["\(district.id)\u{0}\(phase.slug)"] ?? []
                // Offers without a category cannot be told to duplicate one another.
                let byCategory = Dictionary(grouping: here.filter { $0.category != nil }) { $0.category! }
                let parallel = OfferCategory.allCases.filter { (byCategory[$0]?.count ?? 0) > 1 }
                report.cells.append(.init(district: district.id, phase: phase, offers: here.map(\.reference.id), parallelCategories: parallel))
                if here.isEmpty { report.gaps.append(.init(district: district, phase: phase)) }
                for category in parallel {
                    report.parallelCandidates.append(.init(district: district, phase: phase, category: category,
                                                           offers: byCategory[category]!.map(\.reference)))
                }
            }
        }
        return report
    }
}
