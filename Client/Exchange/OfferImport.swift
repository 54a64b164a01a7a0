import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// What `kette import offers` did (or, with `--dry-run`, would do).
public struct OfferImportResult: Sendable {
    /// The offers made, or that would be made.
    public var offers: Int
    /// Rows with no value in any cell, left out: spreadsheets often end with some.
    public var blankRows: Int
    public var dryRun: Bool
}

/// `kette import offers`: the offer spreadsheet a coordinator already keeps, turned into offers.
///
/// All or nothing: every row is checked first, and every problem of every row is collected, so one
/// attempt shows everything to fix. Only a file without problems is written, as one change set in
/// one transaction: a crash or a full disk leaves the store as it was, and the county server later
/// takes the import whole or not at all. (One change set also means one push: at about 2.7 KB of
/// changes per offer, the server's default 8 MiB request limit holds some 3,000 offers.)
///
/// Values follow `kette offer add`: closed lists accept slugs and English or German labels, several
/// life phases, languages or target groups are separated by `,` in one cell, district and provider
/// are ids or names. An empty cell means "not given". An `ID` column (as `kette export csv` writes)
/// keeps the offers' ids, so moving offers between stores does not duplicate them on the server;
/// a row whose id is already in the store is refused, which also stops a file from being imported twice.
extension LocalStore {
    public func importOffers(csv data: Data, dryRun: Bool, language: Language) throws -> OfferImportResult {
        let table: [CSV.Row]
        do { table = try CSV.read(data, dialect: .excel) } catch { throw ExchangeError.malformedCSV(error) }
        guard let header = table.first, !header.isBlank else { throw ExchangeError.emptyFile }
        let columns = try Self.importColumns(header.cells)

        var checker = OfferRowChecker(store: self, language: language)
        var offers: [(id: String, fields: [(String, FieldValue?)])] = []
        var problems: [ImportProblem] = []
        var blankRows = 0
        var dataRows = 0
        for row in table.dropFirst() {
            if row.isBlank { blankRows += 1; continue }
            dataRows += 1
            let checked = try checker.check(row, columns: columns, headerWidth: header.cells.count)
            if checked.problems.isEmpty {
                offers.append((checked.id ?? newID(), checked.fields))
            } else {
                problems += checked.problems
            }
        }
        guard problems.isEmpty else { throw ExchangeError.importRefused(problems: problems, rows: dataRows) }
        if !dryRun, !offers.isEmpty {
            try record("offer import") { change in
                for offer in offers { try change.create(.offer, offer.id, offer.fields) }
            }
        }
        return OfferImportResult(offers: offers.count, blankRows: blankRows, dryRun: dryRun)
    }

    /// Which column each header cell names; refuses unknown, repeated and missing columns. An
    /// empty header cell is no column at all (a spreadsheet's trailing empty column).
    private static func importColumns(_ headers: [String]) throws -> [(index: Int, column: OfferColumn, header: String)] {
        var columns: [(index: Int, column: OfferColumn, header: String)] = []
        var unknown: [String] = []
        var repeated: [String] = []
        for (index, raw) in headers.enumerated() {
            let header = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if header.isEmpty { continue }
            guard let column = OfferColumn.matching(header) else { unknown.append(header); continue }
            if let earlier = columns.first(where: { $0.column == column }) {
                repeated.append("\(earlier.header) + \(header)")
                continue
            }
            columns.append((index, column, header))
        }
        let missing = OfferColumn.required.filter { required in !columns.contains { $0.column == required } }
        guard unknown.isEmpty, repeated.isEmpty, missing.isEmpty else {
            throw ExchangeError.wrongColumns(unknown: unknown, repeated: repeated, missing: missing)
        }
        return columns
    }
}

