import KetteMessages
import KetteProtocol
import KetteStore

/// Finds the record a person means: by id, by the start of an id, or by name, case-insensitively
/// with umlauts ("nordstadt", "Jugendamt Süd"). An ambiguous reference is an error that lists
/// the candidates, never a guess.
enum Resolver {
    /// The column that names records of a type, if people refer to them by name.
    private static func nameColumn(_ type: RecordType) -> String? {
        type.nameField.flatMap { type.field(named: $0)?.column }
    }

    /// The kind of record as people call it, for messages (from the catalog, `FieldText`).
    static func kindName(_ type: RecordType, _ language: Language) -> String {
        FieldText.kind(type)(language)
    }

    static func resolve(_ reference: String, as type: RecordType, in db: Database, language: Language) throws -> String {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw KetteError.missingValue(field: FieldText.kind(type)) }
        let table = type.table
        if try db.scalarInt("SELECT 1 FROM \(table) WHERE id = ? AND deleted = 0", [trimmed]) != nil {
            return trimmed
        }
        let nameSQL = nameColumn(type).map { "\($0)" } ?? "NULL"
        var matches: [(id: String, name: String?)] = []
        if let column = nameColumn(type) {
            // Folding happens in Swift: SQLite's lower() knows only ASCII, and "Übergang" must
            // match "übergang". A whole name wins; else the names that start with what was typed
            // ("steuerungsgruppe" for "Steuerungsgruppe Präventionskette").
            let wanted = trimmed.folded
            var starting: [(id: String, name: String?)] = []
            try db.forEachRow("SELECT id, \(column) AS name FROM \(table) WHERE deleted = 0 AND \(column) IS NOT NULL") { row in
                guard let name = row.string("name"), let id = row.string("id") else { return }
                let folded = name.folded
                if folded == wanted { matches.append((id, name)) } else if folded.hasPrefix(wanted) { starting.append((id, name)) }
            }
            if matches.isEmpty { matches = starting }
        }
        // A short code as lists show it ("3f2a9c1e"), the start of one, or the start of an id.
        if matches.isEmpty, trimmed.count >= 4, trimmed.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            for row in try db.rows("SELECT id, \(nameSQL) AS name FROM \(table) WHERE deleted = 0 AND \(RecordIdentifier.sqlMatch("id")) LIMIT 11",
                                   [trimmed.lowercased()]) {
                if let id = row.string("id") { matches.append((id, row.string("name"))) }
            }
        }
        switch matches.count {
        case 0:
            // Districts and bodies are few: the message lists them, so the accepted values are
            // right there. Offers and organizations are too many to list.
            if type == .district || type == .body {
                let known = try db.rows("SELECT id, name FROM \(table) WHERE deleted = 0 ORDER BY name LIMIT 41").map { row -> String in
                    let name = row.string("name") ?? ""
                    return type == .district ? "\(name) (\(row.string("id") ?? ""))" : name
                }
                throw KetteError.notFoundAmong(kind: FieldText.kind(type), reference: trimmed,
                                               known: known.count > 40 ? Array(known.prefix(40)) + ["…"] : known)
            }
            throw KetteError.notFound(kind: FieldText.kind(type), reference: trimmed)
        case 1: return matches[0].id
        default:
            throw KetteError.ambiguous(kind: FieldText.kind(type), reference: trimmed,
                                       candidates: matches.prefix(10).map { "\($0.name ?? "") [\($0.id)]" })
        }
    }
}
