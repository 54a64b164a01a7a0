import Foundation
import KetteProtocol
import KetteStore

/// Writes field changes into the replica's record tables and field versions: the one place that
/// maps a `(type, id, field)` to a table and column.
enum RecordApplier {
    /// Makes sure the record's row exists, so field updates have something to update.
    static func ensureRow(type: RecordType, id: String, in db: Database) throws {
        try db.execute("INSERT INTO \(type.table) (id) VALUES (?) ON CONFLICT (id) DO NOTHING", [id])
    }

    /// The version of a field this replica holds, nil when it has none.
    static func currentVersion(type: RecordType, id: String, field: String, in db: Database) throws -> MergeRule.Version? {
        guard let version = try db.firstRow(
            "SELECT hlc, base FROM field_versions WHERE record_type = ? AND record_id = ? AND field = ?",
            [type.rawValue, id, field]),
            let hlcText = version.string(0), let hlc = HLCTimestamp(encoded: hlcText)
        else { return nil }
        let column = try self.column(type: type, field: field)
        let stored = try db.firstRow("SELECT \(column.name) FROM \(type.table) WHERE id = ?", [id])?[0] ?? .null
        return MergeRule.Version(value: fieldValue(stored, kind: column.kind), hlc: hlc,
                                 base: version.string(1).flatMap(HLCTimestamp.init(encoded:)))
    }

    /// Writes `change` as the field's current value, unconditionally: for local writes, whose
    /// timestamp is newer than anything this replica has seen.
    static func apply(_ change: Change, in db: Database) throws {
        let column = try self.column(type: change.recordType, field: change.field)
        try ensureRow(type: change.recordType, id: change.recordID, in: db)
        try db.execute("UPDATE \(change.recordType.table) SET \(column.name) = ? WHERE id = ?",
                       [databaseValue(change.value, kind: column.kind), change.recordID])
        try db.execute("""
            INSERT INTO field_versions (record_type, record_id, field, hlc, base) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (record_type, record_id, field) DO UPDATE SET hlc = excluded.hlc, base = excluded.base
            """, [change.recordType.rawValue, change.recordID, change.field, change.hlc.encoded, change.base?.encoded])
    }

    /// A record, by type and id.
    struct RecordKey: Hashable {
        let type: RecordType
        let id: String
    }

    /// Forgets a field's version: the column is empty again, as if the field had never been written
    /// (a refused write of a field the server holds no version of, taken back).
    static func removeVersion(type: RecordType, id: String, field: String, in db: Database) throws {
        let column = try self.column(type: type, field: field)
        // The tombstone column is NOT NULL: never written means not deleted.
        let empty = column.kind == .bool ? DatabaseValue.integer(0) : databaseValue(.null, kind: column.kind)
        try db.execute("UPDATE \(type.table) SET \(column.name) = ? WHERE id = ?", [empty, id])
        try db.execute("DELETE FROM field_versions WHERE record_type = ? AND record_id = ? AND field = ?", [type.rawValue, id, field])
    }

    /// Removes a record's row, and its search entry, when none of its fields has a version left:
    /// a record that only a refused write made, which the server never had.
    static func removeIfUnwritten(type: RecordType, id: String, in db: Database) throws {
        guard try db.scalarInt("SELECT 1 FROM field_versions WHERE record_type = ? AND record_id = ? LIMIT 1", [type.rawValue, id]) == nil else { return }
        switch type {
        case .offer: try db.execute("DELETE FROM offers_fts WHERE rowid = (SELECT rowid FROM offers WHERE id = ?)", [id])
        case .meeting: try db.execute("DELETE FROM meetings_fts WHERE rowid = (SELECT rowid FROM meetings WHERE id = ?)", [id])
        default: break
        }
        try db.execute("DELETE FROM \(type.table) WHERE id = ?", [id])
    }

