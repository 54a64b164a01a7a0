import KetteMessages
import KetteProtocol

/// What a person typed into `kette search`, read as clauses that must all match:
///
/// - a word (`erhebung`) matches wherever its folded form occurs, inside longer words too
///   ("Bedarfserhebung"); a word of two letters matches words that start with it, a word of one
///   letter only that word;
/// - a word with inner punctuation (`Kita-Alter`, `e.V.`) matches its parts in that order;
/// - a quoted phrase (`"Frühe Hilfen"`) matches exactly those words in that order;
/// - a field prefix limits a word or a quoted phrase to one field: `anbieter:`/`provider:`/
///   `träger:` (the offer's provider), `bezirk:`/`district:`/`sozialraum:` (the district of an
///   offer or of a meeting's body), `phase:`/`lebensphase:` (an offer's life phases: every phase
///   whose slug or English or German label holds the value; none is an error that lists them),
///   `titel:`/`title:`.
///
/// Folding (`SearchText`) applies to both sides, so `Mueller` finds "Müller".
struct SearchQuery: Equatable {
    /// The part of a record a clause looks at; the raw values are the index's column names.
    enum Scope: String, CaseIterable {
        /// Title, text and provider: where a plain word looks.
        case text
        case title
        case provider
        case district
        case phase

        /// The prefixes people type for it, folded.
        var prefixes: [String] {
            switch self {
            case .text: []
            case .title: ["title", "titel"]
            case .provider: ["provider", "anbieter", "trager"]
            case .district: ["district", "bezirk", "sozialraum"]
            case .phase: ["phase", "lebensphase"]
            }
        }

        /// The FTS5 column filter.
        var columns: String {
            self == .text ? "{title body provider}" : rawValue
        }
    }

    enum Pattern: Equatable {
        /// One folded word, matched inside words (three letters or more), at a word's start
        /// (two) or as a whole word (one).
        case word(String)
        /// Folded words in this order; `exact`: whole words, else the first may end and the last
        /// start a longer word.
        case phrase([String], exact: Bool)
        /// Any of these life phases (their slugs), for `phase:`.
        case phases([LifePhase])
    }

    struct Clause: Equatable {
        var scope: Scope
        var pattern: Pattern
    }

    var clauses: [Clause]

    /// Throws for a `phase:` value that names no life phase.
    init(_ text: String) throws {
        clauses = try Self.tokens(text).flatMap(Self.clauses).map(Self.resolvingPhases)
    }

    /// The query for an FTS5 trigram table whose columns hold `SearchText.indexed` text; nil when
    /// nothing searchable was typed. Folded words hold only letters, digits and spaces, so the
    /// quotes around each pattern cannot be broken out of.
    var ftsExpression: String? {
        guard !clauses.isEmpty else { return nil }
        return clauses.map { "\($0.scope.columns) : \(Self.ftsText($0.pattern))" }.joined(separator: " AND ")
    }

    /// Whether every plain word and phrase occurs in `indexed` (text in the form of
    /// `SearchText.indexed`) as the index finds it: the index's own test, for one title.
    func plainWordsMatch(_ indexed: String) -> Bool {
        clauses.allSatisfy { $0.scope != .text || Self.occurs(Self.searchedText($0.pattern), in: indexed) }
    }

    /// How many of the plain words and phrases stand as whole words in `indexed` (text in the
    /// form of `SearchText.indexed`): "kita" in " kita sonnenschein ", not in " sprachkita ".
    func wholeWordMatches(in indexed: String) -> Int {
        clauses.filter { $0.scope == .text || $0.scope == .title }.filter { clause in
            switch clause.pattern {
            case .word(let word): Self.occurs(" \(word) ", in: indexed)
            case .phrase(let words, _): Self.occurs(" \(words.joined(separator: " ")) ", in: indexed)
            case .phases: false
            }
        }.count
    }

    /// Whether `text` occurs in `indexed`, byte for byte as the trigram index compares. Both are
    /// folded alike, so no Unicode equivalence is needed; Foundation's `contains` applied it
    /// (2 % of a search's samples in `perf record`).
    private static func occurs(_ text: String, in indexed: String) -> Bool {
        var text = text, indexed = indexed
        return text.withUTF8 { needle in
            indexed.withUTF8 { haystack in
                guard let first = needle.first else { return true }
                guard haystack.count >= needle.count else { return false }
                // Titles and patterns are short: a plain scan, specialized for bytes.
                for start in 0...(haystack.count - needle.count) where haystack[start] == first {
                    if (1..<needle.count).allSatisfy({ haystack[start + $0] == needle[$0] }) { return true }
                }
                return false
            }
        }
    }

    /// A pattern as the trigram index can find it, quoted: the text, padded with the spaces that
    /// mark word boundaries where the pattern needs them (the index finds substrings of 3 or more).
    private static func ftsText(_ pattern: Pattern) -> String {
        switch pattern {
        case .phases(let phases): "(" + phases.map { "\"\(indexedSlug($0))\"" }.joined(separator: " OR ") + ")"
        default: "\"\(searchedText(pattern))\""
        }
    }

    /// What the index must hold for a word or phrase to match (see `ftsText`).
    private static func searchedText(_ pattern: Pattern) -> String {
        switch pattern {
        case .word(let word) where word.unicodeScalars.count == 1: " \(word) "
        case .word(let word) where word.unicodeScalars.count == 2: " \(word)"
        case .word(let word): word
        case .phrase(let words, exact: true): " \(words.joined(separator: " ")) "
        case .phrase(let words, exact: false): words.joined(separator: " ")
        case .phases: ""  // never a plain word: `phase:` clauses have their own column
        }
    }

