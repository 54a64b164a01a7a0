import KetteProtocol

/// Why an export or import did not happen, in terms a coordinator can act on. Whatever the case,
/// nothing was written: no export file, no imported offer.
public enum ExchangeError: Error, Equatable {
    case outputNotADirectory(path: String)
    case outputUnwritable(path: String, reason: String)
    /// `--base-url` is not an absolute http(s) URL.
    case invalidBaseURL(String)
    case malformedCSV(CSVError)
    /// The file has no header row.
    case emptyFile
    /// The header names columns an offer does not have, names one twice, or lacks a required one.
    case wrongColumns(unknown: [String], repeated: [String], missing: [OfferColumn])
    /// `--match` names columns the file lacks, or `id` (rows with an id are found by it).
    case wrongMatch(missing: [OfferColumn])
    /// Rows with wrong values; `rows` is how many data rows the file has.
    case importRefused(problems: [ImportProblem], rows: Int)

    public func message(_ language: Language) -> String {
        let de = language == .german
        switch self {
        case .outputNotADirectory(let path):
            return de ? "\(path) ist kein Verzeichnis; --out braucht ein Verzeichnis (es wird angelegt, wenn es fehlt)."
                      : "\(path) is not a directory; --out needs a directory (it is created when missing)."
        case .outputUnwritable(let path, let reason):
            return de ? "In \(path) kann nicht geschrieben werden: \(reason). Nichts wurde exportiert."
                      : "cannot write to \(path): \(reason). Nothing was exported."
        case .invalidBaseURL(let text):
            return de ? "Ungültige --base-url „\(text)“: erwartet eine absolute http(s)-URL, z. B. https://kreis.example/oparl."
                      : "invalid --base-url '\(text)': expected an absolute http(s) URL, e.g. https://county.example/oparl."
        case .malformedCSV(let error):
            return (de ? "Die Datei ist keine lesbare CSV-Tabelle: " : "the file is not a readable CSV table: ") + error.message(language)
                + (de ? " Nichts wurde importiert." : " Nothing was imported.")
        case .emptyFile:
            return de ? "Die Datei ist leer: erwartet eine Kopfzeile mit den Spaltennamen und eine Zeile je Angebot."
                      : "the file is empty: expected a header row naming the columns and one row per offer."
        case .wrongColumns(let unknown, let repeated, let missing):
            var parts: [String] = []
            if !unknown.isEmpty {
                parts.append(de ? "unbekannte Spalten: \(unknown.map { "„\($0)“" }.joined(separator: ", "))"
                                : "unknown columns: \(unknown.map { "'\($0)'" }.joined(separator: ", "))")
                if unknown.count == 1, let only = unknown.first, only.contains(",") || only.contains("\t") {
                    parts.append(de ? "die Spalten sind mit „,“ oder Tabulator statt „;“ getrennt"
                                    : "the columns are separated by ',' or tab instead of ';'")
                }
            }
            if !repeated.isEmpty {
                parts.append(de ? "mehrfach angegebene Spalten: \(repeated.joined(separator: ", "))"
                                : "columns given more than once: \(repeated.joined(separator: ", "))")
            }
            if !missing.isEmpty {
                parts.append(de ? "fehlende Pflichtspalten: \(missing.map(\.germanHeader).joined(separator: ", "))"
                                : "missing required columns: \(missing.map(\.key).joined(separator: ", "))")
            }
            let accepted = OfferColumn.allCases.map { $0.header(language) }.joined(separator: "; ")
            return (de ? "Die Spalten passen nicht: " : "the columns do not fit: ") + parts.joined(separator: "; ") + ". "
                + (de ? "Erlaubt (Groß-/Kleinschreibung egal, deutsch oder die englischen JSON-Schlüssel): \(accepted). Nichts wurde importiert."
                      : "Accepted (any case, German headers or these JSON keys): \(accepted). Nothing was imported.")
        case .wrongMatch(let missing):
            let names = missing.map { $0.header(language) }.joined(separator: ", ")
            let accepted = OfferColumn.allCases.filter { $0 != .id }.map(\.key).joined(separator: ", ")
            if missing == [.id] || missing.isEmpty {
                return de ? "--match braucht eine oder mehrere Spalten außer ID (Zeilen mit ID werden über sie gefunden); erlaubt: \(accepted). Nichts wurde importiert."
                          : "--match needs one or more columns other than id (rows with an id are found by it); accepted: \(accepted). Nothing was imported."
            }
            return de ? "--match nennt Spalten, die die Datei nicht hat: \(names). Nichts wurde importiert."
                      : "--match names columns the file does not have: \(names). Nothing was imported."
        case .importRefused(let problems, let rows):
            let badRows = Set(problems.map(\.row)).count
            var lines = [de ? "Import abgelehnt, nichts wurde importiert: \(badRows) von \(rows) Zeilen sind fehlerhaft."
                            : "import refused, nothing was imported: \(badRows) of \(rows) rows have problems."]
            lines += ImportProblem.grouped(problems, language)
            return lines.joined(separator: "\n")
        }
    }
}

