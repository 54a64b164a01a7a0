import Foundation
import KetteProtocol
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest
@testable import KetteServer

/// Moving a SQLite county to PostgreSQL copies every table row for row, with the pull sequence
/// where it stood, and never into a database that holds data already.
final class CountyMoveTests: XCTestCase {
    func testEveryRowArrivesAsItWasWithTheSequenceWhereItStood() throws {
        let server = try makeCounty()
        let database = try makePostgresDatabase()
        let summary = try CountyMove.copy(from: server.path, to: database.url)

        let source = try Database(path: server.path)
        let target = try PostgresConnection(database.url)
        for table in CountyMove.tables {
            let columns = table.columns.joined(separator: ", ")
            let order = "ORDER BY " + (1...table.columns.count).map(String.init).joined(separator: ", ")
            let expected = try source.rows("SELECT \(columns) FROM \(table.name) \(table.filter) \(order)").map(\.values)
            let copied = try target.rows("SELECT \(columns) FROM \(table.name) \(order)").map(\.values)
            XCTAssertEqual(copied, expected, table.name)
            XCTAssertEqual(summary.rows[table.name], expected.count, table.name)
        }
        XCTAssertGreaterThan(summary.rows["field_state"] ?? 0, 5)
        XCTAssertGreaterThan(try target.scalarInt("SELECT count(*) FROM record_scope WHERE record_type = 'conflict'") ?? 0, 0,
                             "the county had a conflict to move")
        // The anti-entropy state (SPEC §16) moves too: digests, a scope exit, parents, change sets.
        XCTAssertGreaterThan(summary.rows["scope_digests"] ?? 0, 0)
        XCTAssertEqual(summary.rows["scope_exits"], 1, "o2 left nordstadt")
        XCTAssertEqual(try target.firstRow("SELECT parent_type, parent_id FROM record_scope WHERE record_id = 'i1'")?.values,
                       [.text("offer"), .text("o1")])
        XCTAssertEqual(try target.scalarString("SELECT change_set FROM field_state WHERE record_id = 'o3' AND field = 'title'"), "cs-4")
        XCTAssertEqual(try target.scalarString("SELECT value FROM server_meta WHERE key = 'database'"), try server.store.databaseID(),
                       "the moved county keeps its database id, so clients' cursors continue")
        let sequence = Int64(try source.scalarInt("SELECT value FROM server_meta WHERE key = 'seq'") ?? -1)
        XCTAssertEqual(summary.sequence, sequence)
        XCTAssertEqual(try PostgresServerSchema.pullSequence.newest(in: target), sequence)
        XCTAssertEqual(try PostgresServerSchema.auditSequence.newest(in: target),
                       Int64(try source.scalarInt("SELECT max(seq) FROM audit_log") ?? -1))
    }

    func testATargetWithDataIsRefusedAndKeepsItsData() throws {
        let server = try makeCounty()
        let database = try makePostgresDatabase()
        _ = try CountyMove.copy(from: server.path, to: database.url)
        let target = try PostgresConnection(database.url)
        let users = try target.scalarInt("SELECT count(*) FROM users")
        XCTAssertThrowsError(try CountyMove.copy(from: server.path, to: database.url)) { error in
            guard case .targetNotEmpty(let table) = error as? CountyMove.Problem else { return XCTFail("\(error)") }
            XCTAssertEqual(table, "server_meta")
            XCTAssertTrue("\(error)".contains("empty database"), "\(error)")
        }
        XCTAssertEqual(try target.scalarInt("SELECT count(*) FROM users"), users)
    }

    /// A table or column the SQLite server gains must be moved too.
    func testEveryServerTableIsMoved() throws {
        let server = try makeCounty()
        let source = try Database(path: server.path)
        let tables = try source.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'")
            .compactMap { $0.string(0) }
        XCTAssertEqual(Set(tables), Set(CountyMove.tables.map(\.name)))
        for table in CountyMove.tables {
            let columns = try source.rows("SELECT name FROM pragma_table_info(?)", [table.name]).compactMap { $0.string(0) }
            XCTAssertEqual(Set(columns), Set(table.columns), "the columns of \(table.name)")
        }
    }

    /// Two districts, three users (one revoked), offers in both districts, a conflict, an
    /// indicator of an offer, an offer that moved to the other district, and the audit log of all
    /// of it.
    private func makeCounty() throws -> TestServerStore {
        let server = try makeServerStore(districts: [.nordstadt, .suedstadt],
                                         users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "nordstadt"), .county("kreis")],
                                         backend: .sqlite)
        let start = TestClock.start
        func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
            HLCTimestamp(physicalMilliseconds: start + offset, counter: 0, replica: ReplicaID(rawValue: replica))
        }
        func offer(_ set: String, _ id: String, _ district: String, _ title: String, _ hlc: HLCTimestamp, base: HLCTimestamp?) -> ChangeSet {
            ChangeSet(id: set, replica: hlc.replica, author: nil, summary: "offer", changes: [
                Change(recordType: .offer, recordID: id, field: "title", value: .string(title), hlc: hlc, base: base),
                Change(recordType: .offer, recordID: id, field: "district", value: .string(district), hlc: hlc, base: nil),
            ])
        }
        let first = stamp(1, "aaaa")
        _ = try server.store.push(PushRequest(changeSets: [offer("cs-1", "o1", "nordstadt", "Elterncafé\tmit Tab", first, base: nil),
                                                          offer("cs-2", "o2", "nordstadt", "Sprachkurs\n„Deutsch“", stamp(2, "aaaa"), base: nil)]),
                                  by: try server.identity("anna"))
        // bert edits o1's title without having seen anna's version: a conflict.
        _ = try server.store.push(PushRequest(changeSets: [offer("cs-3", "o1", "nordstadt", "Elterntreff", stamp(3, "bbbb"), base: nil)]),
                                  by: try server.identity("bert"))
        _ = try server.store.push(PushRequest(changeSets: [offer("cs-4", "o3", "suedstadt", "Jugendtreff \\ Süd", stamp(4, "kkkk"), base: nil)]),
                                  by: try server.identity("kreis"))
        let indicator = ChangeSet(id: "cs-5", replica: ReplicaID(rawValue: "kkkk"), author: nil, summary: "indicator", changes: [
            Change(recordType: .indicator, recordID: "i1", field: "offer", value: .string("o1"), hlc: stamp(5, "kkkk"), base: nil),
            Change(recordType: .indicator, recordID: "i1", field: "period", value: .string("2026-Q1"), hlc: stamp(5, "kkkk"), base: nil),
        ])
        let moved = ChangeSet(id: "cs-6", replica: ReplicaID(rawValue: "kkkk"), author: nil, summary: "offer", changes: [
            Change(recordType: .offer, recordID: "o2", field: "district", value: .string("suedstadt"), hlc: stamp(6, "kkkk"), base: stamp(2, "aaaa")),
        ])
        _ = try server.store.push(PushRequest(changeSets: [indicator, moved]), by: try server.identity("kreis"))
        try server.store.revokeUser(name: "bert")
        _ = try server.store.pullPage(after: 0, limit: 100, for: try server.identity("kreis"))
        try server.store.flushAuditReads()
        return server
    }
}
