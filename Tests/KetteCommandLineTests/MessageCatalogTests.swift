import Foundation
import KetteCommandLine
import KetteMessages
import KetteProtocol
@testable import kette
@testable import kette_server
import XCTest

/// The message catalog: every entry has a text in both languages, translated, with the same
/// placeholders; every help text of both programs likewise; and no command's help in one language
/// carries a word only the other language's side of the catalog uses.
final class MessageCatalogTests: XCTestCase {
    /// Texts that read the same in both languages on purpose: nothing in them but names, numbers,
    /// placeholders and words both languages share (months among them).
    static let sameInBothLanguages: Set<String> = ["ID", "NAME", "STATUS", "Status", "Token", "Sport", "–", "Server", "April", "August",
                                                   "September", "November"]

    func testEveryCatalogEntryHasATextInBothLanguagesWithTheSamePlaceholders() {
        let entries = Catalog.entries
        XCTAssertGreaterThan(entries.count, 200)
        XCTAssertEqual(Set(entries.map(\.key)).count, entries.count, "a key twice")
        for entry in entries {
            XCTAssertTrue(entry.hasText, "\(entry.key): no text in the catalog")
            check(entry.text, entry.key)
        }
    }

    func testEveryHelpTextOfBothProgramsIsTranslated() {
        for (name, texts) in [("kette", kette.helpTexts), ("kette-server", server.helpTexts)] {
            XCTAssertGreaterThan(texts.count, 50, name)
            for text in texts { check(text, "\(name) help") }
        }
    }

    func testEveryVocabularyLabelIsTranslated() {
        for label in Catalog.vocabularyTexts { check(label, "vocabulary") }
    }

    /// Every section in Sources/KetteMessages is one `Catalog.sections` lists, so the tests above
    /// reach it.
    func testEverySectionIsRegistered() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/KetteMessages").standardized
        var declared: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in source.split(separator: "\n") where line.contains(": String, MessageSection") {
                declared.insert(String(line.split(separator: "enum ")[1].prefix { $0 != ":" }))
            }
        }
        XCTAssertGreaterThan(declared.count, 10)
        XCTAssertEqual(declared, Set(Catalog.sections.map { "\($0)" }))
    }

    /// `kette --help` and every command's help of both programs, in German, holds no word that only
    /// the English side of the catalog uses, and the other way round.
    func testNoHelpMixesTheLanguages() {
        let english = CatalogWords.distinctive(.english), german = CatalogWords.distinctive(.german)
        XCTAssertTrue(english.isSuperset(of: ["offer", "meeting", "attendees", "decisions", "resolved", "refused"]), "\(english.sorted())")
        XCTAssertTrue(german.isSuperset(of: ["angebot", "sitzung", "teilnehmende", "beschlüsse", "gelöst", "abgelehnt"]), "\(german.sorted())")
        for (name, helps) in [("kette", helps(kette)), ("kette-server", helps(server))] {
            for help in helps {
                let inGerman = CatalogWords.words(in: help(.german)).intersection(english)
                XCTAssertEqual(inGerman, [], "\(name): English in German help:\n\(help(.german))")
                let inEnglish = CatalogWords.words(in: help(.english)).intersection(german)
                XCTAssertEqual(inEnglish, [], "\(name): German in English help:\n\(help(.english))")
            }
        }
    }

    /// The word test can fail: an untranslated line is found.
    func testTheWordCheckFindsAnUntranslatedLine() {
        let english = CatalogWords.distinctive(.english)
        XCTAssertFalse(CatalogWords.words(in: "Teilnehmende: 3; Attendees: 3").intersection(english).isEmpty)
        XCTAssertTrue(CatalogWords.words(in: "Teilnehmende: 3, siehe `kette conflicts` --keep mine").intersection(english).isEmpty)
    }

    func testPlaceholdersAreFilledAndPluralsChosen() {
        XCTAssertEqual(ListText.total.with(["total": 16_000, "noun": ListText.offers.with(["n": 16_000])]),
                       LocalizedText("16,000 offers", "16.000 Angebote"))
        XCTAssertEqual(ListText.shownOf.with(["shown": 3, "total": 1, "noun": ListText.offers.with(["n": 1])]).german,
                       "1 Angebot, davon 3 angezeigt (--limit)")
        XCTAssertEqual(RecordText.due(.german, ["date": Day("2026-03-14")]), ", fällig 14.03.2026")
        XCTAssertEqual(RecordText.due(.english, ["date": Day("2026-03-14")]), ", due 2026-03-14")
    }

    // MARK: Helpers

    private func check(_ text: LocalizedText, _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.english.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(key): no English", file: file, line: line)
        XCTAssertFalse(text.german.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(key): no German", file: file, line: line)
        XCTAssertEqual(MessageTemplate.placeholders(in: text.english), MessageTemplate.placeholders(in: text.german),
                       "\(key): placeholders differ", file: file, line: line)
        if text.english == text.german {
            let words = CatalogWords.words(in: text.english).filter { !Self.sameInBothLanguages.contains($0.capitalized) && !Self.sameInBothLanguages.contains($0) }
            XCTAssertEqual(words, [], "\(key): not translated: \(text.english)", file: file, line: line)
        }
        for side in [text.english, text.german] {
            for placeholder in side.split(separator: "{").dropFirst() where placeholder.prefix { $0 != "}" }.contains(":") {
                let forms = placeholder.prefix { $0 != "}" }.split(separator: ":", maxSplits: 1)[1]
                XCTAssertEqual(forms.split(separator: "|", omittingEmptySubsequences: false).count, 2, "\(key): plural needs two forms", file: file, line: line)
            }
        }
    }

    /// Every help of a program, without the commands' names (words such as `offer list` are what
    /// people type, in any language).
    private func helps<Context>(_ program: Program<Context>) -> [(Language) -> String] {
        let groups = Set(program.commands.filter { $0.path.count > 1 }.map { Array($0.path.dropLast()) })
        let helps: [(Language) -> String] = [{ program.help(.program, $0) }]
            + program.commands.map { command in { program.help(.command(command.path), $0) } }
            + groups.map { group in { program.help(.group(group), $0) } }
        let names = (program.commands.map(\.name) + groups.map { $0.joined(separator: " ") }).sorted { $0.count > $1.count }
        return helps.map { help in
            { language in
                help(language).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    var line = String(line)
                    for name in names {
                        line = line.replacingOccurrences(of: "\(program.name) \(name)", with: program.name)
                        if line.hasPrefix("  \(name) ") { line = "  " + line.dropFirst(2 + name.count) }
                    }
                    return line
                }.joined(separator: "\n")
            }
        }
    }
}
