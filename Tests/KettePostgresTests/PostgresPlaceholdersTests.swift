import KettePostgres
import XCTest

/// SQLite's placeholders in PostgreSQL's numbering, and nothing else touched.
final class PostgresPlaceholdersTests: XCTestCase {
    func testQuestionMarksAreNumberedInOrderOutsideQuotes() {
        XCTAssertEqual(PostgresPlaceholders.numbered(#"SELECT ?, '?', "a?" FROM t WHERE x = ? AND y = 'it''s?'"#),
                       #"SELECT $1, '?', "a?" FROM t WHERE x = $2 AND y = 'it''s?'"#)
        XCTAssertEqual(PostgresPlaceholders.numbered("SELECT 1"), "SELECT 1")
    }

    func testNumberedPlaceholdersKeepTheirNumbers() {
        XCTAssertEqual(PostgresPlaceholders.numbered("w = ?1 AND l = ?2 OR w = ?2 AND l = ?10"), "w = $1 AND l = $2 OR w = $2 AND l = $10")
    }
}
