import KetteStore

/// A push's inserts of field versions, placements and change-set outcomes, held and sent in bulk:
/// on PostgreSQL every statement is a round trip, and a push of 200 change sets made some 5,000
/// of them. Rows whose key is not in the database yet (a new field, a new record's placement, a
/// change set's outcome) go as one `insertNew` (`COPY` on PostgreSQL); versions that replace one
/// go as multi-row upserts.
///
/// It stands in for the database during the push (`WriteContext.db`): every other statement sent
/// through it, a read or a write, first sends what is held, so each statement sees every write
/// made before it, as if each had been sent alone. Nothing is held past the transaction:
/// `WriteContext.save` sends the rest before the commit.
final class WriteBatch: ServerDatabase {
    let base: any ServerDatabase
    /// Versions of fields `field_state` has no row for yet, and versions that replace a row.
    private var newStates = HeldRows<FieldKey>(WriteBatch.upsertStates)
    private var replacingStates = HeldRows<FieldKey>(WriteBatch.upsertStates)
    /// New field versions already on their way (`openNewRows`), while the push goes on.
    private var newStateStream: (any NewRowStream)?
    /// False once the database said it has no stream (SQLite): new versions wait for `flush`.
    private var streams = true
    private var placements = HeldRows<Int>(WriteBatch.insertPlacements)
    private var outcomes = HeldRows<Int>(WriteBatch.insertOutcomes)

    init(_ base: any ServerDatabase) {
        self.base = base
    }

    /// Holds a field version for `field_state`; `isNew`: the table has no row for the field (the
    /// push's cache knows, `WriteCache.mayHoldRow`). A second version of the same field in the
    /// batch replaces the first: the upserts ran in order, so the last one was what stayed, and
    /// PostgreSQL refuses to update one row twice in one statement. A field that became known
    /// by its first version in this batch is still new to the database.
    ///
    /// Where the database takes a stream, new versions go on their way in chunks of
    /// `rowsPerStreamedChunk` while the push merges the next change sets. A field sent so
    /// is in the table by `flush`: a later version of it in the batch replaces its row.
    func holdVersion(_ row: [DatabaseValue], type: String, id: String, field: String, isNew: Bool) throws {
        let key = FieldKey(type: type, id: id, field: field)
        guard isNew || newStates.holds(key) else {
            replacingStates.hold(row, key: key)
            return
        }
        newStates.hold(row, key: key)
        if streams, newStates.count >= Self.rowsPerStreamedChunk {
            if newStateStream == nil {
                newStateStream = try base.openNewRows(into: Self.upsertStates.table, columns: Self.upsertStates.columns)
                streams = newStateStream != nil
            }
            if let newStateStream { try newStates.send(into: newStateStream) }
        }
    }

    /// New versions held before they go into the stream: a field written again soon after it was
    /// made (a record made and edited in one push) is sent once.
    static let rowsPerStreamedChunk = 256

    /// Holds a new record's placement for `record_scope` (placed once: `WriteContext.place`).
    func holdPlacement(_ row: [DatabaseValue]) { placements.hold(row) }

    /// Holds an applied change set's outcome for `change_sets` (once per id: `WriteContext.recordOutcome`).
    func holdOutcome(_ row: [DatabaseValue]) { outcomes.hold(row) }

    /// Sends everything held: the new rows first, so an upsert of a field made new in this batch
    /// finds its row.
    func flush() throws {
        if let stream = newStateStream {
            newStateStream = nil
            try newStates.send(into: stream)
            try stream.finish()
        } else {
            try newStates.sendAsNew(to: base)
        }
        try replacingStates.send(to: base, rowsPerStatement: base.rowsPerInsert)
        try placements.sendAsNew(to: base)
        try outcomes.sendAsNew(to: base)
    }

    // MARK: - Statements

    /// One field version per row; the update part is `WriteContext.upsertState`'s.
    static let upsertStates = MultiRowInsert(
        table: "field_state", columns: ["record_type", "record_id", "field", "value", "hlc", "base", "replica", "author", "seq", "change_set"],
        tail: """
             ON CONFLICT (record_type, record_id, field) DO UPDATE SET
                value = excluded.value, hlc = excluded.hlc, base = excluded.base, replica = excluded.replica,
                author = excluded.author, seq = excluded.seq, redacted = FALSE, change_set = excluded.change_set
            """)
    static let insertPlacements = MultiRowInsert(
        table: "record_scope", columns: ["record_type", "record_id", "district", "everyone", "parent_type", "parent_id"], tail: "")
    static let insertOutcomes = MultiRowInsert(
        table: "change_sets", columns: ["id", "replica", "user_name", "received_at", "change_count", "outcome"], tail: "")

