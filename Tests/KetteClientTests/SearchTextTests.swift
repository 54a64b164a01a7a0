import Foundation
import XCTest
import KetteMessages
import KetteProtocol
import KetteStore
@testable import KetteClient

/// The search's folding and query reading, and the agenda's placing: pure functions, checked
/// without a store. The end-to-end tests (GermanSearchTests) run the same through the binary.
final class SearchTextTests: XCTestCase {
    func testEverySpellingOfAnUmlautOrSharpSFoldsAlike() {
        for spellings in [["Müller", "Mueller", "Muller", "MÜLLER", "MUELLER"], ["Straße", "Strasse", "STRASSE", "STRAẞE"],
                          ["Größe", "Groesse", "Grosse"], ["Ärztin", "Aerztin", "Arztin"], ["Café", "Cafe"],
                          ["Mu\u{0308}ller", "Müller"]] {
            XCTAssertEqual(Set(spellings.map(SearchText.folded)).count, 1, "\(spellings) → \(spellings.map(SearchText.folded))")
        }
        XCTAssertEqual(SearchText.folded("Müller"), "muller")
        XCTAssertEqual(SearchText.folded("Queen"), "quen", "the e of a pair is left out once, not every e after it")
        XCTAssertNotEqual(SearchText.folded("Müller"), SearchText.folded("Möller"))
    }