    /// Merges changes received for one record (a run of a pulled page): the fields whose incoming
    /// timestamp is the greatest seen take the incoming value, in one row update. Returns the
    /// changes that won. Conflicts are not looked for here: the server finds them and sends them
    /// as conflict records. A field in `redacted` (the server erased a name from it) also takes
    /// the incoming value when its timestamp equals the held one: it is the same write, rewritten.
    /// `scrub` is true when such a value replaced one this replica held, whose bytes then linger.
    static func mergeRecord(type: RecordType, id: String, changes: [Change], redacted: Set<String> = [], in db: Database,
                            statements: MergeStatements) throws -> (won: [Change], scrub: Bool) {
        var held: [String: String] = [:]
        try statements.versions.bind(values: [.text(type.rawValue), .text(id)])
        while try statements.versions.step() {
            let row = statements.versions.row()
            if let field = row.string(0), let hlc = row.string(1) { held[field] = hlc }
        }
        var winners: [String: Change] = [:]
        for change in changes {
            let incoming = change.hlc.encoded
            // Encoded timestamps sort like the timestamps (see HLCTimestamp), so text order decides.
            if let current = winners[change.field]?.hlc.encoded ?? held[change.field],
               current > incoming || (current == incoming && !redacted.contains(change.field)) { continue }
            winners[change.field] = change
        }
        guard !winners.isEmpty else { return ([], false) }
        let scrub = !redacted.isEmpty && winners.keys.contains { redacted.contains($0) && held[$0] != nil }
        let ordered = winners.values.sorted { $0.field < $1.field }
        let columns = try ordered.map { try column(type: type, field: $0.field) }
        // One upsert makes the row and sets the winning columns.
        var arguments: [DatabaseValueConvertible?] = [id]
        arguments += zip(ordered, columns).map { databaseValue($0.value, kind: $1.kind) as DatabaseValueConvertible? }
        let names = columns.map(\.name)
        try db.execute("""
            INSERT INTO \(type.table) (id, \(names.joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: names.count)))
            ON CONFLICT (id) DO UPDATE SET \(names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            """, arguments)
        for change in ordered {
            try statements.upsertVersion.run([.text(type.rawValue), .text(id), .text(change.field), .text(change.hlc.encoded),
                                              change.base.map { .text($0.encoded) } ?? .null])
        }
        return (ordered, scrub)
    }

    /// The statements a page merge runs per record, looked up once per page instead of once per
    /// record (the statement cache hashes the SQL text on every lookup).
    struct MergeStatements {
        let versions: Statement
        let upsertVersion: Statement

        init(_ db: Database) throws {
            versions = try db.cachedStatement("SELECT field, hlc FROM field_versions WHERE record_type = ? AND record_id = ?")
            upsertVersion = try db.cachedStatement("""
                INSERT INTO field_versions (record_type, record_id, field, hlc, base) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (record_type, record_id, field) DO UPDATE SET hlc = excluded.hlc, base = excluded.base
                """)
        }

        func reset() {
            versions.reset()
            upsertVersion.reset()
        }
    }

    struct Column {
        let name: String
        let kind: RecordType.FieldKind
    }

    static func column(type: RecordType, field: String) throws -> Column {
        if field == RecordType.deletedField { return Column(name: "deleted", kind: .bool) }
        guard let spec = type.field(named: field) else {
            throw KetteError.unknownField(type: type.rawValue, field: field)
        }
        return Column(name: spec.column, kind: spec.kind)
    }

    static func databaseValue(_ value: FieldValue, kind: RecordType.FieldKind) -> DatabaseValue {
        switch (value, kind) {
        case (.null, .list): return .text("[]")
        case (.null, _): return .null
        case (.string(let text), _): return .text(text)
        case (.integer(let number), _): return .integer(number)
        case (.bool(let flag), _): return .integer(flag ? 1 : 0)
        case (.list, _): return .text(value.jsonText)
        }
    }

    static func fieldValue(_ stored: DatabaseValue, kind: RecordType.FieldKind) -> FieldValue {
        switch (stored, kind) {
        case (.null, _): return .null
        case (.integer(let number), .bool): return .bool(number != 0)
        case (.integer(let number), _): return .integer(number)
        case (.text(let text), .list): return .list(FieldValue.storedList(text))
        case (.text(let text), _): return .string(text)
        // Only a damaged or hand-edited store holds a real here; `Int64(_:)` would trap on 1e300.
        case (.real(let number), _): return Int64(exactly: number.rounded(.towardZero)).map(FieldValue.integer) ?? .null
        case (.blob, _): return .null
        }
    }
}
