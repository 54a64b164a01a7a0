import KetteProtocol
import KetteStore

/// The offers of the store as an import compares rows with them: every field's current value,
/// and an index by the `--match` columns. Read in one query, so an update import of 20,000 rows
/// compares in memory instead of asking the database field by field.
struct ExistingOffers {
    private(set) var live: [String: [OfferColumn: FieldValue]] = [:]
    private(set) var deleted: Set<String> = []
    private var byMatchKey: [[String]: [String]] = [:]
    let match: [OfferColumn]

    init(in db: Database, match: [OfferColumn]) throws {
        self.match = match
        let columns = OfferColumn.allCases.filter { $0 != .id }
        let specs = try columns.map { try RecordApplier.column(type: .offer, field: $0.key) }
        let sql = "SELECT id, deleted, " + specs.map(\.name).joined(separator: ", ") + " FROM offers"
        for row in try db.rows(sql) {
            guard let id = row.string("id") else { continue }
            if row.int("deleted") == 1 { deleted.insert(id); continue }
            var values: [OfferColumn: FieldValue] = [:]
            for (column, spec) in zip(columns, specs) {
                let value = RecordApplier.fieldValue(row[spec.name] ?? .null, kind: spec.kind)
                if value != .null { values[column] = value }
            }
            live[id] = values
            byMatchKey[Self.key(match) { values[$0] }, default: []].append(id)
        }
    }

    /// The live offers whose match columns hold the same values, text compared without case.
    func matching(_ value: (OfferColumn) -> FieldValue?) -> [String] {
        byMatchKey[Self.key(match, value)] ?? []
    }

    static func key(_ match: [OfferColumn], _ value: (OfferColumn) -> FieldValue?) -> [String] {
        match.map { column in
            switch value(column) {
            case .string(let text)?: text.trimmedCell.folded
            case .list(let items)?: items.joined(separator: "\u{0}")
            default: ""
            }
        }
    }
}

/// The import decided row by row: which rows make offers, which change which fields of which
/// offer, which change nothing, which are skipped, and every problem.
struct OfferImportPlan {
    struct Write {
        let row: Int
        let id: String
        let title: String
        let fields: [(String, FieldValue?)]
    }

    let existing: ExistingOffers
    let policy: OfferImportOptions.DuplicatePolicy
    let match: [OfferColumn]
    /// Ids for new offers (the store's, so tests can make them predictable).
    let newID: () -> String
    private(set) var creates: [Write] = []
    private(set) var updates: [Write] = []
    private(set) var unchanged: [OfferImportResult.RowOutcome] = []
    private(set) var skipped: [OfferImportResult.RowOutcome] = []
    private(set) var problems: [ImportProblem] = []
    private(set) var dataRows = 0
    var blankRows = 0
    /// The row that first named an offer here, or first makes a new offer with a match key.
    private var rowOfOffer: [String: Int] = [:]
    private var rowOfNewKey: [[String]: Int] = [:]

    init(existing: ExistingOffers, policy: OfferImportOptions.DuplicatePolicy, match: [OfferColumn], newID: @escaping () -> String) {
        self.existing = existing
        self.policy = policy
        self.match = match
        self.newID = newID
    }

    mutating func add(_ checked: OfferRowChecker.Checked, row: Int) {
        dataRows += 1
        problems += checked.problems
        guard checked.problems.isEmpty else { return }
        let title = checked.value(.title).flatMap { $0?.stringValue } ?? ""
        if let id = checked.id {
            if existing.deleted.contains(id) { return problem(row, checked.idHeader, id, .idDeleted) }
            if existing.live[id] != nil { return update(id, checked, row: row, title: title) }
            return create(id, checked, row: row, title: title)
        }
        let found = existing.matching { column in checked.value(column) ?? nil }
        switch (found.count, policy) {
        case (0, _): createMatched(checked, row: row, title: title)
        case (_, .skip): skipped.append(.init(row: row, id: found[0], title: title))
        case (1, .update): update(found[0], checked, row: row, title: title)
        case (1, .error): problem(row, nil, nil, .duplicate(of: found[0], title: existingTitle(found[0]), columns: match.map(\.key)))
        default: problem(row, nil, nil, .ambiguousMatch(offers: found.map { "\(existingTitle($0)) [\(RecordIdentifier.shortCode($0))]" }))
        }
    }

    private func existingTitle(_ id: String) -> String { existing.live[id]?[.title]?.stringValue ?? id }

    /// A new offer, unless an earlier row makes one with the same match values.
    private mutating func createMatched(_ checked: OfferRowChecker.Checked, row: Int, title: String) {
        let key = ExistingOffers.key(match) { column in checked.value(column) ?? nil }
        if let first = rowOfNewKey[key] {
            if policy == .skip { return skipped.append(.init(row: row, id: "", title: title)) }
            return problem(row, nil, nil, .duplicateRow(firstRow: first, columns: match.map(\.key)))
        }
        rowOfNewKey[key] = row
        create(newID(), checked, row: row, title: title)
    }

    private mutating func create(_ id: String, _ checked: OfferRowChecker.Checked, row: Int, title: String) {
        var fields = checked.fields.filter { $0.column != .status }.map { ($0.column.key, $0.value) }
        // As `offer add`: an offer without a status is active.
        fields.append(("status", (checked.value(.status) ?? nil) ?? .string(OfferStatus.active.slug)))
        creates.append(Write(row: row, id: id, title: title, fields: fields))
    }

    /// The fields whose cells differ from the offer's values; text that differs only in
    /// surrounding spaces is the same text.
    private mutating func update(_ id: String, _ checked: OfferRowChecker.Checked, row: Int, title: String) {
        if let first = rowOfOffer[id] { return problem(row, nil, nil, .sameOfferTwice(firstRow: first)) }
        rowOfOffer[id] = row
        let current = existing.live[id] ?? [:]
        var changed: [(String, FieldValue?)] = []
        for (column, cell) in checked.fields {
            // An empty status is "active", as when an offer is added.
            let value = column == .status ? (cell ?? .string(OfferStatus.active.slug)) : cell
            if Self.same(value, current[column]) { continue }
            changed.append((column.key, value))
        }
        if changed.isEmpty { return unchanged.append(.init(row: row, id: id, title: title)) }
        updates.append(Write(row: row, id: id, title: title, fields: changed))
    }

    /// An empty list and no list read the same in a cell (`offer add` stores an empty list).
    private static func same(_ cell: FieldValue?, _ stored: FieldValue?) -> Bool {
        func normal(_ value: FieldValue?) -> FieldValue {
            switch value {
            case .list(let items)? where items.isEmpty: .null
            case .string(let text)?: .string(text.trimmedCell)
            case let value?: value
            case nil: .null
            }
        }
        return normal(cell) == normal(stored)
    }

    private mutating func problem(_ row: Int, _ column: String?, _ value: String?, _ reason: ImportProblem.Reason) {
        problems.append(ImportProblem(row: row, column: column, value: value, reason: reason))
    }

    func result(dryRun: Bool, encoding: CSVTextEncoding, separator: Character) -> OfferImportResult {
        var result = OfferImportResult(dryRun: dryRun, encoding: encoding, separator: separator)
        result.created = creates.map { .init(row: $0.row, id: $0.id, title: $0.title) }
        result.updated = updates.map { .init(row: $0.row, id: $0.id, title: $0.title, changedFields: $0.fields.map(\.0)) }
        result.unchanged = unchanged
        result.skipped = skipped
        result.blankRows = blankRows
        return result
    }
}