/// One wrong value of an import: where it is (row as the spreadsheet numbers it, column as its
/// header reads) and why it is wrong.
public struct ImportProblem: Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The value itself is wrong; the error names the column and what it accepts.
        case value(KetteError)
        /// The row has more non-empty cells than the header has columns.
        case extraCells(Int)
        case idMalformed
        case idDeleted
        case idRepeated(firstRow: Int)
        /// A row without id matches an offer here by the `--match` columns (`--on-duplicate error`).
        case duplicate(of: String, title: String, columns: [String])
        /// A row without id matches several offers here: which one it means is unclear.
        case ambiguousMatch(offers: [String])
        /// A row without id makes the same offer as an earlier row (same `--match` values).
        case duplicateRow(firstRow: Int, columns: [String])
        /// Two rows name the same offer here (by id or by match).
        case sameOfferTwice(firstRow: Int)
    }

    public let row: Int
    public let column: String?
    public let value: String?
    public let reason: Reason

    public init(row: Int, column: String?, value: String?, reason: Reason) {
        self.row = row; self.column = column; self.value = value; self.reason = reason
    }

    public func message(_ language: Language) -> String {
        let de = language == .german
        let column = self.column ?? ""
        let value = self.value ?? ""
        switch reason {
        case .value(let error):
            return error.message(language)
        case .extraCells(let count):
            return de ? "\(count) Zelle(n) mehr als die Kopfzeile Spalten hat (fehlen Anführungszeichen um ein „;“ im Text?)."
                      : "\(count) more cell(s) than the header has columns (quotes missing around a ';' in the text?)."
        case .idMalformed:
            return de ? "\(column) „\(value)“ ist keine ID, wie kette sie exportiert (eine UUID). Die Zelle leeren oder die Spalte entfernen, um neue Angebote anzulegen."
                      : "\(column) '\(value)' is not an id as kette exports them (a UUID). Empty the cell or remove the column to make new offers."
        case .duplicate(let id, let title, let columns):
            return de ? "gleicht dem Angebot „\(title)“ [\(id.prefix(8))] in \(columns.joined(separator: ", ")): schon hier. Mit --on-duplicate update aktualisieren, mit --on-duplicate skip auslassen, oder die Zeile mit der ID des Angebots versehen."
                      : "matches the offer '\(title)' [\(id.prefix(8))] by \(columns.joined(separator: ", ")): it is here already. Update it with --on-duplicate update, leave the row out with --on-duplicate skip, or give the row the offer's id."
        case .ambiguousMatch(let offers):
            return de ? "gleicht mehreren Angeboten hier (\(offers.joined(separator: "; "))); die Zeile mit der ID des gemeinten Angebots versehen."
                      : "matches several offers here (\(offers.joined(separator: "; "))); give the row the id of the offer it means."
        case .duplicateRow(let first, let columns):
            return de ? "gleicht Zeile \(first) in \(columns.joined(separator: ", ")): das Angebot stünde zweimal hier."
                      : "matches row \(first) by \(columns.joined(separator: ", ")): the offer would be here twice."
        case .sameOfferTwice(let first):
            return de ? "betrifft dasselbe Angebot wie Zeile \(first)." : "concerns the same offer as row \(first)."
        case .idDeleted:
            return de ? "Das Angebot mit der \(column) \(value) wurde hier gelöscht; für ein neues Angebot die Zelle leeren."
                      : "the offer with \(column) \(value) was deleted here; to add it as a new offer, empty the cell."
        case .idRepeated(let first):
            return de ? "\(column) \(value) steht schon in Zeile \(first)." : "\(column) \(value) is already used in row \(first)."
        }
    }

    /// One line per distinct problem with every row it occurs in ("rows 4–6, 9: …"): a column
    /// that is wrong throughout a file of thousands of rows reads as one line, not thousands.
    static func grouped(_ problems: [ImportProblem], _ language: Language) -> [String] {
        var order: [String] = []
        var rows: [String: [Int]] = [:]
        for problem in problems {
            let message = problem.message(language)
            if rows[message] == nil { order.append(message) }
            rows[message, default: []].append(problem.row)
        }
        return order.map { message in
            let numbers = rows[message]!
            let label = numbers.count == 1 ? language.pick("row", "Zeile") : language.pick("rows", "Zeilen")
            return "  \(label) \(ranges(numbers)): \(message)"
        }
    }

    /// "4–6, 9" for [4, 5, 6, 9].
    public static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var start = numbers[0]
        var previous = numbers[0]
        for number in numbers.dropFirst() + [Int.min] {
            if number == previous + 1 { previous = number; continue }
            parts.append(start == previous ? "\(start)" : "\(start)–\(previous)")
            start = number
            previous = number
        }
        return parts.joined(separator: ", ")
    }
}
