import Foundation
@testable import KetteServer
import KettePostgres
import KetteTestSupport
import XCTest

/// The server's PostgreSQL schema: migrated once however many processes start together, the same
/// tables as on SQLite, an audit log that refuses to be changed, and both sequences at zero.
final class PostgresServerSchemaTests: XCTestCase {
    func testProcessesStartingTogetherMigrateOnceToTheServerTables() throws {
        let database = try makePostgresDatabase()
        let url = database.url
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do { try PostgresServerSchema.migrator.migrate(try PostgresConnection(url)) } catch { XCTFail("\(error)") }
        }
        let db = try PostgresConnection(url)
        XCTAssertEqual(try PostgresMigrator.appliedIdentifiers(db), PostgresServerSchema.migrator.identifiers)
        let tables = try db.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").compactMap { $0.string(0) }
        XCTAssertEqual(tables, ["audit_log", "change_sets", "commit_ordered_sequence", "field_state", "record_scope",
                                "schema_migrations", "scope_digests", "scope_exits", "server_meta", "users"])
        XCTAssertEqual(try PostgresServerSchema.pullSequence.newest(in: db), 0)
        XCTAssertEqual(try PostgresServerSchema.auditSequence.newest(in: db), 0)
        // Migrating again changes nothing.
        try PostgresServerSchema.migrator.migrate(db)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM schema_migrations"), PostgresServerSchema.migrator.identifiers.count)
    }

    func testTheAuditLogRefusesUpdateDeleteAndTruncate() throws {
        let db = try PostgresConnection(try makePostgresDatabase().url)
        try PostgresServerSchema.migrator.migrate(db)
        try db.execute("INSERT INTO audit_log (seq, at, actor, action, detail, mac) VALUES ($1, $2, $3, $4, $5, $6)",
                       [1, 0, "admin", "user-add", "anna", "00"])
        for sql in ["UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            XCTAssertThrowsError(try db.execute(sql), sql) { error in
                XCTAssertEqual((error as? PostgresError)?.code, .raiseException, "\(error)")
                XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
            }
        }
        XCTAssertEqual(try db.scalarString("SELECT detail FROM audit_log"), "anna")
    }

    /// Also in a database made with a German collation, where "a" < "B" < "b" < "ä" would be the
    /// order of ORDER BY without the schema's "C".
    func testIdsSortBytewiseAsOnSQLite() throws {
        let cluster = try makePostgresDatabase().cluster
        let admin = try PostgresConnection(cluster.socketURL(database: "postgres"))
        let name = "kette_german_" + UUID().uuidString.prefix(8).lowercased()
        try admin.execute("CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C'")
        addTeardownBlock { try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let db = try PostgresConnection(cluster.socketURL(database: name))
        XCTAssertEqual(try db.rows("SELECT x FROM unnest(ARRAY['b', 'B', 'a']) x ORDER BY x").compactMap { $0.string(0) }, ["a", "b", "B"],
                       "the database does not sort in German: the test proves nothing")
        try PostgresServerSchema.migrator.migrate(db)
        for (index, id) in ["b", "B", "ä", "a", "_"].enumerated() {
            try db.execute("INSERT INTO record_scope (record_type, record_id) VALUES ($1, $2)", ["offer", id + String(index)])
        }
        let ids = try db.rows("SELECT record_id FROM record_scope ORDER BY record_id").compactMap { $0.string(0) }
        XCTAssertEqual(ids, ["B1", "_4", "a3", "b0", "ä2"])
    }
}
