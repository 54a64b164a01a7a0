import Foundation
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest

/// The PostgreSQL layer against a real server (the test run's throw-away cluster): connecting in
/// every form `--db` accepts, bound arguments, typed errors without values, transactions, COPY,
/// streaming, migrations and the pool.
final class PostgresConnectionTests: XCTestCase {
    var database: PostgresTestDatabase!
    var connection: PostgresConnection!

    override func setUpWithError() throws {
        database = try makePostgresDatabase()
        connection = try PostgresConnection(database.url)
        try connection.execute("CREATE TABLE people (name text PRIMARY KEY, age bigint, score double precision, active boolean, note text)")
    }

    override func tearDown() {
        connection = nil
        super.tearDown()
    }

    // MARK: Connecting

    func testConnectsByURLInBothSchemesAndByTheEnvironment() throws {
        let tcp = try PostgresConnection(database.tcpURL)
        XCTAssertTrue(database.tcpURL.hasPrefix("postgres://kette@127.0.0.1:"))
        XCTAssertEqual(try tcp.scalarString("SELECT current_database()"), database.name)
        let long = try PostgresConnection(database.tcpURL.replacingOccurrences(of: "postgres://", with: "postgresql://"))
        XCTAssertEqual(try long.scalarString("SELECT current_user"), "kette")

        // An empty connection string (or `postgresql://` alone) takes everything from PG*.
        let variables = ["PGHOST": database.cluster.directory, "PGPORT": String(database.cluster.port), "PGUSER": "kette", "PGDATABASE": database.name]
        for (key, value) in variables { setenv(key, value, 1) }
        defer { for key in variables.keys { unsetenv(key) } }
        XCTAssertEqual(try PostgresConnection("").scalarString("SELECT current_database()"), database.name)
        XCTAssertEqual(try PostgresConnection("postgresql://").scalarString("SELECT current_database()"), database.name)
    }

    func testAFailedConnectionSaysWhereAndWhy() throws {
        XCTAssertThrowsError(try PostgresConnection("postgres://kette@127.0.0.1:\(database.cluster.port)/no_such_database")) { error in
            let error = error as! PostgresError
            XCTAssertEqual(error.code, .connectionFailure)
            XCTAssertTrue(error.message.contains("no_such_database"), error.message)
            XCTAssertTrue(error.isStorageFailure)
        }
    }

    func testURLsAreRecognizedAndShownWithoutPasswords() {
        XCTAssertTrue(PostgresURL.isPostgres("postgres://kette@db/kreis"))
        XCTAssertTrue(PostgresURL.isPostgres("postgresql://"))
        XCTAssertFalse(PostgresURL.isPostgres("kette-server.db"))
        XCTAssertFalse(PostgresURL.isPostgres("./postgres://x"))
        XCTAssertEqual(PostgresURL.withoutPassword("postgres://kette:geheim@db:5432/kreis"), "postgres://kette:***@db:5432/kreis")
        XCTAssertEqual(PostgresURL.withoutPassword("postgresql://db/kreis?user=kette&password=geheim&sslmode=require"),
                       "postgresql://db/kreis?user=kette&password=***&sslmode=require")
        XCTAssertEqual(PostgresURL.withoutPassword("postgres://kette@db/kreis"), "postgres://kette@db/kreis")
    }

    // MARK: Arguments and values

