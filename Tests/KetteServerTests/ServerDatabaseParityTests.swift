import Foundation
import KetteProtocol
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest
@testable import KetteServer

/// The server's one storage code path (`ServerDatabase`) on both backends: the same pushes,
/// applied by the same code to a SQLite county and to its PostgreSQL copy, leave every table row
/// for row alike, and every user's pull pages are the same bytes on both.
final class ServerDatabaseParityTests: XCTestCase {
    private var sqlite: TestServerStore!
    private var postgres: PostgresServerDatabase!

    override func setUpWithError() throws {
        try super.setUpWithError()
        sqlite = try makeServerStore(districts: [.nordstadt, .suedstadt],
                                     users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "nordstadt"), .county("kreis")], backend: .sqlite)
        let database = try makePostgresDatabase()
        _ = try CountyMove.copy(from: sqlite.path, to: database.url)
        postgres = PostgresServerDatabase(try PostgresConnection(database.url))
    }

    override func tearDown() {
        postgres = nil
        sqlite = nil
        super.tearDown()
    }

    func testTheSamePushesLeaveTheSameStateAndPagesOnBothBackends() throws {
        for (user, changeSets) in Self.pushes {
            let request = PushRequest(changeSets: changeSets)
            let identity = try sqlite.identity(user)
            let onSQLite = try sqlite.store.push(request, by: identity).results
            let onPostgres = try postgres.connection.inTransaction { _ in
                try ServerStore.apply(request, by: identity, at: TestClock.start, in: postgres)
            }
            XCTAssertEqual(onPostgres, onSQLite, "the answers to \(user)'s push")
        }
        XCTAssertTrue(Self.pushes.contains { $0.changeSets.contains { $0.id == "cs-1" } }, "a retried change set is among the pushes")

        try assertSameTables()
        let sequence = try XCTUnwrap(try sqlite.store.connections.read { db in try db.newestPullSequence() })
        XCTAssertGreaterThan(sequence, 10)
        XCTAssertEqual(try postgres.newestPullSequence(), sequence)

        for user in ["anna", "bert", "kreis"] {
            XCTAssertEqual(try pages(for: user, on: postgres), try sqlite.store.connections.read { db in try pages(for: user, on: db) }, user)
        }
    }

    /// Every table the move copies, compared row for row; the audit log is left out (each push on
    /// SQLite adds an entry, the PostgreSQL side writes none yet).
    private func assertSameTables() throws {
        let source = try Database(path: sqlite.path)
        for table in CountyMove.tables where table.name != "audit_log" {
            let columns = table.columns.joined(separator: ", ")
            let order = "ORDER BY " + (1...table.columns.count).map(String.init).joined(separator: ", ")
            let expected = try source.rows("SELECT \(columns) FROM \(table.name) \(table.filter) \(order)").map(\.values)
            let actual = try postgres.connection.rows("SELECT \(columns) FROM \(table.name) \(order)").map(\.values)
            XCTAssertEqual(actual, expected, table.name)
        }
        XCTAssertEqual(try source.scalarInt("SELECT count(*) FROM scope_exits"), 2, "o2 left nordstadt with its indicator")
        XCTAssertGreaterThan(try source.scalarInt("SELECT count(*) FROM record_scope WHERE record_type = 'conflict'") ?? 0, 0)
    }

    /// Every page `user` pulls from 0, three entries a page, each page read in one snapshot.
    private func pages(for user: String, on db: any ServerDatabase) throws -> [String] {
        let identity = try sqlite.identity(user)
        var cursor: Int64 = 0
        var pages: [String] = []
        for _ in 0..<50 {
            let read = { (db: any ServerDatabase) in
                try ServerStore.pullPage(after: cursor, limit: 3, for: identity, schema: ChangeSet.currentSchemaVersion, at: TestClock.start, in: db)
            }
            let page = try (db as? PostgresServerDatabase).map { pg in try pg.connection.inTransaction(.repeatableRead, readOnly: true) { _ in try read(pg) } }
                ?? read(db)
            pages.append(String(decoding: page.json, as: UTF8.self))
            let decoded = try JSONDecoder().decode(PullPage.self, from: Data(page.json))
            cursor = decoded.cursor
            if !decoded.more { return pages }
        }
        XCTFail("\(user)'s pull did not end")
        return pages
    }

    /// Offers in both districts, a conflict (bert did not see anna's title), an indicator, an
    /// offer moving to the other district (a scope exit and a resend), a refusal (a coordinator
    /// writing outside her district) and a retried change set.
    private static let pushes: [(user: String, changeSets: [ChangeSet])] = {
        func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
            HLCTimestamp(physicalMilliseconds: TestClock.start + offset, counter: 0, replica: ReplicaID(rawValue: replica))
        }
        func offer(_ set: String, _ id: String, _ district: String, _ title: String, _ hlc: HLCTimestamp) -> ChangeSet {
            ChangeSet(id: set, replica: hlc.replica, author: nil, summary: "offer", changes: [
                Change(recordType: .offer, recordID: id, field: "title", value: .string(title), hlc: hlc, base: nil),
                Change(recordType: .offer, recordID: id, field: "district", value: .string(district), hlc: hlc, base: nil),
            ])
        }
        let first = offer("cs-1", "o1", "nordstadt", "Elterncafé", stamp(1, "aaaa"))
        // What COPY's text format must escape (tab, line breaks, backslash, its NULL marker),
        // beside text it copies whole.
        var second = offer("cs-2", "o2", "nordstadt", "Sprachkurs", stamp(2, "aaaa"))
        second.changes.append(Change(recordType: .offer, recordID: "o2", field: "description",
                                     value: .string("Zeile 1\nZeile 2\tmit Tab \\ und \\N, Ölmühle 🌳\r\n"), hlc: stamp(2, "aaaa"), base: nil))
        let indicator = ChangeSet(id: "cs-5", replica: ReplicaID(rawValue: "kkkk"), author: nil, summary: "indicator", changes: [
            Change(recordType: .indicator, recordID: "i1", field: "offer", value: .string("o2"), hlc: stamp(5, "kkkk"), base: nil),
            Change(recordType: .indicator, recordID: "i1", field: "period", value: .string("2026-Q1"), hlc: stamp(5, "kkkk"), base: nil),
        ])
        let moved = ChangeSet(id: "cs-6", replica: ReplicaID(rawValue: "kkkk"), author: nil, summary: "offer", changes: [
            Change(recordType: .offer, recordID: "o2", field: "district", value: .string("suedstadt"), hlc: stamp(6, "kkkk"), base: stamp(2, "aaaa")),
        ])
        return [
            ("anna", [first, second]),
            ("bert", [offer("cs-3", "o1", "nordstadt", "Elterntreff", stamp(3, "bbbb")),
                      offer("cs-4", "o4", "suedstadt", "Nicht meins", stamp(4, "bbbb"))]),
            ("kreis", [indicator, moved]),
            ("anna", [first]),
        ]
    }()
}
