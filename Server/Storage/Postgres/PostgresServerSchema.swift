import KettePostgres

/// The county server's schema on PostgreSQL, as ordered migrations: the same tables as the SQLite
/// schema (`ServerSchema`), in PostgreSQL's types, plus what several processes on one database
/// need.
///
/// Keys and ids use the "C" collation, so ordering by them is bytewise as in SQLite whatever
/// locale the database was made with. The pull sequence is a `CommitOrderedSequence` (see
/// Protocol/SPEC.md §12.1), not a value in `server_meta`; so is the audit log's numbering, which
/// keeps the chain in commit order when several processes append.
enum PostgresServerSchema {
    /// The advisory lock a migrating process holds: processes that start together migrate once.
    static let migrationLock: Int64 = 0x6b65_7474_6500_0001  // "kette" and 1
    /// Numbers every field row written; a pull's cursor is one of them.
    static let pullSequence = CommitOrderedSequence(name: "pull")
    /// Numbers the audit log's entries.
    static let auditSequence = CommitOrderedSequence(name: "audit")

    static var migrator: PostgresMigrator {
        var migrator = PostgresMigrator(lockKey: migrationLock)
        migrator.register("v1-state-scope-changesets-users-audit", createVersion1)
        migrator.register("v2-digests-parents-scope-exits", addDigestsParentsAndScopeExits)
        migrator.register("v3-digest-of-all-scopes-summed-when-read", forgetStoredDigestOfAllScopes)
        return migrator
    }

    private static func createVersion1(_ db: PostgresConnection) throws {
        try db.execute("""
            CREATE TABLE server_meta (
                key text COLLATE "C" PRIMARY KEY,
                value text NOT NULL
            );

            -- The current version of every field of every record: what pull serves. `seq` is the
            -- number (from the "pull" sequence) of the write that last changed the row.
            CREATE TABLE field_state (
                record_type text COLLATE "C" NOT NULL,
                record_id text COLLATE "C" NOT NULL,
                field text COLLATE "C" NOT NULL,
                value text NOT NULL,
                hlc text COLLATE "C" NOT NULL,
                base text COLLATE "C",
                replica text NOT NULL,
                author text,
                seq bigint NOT NULL,
                redacted boolean NOT NULL DEFAULT false,
                PRIMARY KEY (record_type, record_id, field)
            );
            CREATE INDEX field_state_by_seq ON field_state (seq);

            -- Which district a record belongs to (NULL: county-wide), and whether everyone reads it.
            CREATE TABLE record_scope (
                record_type text COLLATE "C" NOT NULL,
                record_id text COLLATE "C" NOT NULL,
                district text COLLATE "C",
                everyone boolean NOT NULL DEFAULT false,
                PRIMARY KEY (record_type, record_id)
            );
            CREATE INDEX record_scope_by_district ON record_scope (district);

            -- Applied change sets, by id: a retried push gets the stored outcome, not a second apply.
            CREATE TABLE change_sets (
                id text COLLATE "C" PRIMARY KEY,
                replica text NOT NULL,
                user_name text NOT NULL,
                received_at bigint NOT NULL,
                change_count integer NOT NULL,
                outcome text NOT NULL
            );

            -- People and their tokens; only a SHA-256 hash of a token is kept.
            CREATE TABLE users (
                name text COLLATE "C" PRIMARY KEY,
                role text NOT NULL,
                districts text NOT NULL DEFAULT '[]',
                token_hash text NOT NULL UNIQUE,
                created_at bigint NOT NULL,
                revoked_at bigint
            );
            """)
        try createAuditLog(db)
        try CommitOrderedSequence.createTable(db)
        try pullSequence.create(in: db)
        try auditSequence.create(in: db)
    }

    /// The audit log, chained as on SQLite (`AuditLog`); a trigger refuses UPDATE, DELETE and
    /// TRUNCATE, so an honest mistake fails at once; whoever drops it is caught by the chain.
    private static func createAuditLog(_ db: PostgresConnection) throws {
        try db.execute("""
            CREATE TABLE audit_log (
                seq bigint PRIMARY KEY,
                at bigint NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                detail text NOT NULL,
                mac text NOT NULL
            );
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'P0001';
            END
            $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
            """)
    }

    /// SQLite's v4 (`ServerSchema`, SPEC §16): the change set that wrote each version, each
    /// record's parent, the digests of every scope per bucket, and the records that left a scope.
    /// A database made by this migration is empty, so nothing is backfilled here: a county moved
    /// from SQLite brings its parents and digests with it (`CountyMove`).
    private static func addDigestsParentsAndScopeExits(_ db: PostgresConnection) throws {
        try db.execute("""
            ALTER TABLE field_state ADD COLUMN change_set text COLLATE "C";

            ALTER TABLE record_scope ADD COLUMN parent_type text COLLATE "C";
            ALTER TABLE record_scope ADD COLUMN parent_id text COLLATE "C";
            CREATE INDEX record_scope_by_parent ON record_scope (parent_id, parent_type) WHERE parent_id IS NOT NULL;

            -- The sum modulo 2^64 (as a signed bigint) of the version hashes of the records in a
            -- scope, per bucket (VersionDigest); scope '*' summed all scopes until v3.
            CREATE TABLE scope_digests (
                scope text COLLATE "C" NOT NULL,
                bucket integer NOT NULL,
                digest bigint NOT NULL,
                PRIMARY KEY (scope, bucket)
            );

            -- A record that left a scope, numbered from the "pull" sequence like the field rows:
            -- pull serves it to the users who read the old scope but not the record's current one.
            CREATE TABLE scope_exits (
                seq bigint PRIMARY KEY,
                record_type text COLLATE "C" NOT NULL,
                record_id text COLLATE "C" NOT NULL,
                district text COLLATE "C",
                everyone boolean NOT NULL
            );
            """)
    }

    /// SQLite's v5 (`ServerSchema.forgetStoredDigestOfAllScopes`): `*` is summed when it is read.
    private static func forgetStoredDigestOfAllScopes(_ db: PostgresConnection) throws {
        try db.execute("DELETE FROM scope_digests WHERE scope = '*'")
    }
}
