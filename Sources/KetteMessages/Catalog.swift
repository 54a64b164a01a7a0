import KetteProtocol

/// The message catalog as a whole: every section, for the tests that walk each entry and check
/// that no output mixes the languages. Help texts are declared with the commands and reach the
/// tests through each program's `helpTexts`; vocabulary labels live with the vocabularies.
public enum Catalog {
    /// Every section; a test checks that each `MessageSection` in this module is listed here.
    public static let sections: [any MessageSection.Type] = [
        CommandLineText.self, InputText.self, FieldText.self, StoreText.self, SyncText.self, TransportText.self, RefusalText.self,
        ListText.self, OutputText.self, RecordText.self, MinutesText.self, HistoryText.self, ExchangeText.self, ServerText.self,
        ReportLines.self, ReportPageText.self, ReportTerms.self, AuditText.self, PlanningText.self,
    ]

    /// One entry: its key (`SyncText.done`), whether it has a text, and the text.
    public struct Entry: Sendable {
        public let key: String
        public let hasText: Bool
        public let text: LocalizedText
    }

    public static var entries: [Entry] {
        sections.flatMap { entries(of: $0) }
    }

    private static func entries<Section: MessageSection>(of section: Section.Type) -> [Entry] {
        Section.allCases.map { Entry(key: $0.key, hasText: Section.texts[$0] != nil, template: $0.template) }
    }

    /// Every vocabulary's labels (and German short forms, which only German readers see).
    public static var vocabularyTexts: [LocalizedText] {
        labels(LifePhase.self) + labels(OfferCategory.self) + labels(Sector.self) + labels(OfferStatus.self) + labels(Cost.self)
            + labels(BodyLevel.self) + labels(TaskStatus.self) + labels(NeedStatus.self) + labels(TargetIndicator.self)
            + labels(MeasureStatus.self) + labels(PublicationConsent.self) + labels(AgreementKind.self)
    }

    private static func labels<V: Vocabulary>(_ type: V.Type) -> [LocalizedText] {
        V.allCases.map { LocalizedText($0.englishLabel, $0.germanLabel) }
    }
}

extension Catalog.Entry {
    init(key: String, hasText: Bool, template: LocalizedText) {
        self.init(key: key, hasText: hasText, text: template)
    }
}

/// The words people read in a language: what tells output in one language from the other.
/// Placeholders, code in backticks, option names (`--limit`), paths and addresses, quoted
/// examples, glosses in parentheses that name the German term ("offer (Angebot)"),
/// metavariables in capitals (`URL`, `TOKEN`) and words under three letters are not words here;
/// case is ignored.
public enum CatalogWords {
    /// Words spelled the same in English and German: never a sign of the other language. Also
    /// "Präventionskette", the OParl body's default name, which English help shows as it is.
    public static let shared: Set<String> = ["person", "name", "status", "start", "server", "token", "sport", "team", "kette", "json", "csv",
                                             "html", "https", "http", "hsds", "oparl", "sync", "audit", "editor", "minute", "client", "clients", "per", "details",
                                             "laptop", "listen", "präventionskette"]

    /// The words of the catalog's `language` side (vocabulary labels and `extra` texts included)
    /// that its other side never uses: an English word among them in German output is an
    /// untranslated line, and the other way round.
    public static func distinctive(_ language: Language, extra: [LocalizedText] = []) -> Set<String> {
        let texts = Catalog.entries.map(\.text) + Catalog.vocabularyTexts + extra
        let own = texts.reduce(into: Set<String>()) { $0.formUnion(words(in: language == .english ? $1.english : $1.german)) }
        let other = texts.reduce(into: Set<String>()) { $0.formUnion(words(in: language == .english ? $1.german : $1.english)) }
        return own.subtracting(other).subtracting(shared)
    }

    /// The words of `text`, lower-cased.
    public static func words(in text: String) -> Set<String> {
        var result: Set<String> = []
        for token in stripped(text).split(whereSeparator: { !$0.isLetter }) where token.count >= 3 {
            // A metavariable or a table header: headers are caught by their own entries.
            if token.allSatisfy({ $0.isUppercase }) { continue }
            result.insert(token.lowercased())
        }
        return result
    }

    /// `text` without placeholders, code spans, option names, quoted examples, glosses, paths.
    static func stripped(_ text: String) -> String {
        let spans = withoutSpans(text)
        return spans.split(whereSeparator: \.isWhitespace).filter { chunk in
            // Paths, addresses, file names, and ids such as `3f2a9c1e` (letters and digits mixed).
            !chunk.contains { "/$~@=|".contains($0) } && !isFileName(chunk) && !(chunk.contains(where: \.isNumber) && chunk.contains(where: \.isLetter))
        }.joined(separator: " ")
    }

    /// `body.json`, `PATH.audit-key`: a dot between letters.
    private static func isFileName(_ chunk: Substring) -> Bool {
        let characters = Array(chunk)
        return characters.indices.dropFirst().dropLast().contains { characters[$0] == "." && characters[$0 - 1].isLetter && characters[$0 + 1].isLetter }
    }

    /// `text` without placeholders, code spans, option names, quoted examples and glosses:
    /// a parenthesis holding capitalized words only, such as "(Angebot)" or "(Frühe Kindheit)".
    static func withoutSpans(_ text: String) -> String {
        var result = withoutCode(text)
        for (open, close) in [("\"", "\""), ("„", "“")] {
            result = removing(result, from: open, to: close) { _ in true }
        }
        return removing(result, from: "(", to: ")") { inner in
            let words = inner.split(whereSeparator: { !$0.isLetter })
            return !words.isEmpty && words.allSatisfy { $0.first?.isUppercase == true }
        }
    }

    /// `text` with each span from `open` to `close` that `drop` accepts replaced by a space.
    private static func removing(_ text: String, from open: String, to close: String, _ drop: (Substring) -> Bool) -> String {
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            let inner = rest[start.upperBound..<end.lowerBound]
            result += rest[..<start.lowerBound]
            result += drop(inner) ? " " : String(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    /// `text` without placeholders, code spans and option names.
    static func withoutCode(_ text: String) -> String {
        var result = ""
        var skipUntil: Character?
        var previous: Character = " "
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if let end = skipUntil {
                if character == end {
                    skipUntil = nil
                    result.append(" ")
                } else if end == " ", !(character.isLetter || character.isNumber || character == "-") {
                    // An option name ends at the first other character, which stays: "(--name)".
                    skipUntil = nil
                    result.append(" ")
                    result.append(character)
                }
                previous = character
                continue
            }
            switch character {
            case "{": skipUntil = "}"
            case "`": skipUntil = "`"
            case "-" where previous == "-": skipUntil = " "
            default: result.append(character)
            }
            previous = character
        }
        return result
    }
}
