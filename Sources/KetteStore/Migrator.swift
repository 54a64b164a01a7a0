/// Ordered, named schema migrations, each applied once in its own transaction and recorded
/// in `schema_migrations`.
public struct Migrator {
    public typealias Step = (Database) throws -> Void
    private var steps: [(identifier: String, step: Step)] = []

    public init() {}

    /// Appends a migration. Identifiers are permanent: never rename or reorder a shipped one.
    public mutating func register(_ identifier: String, _ step: @escaping Step) {
        precondition(!steps.contains { $0.identifier == identifier }, "duplicate migration \(identifier)")
        steps.append((identifier, step))
    }

    public var identifiers: [String] { steps.map(\.identifier) }

    /// Applies the migrations the database has not seen yet, in order.
    public func migrate(_ db: Database) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                identifier TEXT PRIMARY KEY NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """)
        let applied = Set(try db.rows("SELECT identifier FROM schema_migrations").compactMap { $0.string(0) })
        let known = Set(identifiers)
        if let unknown = applied.subtracting(known).sorted().first {
            throw SQLiteError(code: .error, message: "the database was written by a newer version of Kette (unknown migration \(unknown)); update Kette")
        }
        for (identifier, step) in steps where !applied.contains(identifier) {
            try db.inTransaction { db in
                try step(db)
                try db.execute("INSERT INTO schema_migrations (identifier) VALUES (?)", [identifier])
            }
        }
    }

    /// The migrations already applied to `db`, in the order they were applied.
    public static func appliedIdentifiers(_ db: Database) throws -> [String] {
        try db.rows("SELECT identifier FROM schema_migrations ORDER BY rowid").compactMap { $0.string(0) }
    }
}
