import KetteMessages
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
        switch self {
        case .outputNotADirectory(let path): ExchangeText.notADirectory(language, ["path": path])
        case .outputUnwritable(let path, let reason): ExchangeText.unwritable(language, ["path": path, "reason": reason])
        case .invalidBaseURL(let text): ExchangeText.invalidBaseURL(language, ["text": text])
        case .malformedCSV(let error): ExchangeText.malformedCSV(language, ["problem": error.message(language)])
        case .emptyFile: ExchangeText.emptyFile(language)
        case .wrongColumns(let unknown, let repeated, let missing): Self.wrongColumns(unknown, repeated, missing, language)
        case .wrongMatch(let missing):
            if missing == [.id] || missing.isEmpty {
                ExchangeText.matchNeedsColumns(language, ["columns": OfferColumn.allCases.filter { $0 != .id }.map(\.key).joined(separator: ", ")])
            } else {
                ExchangeText.matchColumnsMissing(language, ["columns": missing.map { $0.header(language) }.joined(separator: ", ")])
            }
        case .importRefused(let problems, let rows):
            ([ExchangeText.importRefused(language, ["bad": Set(problems.map(\.row)).count, "rows": rows])]
                + ImportProblem.grouped(problems, language)).joined(separator: "\n")
        }
    }

    /// What is wrong with the header row, and every column it may name.
    private static func wrongColumns(_ unknown: [String], _ repeated: [String], _ missing: [OfferColumn], _ language: Language) -> String {
        let quote: (String) -> String = { language == .german ? "„\($0)“" : "'\($0)'" }
        var parts: [String] = []
        if !unknown.isEmpty {
            parts.append(ExchangeText.unknownColumns(language, ["columns": unknown.map(quote).joined(separator: ", ")]))
            if unknown.count == 1, let only = unknown.first, only.contains(",") || only.contains("\t") {
                parts.append(ExchangeText.wrongSeparator(language))
            }
        }
        if !repeated.isEmpty { parts.append(ExchangeText.repeatedColumns(language, ["columns": repeated.joined(separator: ", ")])) }
        if !missing.isEmpty {
            parts.append(ExchangeText.missingColumns(language, ["columns": missing.map { $0.header(language) }.joined(separator: ", ")]))
        }
        let accepted = ExchangeText.acceptedColumns(language, ["columns": OfferColumn.allCases.map { $0.header(language) }.joined(separator: "; ")])
        return ExchangeText.wrongColumns(language, ["problems": parts.joined(separator: "; "), "accepted": accepted])
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
        let values: MessageValues = ["column": column ?? "", "value": value ?? ""]
        switch reason {
        case .value(let error): return error.message(language)
        case .extraCells(let count): return ExchangeText.extraCells(language, ["count": count])
        case .idMalformed: return ExchangeText.idMalformed(language, values)
        case .idDeleted: return ExchangeText.idDeleted(language, values)
        case .idRepeated(let first): return ExchangeText.idRepeated(language, ["column": column ?? "", "value": value ?? "", "first": String(first)])
        case .duplicate(let id, let title, let columns):
            return ExchangeText.duplicate(language, ["title": title, "id": RecordIdentifier.shortCode(id), "columns": columns.joined(separator: ", ")])
        case .ambiguousMatch(let offers): return ExchangeText.ambiguousMatch(language, ["offers": offers.joined(separator: "; ")])
        case .duplicateRow(let first, let columns):
            return ExchangeText.duplicateRow(language, ["first": String(first), "columns": columns.joined(separator: ", ")])
        case .sameOfferTwice(let first): return ExchangeText.sameOfferTwice(language, ["first": String(first)])
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
            return (numbers.count == 1 ? ExchangeText.row : ExchangeText.rows)(language, ["rows": ranges(numbers), "message": message])
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
