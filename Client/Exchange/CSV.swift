import Foundation
import KetteMessages
import KetteProtocol

/// How a CSV file is spelled: the cell separator, the line end, whether a byte-order mark leads
/// the file, and whether cells a spreadsheet would run as formulas are neutralized. Quoting is
/// RFC 4180's in every dialect.
public struct CSVDialect: Equatable, Sendable {
    public enum LineEnding: Equatable, Sendable {
        case crlf, lf
        var bytes: [UInt8] { self == .crlf ? [0x0D, 0x0A] : [0x0A] }
    }

    /// An ASCII separator: `;`, `,` or tab.
    public var separator: UInt8
    public var lineEnding: LineEnding
    public var byteOrderMark: Bool
    /// See `CSVFormula`: on writing, formula-like cells get a leading `'`; on reading it goes again.
    public var neutralizesFormulas: Bool

    public init(separator: Character, lineEnding: LineEnding, byteOrderMark: Bool, neutralizesFormulas: Bool) {
        precondition(separator.isASCII && separator != "\"" && !separator.isNewline, "a CSV separator is one ASCII character that is no quote or line break")
        self.separator = separator.asciiValue!
        self.lineEnding = lineEnding
        self.byteOrderMark = byteOrderMark
        self.neutralizesFormulas = neutralizesFormulas
    }

    /// What a German spreadsheet opens without an import dialog: UTF-8 with a byte-order mark
    /// (without it Excel guesses Windows-1252 and mangles every umlaut), `;` between cells (the
    /// comma is the German decimal separator), CRLF line ends. `kette export csv` and
    /// `kette import offers` use it.
    public static let excel = CSVDialect(separator: ";", lineEnding: .crlf, byteOrderMark: true, neutralizesFormulas: true)

    /// RFC 4180 as scripts and tools read it: `,`, CRLF, no mark. Kette writes every CSV in
    /// `excel`; this one is for reading files other tools made.
    public static let rfc4180 = CSVDialect(separator: ",", lineEnding: .crlf, byteOrderMark: false, neutralizesFormulas: true)
}

/// The one CSV codec: every CSV file Kette writes or reads goes through it, in a `CSVDialect`.
///
/// Reading accepts the dialect's separator with or without a byte-order mark and with CRLF, LF or
/// CR line ends, as other spreadsheet programs and text editors write them.
public enum CSV {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// One record as read, with its row number as a spreadsheet shows it: the first record is row 1,
    /// and a cell with line breaks inside still makes one row.
    public struct Row: Equatable, Sendable {
        public var number: Int
        public var cells: [String]
        public init(number: Int, cells: [String]) { self.number = number; self.cells = cells }

        /// True when every cell is empty or blank: spreadsheets often end with such rows.
        public var isBlank: Bool {
            cells.allSatisfy { $0.unicodeScalars.allSatisfy(CharacterSet.whitespacesAndNewlines.contains) }
        }
    }

    // MARK: Writing