    func testArgumentsAreBoundNeverSplicedAndComeBackTyped() throws {
        let hostile = "Robert'); DROP TABLE people; -- \"Bobby\" \\ \t\n Jürgen 🌳"
        try connection.execute("INSERT INTO people (name, age, score, active, note) VALUES ($1, $2, $3, $4, $5)",
                               [hostile, Int64.min, 2.5, true, nil as String?])
        try connection.execute("INSERT INTO people (name, age, active) VALUES ($1, $2, $3)", ["max", Int64.max, false])
        let row = try XCTUnwrap(try connection.firstRow("SELECT name, age, score, active, note FROM people WHERE name = $1", [hostile]))
        XCTAssertEqual(row.string("name"), hostile)
        XCTAssertEqual(row["age"], .integer(Int64.min))
        XCTAssertEqual(row["score"], .real(2.5))
        XCTAssertEqual(row.int("active"), 1)
        XCTAssertEqual(row["note"], .null)
        XCTAssertEqual(try connection.scalarInt("SELECT age FROM people WHERE name = $1 AND NOT active", ["max"]), Int(Int64.max))
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 2)
    }

    func testArraysCarryABatchOfKeysWithQuotesAndNulls() throws {
        let names: [String?] = ["a\"b", "c\\d", "{e,f}", nil, "NULL", ""]
        let rows = try connection.rows("SELECT value, position FROM unnest($1::text[]) WITH ORDINALITY AS t(value, position) ORDER BY position",
                                       [PostgresArray.text(names)])
        XCTAssertEqual(rows.map { $0.string(0) }, names)
        XCTAssertEqual(try connection.scalarInt("SELECT sum(n) FROM unnest($1::bigint[]) n", [PostgresArray.integers([1, -2, 40])]), 39)
    }

    // MARK: Errors

    func testErrorsCarrySQLStateAndMessageButNoBoundValue() throws {
        try connection.execute("INSERT INTO people (name) VALUES ($1)", ["Anna Schmidt"])
        XCTAssertThrowsError(try connection.execute("INSERT INTO people (name) VALUES ($1)", ["Anna Schmidt"])) { error in
            let error = error as! PostgresError
            XCTAssertEqual(error.code, .uniqueViolation)
            XCTAssertTrue(error.description.contains("people_pkey"), error.description)
            XCTAssertTrue(error.description.contains("INSERT INTO people"), error.description)
            XCTAssertFalse(error.description.contains("Anna"), "a bound value leaked: \(error)")
        }
        // A data exception quotes the rejected input in PostgreSQL's message: it is cut off.
        XCTAssertThrowsError(try connection.execute("UPDATE people SET age = $1 WHERE name = $2", ["Anna Schmidt", "x"])) { error in
            let error = error as! PostgresError
            XCTAssertEqual(error.code.errorClass, "22")
            XCTAssertTrue(error.message.contains("bigint"), error.message)
            XCTAssertFalse(error.description.contains("Anna"), "a bound value leaked: \(error)")
        }
        XCTAssertThrowsError(try connection.execute("SELECT * FROM nowhere", [])) { error in
            XCTAssertEqual((error as! PostgresError).code, .undefinedTable)
        }
    }

    func testANulInATextIsRefusedNotCutOff() throws {
        XCTAssertThrowsError(try connection.execute("INSERT INTO people (name) VALUES ($1)", ["Anna\u{0}Schmidt"])) { error in
            XCTAssertEqual((error as! PostgresError).code, .characterNotInRepertoire)
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 0)
    }

    // MARK: Transactions

    func testATransactionCommitsWholeOrNotAtAll() throws {
        struct Stop: Error {}
        XCTAssertThrowsError(try connection.inTransaction { db in
            try db.execute("INSERT INTO people (name) VALUES ($1)", ["a"])
            throw Stop()
        })
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 0)
        try connection.inTransaction(.repeatableRead) { db in
            try db.execute("INSERT INTO people (name) VALUES ($1)", ["a"])
            try db.execute("INSERT INTO people (name) VALUES ($1)", ["b"])
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 2)
        XCTAssertFalse(connection.isInTransaction)
    }

    func testAnErrorCaughtInsideATransactionStillFailsTheCommit() throws {
        XCTAssertThrowsError(try connection.inTransaction { db in
            try db.execute("INSERT INTO people (name) VALUES ($1)", ["c"])
            _ = try? db.execute("INSERT INTO people (name) VALUES ($1)", ["c"])  // aborts the transaction
        }) { error in
            XCTAssertEqual((error as! PostgresError).code.rawValue, "25P02")
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 0)
    }

    // MARK: COPY and streaming

    func testCopyLoadsEveryValueExactly() throws {
        let awkward = ["tab\there", "line\nbreak\r\n", "back\\slash\\N", "\\N", "Ölmühle 🌳", ""]
        let rows: [[DatabaseValue]] = awkward.enumerated().map { index, name in
            [.text(name), .integer(Int64(index)), index % 2 == 0 ? .null : .text("note \(index)")]
        }
        XCTAssertEqual(try connection.copy("COPY people (name, age, note) FROM STDIN", rows: rows), awkward.count)
        let stored = try connection.rows("SELECT name, age, note FROM people ORDER BY age")
        XCTAssertEqual(stored.map { $0.values }, rows)
    }

    func testACopyWithAValueItCannotSendLoadsNothing() throws {
        let rows: [[DatabaseValue]] = [[.text("a")], [.text("b\u{0}c")], [.text("d")]]
        XCTAssertThrowsError(try connection.copy("COPY people (name) FROM STDIN", rows: rows)) { error in
            XCTAssertEqual((error as! PostgresError).code, .characterNotInRepertoire)
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 0)
        XCTAssertEqual(try connection.scalarInt("SELECT 1"), 1, "the connection is usable after the cancelled copy")
    }

    /// A copy kept open while its rows are made (a push streams its new field versions): rows sent
    /// in small chunks arrive whole, integers of every size exactly; a transaction that fails while
    /// one is open is rolled back with none of its rows, and the connection takes commands again.
    func testAStreamedCopyLoadsItsRowsAndAFailedTransactionCancelsIt() throws {
        let numbers: [Int64] = [0, 7, -1, 10, -10, 1_234_567_890_123, .max, .min]
        try connection.inTransaction { connection in
            let stream = try connection.beginCopy("COPY people (name, age, note) FROM STDIN", chunkBytes: 64)
            for (index, number) in numbers.enumerated() {
                try stream.send([[.text("n\(index)"), .integer(number), .text("tab\there")]])
            }
            XCTAssertEqual(try stream.finish(), numbers.count)
        }
        XCTAssertEqual(try connection.rows("SELECT age FROM people ORDER BY name").map { $0.values[0] }, numbers.map(DatabaseValue.integer))
        XCTAssertEqual(try connection.scalarString("SELECT note FROM people WHERE name = 'n0'"), "tab\there")

        // Kept past the transaction, so only the transaction can end it before its rollback.
        struct Failed: Error {}
        var kept: PostgresCopyStream?
        XCTAssertThrowsError(try connection.inTransaction { connection in
            kept = try connection.beginCopy("COPY people (name) FROM STDIN", chunkBytes: 64)
            try kept?.send((0..<500).map { [.text("later \($0)")] })
            throw Failed()
        }) { XCTAssertTrue($0 is Failed, "the failure itself, not the rollback's: \($0)") }
        XCTAssertEqual(kept?.isOpen, false)
        XCTAssertFalse(connection.isInTransaction)
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), numbers.count)

        // A stream given up outside a transaction is cancelled when it goes away.
        do {
            let stream = try connection.beginCopy("COPY people (name) FROM STDIN")
            try stream.send([[.text("abandoned")]])
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people WHERE name = 'abandoned'"), 0)
        XCTAssertFalse(connection.isInTransaction)
    }

    func testRowsStreamOneByOneAndAStopLeavesTheConnectionUsable() throws {
        try connection.copy("COPY people (name, age) FROM STDIN", rows: (0..<10_000).map { [.text("p\($0)"), .integer(Int64($0))] })
        var sum = 0
        try connection.forEachRow("SELECT age FROM people WHERE age >= $1", [0]) { row in sum += row.int(0) ?? 0 }
        XCTAssertEqual(sum, (0..<10_000).reduce(0, +))
        struct Enough: Error {}
        var seen = 0
        XCTAssertThrowsError(try connection.forEachRow("SELECT age FROM people", []) { _ in
            seen += 1
            if seen == 10 { throw Enough() }
        }) { XCTAssertTrue($0 is Enough) }
        XCTAssertEqual(seen, 10)
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM people"), 10_000)
    }

    // MARK: Migrations and the pool

    func testMigrationsRunOnceEvenWhenProcessesStartTogether() throws {
        @Sendable func migrator(extra: Bool = false) -> PostgresMigrator {
            var migrator = PostgresMigrator(lockKey: 42)
            migrator.register("one") { try $0.execute("CREATE TABLE counted (n bigint)") }
            migrator.register("two") { try $0.execute("INSERT INTO counted VALUES (1)") }
            if extra { migrator.register("three") { try $0.execute("INSERT INTO counted VALUES (2)") } }
            return migrator
        }
        let url = database.url
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { try migrator().migrate(try PostgresConnection(url)) } catch { XCTFail("\(error)") }
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM counted"), 1)
        XCTAssertEqual(try PostgresMigrator.appliedIdentifiers(connection), ["one", "two"])
        try migrator(extra: true).migrate(connection)
        XCTAssertEqual(try PostgresMigrator.appliedIdentifiers(connection), ["one", "two", "three"])
        // An older Kette meets a database a newer one migrated: refused, nothing changed.
        XCTAssertThrowsError(try migrator().migrate(connection)) { error in
            XCTAssertEqual((error as! PostgresError).code, .objectNotInPrerequisiteState)
            XCTAssertTrue("\(error)".contains("three"))
        }
    }
}
