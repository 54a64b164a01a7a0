import KetteProtocol
import KetteStore

/// What one write transaction knows of the records it writes: their fields' current versions,
/// where they are placed, and the change sets already applied. A push loads all of it for its
/// records with a few queries per 512 records (`load`) instead of reading a row per field, per
/// placement and per change set while it applies them; on PostgreSQL each of those reads was a
/// round trip. The transaction keeps it up to date as it writes (`WriteContext`), so a later
/// change set of the push sees what an earlier one wrote. Whatever was not loaded is read from
/// the database when asked for, and then kept.
final class WriteCache {
    /// A field's current version as `field_state` holds it.
    struct HeldVersion {
        let version: MergeRule.Version
        let replica: String
        let author: String?
    }

    /// Where a record is placed and the record it belongs to (`record_scope`).
    struct Placement: Equatable {
        var scope: StoredScope
        var parent: RecordKey?
    }

    /// The fields of every loaded record; a loaded record without versions maps to [:].
    private(set) var fields: [RecordKey: [String: HeldVersion]] = [:]
    /// Placements read or written; nil: the record is known to have none.
    var placements: [RecordKey: Placement?] = [:]
    /// Fields of loaded records whose row has no readable timestamp: compared with as if they
    /// had no version, but there.
    private var unreadableRows: [RecordKey: Set<String>] = [:]
    /// Stored outcomes of change sets, by id; nil: known not to be applied yet.
    var outcomes: [String: String?] = [:]

    /// Records (or ids) per query: far below SQLite's and PostgreSQL's limits on bound parameters.
    static let keysPerQuery = 512

    /// Fields a record usually has (an offer has about a dozen).
    static let fieldsPerRecord = 12

    /// The field's current version: nil when the record was not loaded (ask the database),
    /// `.some(nil)` when it was and the field has none.
    func version(of key: RecordKey, field: String) -> HeldVersion?? {
        guard let known = fields[key] else { return nil }
        return .some(known[field])
    }

    /// Notes a version just written, for records that are loaded (the others are read from the
    /// database when asked for, which has it). Returns whether `field_state` may have had a row
    /// for the field before this write: false only where the record was loaded and the field
    /// had no row, readable or not, and was not written since. The push holds the pull sequence,
    /// so no other writer adds one meanwhile (`WriteBatch` inserts such rows without conflict
    /// handling). One lookup of the record for both: a push writes a field per change.
    func noteWritten(_ change: Change, replica: String, author: String?) -> Bool {
        guard let index = fields.index(forKey: RecordKey(type: change.recordType, id: change.recordID)) else { return true }
        let written = HeldVersion(version: MergeRule.Version(value: change.value, hlc: change.hlc, base: change.base), replica: replica, author: author)
        guard fields.values[index].updateValue(written, forKey: change.field) == nil else { return true }
        return !unreadableRows.isEmpty && unreadableRows[fields.keys[index]]?.contains(change.field) == true
    }

    /// A version from the columns `value, hlc, base, replica, author` of `row`, starting at
    /// `first`; nil for a row without a readable timestamp.
    static func heldVersion(_ row: Row, from first: Int) throws -> HeldVersion? {
        guard let hlc = row.string(first + 1).flatMap(HLCTimestamp.init(encoded:)) else { return nil }
        let value = try FieldValue(jsonText: row.string(first) ?? "null")
        return HeldVersion(version: MergeRule.Version(value: value, hlc: hlc, base: row.string(first + 2).flatMap(HLCTimestamp.init(encoded:))),
                           replica: row.string(first + 3) ?? "", author: row.string(first + 4))
    }

    /// A placement from the columns `district, everyone, parent_type, parent_id` of `row`, from `first`.
    static func placement(_ row: Row, from first: Int) -> Placement {
        let parent = row.string(first + 2).flatMap(RecordType.init(rawValue:)).flatMap { type in
            row.string(first + 3).map { RecordKey(type: type, id: $0) }
        }
        return Placement(scope: StoredScope(district: row.string(first), everyone: row.int(first + 1) == 1), parent: parent)
    }
}

