import KetteMessages
import KetteProtocol
import KetteStore

/// Offers that are likely the same offer recorded twice: same provider and district, titles that
/// are the same or similar after German folding, and life phases in common. Found on purpose, not
/// by accident as a "possible parallel structure"; merging is left to the coordinator
/// (`offer edit`, `offer delete`).
public struct DuplicateReport: Codable, Sendable {
    /// An offer of a group, with its provider, district, status and dates.
    public typealias Offer = CoverageReport.DatedOffer

    /// Offers that are likely one, and why.
    public struct Group: Codable, Hashable, Sendable {
        public var district: NamedReference
        public var provider: NamedReference
        /// True when every title folds to the same text; else they are similar.
        public var sameTitle: Bool
        /// The lowest similarity of two titles linked in the group, 0…1 (1: the same after folding).
        public var similarity: Double
        /// Life phases that two or more of the group's offers have.
        public var sharedPhases: [LifePhase]
        public var offers: [Offer]
        /// The reason in words, in the language of the request.
        public var reason: String
    }

    public var scope: ReportScope
    public var groups: [Group]
}

extension LocalStore {
    /// Likely duplicate offers in the districts the store can see, or in one.
    public func duplicateOffers(district: String? = nil, language: Language) throws -> DuplicateReport {
        let scope = try reportScope(district: district, language: language)
        var buckets: [String: [DuplicateCandidate]] = [:]
        for row in try database.rows("""
            SELECT o.id, o.title, o.status, o.phases, o.start_date, o.end_date, o.district, o.provider, p.name AS provider_name
            FROM offers o LEFT JOIN organizations p ON p.id = o.provider
            WHERE o.deleted = 0 AND o.provider IS NOT NULL
            ORDER BY o.title COLLATE NOCASE, o.id
            """) {
            guard let districtID = row.string("district"), scope.contains(districtID), let provider = row.string("provider") else { continue }
            let providerName = row.string("provider_name") ?? provider
            let offer = DuplicateReport.Offer(id: row.string("id") ?? "", title: row.string("title") ?? "", provider: providerName,
                                              district: scope.districts.first { $0.id == districtID }!,
                                              phases: FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:)),
                                              status: row.string("status").flatMap(OfferStatus.init(rawValue:)),
                                              start: row.string("start_date"), end: row.string("end_date"))
            buckets[districtID + "\u{0}" + provider, default: []].append(
                DuplicateCandidate(offer: offer, folded: SearchText.folded(offer.title), district: districtID,
                                   provider: NamedReference(id: provider, name: providerName)))
        }
        let districts = Dictionary(scope.districts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let groups = buckets.values.flatMap { DuplicateCandidate.groups(in: $0) }.map { members in
            DuplicateCandidate.group(members, district: districts[members[0].district]!, language: language)
        }
        return DuplicateReport(scope: scope, groups: groups.sorted {
            ($0.district.name.folded, $0.provider.name.folded, $0.offers[0].title) < ($1.district.name.folded, $1.provider.name.folded, $1.offers[0].title)
        })
    }
}

/// An offer as duplicate detection compares it.
struct DuplicateCandidate {
    let offer: DuplicateReport.Offer
    let folded: String
    let district: String
    let provider: NamedReference

    /// Titles at least this similar (see `similarity`) count as one offer's title written twice.
    static let threshold = 0.8

    /// How alike two folded titles are, 0…1: the better of their shared words (a title with a
    /// word more or less, or in another order) and their edit distance (a typo).
    static func similarity(_ a: String, _ b: String) -> Double {
        if a == b { return 1 }
        let wordsA = Set(a.split(separator: " ")), wordsB = Set(b.split(separator: " "))
        let words = Double(wordsA.intersection(wordsB).count) / Double(max(1, wordsA.union(wordsB).count))
        let longer = max(a.count, b.count)
        let edits = longer == 0 ? 1 : 1 - Double(editDistance(Array(a), Array(b))) / Double(longer)
        return max(words, edits)
    }

    /// Levenshtein distance, one row at a time.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Whether two offers of one provider and district are likely one: similar titles and a life
    /// phase in common (or neither names one).
    func isLikelySame(as other: DuplicateCandidate) -> Bool {
        let phases = Set(offer.phases)
        guard phases.isEmpty && other.offer.phases.isEmpty || !phases.isDisjoint(with: other.offer.phases) else { return false }
        return Self.similarity(folded, other.folded) >= Self.threshold
    }

    /// The groups of likely-same offers in one bucket (linked pair by pair), each of two or more.
    static func groups(in bucket: [DuplicateCandidate]) -> [[DuplicateCandidate]] {
        guard bucket.count > 1 else { return [] }
        var parent = Array(bucket.indices)
        func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
        for i in bucket.indices {
            for j in bucket.indices where j > i && bucket[i].isLikelySame(as: bucket[j]) { parent[root(j)] = root(i) }
        }
        return Dictionary(grouping: bucket.indices, by: root).values.filter { $0.count > 1 }.map { $0.sorted().map { bucket[$0] } }
    }

    static func group(_ members: [DuplicateCandidate], district: NamedReference, language: Language) -> DuplicateReport.Group {
        var lowest = 1.0
        for (i, a) in members.enumerated() {
            for b in members[(i + 1)...] where a.isLikelySame(as: b) { lowest = min(lowest, similarity(a.folded, b.folded)) }
        }
        let shared = LifePhase.allCases.filter { phase in members.filter { $0.offer.phases.contains(phase) }.count > 1 }
        let same = Set(members.map(\.folded)).count == 1
        let provider = members[0].provider
        let titles = same ? ReportTerms.sameTitle(language) : ReportTerms.similarTitles(language, ["percent": String(Int((lowest * 100).rounded()))])
        let phases = shared.isEmpty ? ReportTerms.noSharedPhase(language) : shared.map { ReportFormatting.phaseName($0, language) }.joined(separator: ", ")
        let reason = ReportTerms.duplicateReason(language, ["provider": provider.name, "district": district.name, "titles": titles, "phases": phases])
        return .init(district: district, provider: provider, sameTitle: same, similarity: (lowest * 100).rounded() / 100,
                     sharedPhases: shared, offers: members.map(\.offer), reason: reason)
    }
}
