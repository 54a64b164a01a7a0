import KetteCommandLine
import XCTest

final class TerminalTextTests: XCTestCase {
    func testEscapeSequencesAreShownNotObeyed() {
        // Erase the line and write a fake success; set the window title; write the clipboard (OSC 52).
        XCTAssertEqual(TerminalText.escaped("AWO\u{1B}[2K\rSync done"), "AWO<U+001B>[2K<U+000D>Sync done")
        XCTAssertEqual(TerminalText.escaped("\u{1B}]0;pwned\u{07}"), "<U+001B>]0;pwned<U+0007>")
        XCTAssertEqual(TerminalText.escaped("\u{1B}]52;c;cm0gLXJmIH4=\u{1B}\\"), "<U+001B>]52;c;cm0gLXJmIH4=<U+001B>\\")
        // C1 controls (U+009B is CSI on some terminals), DEL and NUL.
        XCTAssertEqual(TerminalText.escaped("a\u{9B}2Jb\u{7F}c\u{0}"), "a<U+009B>2Jb<U+007F>c<U+0000>")
    }

    func testBidirectionalOverridesAndIsolatesAreShown() {
        XCTAssertEqual(TerminalText.escaped("Kita \u{202E}evil\u{202C}"), "Kita <U+202E>evil<U+202C>")
        for scalar in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] {
            let text = String(Character(Unicode.Scalar(scalar)!))
            XCTAssertEqual(TerminalText.escaped(text), "<U+\(String(scalar, radix: 16, uppercase: true))>")
        }
        // The marks that Arabic and Hebrew text needs stay.
        let marks = "\u{200E}\u{200F}\u{061C}مرحبا"
        XCTAssertEqual(TerminalText.escaped(marks), marks)
    }

    func testOrdinaryTextLineEndsAndTabsStayAsTheyAre() {
        for text in ["Sprachförderung für Kinder", "Zeile 1\nZeile 2\tmit Tab", "Windows\r\nZeilen\r\n", "C:\\Users\\anna",
                     "Ömer Öztürk – „Elterncafé“ 😀", ""] {
            XCTAssertEqual(TerminalText.escaped(text), text)
        }
        // A carriage return that does not end a line can overwrite what came before.
        XCTAssertEqual(TerminalText.escaped("ok\rfake\r\n"), "ok<U+000D>fake\r\n")
    }

    func testEscapingTwiceChangesNothingMore() {
        let once = TerminalText.escaped("\u{1B}[31mrot\u{202E}")
        XCTAssertEqual(TerminalText.escaped(once), once)
        XCTAssertFalse(once.unicodeScalars.contains(where: TerminalText.isUnsafe))
    }
}