    /// The file for `rows` (the first is usually the header).
    public static func write(_ rows: [[String]], dialect: CSVDialect = .excel) -> Data {
        var out = dialect.byteOrderMark ? byteOrderMark : []
        let lineEnd = dialect.lineEnding.bytes
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index > 0 { out.append(dialect.separator) }
                appendCell(cell, dialect: dialect, to: &out)
            }
            out.append(contentsOf: lineEnd)
        }
        return Data(out)
    }

    /// The file for `rows` as text, for output that goes to a terminal or pipe.
    public static func text(_ rows: [[String]], dialect: CSVDialect) -> String {
        String(decoding: write(rows, dialect: dialect), as: UTF8.self)
    }

    /// One cell as it stands in a file of `dialect`: neutralized, then quoted where needed.
    public static func field(_ cell: String, dialect: CSVDialect) -> String {
        var out: [UInt8] = []
        appendCell(cell, dialect: dialect, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell, in quotes only when it holds a separator, a quote or a line break, or starts or ends
    /// with a space (which spreadsheets would trim): unquoted cells keep the file readable in a
    /// text editor.
    private static func appendCell(_ cell: String, dialect: CSVDialect, to out: inout [UInt8]) {
        let text = dialect.neutralizesFormulas ? CSVFormula.neutralized(cell) : cell
        let bytes = text.utf8
        let needsQuotes = bytes.first == Byte.space || bytes.last == Byte.space
            || bytes.contains { $0 == dialect.separator || $0 == Byte.quote || $0 == Byte.carriageReturn || $0 == Byte.lineFeed }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(Byte.quote)
        for byte in bytes {
            if byte == Byte.quote { out.append(Byte.quote) }
            out.append(byte)
        }
        out.append(Byte.quote)
    }

    // MARK: Reading

    /// The rows of a CSV file, header included, each cell as it was before writing (a
    /// neutralized formula without its mark).
    ///
    /// Works on bytes: separators, quotes and line breaks are ASCII, which never occurs inside a
    /// UTF-8 multi-byte sequence, so cells are cut before they are decoded, and a byte that is not
    /// UTF-8 can be reported with its row and column.
    public static func read(_ data: Data, dialect: CSVDialect = .excel) throws(CSVError) -> [Row] {
        var reader = CSVReader(bytes: [UInt8](data), dialect: dialect)
        return try reader.rows()
    }

    enum Byte {
        static let quote = UInt8(ascii: "\"")
        static let carriageReturn = UInt8(ascii: "\r")
        static let lineFeed = UInt8(ascii: "\n")
        static let space = UInt8(ascii: " ")
    }
}

/// Reads one file's bytes into rows; the state of `CSV.read`.
private struct CSVReader {
    private typealias Byte = CSV.Byte
    let bytes: [UInt8]
    let dialect: CSVDialect
    private var index = 0
    private var finished: [CSV.Row] = []
    private var cells: [String] = []
    private var cell: [UInt8] = []
    private var inQuotes = false
    /// The current cell was quoted and its closing quote has been read.
    private var closedQuote = false
    private var rowNumber = 1
    private var quoteOpenedInRow = 1

    init(bytes: [UInt8], dialect: CSVDialect) {
        self.bytes = bytes
        self.dialect = dialect
        index = bytes.starts(with: CSV.byteOrderMark) ? CSV.byteOrderMark.count : 0
    }

    mutating func rows() throws(CSVError) -> [CSV.Row] {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                readQuoted(byte)
            } else {
                try readUnquoted(byte)
            }
        }
        if inQuotes { throw CSVError(row: quoteOpenedInRow, kind: .unterminatedQuote(column: cells.count + 1)) }
        // The last row needs no line break after it.
        if !cell.isEmpty || !cells.isEmpty || closedQuote {
            try endCell()
            endRow()
        }
        return finished
    }

    private mutating func readQuoted(_ byte: UInt8) {
        guard byte == Byte.quote else { return cell.append(byte) }
        if index < bytes.count, bytes[index] == Byte.quote {
            cell.append(Byte.quote)  // "" inside quotes is one quote
            index += 1
        } else {
            inQuotes = false
            closedQuote = true
        }
    }

    private mutating func readUnquoted(_ byte: UInt8) throws(CSVError) {
        switch byte {
        case dialect.separator:
            try endCell()
        case Byte.carriageReturn, Byte.lineFeed:
            if byte == Byte.carriageReturn, index < bytes.count, bytes[index] == Byte.lineFeed { index += 1 }
            try endCell()
            endRow()
        case Byte.quote where cell.isEmpty && !closedQuote:
            inQuotes = true
            quoteOpenedInRow = rowNumber
        default:
            // A quoted cell ends at its closing quote; anything but a separator or line end after
            // it means the quoting is broken, and guessing what was meant could shift every
            // following cell.
            if closedQuote { throw CSVError(row: rowNumber, kind: .textAfterClosingQuote(column: cells.count + 1)) }
            cell.append(byte)  // a quote inside an unquoted cell is taken literally, as spreadsheets do
        }
    }

    private mutating func endCell() throws(CSVError) {
        guard let text = String(validating: cell, as: UTF8.self) else {
            throw CSVError(row: rowNumber, kind: .notUTF8(column: cells.count + 1))
        }
        cells.append(dialect.neutralizesFormulas ? CSVFormula.restored(text) : text)
        cell.removeAll(keepingCapacity: true)
        closedQuote = false
    }

    private mutating func endRow() {
        finished.append(CSV.Row(number: rowNumber, cells: cells))
        cells = []
        rowNumber += 1
    }
}

