import KetteStore

/// The county server's schema, as ordered migrations.
enum ServerSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.register("v1-state-scope-changesets-users", createVersion1)
        migrator.register("v2-scope-readable-by-everyone", addEveryoneToScope)
        migrator.register("v3-redaction-and-audit-log", addRedactionAndAuditLog)
        migrator.register("v4-digests-parents-scope-exits", addDigestsParentsAndScopeExits)
        migrator.register("v5-digest-of-all-scopes-summed-when-read", forgetStoredDigestOfAllScopes)
        return migrator
    }

    private static func createVersion1(_ db: Database) throws {
        try db.execute("""
            CREATE TABLE server_meta (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;

            -- The current version of every field of every record: what pull serves. `seq` is the
            -- server's sequence number of the write that last changed the row; a pull after
            -- cursor N serves the rows with seq > N.
            CREATE TABLE field_state (
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                field TEXT NOT NULL,
                value TEXT NOT NULL,
                hlc TEXT NOT NULL,
                base TEXT,
                replica TEXT NOT NULL,
                author TEXT,
                seq INTEGER NOT NULL,
                PRIMARY KEY (record_type, record_id, field)
            ) WITHOUT ROWID;
            CREATE INDEX field_state_by_seq ON field_state (seq);

            -- Which district a record belongs to (NULL: county-wide), derived from its fields and
            -- its parents', for scoping reads and writes.
            CREATE TABLE record_scope (
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                district TEXT,
                PRIMARY KEY (record_type, record_id)
            ) WITHOUT ROWID;
            CREATE INDEX record_scope_by_district ON record_scope (district);

            -- Applied change sets, by id: a retried push gets the stored outcome, not a second apply.
            CREATE TABLE change_sets (
                id TEXT PRIMARY KEY NOT NULL,
                replica TEXT NOT NULL,
                user_name TEXT NOT NULL,
                received_at INTEGER NOT NULL,
                change_count INTEGER NOT NULL,
                outcome TEXT NOT NULL
            ) WITHOUT ROWID;

            -- People and their tokens; only a SHA-256 hash of a token is kept.
            CREATE TABLE users (
                name TEXT PRIMARY KEY NOT NULL,
                role TEXT NOT NULL,
                districts TEXT NOT NULL DEFAULT '[]',
                token_hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            """)
    }

    /// Records every user reads (the register of organizations, the list of districts, and the
    /// conflicts about them) are marked as such, instead of being recognized by type in the pull
    /// filter, which missed conflicts about organizations.
    private static func addEveryoneToScope(_ db: Database) throws {
        try db.execute("""
            ALTER TABLE record_scope ADD COLUMN everyone INTEGER NOT NULL DEFAULT 0;
            UPDATE record_scope SET everyone = 1 WHERE record_type IN ('organization', 'district');
            UPDATE record_scope SET everyone = 1 WHERE record_type = 'conflict' AND record_id IN (
                SELECT record_id FROM field_state WHERE record_type = 'conflict' AND field = 'recordType'
                AND value IN ('"organization"', '"district"'));
            """)
    }

    /// Erasure marks the field versions it rewrote (pull sends them as `"redacted": true`), and the
    /// audit log records who changed, read, erased or administered what, append-only.
    private static func addRedactionAndAuditLog(_ db: Database) throws {
        try db.execute("""
            ALTER TABLE field_state ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;

            -- One row per audited action, chained: `mac` is the HMAC-SHA-256, under a key kept
            -- outside the database, of the previous row's mac and this row's fields (AuditLog).
            -- Never the content of records: who, what kind, how many, when.
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT NOT NULL,
                mac TEXT NOT NULL
            ) STRICT;

            -- Append-only for everyone who goes through SQLite without dropping these first;
            -- whoever drops them is caught by the chain (`kette-server audit verify`).
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
    }

    /// Anti-entropy and scope exits (SPEC §16): the change set that wrote each version (a repair
    /// brings it back as it was written), each record's parent (so children follow a moved
    /// parent), the digests of every scope kept up to date with every write, and the records that
    /// left a scope, which pull announces.
    private static func addDigestsParentsAndScopeExits(_ db: Database) throws {
        try db.execute("""
            ALTER TABLE field_state ADD COLUMN change_set TEXT;

            ALTER TABLE record_scope ADD COLUMN parent_type TEXT;
            ALTER TABLE record_scope ADD COLUMN parent_id TEXT;
            CREATE INDEX record_scope_by_parent ON record_scope (parent_id, parent_type) WHERE parent_id IS NOT NULL;

            -- The sum modulo 2^64 (stored as a signed integer) of the version hashes of the records
            -- in a scope, per bucket (VersionDigest); scope '*' summed all scopes until v5.
            CREATE TABLE scope_digests (
                scope TEXT NOT NULL,
                bucket INTEGER NOT NULL,
                digest INTEGER NOT NULL,
                PRIMARY KEY (scope, bucket)
            ) WITHOUT ROWID;

            -- A record that left a scope, numbered in the server's sequence: pull serves it to the
            -- users who read the old scope but not the record's current one.
            CREATE TABLE scope_exits (
                seq INTEGER PRIMARY KEY,
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                district TEXT,
                everyone INTEGER NOT NULL
            );
            """)
        try backfillParents(db)
        try DigestUpkeep.rebuild(in: db)
    }

    /// The digest of all scopes (`*`) is summed from the others when it is read (`DigestUpkeep.buckets`)
    /// instead of being written by every push.
    private static func forgetStoredDigestOfAllScopes(_ db: Database) throws {
        try db.execute("DELETE FROM scope_digests WHERE scope = '*'")
    }

    /// Each record's parent from its stored fields, then the scopes of children that stayed behind
    /// when their parent moved (before children followed their parents): three passes reach the
    /// deepest chain (body, meeting, minute part, conflict about it).
    private static func backfillParents(_ db: Database) throws {
        for (types, field, parent) in [("'meeting', 'member'", "body", "'body'"), ("'indicator'", "offer", "'offer'"),
                                       ("'attendee', 'agenda-item', 'decision', 'task'", "meeting", "'meeting'")] {
            try db.execute("""
                UPDATE record_scope SET parent_type = \(parent), parent_id = (
                    SELECT json_extract(f.value, '$') FROM field_state f
                    WHERE f.record_type = record_scope.record_type AND f.record_id = record_scope.record_id AND f.field = '\(field)')
                WHERE record_type IN (\(types))
                """)
        }
        try db.execute("""
            UPDATE record_scope SET
                parent_type = (SELECT json_extract(f.value, '$') FROM field_state f
                               WHERE f.record_type = 'conflict' AND f.record_id = record_scope.record_id AND f.field = 'recordType'),
                parent_id = (SELECT json_extract(f.value, '$') FROM field_state f
                             WHERE f.record_type = 'conflict' AND f.record_id = record_scope.record_id AND f.field = 'recordID')
            WHERE record_type = 'conflict'
            """)
        for _ in 0..<3 {
            try db.execute("""
                UPDATE record_scope AS c SET district = p.district, everyone = p.everyone
                FROM record_scope AS p
                WHERE p.record_type = c.parent_type AND p.record_id = c.parent_id
                  AND (c.district IS NOT p.district OR c.everyone != p.everyone)
                """)
        }
    }
}
