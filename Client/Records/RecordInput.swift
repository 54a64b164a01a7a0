import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// What a person typed for a record, by wire field name: a field left out is not given (on
/// edit: it stays as it is), an empty text clears an optional field.
public struct RecordInput: Sendable {
    public var values: [String: String] = [:]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(field: String) -> String? {
        get { values[field] }
        set { values[field] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }
}

/// How the text typed for one field becomes its value; every failure names the field and what
/// it accepts. The rules of a record type are a list of these (see `PlanningRules`).
struct FieldRule: Sendable {
    let field: String
    let required: Bool
    let convert: @Sendable (String, Database, Language) throws -> FieldValue

    static func text(_ field: String, required: Bool = false) -> FieldRule {
        FieldRule(field: field, required: required) { text, _, _ in .string(text) }
    }

    static func date(_ field: String) -> FieldRule {
        FieldRule(field: field, required: false) { text, _, _ in .string(try Input.date(text, field: field)!) }
    }

    /// A reporting period, `YYYY` or `YYYY-Qn`.
    static func period(_ field: String, required: Bool = false) -> FieldRule {
        FieldRule(field: field, required: required) { text, _, _ in .string(try ReportingPeriod(parsing: text).description) }
    }

    /// A whole number within the field's bounds (SPEC §6.2).
    static func count(_ type: RecordType, _ field: String, required: Bool = false) -> FieldRule {
        FieldRule(field: field, required: required) { text, _, _ in
            let bounds = type.integerRange(field: field)
            guard let number = Int64(text), bounds.contains(number) else {
                throw KetteError.malformedValue(field: FieldText.named(field), value: text,
                                                expected: InputText.expectedCountOrZero.text + .verbatim(", ") + InputText.expectedAtMost.with(["max": Int(bounds.upperBound)]))
            }
            return .integer(number)
        }
    }

    static func vocabulary<V: Vocabulary>(_ field: String, _ type: V.Type, required: Bool = false) -> FieldRule {
        FieldRule(field: field, required: required) { text, _, _ in .string(try Input.vocabulary(text, type, field: field)!.slug) }
    }

    /// Comma-separated life phases, stored in the order of growing up.
    static func phases(_ field: String) -> FieldRule {
        FieldRule(field: field, required: false) { text, _, _ in
            let phases = try Input.vocabularyList(text, LifePhase.self, field: field)!
            return .list(LifePhase.allCases.filter(phases.contains).map(\.slug))
        }
    }

    /// A record people name by id, the start of an id, or its name.
    static func reference(_ field: String, _ type: RecordType, required: Bool = false) -> FieldRule {
        FieldRule(field: field, required: required) { text, db, language in .string(try Resolver.resolve(text, as: type, in: db, language: language)) }
    }

    /// Comma-separated references, each resolved; duplicates dropped, order kept.
    static func references(_ field: String, _ type: RecordType) -> FieldRule {
        FieldRule(field: field, required: false) { text, db, language in
            var ids: [String] = []
            for part in text.split(separator: ",") {
                let id = try Resolver.resolve(String(part), as: type, in: db, language: language)
                if !ids.contains(id) { ids.append(id) }
            }
            return .list(ids)
        }
    }

    /// Comma-separated coverage cells, `DISTRICT:PHASE`; districts by id or name, phases by slug
    /// or label ("Nordstadt:Frühe Kindheit").
    static func cells(_ field: String) -> FieldRule {
        FieldRule(field: field, required: false) { text, db, language in
            var cells: [String] = []
            for part in text.split(separator: ",") {
                let cell = try Self.cell(String(part), field: field, in: db, language: language).description
                if !cells.contains(cell) { cells.append(cell) }
            }
            return .list(cells)
        }
    }

    static func cell(_ text: String, field: String, in db: Database, language: Language) throws -> CoverageCell {
        guard let colon = text.lastIndex(of: ":") else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: PlanningText.expectedCell.text)
        }
        let district = try Resolver.resolve(String(text[..<colon]), as: .district, in: db, language: language)
        guard let phase = try Input.vocabulary(String(text[text.index(after: colon)...]), LifePhase.self, field: field) else {
            throw KetteError.missingValue(field: FieldText.named(field))
        }
        return CoverageCell(district: district, phase: phase)
    }
}

extension LocalStore {
    /// The field values a person's input gives, checked by `rules`. On add (`creating`) a
    /// required field must be given and an empty value is the same as none; on edit an empty
    /// value clears an optional field and a required one cannot be emptied.
    func fieldValues(_ rules: [FieldRule], _ input: RecordInput, creating: Bool, language: Language) throws -> [(String, FieldValue?)] {
        var fields: [(String, FieldValue?)] = []
        for rule in rules {
            guard let typed = input[rule.field] else {
                if creating && rule.required { throw KetteError.missingValue(field: FieldText.named(rule.field)) }
                continue
            }
            let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                if rule.required { throw KetteError.missingValue(field: FieldText.named(rule.field)) }
                if !creating { fields.append((rule.field, .null)) }
                continue
            }
            fields.append((rule.field, try rule.convert(text, database, language)))
        }
        return fields
    }

    /// Creates a record of `type` from checked input, plus `extra` fields the action decides;
    /// one change set. Returns the new id.
    func addRecord(_ type: RecordType, _ fields: [(String, FieldValue?)], summary: String,
                   also: (ChangeSetBuilder, String) throws -> Void = { _, _ in }) throws -> String {
        let id = newID()
        return try record(summary) { change in
            try change.create(type, id, fields)
            try also(change, id)
            return id
        }
    }

    /// Writes the given fields of an existing record; one change set. Returns its id.
    func editRecord(_ type: RecordType, id: String, _ fields: [(String, FieldValue?)], summary: String,
                    also: (ChangeSetBuilder) throws -> Void = { _ in }) throws -> String {
        guard !fields.isEmpty else { throw KetteError.nothingToChange }
        try record(summary) { change in
            for (field, value) in fields { if let value { try change.set(type, id, field, value) } }
            try also(change)
        }
        return id
    }

    /// Today's date on this machine's corrected clock, `YYYY-MM-DD`.
    func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(physicalNow()) / 1000))
    }
}

extension Array where Element == (String, FieldValue?) {
    /// The value given for `field`, if any (nil: not given; `.null`: cleared).
    func value(of field: String) -> FieldValue? {
        last { $0.0 == field }?.1 ?? nil
    }

    /// Adds `value` for `field` unless the input gave one.
    mutating func setDefault(_ field: String, _ value: FieldValue?) {
        guard let value, !contains(where: { $0.0 == field }) else { return }
        append((field, value))
    }
}
