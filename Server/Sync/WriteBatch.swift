import KetteStore

/// A push's inserts of field versions, placements and change-set outcomes, held and sent as
/// multi-row statements: on PostgreSQL every statement is a round trip, and a push of 200 change
/// sets made some 5,000 of them.
///
/// It stands in for the database during the push (`WriteContext.db`): every other statement sent
/// through it, a read or a write, first sends what is held, so each statement sees every write
/// made before it, as if each had been sent alone. Nothing is held past the transaction:
/// `WriteContext.save` sends the rest before the commit.
final class WriteBatch: ServerDatabase {
    let base: any ServerDatabase
    private var states = HeldRows<FieldKey>(WriteBatch.upsertStates)
    private var placements = HeldRows<Int>(WriteBatch.insertPlacements)
    private var outcomes = HeldRows<Int>(WriteBatch.insertOutcomes)

    init(_ base: any ServerDatabase) {
        self.base = base
    }

    /// Holds a field version for `field_state`; a second version of the same field in the batch
    /// replaces the first (the upserts ran in order, so the last one was what stayed, and
    /// PostgreSQL refuses to update one row twice in one statement).
    func holdVersion(_ row: [DatabaseValueConvertible?], type: String, id: String, field: String) {
        states.hold(row, key: FieldKey(type: type, id: id, field: field))
    }

    /// Holds a new record's placement for `record_scope` (placed once: `WriteContext.place`).
    func holdPlacement(_ row: [DatabaseValueConvertible?]) { placements.hold(row) }

    /// Holds an applied change set's outcome for `change_sets` (once per id: `WriteContext.recordOutcome`).
    func holdOutcome(_ row: [DatabaseValueConvertible?]) { outcomes.hold(row) }

    /// Sends everything held.
    func flush() throws {
        try states.send(to: base, rowsPerStatement: base.rowsPerInsert)
        try placements.send(to: base, rowsPerStatement: base.rowsPerInsert)
        try outcomes.send(to: base, rowsPerStatement: base.rowsPerInsert)
    }

    // MARK: - Statements

    /// One field version per row; the update part is `WriteContext.upsertState`'s.
    static let upsertStates = MultiRowInsert(
        head: "INSERT INTO field_state (record_type, record_id, field, value, hlc, base, replica, author, seq, change_set) VALUES ", width: 10,
        tail: """
             ON CONFLICT (record_type, record_id, field) DO UPDATE SET
                value = excluded.value, hlc = excluded.hlc, base = excluded.base, replica = excluded.replica,
                author = excluded.author, seq = excluded.seq, redacted = FALSE, change_set = excluded.change_set
            """)
    static let insertPlacements = MultiRowInsert(
        head: "INSERT INTO record_scope (record_type, record_id, district, everyone, parent_type, parent_id) VALUES ", width: 6, tail: "")
    static let insertOutcomes = MultiRowInsert(
        head: "INSERT INTO change_sets (id, replica, user_name, received_at, change_count, outcome) VALUES ", width: 6, tail: "")

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

    func keyLookup(_ columns: String, from table: String, where condition: String, _ arguments: [DatabaseValueConvertible?],
                   keyColumn: String, keys: String) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        base.keyLookup(columns, from: table, where: condition, arguments, keyColumn: keyColumn, keys: keys)
    }

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

/// An INSERT of many rows at once: `head`, then `(?, …)` per row, then `tail`.
struct MultiRowInsert {
    let head: String
    /// Values per row.
    let width: Int
    let tail: String

    func sql(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        return head + Array(repeating: row, count: rows).joined(separator: ", ") + tail
    }
}

/// Rows held for one `MultiRowInsert`, in the order they came; a row held again under the same
/// key takes the place of the earlier one.
private struct HeldRows<Key: Hashable> {
    let insert: MultiRowInsert
    private var rows: [[DatabaseValueConvertible?]] = []
    private var positions: [Key: Int] = [:]
    /// The statement's text by its number of rows, made once per batch.
    private var statements: [Int: String] = [:]

    init(_ insert: MultiRowInsert) {
        self.insert = insert
    }

    mutating func hold(_ row: [DatabaseValueConvertible?], key: Key) {
        if let position = positions[key] {
            rows[position] = row
        } else {
            positions[key] = rows.count
            rows.append(row)
        }
    }

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
            try db.write(sql, count == 1 ? rows[start] : rows[start..<start + count].flatMap { $0 })
            start += count
        }
        rows.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}

extension HeldRows where Key == Int {
    /// Rows without a key never replace each other.
    mutating func hold(_ row: [DatabaseValueConvertible?]) {
        hold(row, key: rows.count)
    }
}
