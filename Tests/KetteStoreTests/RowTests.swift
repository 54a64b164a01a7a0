import Foundation
import XCTest
@testable import KetteStore

/// Rows read by column name, as GRDB's `Row` reads them: by name in any ASCII case, cheaply.
final class RowTests: XCTestCase {
    var path: String!

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kette-row-\(UUID().uuidString).db").path
    }

    override func tearDownWithError() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func testRowsReadByColumnNameInAnyCaseWithTheLeftmostOfEqualNamesWinning() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE offers (id TEXT, title TEXT, district TEXT)")
        try db.execute("INSERT INTO offers VALUES (?, ?, ?)", ["o1", "Sprachkita", nil])
        let row = try XCTUnwrap(try db.firstRow("SELECT id, title, district, 41 + 1 AS answer, title AS Title FROM offers"))
        XCTAssertEqual(row.string("title"), "Sprachkita")
        XCTAssertEqual(row.string("TITLE"), "Sprachkita", "names match as SQLite matches identifiers")
        XCTAssertEqual(row.int("Answer"), 42)
        XCTAssertEqual(row["district"], DatabaseValue.null, "a NULL column is there, holding NULL")
        XCTAssertNil(row.string("district"))
        XCTAssertNil(row["distrikt"], "a column the statement does not return is nil, not NULL")
        XCTAssertFalse(row.hasColumn("distrikt"))
        XCTAssertEqual(row.columns.names, ["id", "title", "district", "answer", "Title"])
        XCTAssertEqual(row.columns.index(of: "title"), 1, "the leftmost of two equal names wins")
        XCTAssertEqual(row.columns.sql, "SELECT id, title, district, 41 + 1 AS answer, title AS Title FROM offers")
    }

    func testColumnNamesAreLookedUpOncePerStatementNotPerRow() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (n INTEGER)")
        for n in 1...3 { try db.execute("INSERT INTO t VALUES (?)", [n]) }
        let rows = try db.rows("SELECT n FROM t ORDER BY n")
        XCTAssertEqual(rows.map { $0.int("n") }, [1, 2, 3])
        XCTAssertTrue(rows.allSatisfy { $0.columns === rows[0].columns }, "every row shares its statement's column index")
        let again = try db.rows("SELECT n FROM t ORDER BY n")
        XCTAssertTrue(again[0].columns === rows[0].columns, "a cached statement keeps its column index")
        // A schema change re-prepares the statement with more columns: the index follows.
        try db.execute("CREATE TABLE u (a INTEGER, b INTEGER)")
        try db.execute("INSERT INTO u VALUES (1, 2)")
        XCTAssertEqual(try db.firstRow("SELECT * FROM u")?.columns.names, ["a", "b"])
        try db.execute("ALTER TABLE u ADD COLUMN c INTEGER")
        let widened = try XCTUnwrap(try db.firstRow("SELECT * FROM u"))
        XCTAssertEqual(widened.columns.names, ["a", "b", "c"])
        XCTAssertEqual(widened["c"], DatabaseValue.null)
    }

    func testARealOutsideIntsRangeReadsAsNoNumberInsteadOfTrapping() throws {
        let db = try Database(path: path)
        let row = try XCTUnwrap(try db.firstRow("SELECT 1e300 AS huge, -1e300 AS tiny, 12.9 AS fraction, 'x' AS word"))
        XCTAssertNil(row.int("huge"))
        XCTAssertNil(row.int("tiny"))
        XCTAssertEqual(row.int("fraction"), 12, "towards zero, as before")
        XCTAssertNil(row.int("word"))
    }
}
