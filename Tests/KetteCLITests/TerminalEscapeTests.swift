import Foundation
import KetteTestSupport
import XCTest

/// Other people's text with terminal escapes (issue 12 item 8): human output shows them, `--json`
/// keeps them exact.
final class TerminalEscapeTests: KetteCLITestCase {
    /// Erase the line and print a fake success, set the window title, write the clipboard (OSC 52),
    /// and turn the rest of the line around with a right-to-left override.
    static let hostileName = "AWO\u{1B}[2K\rSync done: pushed 0 change sets\u{1B}]0;owned\u{07}\u{1B}]52;c;cm0gLXJmIH4K\u{07}\u{202E}gnitsoh"
    static let hostileTitle = "Elterncafé\u{1B}[1A\u{1B}[2K\u{9B}31m\u{2066}rot\u{2069}"

    /// Asserts that `output` holds none of the characters a terminal would obey, and shows them.
    func assertEscaped(_ output: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(output.utf8.contains(0x1B), "\(what): a raw ESC reached stdout: \(output)", file: file, line: line)
        XCTAssertFalse(output.utf8.contains(0x07), "\(what): a raw BEL reached stdout", file: file, line: line)
        XCTAssertFalse(output.unicodeScalars.contains { $0 == "\r" || $0 == "\u{9B}" || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) },
                       "\(what): a raw control or override reached stdout: \(output)", file: file, line: line)
        XCTAssertTrue(output.contains("<U+001B>"), "\(what): the escape is shown: \(output)", file: file, line: line)
    }

    func testRecordTextWithEscapesPrintsVisiblyAndJSONKeepsItExactly() throws {
        _ = makeFixture()
        let organization = ok("org", "add", Self.hostileName, "--kind", "freier\u{1B}[8m Träger")
        let offer = addOffer(title: Self.hostileTitle, extra: ["--provider", organization, "--description", "Zeile 1\nZeile 2\u{1B}[?1049h"])

        let list = ok("org", "list")
        assertEscaped(list, "org list")
        XCTAssertTrue(list.contains("AWO<U+001B>[2K<U+000D>Sync done: pushed 0 change sets<U+001B>]0;owned<U+0007><U+001B>]52;c;cm0gLXJmIH4K<U+0007><U+202E>gnitsoh"), list)
        XCTAssertTrue(list.contains("freier<U+001B>[8m Träger"), list)
        let offers = ok("offer", "list")
        assertEscaped(offers, "offer list")
        XCTAssertTrue(offers.contains("Elterncafé<U+001B>[1A<U+001B>[2K<U+009B>31m<U+2066>rot<U+2069>"), offers)
        let shown = ok("offer", "show", offer)
        assertEscaped(shown, "offer show")
        XCTAssertTrue(shown.contains("<U+202E>gnitsoh") && shown.contains("Zeile 1\nZeile 2<U+001B>[?1049h"), "provider and description: \(shown)")
        assertEscaped(ok("search", "Zeile"), "search")
        ok("district", "add", "Ost\u{1B}[2K\u{202E}")
        assertEscaped(ok("report", "coverage"), "report coverage")
        assertEscaped(ok("district", "list"), "district list")

        // The table still lines up: cells are measured after escaping.
        let rows = list.split(separator: "\n").map(String.init)
        func column(of text: String, in row: String?) -> Int? {
            guard let row, let range = row.range(of: text) else { return nil }
            return row.distance(from: row.startIndex, to: range.lowerBound)
        }
        XCTAssertEqual(column(of: "KIND", in: rows.first), column(of: "freier", in: rows.first { $0.contains("freier") }), list)

        let organizations = try jsonArray("org", "list", "--json")
        XCTAssertEqual(organizations.first { $0["id"] as? String == organization }?["name"] as? String, Self.hostileName)
        let record = try jsonObject("offer", "show", offer, "--json")
        XCTAssertEqual(record["title"] as? String, Self.hostileTitle)
        XCTAssertEqual(record["description"] as? String, "Zeile 1\nZeile 2\u{1B}[?1049h")
        XCTAssertEqual(try jsonArray("offer", "list", "--json").first?["title"] as? String, Self.hostileTitle)
    }

    func testErrorsQuotingOtherPeoplesTextAreEscapedToo() {
        _ = makeFixture()
        let result = kette("offer", "show", "Sync\u{1B}[2K\u{202E}")
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertFalse(result.stderr.utf8.contains(0x1B), "\(result)")
        XCTAssertTrue(result.stderr.contains("Sync<U+001B>[2K<U+202E>"), "\(result)")
    }
}
