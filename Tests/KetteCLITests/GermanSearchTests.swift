import Foundation
import KetteClient
import KetteTestSupport
import XCTest

/// `kette search` made for German, through the real binary: umlaut spellings, word parts, quoted
/// phrases, field prefixes, offers by provider, marks, ranking and --limit.
final class GermanSearchTests: KetteCLITestCase {
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]
    private let plain: [String: String?] = ["LANG": "C"]

    /// A county with the names and words the tests look for.
    private func makeCounty() -> (awoOffers: [String], other: String, phrase: String, reversed: String) {
        _ = makeFixture()
        ok("org", "add", "AWO Kreisverband")
        ok("org", "add", "Caritas")
        let awoOffers = [
            addOffer(title: "Bedarfserhebung Familienbildung", extra: ["--provider", "AWO Kreisverband", "--description", "Gespräch mit Frau Müller"]),
            addOffer(title: "Sprachkita Sonnenschein", extra: ["--provider", "AWO Kreisverband", "--phase", "preschool"]),
        ]
        let other = addOffer(title: "Elterncafé", district: "südstadt", extra: ["--provider", "Caritas", "--description", "Treffen bei Herrn Mueller in der Strasse"])
        let phrase = addOffer(title: "Netzwerk", extra: ["--description", "Die Frühe Hilfen tagen monatlich"])
        let reversed = addOffer(title: "Hilfen", extra: ["--description", "Hilfen für frühe Förderung"])
        return (awoOffers, other, phrase, reversed)
    }

    private func ids(_ query: String, env: [String: String?] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let output = ok(["search", query, "--json"], env: env, file: file, line: line)
        let hits = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output, file: file, line: line)
        return hits.compactMap { $0["id"] as? String }
    }

    func testEverySpellingOfAGermanNameFindsTheOthers() throws {
        let county = makeCounty()
        for environment in [german, plain] {
            for query in ["Mueller", "Müller", "Muller", "MÜLLER"] {
                XCTAssertEqual(Set(try ids(query, env: environment)), [county.awoOffers[0], county.other], "\(query) under \(environment)")
            }
            XCTAssertEqual(try ids("Straße", env: environment), [county.other], "ß and ss")
        }
        let shown = ok(["search", "Mueller"], env: german)
        XCTAssertTrue(shown.contains("Gespräch mit Frau [Müller]"), "the matching word is marked: \(shown)")
        XCTAssertTrue(shown.contains("Treffen bei Herrn [Mueller] in der Strasse"), shown)
        XCTAssertTrue(shown.contains("Angebot"), "German labels under LANG=de: \(shown)")
        XCTAssertTrue(ok(["search", "Mueller"], env: plain).contains("offer"), "English under LANG=C")
    }

    func testAWordPartFindsTheCompound() throws {
        let county = makeCounty()
        for environment in [german, plain] {
            XCTAssertEqual(try ids("erhebung", env: environment), [county.awoOffers[0]])
            XCTAssertEqual(try ids("BEDARFS", env: environment), [county.awoOffers[0]])
        }
        XCTAssertTrue(ok(["search", "erhebung"], env: german).contains("[Bedarfserhebung] Familienbildung"))
        XCTAssertEqual(ok(["search", "Zahnarzt"], env: german), "Keine Treffer.")
        XCTAssertEqual(ok(["search", "Zahnarzt"], env: plain), "No matches.")
    }

    func testAQuotedPhraseMatchesOnlyThePhrase() throws {
        let county = makeCounty()
        XCTAssertEqual(try ids("\"Frühe Hilfen\""), [county.phrase], "the same words apart or in another order do not match")
        XCTAssertEqual(try ids("\"fruehe hilfen\""), [county.phrase], "folded like single words")
        XCTAssertEqual(Set(try ids("frühe Hilfen")), [county.phrase, county.reversed], "without quotes each word may stand anywhere")
        XCTAssertEqual(try ids("\"Hilfen tagen\""), [county.phrase])
        XCTAssertEqual(try ids("\"Hilfe tagen\""), [], "a quoted phrase is whole words")
        let shown = ok("search", "\"Frühe Hilfen\"")
        XCTAssertTrue(shown.contains("Die [Frühe Hilfen] tagen monatlich"), shown)
    }

    func testFieldPrefixesAndOffersByTheirProvider() throws {
        let county = makeCounty()
        for environment in [german, plain] {
            for query in ["anbieter:AWO", "provider:awo", "Träger:AWO", "anbieter:\"AWO Kreisverband\"", "AWO"] {
                XCTAssertEqual(Set(try ids(query, env: environment)), Set(county.awoOffers), "\(query) under \(environment)")
            }
            XCTAssertEqual(try ids("anbieter:AWO erhebung", env: environment), [county.awoOffers[0]], "a prefix and a word together")
            XCTAssertEqual(try ids("anbieter:Caritas", env: environment), [county.other])
            XCTAssertEqual(try ids("bezirk:Südstadt", env: environment), [county.other])
            XCTAssertEqual(try ids("district:sued Mueller", env: environment), [county.other])
            XCTAssertEqual(try ids("phase:Kita", env: environment), [county.awoOffers[1]], "the German label")
            XCTAssertEqual(try ids("phase:preschool", env: environment), [county.awoOffers[1]], "the slug")
            XCTAssertEqual(try ids("titel:Hilfen", env: environment), [county.reversed])
        }
        XCTAssertEqual(try ids("anbieter:Mueller"), [], "a prefix limits the word to its field")
        try assertRejected(["search", "phase:Rente"], mentions: ["phase", "'rente'", "pregnancy", "transition"])
        try assertRejected(["search", "phase:Rente"], mentions: ["„rente“", "Lebensphase", "schwangerschaft"], env: german)
        let shown = ok(["search", "anbieter:AWO"], env: german)
        XCTAssertTrue(shown.contains("Träger: [AWO] Kreisverband"), "the provider is shown, marked: \(shown)")

        // The index follows a renamed provider: its offers are found by the new name at once.
        let awo = try XCTUnwrap((try jsonArray("org", "list", "--json")).first { $0["name"] as? String == "AWO Kreisverband" }?["id"] as? String)
        let store = try LocalStore(directory: runner.home.path)
        _ = try store.record("org rename") { change in try change.set(.organization, awo, "name", .string("Arbeiterwohlfahrt Kreis")) }
        XCTAssertEqual(Set(try ids("anbieter:Arbeiterwohlfahrt")), Set(county.awoOffers))
        XCTAssertEqual(try ids("anbieter:AWO"), [])
    }

    func testResultsAreRankedMarkedAndLimited() throws {
        _ = makeFixture()
        let inTitle = addOffer(title: "Sprachförderung", extra: ["--description", "für Kinder"])
        let inText = addOffer(title: "Elterncafé", extra: ["--description", "Austausch, auch zur Sprachförderung"])
        let meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--minutes", "Die Sprachförderung wird ausgebaut.")
        let all = try ids("sprachforderung")
        XCTAssertEqual(all.first, inTitle, "a title hit ranks first")
        XCTAssertEqual(Set(all), [inTitle, inText, meeting])
        let limited = ok("search", "Sprachförderung", "--limit", "1", "--json")
        let hits = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(limited.utf8)) as? [[String: Any]])
        XCTAssertEqual(hits.map { $0["id"] as? String }, [inTitle])
        // --json gives the marks as positions (Unicode code points) in the title and the snippet.
        XCTAssertEqual(hits.first?["titleMarks"] as? [[String: Int]], [["offset": 0, "length": 15]])
        let text = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok("search", "zur Sprachförderung", "--json").utf8)) as? [[String: Any]])
        let hit = try XCTUnwrap(text.first { $0["id"] as? String == inText })
        XCTAssertEqual(hit["snippet"] as? String, "Austausch, auch zur Sprachförderung")
        XCTAssertEqual(hit["field"] as? String, "description")
        XCTAssertEqual(hit["snippetMarks"] as? [[String: Int]], [["offset": 16, "length": 3], ["offset": 20, "length": 15]])
        let minutes = ok(["search", "ausgebaut"], env: german)
        XCTAssertTrue(minutes.contains("Sitzung") && minutes.contains("Die Sprachförderung wird [ausgebaut]."), minutes)
    }

    func testSearchInputIsNeverASyntaxError() throws {
        _ = makeFixture()
        addOffer(title: "Kita (neu) \"Sonnenschein\"")
        for query in ["\"", "\"AND (", "NEAR(a b)", "*", "a:b:c", "anbieter:", "-", "title:\"", "ä", "{title}: x"] {
            let result = kette("search", query)
            XCTAssertEqual(result.exitCode, 0, "\(result)")
        }
        XCTAssertFalse(try ids("(neu) Sonnenschein").isEmpty)
    }
}