extension WriteCache {
    /// Loads what applying `request` reads: the versions and placements of every record it
    /// writes, the placements of the records they name as their parents, and the stored outcomes
    /// of its change sets.
    func load(for request: PushRequest, from db: any ServerDatabase) throws {
        var written = Set<RecordKey>(), parents = Set<RecordKey>()
        for changeSet in request.changeSets {
            var previous: RecordKey?  // a record's changes mostly come together: one insert for them
            for change in changeSet.changes {
                let key = RecordKey(type: change.recordType, id: change.recordID)
                if key != previous { written.insert(key) }
                previous = key
                if let (field, parentType) = RecordScope.parentField(of: change.recordType), let parentType, field == change.field,
                   case .string(let id) = change.value {
                    parents.insert(RecordKey(type: parentType, id: id))
                }
            }
        }
        try loadFields(of: written, from: db)
        try loadPlacements(of: written.union(parents), from: db)
        try loadOutcomes(of: request.changeSets.map(\.id), from: db)
    }

    private func loadFields(of keys: Set<RecordKey>, from db: any ServerDatabase) throws {
        let missing = keys.filter { fields[$0] == nil }
        // Room for a record's fields from the start: growing each record's table field by field
        // was a twentieth of the writer's time in a push of new records.
        for key in missing { fields[key] = Dictionary(minimumCapacity: Self.fieldsPerRecord) }
        try Self.select("record_type, record_id, field, value, hlc, base, replica, author", from: "field_state",
                        keyColumns: ["record_type", "record_id"], missing.map { [$0.type.rawValue, $0.id] }, from: db) { row in
            guard let key = Self.recordKey(row), let field = row.string(2) else { return }
            guard let held = try Self.heldVersion(row, from: 3) else {
                unreadableRows[key, default: []].insert(field)
                return
            }
            fields[key, default: [:]][field] = held
        }
    }

    private func loadPlacements(of keys: Set<RecordKey>, from db: any ServerDatabase) throws {
        let missing = keys.filter { placements[$0] == nil }
        for key in missing { placements[key] = .some(nil) }
        try Self.select("record_type, record_id, district, everyone, parent_type, parent_id", from: "record_scope",
                        keyColumns: ["record_type", "record_id"], missing.map { [$0.type.rawValue, $0.id] }, from: db) { row in
            guard let key = Self.recordKey(row) else { return }
            placements[key] = Self.placement(row, from: 2)
        }
    }

    private func loadOutcomes(of ids: [String], from db: any ServerDatabase) throws {
        let missing = Array(Set(ids.filter { outcomes[$0] == nil }))
        for id in missing { outcomes[id] = .some(nil) }
        try Self.select("id, outcome", from: "change_sets", keyColumns: ["id"], missing.map { [$0] }, from: db) { row in
            guard let id = row.string(0) else { return }
            outcomes[id] = row.string(1)
        }
    }

    /// The record named by the columns `record_type, record_id` that start `row`.
    private static func recordKey(_ row: Row) -> RecordKey? {
        guard let type = row.string(0).flatMap(RecordType.init(rawValue:)), let id = row.string(1) else { return nil }
        return RecordKey(type: type, id: id)
    }

    /// Reads `columns` of the rows of `table` whose `keyColumns` hold one of `keys`,
    /// `keysPerQuery` at a time, whatever their record types. The keys go as one JSON list
    /// (`ServerDatabase.keyLookup`): one statement shape, planned as an index lookup per key, and
    /// a round trip per 512 records instead of one per record type on PostgreSQL.
    static func select(_ columns: String, from table: String, keyColumns: [String], _ keys: [[String]],
                       from db: any ServerDatabase, _ body: (Row) throws -> Void) throws {
        let sql = db.keyLookup(columns, from: table, keyColumns: keyColumns)
        for start in stride(from: 0, to: keys.count, by: keysPerQuery) {
            let listed = "[" + keys[start..<min(start + keysPerQuery, keys.count)]
                .map { "[" + $0.map { FieldValue.string($0).jsonText }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
            try db.forEachRow(sql, [listed], body)
        }
    }
}
