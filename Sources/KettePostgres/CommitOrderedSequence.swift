/// A counter whose numbers become visible to readers in the order they were given out, across any
/// number of server processes on one database: the server's pull sequence on PostgreSQL.
///
/// A PostgreSQL `SEQUENCE` does not have this property: `nextval` is not transactional, so a
/// transaction that took 104 may commit after one that took 105, and a reader that pulled up to
/// 105 in between would never see 104. Here the counter is a row, and taking numbers updates it:
/// the row stays locked until the taking transaction commits or rolls back, so the next taker
/// waits for that end. PostgreSQL makes a transaction's rows visible to new snapshots before it
/// releases its locks; hence when numbers up to N are visible, every smaller number's
/// transaction has ended too (the argument is in Protocol/SPEC.md, "Several server processes").
///
/// The price: the transactions that take numbers run one after another from the moment they take
/// them to their commit. Take them as late as possible (after the work that needs no number).
public struct CommitOrderedSequence: Sendable {
    /// The table holding the counters (one row per named sequence), made by `createTable`.
    public static let table = "commit_ordered_sequence"
    public let name: String

    public init(name: String) {
        self.name = name
    }

    /// The schema step that makes the counters' table (for a `PostgresMigrator`).
    public static func createTable(_ connection: PostgresConnection) throws {
        try connection.execute("""
            CREATE TABLE \(table) (
                name text COLLATE "C" PRIMARY KEY,
                last bigint NOT NULL CHECK (last >= 0)
            )
            """)
    }

    /// Makes the counter if it is missing, starting after `last` (a migrated county keeps its
    /// numbers, so its clients keep their cursors).
    public func create(startingAfter last: Int64 = 0, in connection: PostgresConnection) throws {
        try connection.execute("INSERT INTO \(Self.table) (name, last) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [name, last])
    }

    /// Takes the next `count` numbers inside the caller's transaction, which holds them (and
    /// keeps every other taker waiting) until it ends; a rollback gives them back, so the numbers
    /// have no gaps.
    public func take(_ count: Int, in connection: PostgresConnection) throws -> ClosedRange<Int64> {
        precondition(count > 0, "take at least one number")
        precondition(connection.isInTransaction, "numbers are taken inside the transaction that commits their rows")
        guard let last = try connection.scalarInt("UPDATE \(Self.table) SET last = last + $1 WHERE name = $2 RETURNING last",
                                                  [Int64(count), name]) else {
            throw PostgresError(code: .objectNotInPrerequisiteState, message: "no sequence \(name); the database was not migrated")
        }
        return (Int64(last) - Int64(count) + 1)...Int64(last)
    }

    /// Locks the counter for the caller's transaction and returns its last number, for a writer
    /// that learns how many numbers it needs only as it writes: it numbers its rows from there and
    /// calls `advance(to:in:)` before its commit. The lock is held from here to the transaction's
    /// end, as with `take`, so the rule of `take` holds unchanged (and a rollback gives the
    /// numbers back).
    public func hold(in connection: PostgresConnection) throws -> Int64 {
        precondition(connection.isInTransaction, "numbers are taken inside the transaction that commits their rows")
        guard let last = try connection.scalarInt("SELECT last FROM \(Self.table) WHERE name = $1 FOR UPDATE", [name]) else {
            throw PostgresError(code: .objectNotInPrerequisiteState, message: "no sequence \(name); the database was not migrated")
        }
        return Int64(last)
    }

    /// Sets the counter held with `hold(in:)` to the last number the transaction gave out.
    public func advance(to last: Int64, in connection: PostgresConnection) throws {
        try connection.execute("UPDATE \(Self.table) SET last = $1 WHERE name = $2 AND last <= $1", [last, name])
    }

    /// The newest number whose transaction has committed, as the caller's snapshot sees it: a
    /// pull reads it and its rows in one snapshot (`REPEATABLE READ`), so every row up to it is
    /// in that snapshot.
    public func newest(in connection: PostgresConnection) throws -> Int64 {
        Int64(try connection.scalarInt("SELECT last FROM \(Self.table) WHERE name = $1", [name]) ?? 0)
    }
}