/// Checks one row at a time and turns its cells into an offer's field values, by the rules of
/// `kette offer add`.
///
/// A cell's value depends only on its column and text, so conversions are remembered: a file of
/// tens of thousands of rows names a few dozen districts, providers and phase combinations, and
/// each is resolved once instead of once per row (a name lookup reads every name of its table).
struct OfferRowChecker {
    let store: LocalStore
    let language: Language
    private var remembered: [OfferColumn: [String: Result<FieldValue?, KetteError>]] = [:]
    private var idRows: [String: Int] = [:]
    private var districts = ReferenceLookup(type: .district)
    private var providers = ReferenceLookup(type: .organization)

    init(store: LocalStore, language: Language) {
        self.store = store
        self.language = language
    }

    struct Checked {
        var id: String?
        var fields: [(String, FieldValue?)] = []
        var problems: [ImportProblem] = []
    }

    mutating func check(_ row: CSV.Row, columns: [(index: Int, column: OfferColumn, header: String)], headerWidth: Int) throws -> Checked {
        var checked = Checked()
        let extra = row.cells.dropFirst(headerWidth).filter { !$0.trimmedCell.isEmpty }.count
        if extra > 0 { checked.problems.append(ImportProblem(row: row.number, column: nil, value: nil, reason: .extraCells(extra))) }
        var status: FieldValue?
        for (index, column, header) in columns {
            // Cells missing at the end of a row are empty: some programs leave trailing separators out.
            let text = index < row.cells.count ? row.cells[index] : ""
            if column == .id {
                checked.id = try checkID(text, row: row.number, header: header, problems: &checked.problems)
                continue
            }
            switch try value(column, text, header: header) {
            case .success(let value):
                if column == .status { status = value; continue }
                if let value { checked.fields.append((column.key, value)) }
            case .failure(let error):
                checked.problems.append(ImportProblem(row: row.number, column: header, value: text, reason: .value(error)))
            }
        }
        // As `offer add`: an offer without a status is active.
        checked.fields.append(("status", status ?? .string(OfferStatus.active.slug)))
        return checked
    }

    /// The id to keep from an `ID` cell; nil for an empty cell (the offer gets a new id).
    private mutating func checkID(_ text: String, row: Int, header: String, problems: inout [ImportProblem]) throws -> String? {
        let trimmed = text.trimmedCell
        guard !trimmed.isEmpty else { return nil }
        func problem(_ reason: ImportProblem.Reason) -> String? {
            problems.append(ImportProblem(row: row, column: header, value: trimmed, reason: reason))
            return nil
        }
        guard UUID(uuidString: trimmed) != nil else { return problem(.idMalformed) }
        let id = trimmed.lowercased()
        if let first = idRows[id] { return problem(.idRepeated(firstRow: first)) }
        idRows[id] = row
        switch try store.database.scalarInt("SELECT deleted FROM offers WHERE id = ?", [id]) {
        case .some(0): return problem(.idInUse)
        case .some: return problem(.idDeleted)
        case .none: return id
        }
    }

    /// A cell's field value (nil: not given), or why it is wrong. Errors name the column as its
    /// header reads, so a message points at the cell the coordinator has to change.
    private mutating func value(_ column: OfferColumn, _ text: String, header: String) throws -> Result<FieldValue?, KetteError> {
        let trimmed = text.trimmedCell
        switch column {
        case .title:
            return trimmed.isEmpty ? .failure(.missingValue(field: .verbatim(header))) : .success(.string(trimmed))
        case .description, .contact, .location, .schedule, .accessibility:
            return .success(trimmed.isEmpty ? nil : .string(trimmed))
        default:
            break
        }
        if let known = remembered[column]?[trimmed] { return known }
        let result: Result<FieldValue?, KetteError>
        do {
            result = .success(try convert(column, trimmed, header: header))
        } catch let error as KetteError {
            result = .failure(error)
        }
        remembered[column, default: [:]][trimmed] = result
        return result
    }

