/// Ordered, named schema migrations for a PostgreSQL database, recorded in `schema_migrations`
/// like SQLite's `Migrator` records them.
///
/// Several server processes may start at once against one database: all pending steps run in one
/// transaction that first takes a transaction-scoped advisory lock, so one process migrates and
/// the others find the work done (DDL is transactional in PostgreSQL: a failed step leaves nothing).
public struct PostgresMigrator {
    public typealias Step = (PostgresConnection) throws -> Void
    private var steps: [(identifier: String, step: Step)] = []
    /// The advisory lock key the migrating transaction holds.
    private let lockKey: Int64

    public init(lockKey: Int64) {
        self.lockKey = lockKey
    }

    /// Appends a migration. Identifiers are permanent: never rename or reorder a shipped one.
    public mutating func register(_ identifier: String, _ step: @escaping Step) {
        precondition(!steps.contains { $0.identifier == identifier }, "duplicate migration \(identifier)")
        steps.append((identifier, step))
    }

    public var identifiers: [String] { steps.map(\.identifier) }

    /// Applies the migrations the database has not seen yet, in order; refuses a database that
    /// a newer Kette migrated further.
    public func migrate(_ connection: PostgresConnection) throws {
        try connection.inTransaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [lockKey])
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    position bigserial NOT NULL,
                    identifier text COLLATE "C" PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = try Self.appliedIdentifiers(connection)
            if let unknown = Set(applied).subtracting(identifiers).sorted().first {
                throw PostgresError(code: .objectNotInPrerequisiteState,
                                    message: "the database was written by a newer version of Kette (unknown migration \(unknown)); update Kette")
            }
            for (identifier, step) in steps where !applied.contains(identifier) {
                try step(connection)
                try connection.execute("INSERT INTO schema_migrations (identifier) VALUES ($1)", [identifier])
            }
        }
    }

    /// The migrations already applied, in the order they were applied.
    public static func appliedIdentifiers(_ connection: PostgresConnection) throws -> [String] {
        try connection.rows("SELECT identifier FROM schema_migrations ORDER BY position").compactMap { $0.string(0) }
    }
}
