import Foundation
import XCTest
import KetteTestSupport
@testable import KetteStore

final class DatabaseTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: try makeTemporaryDirectory("store"))
    }

    func path(_ name: String = "test.db") -> String { directory.appendingPathComponent(name).path }

    func testOpensInWALWithFullSyncAndForeignKeys() throws {
        let db = try Database(path: path())
        XCTAssertEqual(try db.scalarString("PRAGMA journal_mode"), "wal")
        XCTAssertEqual(try db.scalarInt("PRAGMA synchronous"), 2, "FULL is 2")
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
        var normal = Database.Configuration()
        normal.durability = .normal
        let server = try Database(path: path("server.db"), configuration: normal)
        XCTAssertEqual(try server.scalarInt("PRAGMA synchronous"), 1, "NORMAL is 1")
    }

    func testUniqueViolationCarriesExtendedCodeAndSQL() throws {
        let db = try Database(path: path())
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT UNIQUE)")
        try db.execute("INSERT INTO t VALUES (?, ?)", ["a", "Nordstadt"])
        XCTAssertThrowsError(try db.execute("INSERT INTO t VALUES (?, ?)", ["b", "Nordstadt"])) { error in
            guard let error = error as? SQLiteError else { return XCTFail("not a SQLiteError: \(error)") }
            XCTAssertEqual(error.code, .constraintUnique)
            XCTAssertEqual(error.code.primary, .constraint)
            XCTAssertTrue(ResultCode.constraint ~= error.code, "a primary code pattern matches its extended codes")
            XCTAssertFalse(ResultCode.busy ~= error.code)
            XCTAssertEqual(error.sql, "INSERT INTO t VALUES (?, ?)")
            XCTAssertTrue(error.description.hasPrefix("SQLite error 2067: UNIQUE constraint failed: t.name - while executing `INSERT INTO t VALUES (?, ?)`"),
                          error.description)
            XCTAssertFalse(error.description.contains("Nordstadt"), "bound arguments stay out of the description")
            XCTAssertFalse(error.isStorageFailure)
        }
    }

    func testForeignKeysAreEnforced() throws {
        let db = try Database(path: path())
        try db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent INTEGER REFERENCES parent (id))")
        XCTAssertThrowsError(try db.execute("INSERT INTO child VALUES (?)", [42])) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, .constraintForeignKey)
        }
    }

    func testSyntaxErrorNamesTheSQL() throws {
        let db = try Database(path: path())
        XCTAssertThrowsError(try db.rows("SELEKT 1")) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code, .error)
            XCTAssertEqual(error.sql, "SELEKT 1")
            XCTAssertTrue(error.message.contains("syntax error"), error.message)
        }
    }

    func testTransactionRollsBackWhenBodyThrows() throws {
        struct Abort: Error {}
        let db = try Database(path: path())
        try db.execute("CREATE TABLE t (n INTEGER)")
        XCTAssertThrowsError(try db.inTransaction { db in
            try db.execute("INSERT INTO t VALUES (?)", [1])
            try db.execute("INSERT INTO t VALUES (?)", [2])
            throw Abort()
        }) { error in
            XCTAssertTrue(error is Abort, "the body's own error comes back: \(error)")
        }
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM t"), 0)
        XCTAssertFalse(db.isInTransaction)
        try db.inTransaction { db in try db.execute("INSERT INTO t VALUES (?)", [3]) }
        XCTAssertEqual(try db.scalarInt("SELECT sum(n) FROM t"), 3)
    }

    func testCommittedWriteIsVisibleToANewConnection() throws {
        do {
            let db = try Database(path: path())
            try db.execute("CREATE TABLE t (name TEXT)")
            try db.inTransaction { db in try db.execute("INSERT INTO t VALUES (?)", ["Übergang Schule–Beruf"]) }
        }
        let reopened = try Database(path: path())
        XCTAssertEqual(try reopened.scalarString("SELECT name FROM t"), "Übergang Schule–Beruf")
        XCTAssertEqual(try reopened.integrityCheck(), ["ok"])
    }

    func testBusyWhenAnotherConnectionHoldsTheWriteLock() throws {
        var quick = Database.Configuration()
        quick.busyTimeoutMilliseconds = 50
        let holder = try Database(path: path(), configuration: quick)
        try holder.execute("CREATE TABLE t (n INTEGER)")
        try holder.execute("BEGIN IMMEDIATE")
        let other = try Database(path: path(), configuration: quick)
        XCTAssertThrowsError(try other.inTransaction { db in try db.execute("INSERT INTO t VALUES (?)", [1]) }) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code.primary, .busy)
            XCTAssertTrue(error.isStorageFailure)
        }
        try holder.execute("ROLLBACK")
        try other.inTransaction { db in try db.execute("INSERT INTO t VALUES (?)", [1]) }
    }

    func testOpeningAFileThatIsNotADatabaseFails() throws {
        try Data("this is a shopping list, not a database".utf8 + [UInt8](repeating: 0x41, count: 4096)).write(to: URL(fileURLWithPath: path()))
        XCTAssertThrowsError(try Database(path: path())) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code, .notADatabase)
            XCTAssertTrue(error.isStorageFailure)
        }
    }

    func testOpeningAMissingFileWithoutCreateFails() throws {
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        XCTAssertThrowsError(try Database(path: path("absent.db"), configuration: configuration)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code.primary, .cantOpen)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("absent.db")))
    }

    func testCachedStatementIsReusedAndRebound() throws {
        let db = try Database(path: path())
        try db.execute("CREATE TABLE t (n INTEGER)")
        for n in 1...100 { try db.execute("INSERT INTO t VALUES (?)", [n]) }
        XCTAssertTrue(try db.cachedStatement("INSERT INTO t VALUES (?)") === db.cachedStatement("INSERT INTO t VALUES (?)"))
        XCTAssertEqual(try db.scalarInt("SELECT sum(n) FROM t"), 5050)
        XCTAssertThrowsError(try db.execute("INSERT INTO t VALUES (?)", [1, 2])) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, .misuse)
        }
    }

    func testValuesRoundTrip() throws {
        let db = try Database(path: path())
        try db.execute("CREATE TABLE t (a, b, c, d, e)")
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [Int64.max, 2.5, "Grundschulalter", DatabaseValue.blob([0, 1, 255]), nil as String?])
        let row = try XCTUnwrap(db.firstRow("SELECT a, b, c, d, e FROM t"))
        XCTAssertEqual(row[0], .integer(Int64.max))
        XCTAssertEqual(row[1], .real(2.5))
        XCTAssertEqual(row[2], .text("Grundschulalter"))
        XCTAssertEqual(row[3], .blob([0, 1, 255]))
        XCTAssertEqual(row[4], .null)
    }
}

