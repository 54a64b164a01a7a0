import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// How `kette import offers` reads a file and treats rows that name offers already here.
public struct OfferImportOptions: Sendable {
    /// What to do with a row without id that matches an offer already here (`--on-duplicate`).
    public enum DuplicatePolicy: String, CaseIterable, Sendable {
        /// Refuse the import, listing the rows (the default: importing a list twice is a mistake
        /// more often than not).
        case error
        /// Leave the row out.
        case skip
        /// Update the matching offer with the row's values.
        case update
    }

    public var dryRun = false
    /// Nil: detected (`CSVTextEncoding.detect`).
    public var encoding: CSVTextEncoding?
    /// The columns that find the offer a row without id means (`--match`).
    public var match: [OfferColumn] = OfferImportOptions.defaultMatch
    public var onDuplicate: DuplicatePolicy = .error

    public static let defaultMatch: [OfferColumn] = [.title, .provider, .district]

    public init(dryRun: Bool = false, encoding: CSVTextEncoding? = nil, match: [OfferColumn] = OfferImportOptions.defaultMatch,
                onDuplicate: DuplicatePolicy = .error) {
        self.dryRun = dryRun; self.encoding = encoding; self.match = match; self.onDuplicate = onDuplicate
    }
}

/// What `kette import offers` did (or, with `--dry-run`, would do), row by row.
public struct OfferImportResult: Sendable {
    /// One data row and the offer it made, changed, left alone or skipped.
    public struct RowOutcome: Equatable, Sendable {
        public var row: Int
        public var id: String
        public var title: String
        /// For an update: the fields whose values change, by their JSON key.
        public var changedFields: [String] = []
    }

    public var created: [RowOutcome] = []
    public var updated: [RowOutcome] = []
    public var unchanged: [RowOutcome] = []
    /// Rows that match an offer here, left out by `--on-duplicate skip`.
    public var skipped: [RowOutcome] = []
    /// Rows with no value in any cell, left out: spreadsheets often end with some.
    public var blankRows = 0
    public var dryRun: Bool
    public var encoding: CSVTextEncoding
    public var separator: Character

    /// The offers made, or that would be made.
    public var offers: Int { created.count }
    /// The field changes written, or that would be.
    public var changedFields: Int { updated.reduce(0) { $0 + $1.changedFields.count } }
}

/// `kette import offers`: the offer spreadsheet a coordinator keeps, or an `offers.csv` exported
/// and edited in a spreadsheet, turned into offers: rows with the id of an offer here update it
/// (only the cells that differ become changes), other rows make new offers, unless they match an
/// offer here by `--match` columns, which `--on-duplicate` decides about.
///
/// All or nothing: every row is checked first, and every problem of every row is collected, so one
/// attempt shows everything to fix. Only a file without problems is written, as one change set in
/// one transaction: a crash or a full disk leaves the store as it was, and the county server later
/// takes the import whole or not at all. (One change set also means one push: at about 2.7 KB of
/// changes per offer, the server's default 8 MiB request limit holds some 3,000 new offers.)
///
/// Values follow `kette offer add`: closed lists accept slugs and English or German labels, several
/// life phases, languages or target groups are separated by `,` in one cell, district and provider
/// are ids or names, dates YYYY-MM-DD or DD.MM.YYYY (as German Excel saves them). An empty cell
/// means "not given": nothing for a new offer, an emptied field for an update (an empty status is
/// "active", as for `offer add`). A column the file does not have is left alone.
extension LocalStore {
    public func importOffers(csv data: Data, options: OfferImportOptions = OfferImportOptions(),
                             language: Language) throws -> OfferImportResult {
        let bytes = [UInt8](data)
        let encoding = options.encoding ?? CSVTextEncoding.detect(bytes)
        let separator: Character
        let table: [CSV.Row]
        do {
            let text = try encoding.utf8(bytes)
            separator = CSV.detectSeparator(Array(text.drop { CSV.byteOrderMark.contains($0) }.prefix(64 * 1024)))
            table = try CSV.read(Data(text), dialect: CSVDialect(separator: separator, lineEnding: .crlf, byteOrderMark: true,
                                                                 neutralizesFormulas: true))
        } catch { throw ExchangeError.malformedCSV(error) }
        guard let header = table.first, !header.isBlank else { throw ExchangeError.emptyFile }
        let columns = try Self.importColumns(header.cells)
        let match = try Self.matchColumns(options.match, explicit: options.match != OfferImportOptions.defaultMatch, columns: columns)

        var plan = OfferImportPlan(existing: try ExistingOffers(in: database, match: match), policy: options.onDuplicate, match: match,
                                   newID: newID)
        var checker = OfferRowChecker(store: self, language: language)
        for row in table.dropFirst() {
            if row.isBlank { plan.blankRows += 1; continue }
            plan.add(try checker.check(row, columns: columns, headerWidth: header.cells.count), row: row.number)
        }
        guard plan.problems.isEmpty else { throw ExchangeError.importRefused(problems: plan.problems, rows: plan.dataRows) }
        if !options.dryRun, !plan.creates.isEmpty || !plan.updates.isEmpty {
            try record("offer import") { change in
                for offer in plan.creates { try change.create(.offer, offer.id, offer.fields) }
                for offer in plan.updates {
                    for (field, value) in offer.fields { try change.set(.offer, offer.id, field, value ?? .null) }
                }
            }
        }
        return plan.result(dryRun: options.dryRun, encoding: encoding, separator: separator)
    }

