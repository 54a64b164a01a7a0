import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// `ServerStore.erase(person:)` on a real SQLite file: what it matches, how it re-sends what it
/// rewrote, and that no byte of the name stays in the file or its WAL.
final class ErasureTests: XCTestCase {
    var path: String!
    var store: ServerStore!
    var tokens: [String: String] = [:]
    let serverNow = TestClock.start
    let canary = "Zacharias Quellenfeld"

    override func setUpWithError() throws {
        let server = try makeServerStore(users: [.coordinator("anna", "nordstadt")], now: TestClock(milliseconds: serverNow).now)
        (store, tokens, path) = (server.store, server.tokens, server.path)
    }

    override func tearDownWithError() throws {
        store = nil
    }

    func identity(_ user: String) throws -> Identity {
        try XCTUnwrap(store.authenticate(token: tokens[user]!))
    }

    func stamp(_ offset: Int64, _ replica: String) -> HLCTimestamp {
        HLCTimestamp(physicalMilliseconds: serverNow + offset, counter: 0, replica: ReplicaID(rawValue: replica))
    }

    func offer(_ setID: String, _ offer: String, title: String, at hlc: HLCTimestamp, base: HLCTimestamp? = nil, by user: String) throws {
        let set = ChangeSet(id: setID, replica: hlc.replica, author: nil, summary: "offer", changes: [
            Change(recordType: .offer, recordID: offer, field: "title", value: .string(title), hlc: hlc, base: base),
            Change(recordType: .offer, recordID: offer, field: "district", value: .string("nordstadt"), hlc: hlc, base: nil),
        ])
        let response = try store.push(PushRequest(changeSets: [set]), by: identity(user))
        XCTAssertNotEqual(response.results.first?.status, .refused, "\(response.results)")
    }

    func pull(after cursor: Int64) throws -> PullPage {
        try PullPage.decode(json: store.pullPage(after: cursor, limit: 5000, for: identity("anna")))
    }

    static func occurrences(of needle: String, in path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let lower = { (byte: UInt8) -> UInt8 in (65...90).contains(byte) ? byte + 32 : byte }
        let haystack = data.map(lower), pattern = Array(needle.utf8).map(lower)
        var count = 0
        for index in 0...(max(0, haystack.count - pattern.count)) where haystack.count >= pattern.count
            && haystack[index] == pattern[0] && Array(haystack[index..<index + pattern.count]) == pattern {
            count += 1
        }
        return count
    }

    func testANameIsMatchedIgnoringCaseAndSpacingAndRefusedWhenTooShort() throws {
        let name = try PersonName(canary)
        XCTAssertEqual(name.redact("Bericht von zacharias\n  QUELLENFELD und Anna"), "Bericht von [gelöscht] und Anna")
        XCTAssertEqual(name.redact("Zacharias Quellenfelds Bericht"), "[gelöscht]s Bericht", "inside longer words too")
        XCTAssertNil(name.redact("Zacharias Müller, Frau Quellenfeld"))
        XCTAssertEqual(name.redact(.list(["Kita", "Zacharias Quellenfeld"])), .list(["Kita", "[gelöscht]"]))
        XCTAssertNil(name.redact(.integer(3)))
        // Pattern characters in a name are taken literally.
        XCTAssertEqual(try PersonName("Dr. M. (Max) Mü$ller").redact("mit dr. m. (max) mü$ller"), "mit [gelöscht]")
        XCTAssertNil(try PersonName("Dr. M. (Max) Mü$ller").redact("Dr  M  (Max) Müller"))
        for tooShort in [" a ", ""] {
            XCTAssertThrowsError(try PersonName(tooShort), tooShort) { error in
                guard case .invalid(let message) = error as? AdminError else { return XCTFail("\(error)") }
                XCTAssertTrue(message.hasPrefix("--person needs the name to erase, 3 to 200 characters"), message)
            }
        }
    }

