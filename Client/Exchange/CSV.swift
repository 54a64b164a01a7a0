import Foundation
import KetteProtocol

/// The CSV dialect a German spreadsheet opens without an import dialog: UTF-8 with a byte-order
/// mark (without it Excel guesses Windows-1252 and mangles every umlaut), `;` between cells (the
/// comma is the German decimal separator), CRLF line ends and RFC 4180 quoting.
///
/// Reading accepts the same dialect with or without the mark and with LF or CR line ends too, as
/// other spreadsheet programs and text editors write them.
public enum CSV {
    public static let separator = ";"
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

    /// The file for `rows` (the first is usually the header): mark, cells quoted where needed, CRLF.
    public static func write(_ rows: [[String]]) -> Data {
        var out = byteOrderMark
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index > 0 { out.append(Byte.separator) }
                appendCell(cell, to: &out)
            }
            out.append(Byte.carriageReturn)
            out.append(Byte.lineFeed)
        }
        return Data(out)
    }

    /// A cell, in quotes only when it holds a separator, a quote or a line break: unquoted cells keep
    /// the file readable in a text editor.
    private static func appendCell(_ cell: String, to out: inout [UInt8]) {
        let bytes = cell.utf8
        guard bytes.contains(where: { $0 == Byte.separator || $0 == Byte.quote || $0 == Byte.carriageReturn || $0 == Byte.lineFeed })
        else {
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

    /// The rows of a CSV file, header included.
    ///
    /// Works on bytes: separators, quotes and line breaks are ASCII, which never occurs inside a
    /// UTF-8 multi-byte sequence, so cells are cut before they are decoded, and a byte that is not
    /// UTF-8 can be reported with its row and column.
    public static func read(_ data: Data) throws(CSVError) -> [Row] {
        let bytes = [UInt8](data)
        var index = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        var rows: [Row] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var closedQuote = false  // the current cell was quoted and its closing quote has been read
        var rowNumber = 1
        var quoteOpenedInRow = 1

        func endCell() throws(CSVError) {
            guard let text = String(validating: cell, as: UTF8.self) else {
                throw CSVError(row: rowNumber, kind: .notUTF8(column: cells.count + 1))
            }
            cells.append(text)
            cell.removeAll(keepingCapacity: true)
            closedQuote = false
        }
        func endRow() {
            rows.append(Row(number: rowNumber, cells: cells))
            cells = []
            rowNumber += 1
        }

        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == Byte.quote {
                    if index < bytes.count, bytes[index] == Byte.quote {
                        cell.append(Byte.quote)  // "" inside quotes is one quote
                        index += 1
                    } else {
                        inQuotes = false
                        closedQuote = true
                    }
                } else {
                    cell.append(byte)
                }
                continue
            }
            switch byte {
            case Byte.separator:
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
        if inQuotes { throw CSVError(row: quoteOpenedInRow, kind: .unterminatedQuote(column: cells.count + 1)) }
        // The last row needs no line break after it.
        if !cell.isEmpty || !cells.isEmpty || closedQuote {
            try endCell()
            endRow()
        }
        return rows
    }

    private enum Byte {
        static let separator = UInt8(ascii: ";")
        static let quote = UInt8(ascii: "\"")
        static let carriageReturn = UInt8(ascii: "\r")
        static let lineFeed = UInt8(ascii: "\n")
    }
}

/// A file that is not CSV of our dialect, with the row (as a spreadsheet numbers it) where reading stopped.
public struct CSVError: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case notUTF8(column: Int)
        case unterminatedQuote(column: Int)
        case textAfterClosingQuote(column: Int)
    }

    public let row: Int
    public let kind: Kind

    public func message(_ language: Language) -> String {
        let de = language == .german
        switch kind {
        case .notUTF8(let column):
            return de ? "Zeile \(row), Spalte \(column) ist kein UTF-8-Text. Die Tabelle als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."
                      : "row \(row), column \(column) is not UTF-8 text. Save the spreadsheet as \"CSV UTF-8 (comma delimited)\"."
        case .unterminatedQuote(let column):
            return de ? "Das Anführungszeichen in Zeile \(row), Spalte \(column) wird nie geschlossen."
                      : "the quote opened in row \(row), column \(column) is never closed."
        case .textAfterClosingQuote(let column):
            return de ? "In Zeile \(row), Spalte \(column) folgt Text auf das schließende Anführungszeichen (Anführungszeichen im Text werden verdoppelt: \"\")."
                      : "in row \(row), column \(column) text follows the closing quote (quotes inside a cell are doubled: \"\")."
        }
    }
}