    /// The conversions worth remembering: closed lists, word lists, dates and references.
    /// Storage errors are not a cell's fault and end the import.
    private mutating func convert(_ column: OfferColumn, _ text: String, header: String) throws -> FieldValue? {
        func vocabulary<V: Vocabulary>(_ type: V.Type) throws -> FieldValue? {
            guard !text.isEmpty else { return nil }
            guard let value = V.parse(text) else { throw invalid(text, type, header) }
            return .string(value.slug)
        }
        switch column {
        case .district:
            guard !text.isEmpty else { throw KetteError.missingValue(field: .verbatim(header)) }
            return .string(try districts.resolve(text, in: store.database, language: language))
        case .provider:
            guard !text.isEmpty else { return nil }
            return .string(try providers.resolve(text, in: store.database, language: language))
        case .languages:
            // Stored lowercased, as `offer add` does: "DE" and "de" are one language.
            let words = Input.wordList(text) ?? []
            return words.isEmpty ? nil : .list(words.map { $0.lowercased() })
        case .targetGroups:
            let words = Input.wordList(text) ?? []
            return words.isEmpty ? nil : .list(words)
        case .phases:
            guard !text.isEmpty else { return nil }
            var phases: Set<LifePhase> = []
            for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let phase = LifePhase.parse(String(part)) else {
                    throw invalid(part.trimmingCharacters(in: .whitespaces), LifePhase.self, header)
                }
                phases.insert(phase)
            }
            guard !phases.isEmpty else { throw invalid(text, LifePhase.self, header) }
            // Stored in the order of growing up, whatever order the cell lists them in.
            return .list(LifePhase.allCases.filter(phases.contains).map(\.slug))
        case .category: return try vocabulary(OfferCategory.self)
        case .sector: return try vocabulary(Sector.self)
        case .status: return try vocabulary(OfferStatus.self)
        case .cost: return try vocabulary(Cost.self)
        case .start, .end:
            guard !text.isEmpty else { return nil }
            return try Input.date(text, field: header).map(FieldValue.string)
        default:
            preconditionFailure("\(column) is converted in value(_:_:header:)")
        }
    }

    /// An unknown closed-list value, with what is accepted, as `kette offer add` lists it.
    private func invalid<V: Vocabulary>(_ text: String, _ type: V.Type, _ header: String) -> KetteError {
        .invalidValue(field: .verbatim(header), value: text, accepted: Input.accepted(V.self))
    }
}

/// Finds the record a district or provider cell names, as `Resolver` does, with its common case
/// made cheap: `Resolver` reads and folds every name of the table on each call, which a file
/// naming hundreds of providers would pay hundreds of times over.
struct ReferenceLookup {
    let type: RecordType
    private var loaded = false
    private var ids: Set<String> = []
    private var idsByFoldedName: [String: [String]] = [:]

    init(type: RecordType) { self.type = type }

    /// A live record's id, or the record whose whole name it is when that name is unique; anything
    /// else (the start of a name or an id, a shared name, nothing) goes to `Resolver`, for the same
    /// answer and the same error.
    mutating func resolve(_ reference: String, in db: Database, language: Language) throws -> String {
        if !loaded {
            for row in try db.rows("SELECT id, name FROM \(type.table) WHERE deleted = 0") {
                guard let id = row.string("id") else { continue }
                ids.insert(id)
                if let name = row.string("name") { idsByFoldedName[name.folded, default: []].append(id) }
            }
            loaded = true
        }
        if ids.contains(reference) { return reference }
        if let named = idsByFoldedName[reference.folded], named.count == 1 { return named[0] }
        return try Resolver.resolve(reference, as: type, in: db, language: language)
    }
}

extension String {
    /// The text without surrounding whitespace. Most cells have none, and Foundation's trimming
    /// bridges every string through NSString on Linux, which a large import pays per cell.
    var trimmedCell: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        let space = CharacterSet.whitespacesAndNewlines
        guard space.contains(first) || space.contains(last) else { return self }
        return trimmingCharacters(in: space)
    }
}