final class MigratorTests: XCTestCase {
    func temporaryPath() throws -> String {
        try makeTemporaryDirectory("migrate") + "/test.db"
    }

    func testAppliesEachMigrationOnceInOrder() throws {
        let path = try temporaryPath()
        var migrator = Migrator()
        migrator.register("v1-create") { db in try db.execute("CREATE TABLE t (n INTEGER)") }
        migrator.register("v2-seed") { db in try db.execute("INSERT INTO t VALUES (?)", [1]) }
        let db = try Database(path: path)
        try migrator.migrate(db)
        try migrator.migrate(db)  // a second run applies nothing
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM t"), 1)
        XCTAssertEqual(try Migrator.appliedIdentifiers(db), ["v1-create", "v2-seed"])

        migrator.register("v3-more") { db in try db.execute("INSERT INTO t VALUES (?)", [2]) }
        try migrator.migrate(db)
        XCTAssertEqual(try db.scalarInt("SELECT sum(n) FROM t"), 3)
        XCTAssertEqual(try Migrator.appliedIdentifiers(db), ["v1-create", "v2-seed", "v3-more"])
    }

    func testFailingMigrationLeavesNoTraceAndIsRetried() throws {
        let path = try temporaryPath()
        var broken = Migrator()
        broken.register("v1") { db in
            try db.execute("CREATE TABLE t (n INTEGER)")
            try db.execute("INSERT INTO missing VALUES (1)")
        }
        let db = try Database(path: path)
        XCTAssertThrowsError(try broken.migrate(db)) { error in
            XCTAssertEqual((error as? SQLiteError)?.sql, "INSERT INTO missing VALUES (1)")
        }
        XCTAssertNil(try db.scalarInt("SELECT 1 FROM sqlite_master WHERE name = 't'"), "the half-done migration was rolled back")
        XCTAssertEqual(try Migrator.appliedIdentifiers(db), [])

        var fixed = Migrator()
        fixed.register("v1") { db in try db.execute("CREATE TABLE t (n INTEGER)") }
        try fixed.migrate(db)
        XCTAssertEqual(try Migrator.appliedIdentifiers(db), ["v1"])
    }

    func testRefusesADatabaseFromANewerVersion() throws {
        let path = try temporaryPath()
        var newer = Migrator()
        newer.register("v1") { _ in }
        newer.register("v2-future") { _ in }
        let db = try Database(path: path)
        try newer.migrate(db)
        var older = Migrator()
        older.register("v1") { _ in }
        XCTAssertThrowsError(try older.migrate(db)) { error in
            guard let error = error as? SQLiteError else { return XCTFail("not a SQLiteError: \(error)") }
            XCTAssertEqual(error.code, .error)
            XCTAssertTrue(error.message.contains("newer version of Kette (unknown migration v2-future)"), error.message)
        }
    }

    /// A text holding a NUL is stored and read whole: bound with its length, not cut at the NUL
    /// as a C string would be (issue 12.11: a record id `a<NUL>b` must not become `a`).
    func testTextWithANULIsStoredAndReadWhole() throws {
        let path = try temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO t (id) VALUES (?)", ["jugendamt\u{0}-evil"])
        XCTAssertNil(try db.scalarString("SELECT id FROM t WHERE id = ?", ["jugendamt"]), "the text before the NUL is another text")
        XCTAssertEqual(try db.scalarString("SELECT id FROM t WHERE id = ?", ["jugendamt\u{0}-evil"]), "jugendamt\u{0}-evil")
        XCTAssertEqual(try db.scalarInt("SELECT length(CAST(id AS BLOB)) FROM t"), 15)
    }
}
