import KetteProtocol
import KetteStore

/// The client store's schema, as ordered migrations.
enum ClientSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.register("v1-replica-records-outbox", createVersion1)
        migrator.register("v2-sync-state-conflicts", createVersion2)
        migrator.register("v3-refusals-server-versions", createRefusalsAndServerVersions)
        migrator.register("german-search", createGermanSearch)
        migrator.register("local-history", LocalHistory.createTables)
        migrator.register("planning-cycle-records", createPlanningRecords)
        // The sync lane's: after the other lanes', which stores in the wild may already have.
        migrator.register("v4-version-origin-and-digests", addVersionOriginAndDigests)
        migrator.register("status-counts", addStatusCounts)
        return migrator
    }

    private static func createVersion1(_ db: Database) throws {
        // Who this replica is and where its clock stands; one row per key.
        try db.execute("""
            CREATE TABLE replica_meta (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;
            """)

        try createVersion1RecordTables(db)

        // The version of every field this replica holds: the merge rule compares against it,
        // and a local write records it as the change's base.
        try db.execute("""
            CREATE TABLE field_versions (
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                field TEXT NOT NULL,
                hlc TEXT NOT NULL,
                base TEXT,
                PRIMARY KEY (record_type, record_id, field)
            ) WITHOUT ROWID;
            """)

        // Change sets written here and not yet confirmed by the server, in the order written.
        try db.execute("""
            CREATE TABLE outbox_change_sets (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                summary TEXT NOT NULL,
                author TEXT,
                schema_version INTEGER NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE outbox_changes (
                change_set_seq INTEGER NOT NULL REFERENCES outbox_change_sets (seq) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                field TEXT NOT NULL,
                value TEXT NOT NULL,
                hlc TEXT NOT NULL,
                base TEXT,
                PRIMARY KEY (change_set_seq, ordinal)
            ) WITHOUT ROWID;
            """)

        // Full-text search over offers and minutes; rowids are those of `offers` and `meetings`,
        // so reindexing one record is a lookup, not a scan. Diacritics stay significant
        // (remove_diacritics 0): "Müller" and "Muller" are different people.
        try db.execute("""
            CREATE VIRTUAL TABLE offers_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 0');
            CREATE VIRTUAL TABLE meetings_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 0');
            """)
    }

    /// One table per record type. Columns are nullable and carry no foreign keys on purpose:
    /// replicas merge field changes in any order, so a field or a referenced record may arrive
    /// after the record that names it. Validation happens where people write. The record types
    /// and fields of schema version 1, frozen: later ones get their own migration.
    private static func createVersion1RecordTables(_ db: Database) throws {
        let version1Types: [RecordType] = [.district, .organization, .offer, .indicator, .body, .member, .meeting,
                                           .attendee, .agendaItem, .decision, .task]
        for type in version1Types {
            try createRecordTable(type, schema: 1, in: db)
        }
        try db.execute("""
            CREATE INDEX offers_by_district ON offers (district) WHERE deleted = 0;
            CREATE INDEX indicators_by_offer ON indicators (offer);
            CREATE INDEX members_by_body ON members (body);
            CREATE INDEX meetings_by_date ON meetings (meeting_date);
            CREATE INDEX attendees_by_meeting ON attendees (meeting);
            CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting);
            CREATE INDEX decisions_by_meeting ON decisions (meeting);
            CREATE INDEX tasks_by_meeting ON tasks (meeting);
            """)
    }

    /// A record type's table: one nullable column per field of record schema `schema`, plus the
    /// tombstone. Fields a later schema adds come with that schema's migration.
    private static func createRecordTable(_ type: RecordType, schema: Int, in db: Database) throws {
        let columns = type.fields(inSchema: schema).map(columnDefinition)
        try db.execute("""
            CREATE TABLE \(type.table) (
                id TEXT PRIMARY KEY NOT NULL,
                \(columns.joined(separator: ",\n    ")),
                deleted INTEGER NOT NULL DEFAULT 0
            );
            """)
    }

    private static func columnDefinition(_ field: RecordType.Field) -> String {
        switch field.kind {
        case .integer, .bool: "\(field.column) INTEGER"
        case .list: "\(field.column) TEXT NOT NULL DEFAULT '[]'"
        case .text, .reference: "\(field.column) TEXT"
        }
    }

    /// Record schema 2, the planning cycle: a table per new type, and the columns it added to
    /// members (sector, person, contact), attendees and action items (contact).
    private static func createPlanningRecords(_ db: Database) throws {
        for type in RecordType.allCases where type.schemaVersion == 2 {
            try createRecordTable(type, schema: 2, in: db)
        }
        for type in RecordType.allCases where type.schemaVersion == 1 {
            for field in type.fields where type.schemaVersion(field: field.name) == 2 {
                try db.execute("ALTER TABLE \(type.table) ADD COLUMN \(columnDefinition(field))")
            }
        }
        // A store that pulled before knows nothing of the newer types: the server left them out
        // of its pages (SPEC §2). Its next sync pulls from 0 once (`LocalStore.pulledSchema`).
        try db.execute("INSERT INTO replica_meta (key, value) SELECT 'pulled_schema', '1' WHERE EXISTS (SELECT 1 FROM replica_meta WHERE key = 'cursor')")
        try db.execute("""
            CREATE INDEX needs_by_district ON needs (district) WHERE deleted = 0;
            CREATE INDEX targets_by_goal ON targets (goal);
            CREATE INDEX target_figures_by_target ON target_figures (target);
            CREATE INDEX measure_notes_by_measure ON measure_notes (measure);
            CREATE INDEX measures_by_district ON measures (district) WHERE deleted = 0;
            """)
    }

    /// What sync needs: the server's cursor and times, refusals kept on outbox entries, and
    /// conflict entries pulled from the server.
    private static func createVersion2(_ db: Database) throws {
        try createRecordTable(.conflict, schema: 1, in: db)
        try db.execute("""
            CREATE INDEX conflicts_open ON conflicts (status) WHERE deleted = 0;
            ALTER TABLE outbox_change_sets ADD COLUMN refused_code TEXT;
            ALTER TABLE outbox_change_sets ADD COLUMN refused_reason TEXT;
            ALTER TABLE outbox_change_sets ADD COLUMN refused_at TEXT;
            """)
    }

    /// What taking back a refused change set needs (SPEC §9): the version of each field the server
    /// holds while local writes of it wait, and the refused change sets, kept for people to see,
    /// retry or drop instead of being pushed again at every sync.
    private static func createRefusalsAndServerVersions(_ db: Database) throws {
        try db.execute("""
            -- The newest version the server is known to hold of each field with unconfirmed local
            -- writes; value and hlc NULL: it holds none. Gone once no outbox change writes the field.
            CREATE TABLE server_versions (
                record_type TEXT NOT NULL,
                record_id TEXT NOT NULL,
                field TEXT NOT NULL,
                value TEXT,
                hlc TEXT,
                base TEXT,
                PRIMARY KEY (record_type, record_id, field)
            ) WITHOUT ROWID;
            CREATE INDEX outbox_changes_by_field ON outbox_changes (record_type, record_id, field);

            -- Change sets the server refused for good, taken back from the records, in the order
            -- refused; `change_set` is the change set as it was pushed (its JSON on the wire), and
            -- `reported` says a finished sync has told the user (exit 2 once, not at every sync).
            CREATE TABLE refusals (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                summary TEXT NOT NULL,
                created_at TEXT NOT NULL,
                code TEXT NOT NULL,
                reason TEXT NOT NULL,
                refused_at TEXT NOT NULL,
                change_set TEXT NOT NULL,
                reported INTEGER NOT NULL DEFAULT 0
            );
            """)
    }

    /// The search index made for German (`SearchIndex`): trigram tables over folded text with
    /// provider, district and phase columns, replacing the word index of version 1; rebuilt for
    /// every record. The new indexes find the offers of a renamed organization and the meetings
    /// of a body, whose search text changes with it.
    private static func createGermanSearch(_ db: Database) throws {
        try db.execute("""
            DROP TABLE offers_fts;
            DROP TABLE meetings_fts;
            CREATE INDEX offers_by_provider ON offers (provider) WHERE deleted = 0;
            CREATE INDEX meetings_by_body ON meetings (body);
            """)
        try SearchIndex.createTables(in: db)
        try SearchIndex.rebuild(in: db)
    }

    /// Anti-entropy (SPEC §16): who wrote each version and in which change set (NULL author: this
    /// replica's user), so a repair can bring a version back as it was written; and the digest of
    /// every version held, per bucket, kept up to date in the same transaction as every write.
    private static func addVersionOriginAndDigests(_ db: Database) throws {
        try db.execute("""
            ALTER TABLE field_versions ADD COLUMN author TEXT;
            ALTER TABLE field_versions ADD COLUMN change_set TEXT;
            CREATE TABLE replica_digests (
                bucket INTEGER PRIMARY KEY NOT NULL,
                digest INTEGER NOT NULL
            ) STRICT;
            """)
        try ReplicaDigest.rebuild(in: db)
    }

    /// `kette status` read the whole outbox on every run: it counted `outbox_changes` (450,000
    /// rows, 31 MB, after a large import) and looked for refused change sets in every row of
    /// `outbox_change_sets`. Each change set now keeps its own count, written with it
    /// (`Outbox.append`), and triggers keep the totals of the waiting change sets and changes in
    /// one row; a change set's changes only ever go with it (cascade), so the totals cannot
    /// drift whatever path adds or removes change sets. The refused ones have their own index,
    /// and the meetings and open tasks `status` counts have partial indexes, counted instead of
    /// scanning the tables with their minutes and texts.
    private static func addStatusCounts(_ db: Database) throws {
        try db.execute("""
            ALTER TABLE outbox_change_sets ADD COLUMN change_count INTEGER NOT NULL DEFAULT 0;
            UPDATE outbox_change_sets SET change_count = (SELECT count(*) FROM outbox_changes WHERE change_set_seq = seq);
            CREATE INDEX outbox_change_sets_refused ON outbox_change_sets (seq) WHERE refused_code IS NOT NULL;
            CREATE INDEX meetings_live_by_date ON meetings (meeting_date) WHERE deleted = 0;
            CREATE INDEX tasks_open_by_due ON tasks (due) WHERE deleted = 0 AND status IS NOT 'done';
            CREATE TABLE outbox_totals (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                change_sets INTEGER NOT NULL,
                changes INTEGER NOT NULL
            ) STRICT;
            INSERT INTO outbox_totals SELECT 1, count(*), coalesce(sum(change_count), 0) FROM outbox_change_sets;
            CREATE TRIGGER outbox_totals_after_insert AFTER INSERT ON outbox_change_sets BEGIN
                UPDATE outbox_totals SET change_sets = change_sets + 1, changes = changes + NEW.change_count;
            END;
            CREATE TRIGGER outbox_totals_after_delete AFTER DELETE ON outbox_change_sets BEGIN
                UPDATE outbox_totals SET change_sets = change_sets - 1, changes = changes - OLD.change_count;
            END;
            CREATE TRIGGER outbox_totals_after_count_change AFTER UPDATE OF change_count ON outbox_change_sets BEGIN
                UPDATE outbox_totals SET changes = changes - OLD.change_count + NEW.change_count;
            END;
            """)
    }
}