    /// A phase's slug as the index's phase column holds it: " early childhood ".
    static func indexedSlug(_ phase: LifePhase) -> String {
        " \(SearchText.folded(phase.slug)) "
    }

    /// A `phase:` clause as the phases it names: those whose slug or label holds the value.
    private static func resolvingPhases(_ clause: Clause) throws -> Clause {
        guard clause.scope == .phase else { return clause }
        let value: String
        switch clause.pattern {
        case .word(let word): value = word
        case .phrase(let words, _): value = words.joined(separator: " ")
        case .phases: return clause
        }
        let phases = LifePhase.allCases.filter { phase in
            [phase.slug, phase.englishLabel, phase.germanLabel].contains { SearchText.folded($0).contains(value) }
        }
        guard !phases.isEmpty else { throw KetteError.invalidValue(field: FieldText.phase.text, value: value, accepted: Input.accepted(LifePhase.self)) }
        return Clause(scope: .phase, pattern: .phases(phases))
    }

    // MARK: Reading what was typed

    /// A piece of the typed text: a bare word (with any prefix still on it), or a quoted phrase
    /// with the prefix that stood right before its opening quote.
    private enum Token {
        case bare(String)
        case quoted(String, prefix: String?)
    }

    private static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var quoted: String?
        for character in text {
            if var phrase = quoted {
                if character == "\"" {
                    tokens.append(.quoted(phrase, prefix: current.isEmpty ? nil : current))
                    current = ""
                    quoted = nil
                } else {
                    phrase.append(character)
                    quoted = phrase
                }
            } else if character == "\"" {
                // A quote opens a phrase; text right before it ending in ":" is the phrase's prefix.
                if !current.isEmpty, !current.hasSuffix(":") { tokens.append(.bare(current)); current = "" }
                quoted = ""
            } else if character.isWhitespace {
                if !current.isEmpty { tokens.append(.bare(current)) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if let phrase = quoted { tokens.append(.quoted(phrase, prefix: current.isEmpty ? nil : current)) } else if !current.isEmpty { tokens.append(.bare(current)) }
        return tokens
    }

    private static func clauses(_ token: Token) -> [Clause] {
        switch token {
        case .quoted(let phrase, let prefix):
            let named = prefix.flatMap(scope(prefix:))
            // An unknown prefix ("siehe:") is a word like any other.
            let before = named == nil ? prefix.map { clauses(.bare($0)) } ?? [] : []
            let words = SearchText.words(phrase).map(\.folded)
            guard !words.isEmpty else { return before }
            return before + [Clause(scope: named ?? .text, pattern: .phrase(words, exact: true))]
        case .bare(let text):
            var scope = Scope.text
            var value = Substring(text)
            if let colon = text.firstIndex(of: ":"), let named = Self.scope(prefix: String(text[..<colon])) {
                scope = named
                value = text[text.index(after: colon)...]
            }
            let words = SearchText.words(String(value)).map(\.folded)
            switch words.count {
            case 0: return []
            case 1: return [Clause(scope: scope, pattern: .word(words[0]))]
            default: return [Clause(scope: scope, pattern: .phrase(words, exact: false))]
            }
        }
    }

    /// The scope a typed prefix ("anbieter:", "Träger:") names; nil for any other text.
    private static func scope(prefix: String) -> Scope? {
        let typed = prefix.hasSuffix(":") ? String(prefix.dropLast()) : prefix
        let folded = SearchText.folded(typed)
        return Scope.allCases.first { $0.prefixes.contains(folded) }
    }
}

extension SearchQuery {
    /// Where the clauses of `scopes` match in `text`: the whole words they match, as ranges of
    /// Unicode scalar offsets, in order and not overlapping.
    func marks(in text: String, scopes: Set<Scope>) -> [Range<Int>] {
        let relevant = clauses.filter { scopes.contains($0.scope) }
        guard !relevant.isEmpty else { return [] }
        let words = SearchText.words(text)
        var ranges: [Range<Int>] = []
        for clause in relevant {
            for (first, count) in Self.matches(clause.pattern, in: words.map(\.folded)) {
                ranges.append(words[first].start..<words[first + count - 1].end)
            }
        }
        return Self.merged(ranges)
    }

    /// The runs of words a pattern matches: (index of the first word, number of words).
    private static func matches(_ pattern: Pattern, in words: [String]) -> [(Int, Int)] {
        switch pattern {
        case .word(let word):
            return words.indices.filter { wordMatches(word, words[$0]) }.map { ($0, 1) }
        case .phases:
            return []
        case .phrase(let phrase, let exact):
            guard phrase.count <= words.count else { return [] }
            return (0...(words.count - phrase.count)).filter { start in
                phrase.indices.allSatisfy { index in
                    let candidate = words[start + index]
                    if exact || (index > 0 && index < phrase.count - 1) { return candidate == phrase[index] }
                    if index == 0, phrase.count > 1 { return candidate.hasSuffix(phrase[index]) }
                    return candidate.hasPrefix(phrase[index])
                }
            }.map { ($0, phrase.count) }
        }
    }

    /// The rule of `SearchQuery.ftsText` for one folded word, applied to one folded word of a text.
    private static func wordMatches(_ typed: String, _ word: String) -> Bool {
        switch typed.unicodeScalars.count {
        case 1: word == typed
        case 2: word.hasPrefix(typed)
        default: word.contains(typed)
        }
    }

    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}
