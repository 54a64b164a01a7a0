import KetteProtocol
import XCTest
@testable import KetteClient

/// Duplicate detection compares only the pairs of titles that can reach the threshold: it must
/// find exactly the groups that comparing every pair finds.
final class DuplicateOfferTests: XCTestCase {
    private let vocabulary = ["eltern", "cafe", "kita", "sprachfoerderung", "fuer", "familien", "nord", "sued", "beratung",
                              "schwangere", "treff", "mädchen", "jugend", "sport", "und", "im", "stadtteil", "lesepaten", "x"]

    func testTheGroupsAreThoseOfComparingEveryPair() {
        var random = SeededGenerator(seed: 13)
        var groupsFound = 0
        for round in 0..<150 {
            let bucket = (0..<Int.random(in: 2...50, using: &random)).map { index in
                candidate("o\(round)-\(index)", title: title(&random), phases: phases(&random))
            }
            let found = Set(DuplicateCandidate.groups(in: bucket).map { Set($0.map(\.offer.id)) })
            XCTAssertEqual(found, everyPair(bucket), "round \(round): \(bucket.map(\.folded))")
            groupsFound += found.count
        }
        XCTAssertGreaterThan(groupsFound, 60, "the buckets hold groups to find")
    }

    func testTheBandedEditDistanceIsLevenshteinWithinItsBound() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<3000 {
            let a = (0..<Int.random(in: 0...14, using: &random)).map { _ in Int.random(in: 0...3, using: &random) }
            let b = (0..<Int.random(in: 0...14, using: &random)).map { _ in Int.random(in: 0...3, using: &random) }
            let bound = Int.random(in: 0...8, using: &random)
            let exact = DuplicateCandidate.editDistance(a.map { Character(String($0)) }, b.map { Character(String($0)) })
            XCTAssertEqual(TitleComparison.editDistance(a, b, atMost: bound), exact <= bound ? exact : nil, "\(a) \(b) bound \(bound)")
        }
    }

    /// The groups linked pair by pair over all pairs, as before pairs were left out.
    private func everyPair(_ bucket: [DuplicateCandidate]) -> Set<Set<String>> {
        var parent = Array(bucket.indices)
        func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
        for i in bucket.indices {
            for j in bucket.indices where j > i && bucket[i].isLikelySame(as: bucket[j]) { parent[root(j)] = root(i) }
        }
        return Set(Dictionary(grouping: bucket.indices, by: root).values.filter { $0.count > 1 }.map { Set($0.map { bucket[$0].offer.id }) })
    }

    /// Titles of a few words, often one title with a typo, a word more or fewer, or words swapped.
    private func title(_ random: inout SeededGenerator) -> String {
        var words = (0..<Int.random(in: 0...7, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
        if Bool.random(using: &random), !words.isEmpty {
            var word = Array(words[0])
            let place = Int.random(in: 0..<word.count, using: &random)
            switch Int.random(in: 0...2, using: &random) {
            case 0: word.remove(at: place)
            case 1: word.insert("e", at: place)
            default: word[place] = "a"
            }
            words[0] = String(word)
        }
        if Bool.random(using: &random) { words.shuffle(using: &random) }
        return words.joined(separator: " ")
    }

    private func phases(_ random: inout SeededGenerator) -> [LifePhase] {
        LifePhase.allCases.filter { _ in Int.random(in: 0...3, using: &random) == 0 }
    }

    private func candidate(_ id: String, title: String, phases: [LifePhase]) -> DuplicateCandidate {
        let district = NamedReference(id: "d1", name: "Nordstadt")
        let offer = DuplicateReport.Offer(id: id, title: title, provider: "AWO", district: district, phases: phases, status: nil, start: nil, end: nil)
        return DuplicateCandidate(offer: offer, folded: title, district: "d1", provider: NamedReference(id: "awo", name: "AWO"))
    }
}