    func testRewrittenVersionsComeAgainMarkedRedactedWithTheirStampsAndNothingElseDoes() throws {
        // A user with the name: the versions they wrote lose it as their author.
        tokens["zq"] = try store.addUser(name: canary, role: .coordinator, districts: ["nordstadt"])
        try offer("s1", "o1", title: "Sprechstunde mit \(canary)", at: stamp(1, "aa"), by: "anna")
        try offer("s2", "o2", title: "Elterncafé", at: stamp(2, "aa"), by: "zq")
        // Two concurrent edits: the conflict entry holds both texts.
        try offer("s3", "o1", title: "Sprechstunde (\(canary))", at: stamp(3, "bb"), base: stamp(1, "aa"), by: "anna")
        try offer("s4", "o1", title: "Sprechstunde bei \(canary.uppercased())", at: stamp(4, "cc"), base: stamp(1, "aa"), by: "anna")
        let before = try pull(after: 0)
        XCTAssertTrue(before.changes.contains { $0.change.recordType == .conflict })

        let report = try store.erase(person: "zacharias quellenfeld")
        // o1's title and the conflict's two values; o2 only by its author; the user account stays.
        XCTAssertEqual(report.fieldVersions, 3)
        XCTAssertEqual(report.records, 2)
        XCTAssertEqual(report.authoredVersions, 2)
        XCTAssertEqual(report.changeSets, 1)
        XCTAssertEqual(report.userAccounts, 1)
        XCTAssertTrue(report.walTruncated)

        let after = try pull(after: before.cursor)
        XCTAssertEqual(after.changes.count, 5, "\(after.changes.map { "\($0.change.recordType) \($0.change.field)" })")
        XCTAssertTrue(after.changes.allSatisfy(\.redacted))
        let title = try XCTUnwrap(after.changes.first { $0.change.recordID == "o1" && $0.change.field == "title" })
        let old = try XCTUnwrap(before.changes.first { $0.change.recordID == "o1" && $0.change.field == "title" })
        XCTAssertEqual(title.change.hlc, old.change.hlc, "the same write, rewritten")
        XCTAssertEqual(title.change.base, old.change.base)
        XCTAssertEqual(title.change.value, .string("Sprechstunde bei [gelöscht]"))
        XCTAssertEqual(after.changes.filter { $0.change.recordID == "o2" }.map(\.author), [PersonName.marker, PersonName.marker])
        // The whole history pulled from 0 holds the marker, never the name.
        let everything = try store.pullPage(after: 0, limit: 5000, for: identity("anna"))
        XCTAssertFalse(String(decoding: everything, as: UTF8.self).lowercased().contains("quellenfeld"))
        // The wire form: present only when true.
        XCTAssertTrue(String(decoding: everything, as: UTF8.self).contains(#""redacted":true"#))
        XCTAssertFalse(String(decoding: try store.pullPage(after: 0, limit: 1, for: identity("anna")), as: UTF8.self).contains("redacted"))

        // A later write of a rewritten field is an ordinary version again: were it still marked,
        // its own author would take it back as a rewrite (and scrub its store) on every pull.
        try offer("s5", "o1", title: "Sprechstunde", at: stamp(5, "aa"), base: stamp(4, "cc"), by: "anna")
        let later = try pull(after: after.cursor)
        XCTAssertEqual(later.changes.map(\.change.field).sorted(), ["district", "title"])
        XCTAssertFalse(later.changes.contains(where: \.redacted))
    }

    func testOverwrittenValuesAreScrubbedFromFreePagesAndTheWAL() throws {
        // The name only in values that were overwritten: the live rows no longer hold it, freed
        // cells and old WAL frames do until the erasure rewrites the file. Debian's SQLite zeroes
        // freed cells (built with SECURE_DELETE); others do not, as with this setting.
        try store.writer.read { db in try db.execute("PRAGMA secure_delete = OFF") }
        let long = String(repeating: "Protokoll von \(canary). ", count: 40)
        for index in 0..<20 {
            try offer("a\(index)", "o\(index)", title: long, at: stamp(Int64(index * 10 + 1), "aa"), by: "anna")
        }
        for index in 0..<20 {
            try offer("b\(index)", "o\(index)", title: "Angebot \(index)", at: stamp(Int64(index * 10 + 2), "aa"), base: stamp(Int64(index * 10 + 1), "aa"), by: "anna")
        }
        let files = [path!, path + "-wal"]
        XCTAssertGreaterThan(Self.occurrences(of: canary, in: path + "-wal"), 0, "the old values should linger in the WAL")
        // Checkpointed, they linger in the database file's freed cells and pages.
        try Database(path: path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        XCTAssertGreaterThan(Self.occurrences(of: canary, in: path), 0, "the old values should linger in the file")
        let report = try store.erase(person: canary)
        XCTAssertEqual(report.fieldVersions, 0, "no live value holds the name")
        XCTAssertEqual(files.map { Self.occurrences(of: "quellenfeld", in: $0) }, [0, 0])
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: 43))
        XCTAssertEqual(try store.writer.read { db in try db.scalarInt("PRAGMA secure_delete") }, 0, "the connection's setting is restored")
    }
}