    /// The match columns the file has; refuses columns asked for that it lacks, and `id`.
    private static func matchColumns(_ wanted: [OfferColumn], explicit: Bool,
                                     columns: [(index: Int, column: OfferColumn, header: String)]) throws -> [OfferColumn] {
        let present = Set(columns.map(\.column))
        let missing = wanted.filter { !present.contains($0) }
        if wanted.contains(.id) || wanted.isEmpty || (explicit && !missing.isEmpty) {
            throw ExchangeError.wrongMatch(missing: wanted.contains(.id) ? [.id] : missing)
        }
        return wanted.filter(present.contains)
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

    /// One row's values: every column of the file, nil where the cell is empty.
    struct Checked {
        var id: String?
        /// The id column's header, for messages.
        var idHeader = "ID"
        var fields: [(column: OfferColumn, value: FieldValue?)] = []
        var problems: [ImportProblem] = []

        func value(_ column: OfferColumn) -> FieldValue?? {
            fields.first { $0.column == column }.map(\.value)
        }
    }

    mutating func check(_ row: CSV.Row, columns: [(index: Int, column: OfferColumn, header: String)], headerWidth: Int) throws -> Checked {
        var checked = Checked()
        let extra = row.cells.dropFirst(headerWidth).filter { !$0.trimmedCell.isEmpty }.count
        if extra > 0 { checked.problems.append(ImportProblem(row: row.number, column: nil, value: nil, reason: .extraCells(extra))) }
        for (index, column, header) in columns {
            // Cells missing at the end of a row are empty: some programs leave trailing separators out.
            let text = index < row.cells.count ? row.cells[index] : ""
            if column == .id {
                checked.idHeader = header
                checked.id = checkID(text, row: row.number, header: header, problems: &checked.problems)
                continue
            }
            switch try value(column, text, header: header) {
            case .success(let value): checked.fields.append((column, value))
            case .failure(let error): checked.problems.append(ImportProblem(row: row.number, column: header, value: text, reason: .value(error)))
            }
        }
        return checked
    }

    /// The id from an `ID` cell, when it is one (whether an offer has it is the plan's question);
    /// nil for an empty cell.
    private mutating func checkID(_ text: String, row: Int, header: String, problems: inout [ImportProblem]) -> String? {
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
        return id
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
            return try Input.date(Self.isoDay(text), field: header).map(FieldValue.string)
        default:
            preconditionFailure("\(column) is converted in value(_:_:header:)")
        }
    }

    /// "01.03.2026" or "1.3.2026" (what German Excel makes of a date it opened) as "2026-03-01";
    /// other text as it is, for `Input.date` to accept or refuse.
    static func isoDay(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }), let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else {
            return text
        }
        return String(format: "%04d-%02d-%02d", year, month, day)
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