    func testWordsKnowWhereTheyStandInTheOriginal() {
        let text = "Frau Müller-Lüdenscheidt, 2. OG"
        let words = SearchText.words(text)
        XCTAssertEqual(words.map(\.folded), ["frau", "muller", "ludenscheidt", "2", "og"])
        let scalars = Array(text.unicodeScalars)
        XCTAssertEqual(words.map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }, ["Frau", "Müller", "Lüdenscheidt", "2", "OG"])
        XCTAssertEqual(SearchText.indexed(["Frau  Müller\n", nil, "Straße"]), " frau muller strasse ")
        XCTAssertEqual(SearchText.indexed([nil, " , "]), "")
    }

    func testAQueryReadsWordsPhrasesAndPrefixes() throws {
        XCTAssertEqual(try SearchQuery("Mueller erhebung").clauses, [.init(scope: .text, pattern: .word("muller")), .init(scope: .text, pattern: .word("erhebung"))])
        XCTAssertEqual(try SearchQuery("\"Frühe  Hilfen\"").clauses, [.init(scope: .text, pattern: .phrase(["fruhe", "hilfen"], exact: true))])
        XCTAssertEqual(try SearchQuery("Kita-Alter").clauses, [.init(scope: .text, pattern: .phrase(["kita", "alter"], exact: false))])
        XCTAssertEqual(try SearchQuery("anbieter:AWO Träger:Caritas provider:\"AWO Kreisverband\"").clauses,
                       [.init(scope: .provider, pattern: .word("awo")), .init(scope: .provider, pattern: .word("caritas")),
                        .init(scope: .provider, pattern: .phrase(["awo", "kreisverband"], exact: true))])
        XCTAssertEqual(try SearchQuery("bezirk:Südstadt district:nord phase:Kita TITEL:x").clauses.map(\.scope), [.district, .district, .phase, .title])
        XCTAssertEqual(try SearchQuery("siehe:\"Anlage 2\" 9:30").clauses,
                       [.init(scope: .text, pattern: .word("siehe")), .init(scope: .text, pattern: .phrase(["anlage", "2"], exact: true)),
                        .init(scope: .text, pattern: .phrase(["9", "30"], exact: false))], "an unknown prefix is a word like any other")
        XCTAssertNil(try SearchQuery(" ,;: \"\" ").ftsExpression, "nothing searchable")
        XCTAssertNil(try SearchQuery("anbieter:").ftsExpression)
    }

    func testTheIndexQueryMarksWordBoundariesForShortWordsAndPhrases() throws {
        XCTAssertEqual(try SearchQuery("erhebung").ftsExpression, "{title body provider} : \"erhebung\"")
        XCTAssertEqual(try SearchQuery("AG").ftsExpression, "{title body provider} : \" ag\"", "two letters: the start of a word")
        XCTAssertEqual(try SearchQuery("x").ftsExpression, "{title body provider} : \" x \"", "one letter: that word")
        XCTAssertEqual(try SearchQuery("\"Frühe Hilfen\" anbieter:AWO").ftsExpression,
                       "{title body provider} : \" fruhe hilfen \" AND provider : \"awo\"")
        // What people type cannot break out of the quotes: folded words hold letters, digits and spaces only.
        XCTAssertEqual(try SearchQuery("\"AND (\" NEAR* x\"").ftsExpression, "{title body provider} : \" and \" AND {title body provider} : \"near\" AND {title body provider} : \" x \"")
    }

    func testAPhasePrefixNamesThePhasesWhoseSlugOrLabelHoldsIt() throws {
        XCTAssertEqual(try SearchQuery("phase:Kita").ftsExpression, "phase : (\" preschool \")")
        XCTAssertEqual(try SearchQuery("phase:Kindheit").ftsExpression, "phase : (\" early childhood \")", "the German label")
        XCTAssertEqual(try SearchQuery("Lebensphase:early-childhood").ftsExpression, "phase : (\" early childhood \")", "the slug")
        XCTAssertEqual(try SearchQuery("phase:schul").ftsExpression, "phase : (\" primary \" OR \" transition \")",
                       "Grundschulalter and Übergang Schule–Beruf")
        XCTAssertThrowsError(try SearchQuery("phase:Rente")) { error in
            XCTAssertEqual(error as? KetteError, .invalidValue(field: FieldText.phase.text, value: "rente", accepted: Input.accepted(LifePhase.self)))
        }
    }

    func testMarksCoverTheWholeWordsThatMatched() throws {
        func marked(_ query: String, _ text: String, _ scopes: Set<SearchQuery.Scope> = [.text]) throws -> String {
            let marks = try SearchQuery(query).marks(in: text, scopes: scopes)
            return SearchIndex.Hit.marked(text, marks.map { SearchIndex.Mark(offset: $0.lowerBound, length: $0.count) })
        }
        XCTAssertEqual(try marked("Mueller", "Gespräch mit Frau Müller, Jugendamt"), "Gespräch mit Frau [Müller], Jugendamt")
        XCTAssertEqual(try marked("erhebung", "Die Bedarfserhebung läuft"), "Die [Bedarfserhebung] läuft")
        XCTAssertEqual(try marked("\"frühe hilfen\"", "Hilfen, frühe Hilfen und frühe Förderung"), "Hilfen, [frühe Hilfen] und frühe Förderung")
        XCTAssertEqual(try marked("ag", "AG Jugend, Tagung"), "[AG] Jugend, Tagung", "two letters match a word's start only")
        XCTAssertEqual(try marked("anbieter:AWO", "AWO Kreisverband"), "AWO Kreisverband", "a provider clause marks nothing in other fields")
        XCTAssertEqual(try marked("anbieter:AWO", "AWO Kreisverband", [.provider]), "[AWO] Kreisverband")
    }

    func testASnippetIsCutAroundTheFirstMarkOnOneLine() throws {
        let text = "Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn Bedarfserhebung\nfünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig einundzwanzig"
        let marks = try SearchQuery("erhebung").marks(in: text, scopes: [.text])
        let snippet = Snippet(text, marks: marks)
        XCTAssertEqual(SearchIndex.Hit.marked(snippet.text, snippet.marks.map { SearchIndex.Mark(offset: $0.lowerBound, length: $0.count) }),
                       "…zehn elf zwölf dreizehn [Bedarfserhebung] fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig einundzwanzig")
        XCTAssertEqual(Snippet("", marks: []).text, "")
    }

    // MARK: Agenda positions

    private func items(_ positions: [Int64]) -> [AgendaOrder.Item] {
        positions.enumerated().map { AgendaOrder.Item(id: "i\($0.offset)", position: $0.element) }
    }

    func testAMoveIsOneChangeWhileThereIsAGap() {
        let agenda = items([1024, 2048, 3072])
        XCTAssertEqual(AgendaOrder.place("new", at: 3, among: agenda), [.init(id: "new", position: 4096)], "at the end: one spacing after the last")
        XCTAssertEqual(AgendaOrder.place("new", at: 0, among: agenda), [.init(id: "new", position: 0)], "at the start: one spacing before the first")
        XCTAssertEqual(AgendaOrder.place("new", at: 1, among: agenda), [.init(id: "new", position: 1536)], "between: the middle of the gap")
        XCTAssertEqual(AgendaOrder.place("new", at: 0, among: []), [.init(id: "new", position: 1024)])
    }

    func testWithoutAGapTheAgendaIsNumberedAfresh() {
        // Two items added offline at the same position; old stores wrote 1, 2, 3.
        XCTAssertEqual(AgendaOrder.place("new", at: 1, among: items([1024, 1024])).map(\.position), [1024, 2048, 3072])
        XCTAssertEqual(AgendaOrder.place("new", at: 1, among: items([1, 2, 3])).map(\.id), ["i0", "new", "i1", "i2"])
        XCTAssertEqual(AgendaOrder.place("new", at: 1, among: items([1, 2, 3])).map(\.position), [1024, 2048, 3072, 4096])
        // Positions beyond the protocol's bounds (from an older server) and at its edge never trap
        // and never write a position outside them.
        let bounds = RecordType.agendaItem.integerRange(field: "position")
        for agenda in [items([.min, .max]), items([bounds.upperBound]), items([bounds.lowerBound])] {
            for index in 0...agenda.count {
                XCTAssertTrue(AgendaOrder.place("new", at: index, among: agenda).allSatisfy { bounds.contains($0.position) }, "\(agenda) at \(index)")
            }
        }
    }
}
