import Foundation
import XCTest
@testable import KetteClient
import KetteProtocol
import KetteServer
import KetteStore
import KetteTestSupport

/// SPEC §8.1: the server and the client apply the same merge function. The same versions of an
/// offer's fields are fed to the server (as pushed change sets) and to a client (as pulled pages)
/// in every order; every order must leave both stores holding the same versions.
final class MergeAgreementTests: XCTestCase {
    /// Five versions of two fields from three replicas: edit chains, a concurrent edit, an equal
    /// millisecond decided by the counter and one decided by the replica id.
    func versions() -> [(field: String, value: FieldValue, hlc: HLCTimestamp, base: HLCTimestamp?)] {
        func stamp(_ ms: Int64, _ counter: UInt16, _ replica: String) -> HLCTimestamp {
            HLCTimestamp(physicalMilliseconds: 1_763_900_000_000 + ms, counter: counter, replica: ReplicaID(rawValue: replica))
        }
        let t1 = stamp(10, 0, "aaaa"), t2 = stamp(20, 0, "bbbb"), t3 = stamp(20, 1, "aaaa")
        let l1 = stamp(15, 0, "cccc"), l2 = stamp(15, 0, "dddd")
        return [("title", .string("Elterncafé"), t1, nil),
                ("title", .string("Elterncafé Nord"), t2, t1),
                ("title", .string("Familiencafé"), t3, t1),  // concurrent with t2, newer by its counter
                ("location", .string("Rathaus"), l1, nil),
                ("location", .string("Schule"), l2, nil)]  // same millisecond and counter: the replica id decides
    }

    func testServerAndClientMergeTheSameVersionsAlikeInEveryOrder() throws {
        let directory = try makeTemporaryDirectory("merge")
        let server = try ServerStore(path: directory + "/server.db", now: { 1_763_900_060_000 })
        try server.addDistrict(id: "nordstadt", name: "Nordstadt")
        let county = Identity(user: "kreis", role: .county, districts: [])
        try LocalStore.create(directory: directory + "/client", name: "Anna")
        let client = try LocalStore(directory: directory + "/client")
        try client.database.execute("PRAGMA synchronous = OFF")  // 600 page merges; durability is not what is tested

        let all = versions()
        let placement = HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 0, replica: ReplicaID(rawValue: "aaaa"))
        let orders = permutations(Array(all.indices))
        XCTAssertEqual(orders.count, 120)
        var outcomes = Set<[String]>()
        for (number, order) in orders.enumerated() {
            let id = "offer-\(number)"
            let district = Change(recordType: .offer, recordID: id, field: "district", value: .string("nordstadt"), hlc: placement, base: nil)
            let changes = order.map { all[$0] }.map {
                Change(recordType: .offer, recordID: id, field: $0.field, value: $0.value, hlc: $0.hlc, base: $0.base)
            }
            // The server: one change set per version, in this order.
            let sets = changes.enumerated().map { index, change in
                ChangeSet(id: "\(id)-\(index)", replica: change.hlc.replica, author: nil, summary: "edit", changes: [district, change])
            }
            let results = try server.push(PushRequest(changeSets: sets), by: county).results
            XCTAssertFalse(results.contains { $0.status == .refused }, "\(results)")
            // The client: one pulled page per version, in the same order.
            for (index, change) in ([district] + changes).enumerated() {
                _ = try client.mergePulledPage(PullPage(changes: [PulledChange(seq: Int64(index + 1), change: change, author: "x")],
                                                        cursor: Int64(index + 1), more: false, serverTime: 0))
            }
            let onServer = try serverVersions(directory + "/server.db", id: id)
            let onClient = try clientVersions(client, id: id)
            XCTAssertEqual(onServer, onClient, "order \(order): server and client disagree")
            outcomes.insert(onServer)
        }
        XCTAssertEqual(outcomes.count, 1, "the arrival order changed the outcome: \(outcomes)")
        let expected = ["district|\(placement.encoded)|\"nordstadt\"",
                        "location|\(all[4].hlc.encoded)|\"Schule\"",
                        "title|\(all[2].hlc.encoded)|\"Familiencafé\""]
        XCTAssertEqual(outcomes.first, expected)
    }

    /// The merge rule's one exception reaches the client's pull: a redacted rewrite replaces the
    /// same version, never a newer one.
    func testTheClientTakesARedactedRewriteOfTheSameVersionOnly() throws {
        let directory = try makeTemporaryDirectory("merge")
        try LocalStore.create(directory: directory, name: "Anna")
        let client = try LocalStore(directory: directory)
        let held = HLCTimestamp(physicalMilliseconds: 1_000, counter: 0, replica: ReplicaID(rawValue: "aaaa"))
        let newer = HLCTimestamp(physicalMilliseconds: 2_000, counter: 0, replica: ReplicaID(rawValue: "bbbb"))
        func page(_ id: String, _ value: String, _ hlc: HLCTimestamp, redacted: Bool) -> PullPage {
            PullPage(changes: [PulledChange(seq: 1, change: Change(recordType: .attendee, recordID: id, field: "name", value: .string(value), hlc: hlc, base: nil),
                                            author: nil, redacted: redacted)], cursor: 1, more: false, serverTime: 0)
        }
        _ = try client.mergePulledPage(page("a1", "Ali Öztürk", held, redacted: false))
        _ = try client.mergePulledPage(page("a2", "Ali Ö.", newer, redacted: false))
        _ = try client.mergePulledPage(page("a1", "[gelöscht]", held, redacted: true))
        _ = try client.mergePulledPage(page("a2", "[gelöscht]", held, redacted: true))
        XCTAssertEqual(try client.database.scalarString("SELECT name FROM attendees WHERE id = 'a1'"), "[gelöscht]")
        XCTAssertEqual(try client.database.scalarString("SELECT name FROM attendees WHERE id = 'a2'"), "Ali Ö.")
    }

    func serverVersions(_ path: String, id: String) throws -> [String] {
        try ServerDatabaseInspector(path).rows("SELECT field, hlc, value FROM field_state WHERE record_type = 'offer' AND record_id = ? ORDER BY field", [id])
            .map { "\($0.string(0)!)|\($0.string(1)!)|\($0.string(2)!)" }
    }

    func clientVersions(_ store: LocalStore, id: String) throws -> [String] {
        try store.database.rows("SELECT field, hlc FROM field_versions WHERE record_type = 'offer' AND record_id = ? ORDER BY field", [id]).map { row in
            let field = row.string(0)!
            let column = RecordType.offer.field(named: field)!.column
            let value = try store.database.scalarString("SELECT \(column) FROM offers WHERE id = ?", [id])
            return "\(field)|\(row.string(1)!)|\(FieldValue.string(value ?? "").jsonText)"
        }
    }

    func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index -> [[Int]] in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }
}