/// Keeps text people typed from running as a spreadsheet formula ("CSV injection", OWASP): a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, which
/// makes spreadsheets show it as text. Every coordinator writes the county-wide organization
/// register, so one `org add '=HYPERLINK(…)'` would otherwise reach every district's exports.
///
/// Reading takes the mark away again, so export → edit → import gives back exactly what was
/// exported. To keep that exact for text that itself starts with apostrophes before such a
/// character (a title "'=x"), the rule looks past leading apostrophes: a cell whose first
/// character after its leading apostrophes is one of the six gets one apostrophe more on writing
/// ("'=x" is written "''=x"), and exactly one fewer on reading. So a cell reads back as the text
/// that was written, whatever it holds; the price is that a hand-made file's "'=x" reads as "=x".
///
/// A plain number ("-12", "+3", "-1,5") is no formula and stays a number, so figures in reports
/// (a change of −290) keep working in a spreadsheet.
public enum CSVFormula {
    private static let triggers: Set<UInt8> = Set("=+-@\t\r".utf8)
    private static let apostrophe = UInt8(ascii: "'")

    /// `text` as a cell may hold it without a spreadsheet running it.
    public static func neutralized(_ text: String) -> String {
        isFormulaLike(afterApostrophes: text) ? "'" + text : text
    }

    /// The text a (possibly neutralized) cell was made from.
    public static func restored(_ cell: String) -> String {
        guard cell.utf8.first == apostrophe, isFormulaLike(afterApostrophes: cell) else { return cell }
        return String(cell.dropFirst())
    }

    /// Whether the text after any leading apostrophes starts like a formula. Both directions ask
    /// this of the same part of the text, which adding or taking one apostrophe leaves alone.
    private static func isFormulaLike(afterApostrophes text: String) -> Bool {
        let core = text.utf8.drop { $0 == apostrophe }
        guard let first = core.first, triggers.contains(first) else { return false }
        return !isPlainNumber(core)
    }

    /// An optional sign, digits, and at most one decimal separator (`.` or `,`) between digits.
    private static func isPlainNumber(_ bytes: Substring.UTF8View) -> Bool {
        var digits = bytes.drop { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        guard bytes.count - digits.count <= 1 else { return false }
        let isDigit = { (byte: UInt8) in (48...57).contains(byte) }
        let integer = digits.prefix(while: isDigit)
        guard !integer.isEmpty else { return false }
        digits = digits.dropFirst(integer.count)
        guard let separator = digits.first else { return true }
        guard separator == UInt8(ascii: ".") || separator == UInt8(ascii: ",") else { return false }
        let fraction = digits.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }
}

/// A file that is not CSV of our dialect, with the row (as a spreadsheet numbers it) where reading stopped.
public struct CSVError: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case notUTF8(column: Int)
        /// A byte the file's single-byte encoding does not define; `row` is then the line.
        case undefinedByte(UInt8, encoding: String)
        case unterminatedQuote(column: Int)
        case textAfterClosingQuote(column: Int)
    }

    public let row: Int
    public let kind: Kind

    public func message(_ language: Language) -> String {
        if case .undefinedByte(let byte, let encoding) = kind {
            return ExchangeText.undefinedByte(language, ["row": String(row), "byte": String(byte, radix: 16, uppercase: true), "encoding": encoding])
        }
        let (text, column): (ExchangeText, Int) = switch kind {
        case .notUTF8(let column): (.notUTF8, column)
        case .unterminatedQuote(let column): (.unterminatedQuote, column)
        case .textAfterClosingQuote(let column): (.textAfterClosingQuote, column)
        case .undefinedByte: (.notUTF8, 0)  // answered above
        }
        return text(language, ["row": String(row), "column": String(column)])
    }
}
