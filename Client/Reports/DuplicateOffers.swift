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
        // To the first offer's id: two groups of one provider can start with the same title (their
        // phases differ), and the order must not depend on how a dictionary hashed them.
        return DuplicateReport(scope: scope, groups: groups.sorted {
            ($0.district.name.folded, $0.provider.name.folded, $0.offers[0].title, $0.offers[0].id)
                < ($1.district.name.folded, $1.provider.name.folded, $1.offers[0].title, $1.offers[0].id)
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
    /// A big provider has hundreds of offers in a district; comparing every pair by edit distance
    /// took minutes for a county of 45,000 offers. Only pairs that can reach the threshold are
    /// compared (`TitleComparison`), and with the same result as comparing all.
    static func groups(in bucket: [DuplicateCandidate]) -> [[DuplicateCandidate]] {
        guard bucket.count > 1 else { return [] }
        var parent = Array(bucket.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        // Life phases as bits: "a phase in common, or neither names one".
        let phases = bucket.map { candidate in candidate.offer.phases.reduce(0) { $0 | 1 << LifePhase.allCases.firstIndex(of: $1)! } }
        let titles = TitleComparison(bucket.map(\.folded))
        titles.forEachPairThatCanMatch { i, j in
            guard phases[i] & phases[j] != 0 || phases[i] | phases[j] == 0, root(i) != root(j), titles.areSimilar(i, j) else { return }
            parent[root(j)] = root(i)
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

/// The folded titles of one bucket, prepared once for `DuplicateCandidate.similarity` pair by pair:
/// titles, characters and words as numbers, and which pairs can reach the threshold at all.
struct TitleComparison {
    /// Equal numbers: equal titles.
    private let titles: [Int]
    private let characters: [[Int]]
    /// Each title's characters in ascending order, for a cheap lower bound of the edit distance.
    private let sortedCharacters: [[Int]]
    /// Each title's distinct words, as numbers in ascending order.
    private let words: [[Int]]
    private let wordCount: Int

    init(_ folded: [String]) {
        var titleNumbers: [String: Int] = [:], characterNumbers: [Character: Int] = [:], wordNumbers: [Substring: Int] = [:]
        func number<Key: Hashable>(_ key: Key, in numbers: inout [Key: Int]) -> Int {
            if let number = numbers[key] { return number }
            numbers[key] = numbers.count
            return numbers.count - 1
        }
        titles = folded.map { number($0, in: &titleNumbers) }
        characters = folded.map { title in title.map { number($0, in: &characterNumbers) } }
        sortedCharacters = characters.map { $0.sorted() }
        words = folded.map { title in Array(Set(title.split(separator: " ").map { number($0, in: &wordNumbers) })).sorted() }
        wordCount = wordNumbers.count
    }

    /// Calls `body` once with every pair (i < j) whose titles can be similar: those whose lengths
    /// allow an edit similarity at the threshold (the edit distance is at least the difference of
    /// lengths), and those that share a word of their prefix in a rarest-first order (two word
    /// sets as alike as the threshold share one: prefix filtering).
    func forEachPairThatCanMatch(_ body: (Int, Int) -> Void) {
        func lengthsAllow(_ a: Int, _ b: Int) -> Bool {
            let shorter = min(characters[a].count, characters[b].count), longer = max(characters[a].count, characters[b].count)
            return Double(longer - shorter) <= (1 - DuplicateCandidate.threshold) * Double(longer) + 1
        }
        let byLength = characters.indices.sorted { characters[$0].count < characters[$1].count }
        for (place, shorter) in byLength.enumerated() {
            for longer in byLength[(place + 1)...] {
                guard lengthsAllow(shorter, longer) else { break }
                body(min(shorter, longer), max(shorter, longer))
            }
        }
        var frequency = Array(repeating: 0, count: wordCount)
        for set in words { for word in set { frequency[word] += 1 } }
        var holders = Array(repeating: [Int](), count: wordCount)
        var seen = Set<Int>()
        for (index, set) in words.enumerated() {
            let ordered = set.sorted { (frequency[$0], $0) < (frequency[$1], $1) }
            // Shared words a set as alike as the threshold must have; rounded down a hair, so a
            // product like 0.8 × 5 never rounds up to one word more (a shorter prefix would miss pairs).
            let needed = Int((DuplicateCandidate.threshold * Double(ordered.count) - 1e-9).rounded(.up))
            seen.removeAll(keepingCapacity: true)
            for word in ordered.prefix(ordered.count - needed + 1) {
                for other in holders[word] where !lengthsAllow(other, index) && seen.insert(other).inserted { body(other, index) }
                holders[word].append(index)
            }
        }
    }

    /// `DuplicateCandidate.similarity(i, j) >= threshold`, without computing a distance that
    /// cannot reach it.
    func areSimilar(_ i: Int, _ j: Int) -> Bool {
        if titles[i] == titles[j] { return true }
        if Self.jaccard(words[i], words[j]) >= DuplicateCandidate.threshold { return true }
        let longer = max(characters[i].count, characters[j].count)
        // A distance above this bound gives a similarity below the threshold; below it, computed whole.
        let bound = Int((1 - DuplicateCandidate.threshold) * Double(longer)) + 1
        guard Self.unmatchedCharacters(sortedCharacters[i], sortedCharacters[j]) <= bound,
              let distance = Self.editDistance(characters[i], characters[j], atMost: bound) else { return false }
        return 1 - Double(distance) / Double(longer) >= DuplicateCandidate.threshold
    }

    /// Shared words over all words of two ascending lists of distinct words (0 for two empty titles).
    private static func jaccard(_ a: [Int], _ b: [Int]) -> Double {
        var shared = 0, x = 0, y = 0
        while x < a.count, y < b.count {
            if a[x] == b[y] { shared += 1; x += 1; y += 1 } else if a[x] < b[y] { x += 1 } else { y += 1 }
        }
        return Double(shared) / Double(max(1, a.count + b.count - shared))
    }

    /// How many characters of one title have no partner in the other, the larger of the two
    /// counts (two ascending lists): each edit matches up at most one, so the edit distance is at least this.
    private static func unmatchedCharacters(_ a: [Int], _ b: [Int]) -> Int {
        var onlyA = 0, onlyB = 0, x = 0, y = 0
        while x < a.count, y < b.count {
            if a[x] == b[y] { x += 1; y += 1 } else if a[x] < b[y] { onlyA += 1; x += 1 } else { onlyB += 1; y += 1 }
        }
        return max(onlyA + a.count - x, onlyB + b.count - y)
    }

    /// Levenshtein distance when it is at most `bound`, else nil; only the diagonal band of
    /// width `bound` is filled.
    static func editDistance(_ a: [Int], _ b: [Int], atMost bound: Int) -> Int? {
        guard abs(a.count - b.count) <= bound else { return nil }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        let outside = bound + 1
        var previous = (0...b.count).map { $0 <= bound ? $0 : outside }
        var current = Array(repeating: outside, count: b.count + 1)
        for i in 1...a.count {
            let low = max(1, i - bound), high = min(b.count, i + bound)
            current[0] = i <= bound ? i : outside
            if low > 1 { current[low - 1] = outside }
            var smallest = current[0]
            for j in low...high {
                let cost = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(cost, previous[j] + 1, current[j - 1] + 1, outside)
                smallest = min(smallest, current[j])
            }
            if high < b.count { current[high + 1] = outside }
            guard smallest <= bound else { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= bound ? previous[b.count] : nil
    }
}