    private struct FieldKey: Hashable {
        let type: String, id: String, field: String
    }

    // MARK: - ServerDatabase: send what is held, then the statement

    @discardableResult
    func write(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Int {
        try flush()
        return try base.write(sql, arguments)
    }

    func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> [Row] {
        try flush()
        return try base.rows(sql, arguments)
    }

    func firstRow(_ sql: String, _ arguments: [DatabaseValueConvertible?]) throws -> Row? {
        try flush()
        return try base.firstRow(sql, arguments)
    }

    func scanRows(_ sql: String, _ arguments: [DatabaseValueConvertible?], while body: (Row) throws -> Bool) throws {
        try flush()
        try base.scanRows(sql, arguments, while: body)
    }

    func isListed(_ column: String) -> String { base.isListed(column) }

    func keyLookup(_ columns: String, from table: String, keyColumns: [String]) -> String {
        base.keyLookup(columns, from: table, keyColumns: keyColumns)
    }

    func insertNew(into table: String, columns: [String], rows: [[DatabaseValue]]) throws {
        try flush()
        try base.insertNew(into: table, columns: columns, rows: rows)
    }

    /// The batch streams its own new rows; others go through `insertNew`.
    func openNewRows(into table: String, columns: [String]) throws -> (any NewRowStream)? { nil }

    var rowsPerInsert: Int { base.rowsPerInsert }

    func holdPullSequence() throws -> Int64 {
        try flush()
        return try base.holdPullSequence()
    }

    func savePullSequence(_ last: Int64) throws {
        try flush()
        try base.savePullSequence(last)
    }

    func newestPullSequence() throws -> Int64 {
        try flush()
        return try base.newestPullSequence()
    }

    func holdAuditSequence() throws {
        try flush()
        try base.holdAuditSequence()
    }

    func saveAuditSequence(_ last: Int64) throws {
        try flush()
        try base.saveAuditSequence(last)
    }

    func auditTriggersInPlace() throws -> Bool {
        try flush()
        return try base.auditTriggersInPlace()
    }

    func withoutAuditTriggers(_ body: () throws -> Void) throws {
        try flush()
        try base.withoutAuditTriggers(body)
    }
}

/// An INSERT of many rows at once into `table`: its `columns`, `(?, …)` per row, then `tail`.
struct MultiRowInsert {
    let table: String
    let columns: [String]
    let tail: String

    func sql(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ") + tail
    }
}

/// Rows held for one `MultiRowInsert`, in the order they came; a row held again under the same
/// key takes the place of the earlier one.
struct HeldRows<Key: Hashable> {
    let insert: MultiRowInsert
    private var rows: [[DatabaseValue]] = []
    private var positions: [Key: Int] = [:]
    /// The statement's text by its number of rows, made once per batch.
    private var statements: [Int: String] = [:]

    init(_ insert: MultiRowInsert) {
        self.insert = insert
    }

    mutating func hold(_ row: [DatabaseValue], key: Key) {
        // One hash of the key for a new row (nearly every row); a row held again puts its first place back.
        if let position = positions.updateValue(rows.count, forKey: key) {
            positions[key] = position
            rows[position] = row
        } else {
            rows.append(row)
        }
    }

    func holds(_ key: Key) -> Bool { positions[key] != nil }

    var count: Int { rows.count }

    /// Sends the rows in statements of `rowsPerStatement` rows (a power of two) and less, each
    /// a power of two: the databases prepare a few statement shapes per insert, not one per count.
    mutating func send(to db: any ServerDatabase, rowsPerStatement: Int) throws {
        guard !rows.isEmpty else { return }
        var start = 0
        while start < rows.count {
            var count = max(1, rowsPerStatement)
            while count > rows.count - start { count /= 2 }
            let sql = statements[count] ?? insert.sql(rows: count)
            statements[count] = sql
            try db.write(sql, rows[start..<start + count].flatMap { $0 })
            start += count
        }
        removeAll()
    }

    /// Sends rows none of whose keys the table holds yet in one `insertNew`, without `tail`.
    mutating func sendAsNew(to db: any ServerDatabase) throws {
        guard !rows.isEmpty else { return }
        try db.insertNew(into: insert.table, columns: insert.columns, rows: rows)
        removeAll()
    }

    /// Sends the rows into an open stream of new rows.
    mutating func send(into stream: any NewRowStream) throws {
        guard !rows.isEmpty else { return }
        try stream.send(rows)
        removeAll()
    }

    private mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}

extension HeldRows where Key == Int {
    /// Rows without a key never replace each other.
    mutating func hold(_ row: [DatabaseValue]) {
        hold(row, key: rows.count)
    }
}
