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

    /// Pushes one change by anna.
    func push(_ setID: String, _ type: RecordType, _ id: String, _ field: String, _ value: FieldValue, at hlc: HLCTimestamp,
              base: HLCTimestamp? = nil) throws {
        let set = ChangeSet(id: setID, replica: hlc.replica, author: nil, summary: "edit", changes: [
            Change(recordType: type, recordID: id, field: field, value: value, hlc: hlc, base: base),
        ])
        let response = try store.push(PushRequest(changeSets: [set]), by: identity("anna"))
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
                XCTAssertTrue(message.english.hasPrefix("--person needs the name to erase, 3 to 200 characters"), message.english)
            }
        }
    }

    /// The spellings a name really arrives in (issue 12, point 10), each found by the erasure of
    /// the name as typed: decomposed umlauts pasted from a PDF, the Turkish dotted capital İ and
    /// dotless ı, any white space, and white space or letters written as JSON escapes.
    func testEverySpellingOfANameIsFound() throws {
        let juergen = try PersonName("Jürgen Müller")  // typed: precomposed ü (NFC)
        XCTAssertEqual(juergen.redact("mit Ju\u{308}rgen Mu\u{308}ller (Jugendamt)"), "mit [gelöscht] (Jugendamt)", "pasted as NFD")
        XCTAssertEqual(juergen.redact("JÜRGEN MÜLLER"), "[gelöscht]")
        XCTAssertEqual(juergen.redact(#"J\u00fcrgen M\u00fcller"#), "[gelöscht]", "umlauts as JSON escapes")
        XCTAssertEqual(try PersonName("Ju\u{308}rgen Mu\u{308}ller").redact("Frau Jürgen Müller"), "Frau [gelöscht]", "typed as NFD")
        XCTAssertNil(juergen.redact("Jurgen Muller"), "an umlaut is not its plain letter")

        let ali = try PersonName("Ali Öztürk")
        for spelling in ["ALİ ÖZTÜRK", "alı öztürk", "ALI ÖZTÜRK", "AL\u{130} O\u{308}ZTU\u{308}RK", "ALI\u{307} ÖZTÜRK"] {
            XCTAssertEqual(ali.redact("Leitung: \(spelling)."), "Leitung: [gelöscht].", spelling)
        }
        XCTAssertEqual(try PersonName("ALİ ÖZTÜRK").redact("Ali Öztürk"), "[gelöscht]", "and the other way round")
        XCTAssertEqual(try PersonName("Jens Strauß").redact("JENS STRAUSS"), "[gelöscht]", "full case folding: ß is ss")

        let zacharias = try PersonName(canary)
        for (spelling, why) in [("Zacharias\u{A0}Quellenfeld", "no-break space"), ("Zacharias\tQuellenfeld", "tab"),
                                ("Zacharias\r\n  Quellenfeld", "line break"), ("Zacharias\u{2009}Quellenfeld", "thin space"),
                                ("Zacharias\u{200B}Quellenfeld", "zero-width space"), ("Zacharias Quellen\u{AD}feld", "soft hyphen"),
                                (#"Zacharias\nQuellenfeld"#, "JSON \\n"), (#"Zacharias\tQuellenfeld"#, "JSON \\t"),
                                (#"Zacharias\u00a0Quellenfeld"#, "JSON \\u00a0"), (#"Zacharias\\nQuellenfeld"#, "JSON text in JSON text")] {
            XCTAssertEqual(zacharias.redact("Protokoll: \(spelling) war da"), "Protokoll: [gelöscht] war da", why)
        }
        XCTAssertNil(zacharias.redact("ZachariasQuellenfeld"), "the words of a name need white space between them")

        // In JSON text the replaced characters lie inside a string, so the text stays JSON.
        let json = #"{"value":"Zacharias\nQUELLENFELD und J\u00fcrgen\u00a0M\u00fcller"}"#
        let redacted = try XCTUnwrap(zacharias.redact(json).flatMap { juergen.redact($0) })
        XCTAssertEqual(redacted, #"{"value":"[gelöscht] und [gelöscht]"}"#)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(redacted.utf8)))
    }

    /// Every spelling above, stored the way the server stores them (field values, list items,
    /// and the JSON text of a conflict's two values), is gone from the pulled history and from
    /// the raw bytes of the database and its WAL after the erasure of each name as typed.
    func testEverySpellingIsErasedFromFieldVersionsAndConflictValues() throws {
        let spellings = ["Ju\u{308}rgen Mu\u{308}ller", "ALİ ÖZTÜRK", "Zacharias\u{A0}Quellenfeld", #"Zacharias\u00a0Quellenfeld"#]
        for (index, spelling) in spellings.enumerated() {
            try offer("s\(index)", "o\(index)", title: "Sprechstunde mit \(spelling)", at: stamp(Int64(index), "aa"), by: "anna")
        }
        try push("list", .offer, "o0", "targetGroups", .list(["Eltern", "Familie JÜRGEN MU\u{308}LLER"]), at: stamp(10, "aa"))
        // Two concurrent edits of a title with a line break (and a tab) between the names: the
        // conflict entry keeps both values as JSON text, where the break is the two characters \n.
        try offer("m1", "o9", title: "Protokoll", at: stamp(20, "aa"), by: "anna")
        try push("m2", .offer, "o9", "title", .string("Gast: Zacharias\nQuellenfeld, ALİ\nÖZTÜRK"), at: stamp(21, "bb"),
                 base: stamp(20, "aa"))
        try push("m3", .offer, "o9", "title", .string("Gäste: Zacharias\tQuellenfeld und Ju\u{308}rgen\nMu\u{308}ller"),
                 at: stamp(22, "cc"), base: stamp(20, "aa"))
        let conflictValues = try ServerDatabaseInspector(path)
            .rows("SELECT value FROM field_state WHERE record_type = 'conflict' AND field IN ('winnerValue', 'loserValue')").compactMap { $0.string(0) }
        XCTAssertEqual(conflictValues.count, 2, "the concurrent edits opened a conflict")
        XCTAssertTrue(conflictValues.allSatisfy { $0.contains(#"\\n"#) || $0.contains(#"\\t"#) }, "\(conflictValues)")
        let needles = ["Quellenfeld", "Mu\u{308}ller", "MU\u{308}LLER", "ÖZTÜRK"]
        // The file's bytes are SQLite's to check; PostgreSQL's pages are its own (SPEC §8.7).
        let sqliteFile = store.sqlite != nil
        if sqliteFile {
            try store.sqlite!.writer.read { db in try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
            XCTAssertTrue(needles.allSatisfy { Self.occurrences(of: $0, in: path) > 0 }, "every spelling is in the file before")
        }

        for name in ["Jürgen Müller", "Ali Öztürk", canary] { _ = try store.erase(person: name) }
        for file in sqliteFile ? [path!, path + "-wal"] : [] {
            for needle in needles { XCTAssertEqual(Self.occurrences(of: needle, in: file), 0, "\(needle) in \(file)") }
        }
        let history = String(decoding: try store.pullPage(after: 0, limit: 5000, for: identity("anna")), as: UTF8.self)
        for needle in needles + ["Zacharias", "Öztürk", "Jürgen"] { XCTAssertFalse(history.contains(needle), needle) }
        let stillConflicts = try ServerDatabaseInspector(path)
            .rows("SELECT value FROM field_state WHERE record_type = 'conflict' AND field IN ('winnerValue', 'loserValue')").compactMap { $0.string(0) }
        XCTAssertEqual(stillConflicts.filter { $0.contains(PersonName.marker) }.count, 2, "\(stillConflicts)")
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: Int64(try store.auditEntries().count)))
    }

    /// Change-set records and audit details: an account named in another spelling of the name
    /// pushed, so its name is the author of field versions, the user of a change-set record and
    /// the detail of the audit entry that made it. The erasure rewrites each of them (the audit
    /// entry signed anew, so the log still verifies) and keeps the account, as documented.
    func testChangeSetRecordsAndAuditDetailsLoseTheNameAndTheLogStillVerifies() throws {
        let account = "JU\u{308}RGEN MU\u{308}LLER"
        tokens[account] = try store.addUser(name: account, role: .coordinator, districts: ["nordstadt"])
        try offer("j1", "o1", title: "Elterncafé", at: stamp(1, "aa"), by: account)
        XCTAssertEqual(try store.auditEntries().filter { $0.detail.contains(account) }.count, 1)

        let report = try store.erase(person: "Jürgen Müller")
        XCTAssertEqual(report.authoredVersions, 2)
        XCTAssertEqual(report.changeSets, 1)
        XCTAssertEqual(report.auditDetails, 1)
        XCTAssertEqual(report.userAccounts, 1, "the account is counted, not renamed")
        XCTAssertEqual(try ServerDatabaseInspector(path).scalarString("SELECT user_name FROM change_sets WHERE id = 'j1'"), PersonName.marker)
        let entries = try store.auditEntries()
        XCTAssertEqual(entries.filter { $0.action == "user-add" }.map(\.detail).last, "\(PersonName.marker) (coordinator; nordstadt)")
        XCTAssertEqual(entries.last?.action, "erase")
        XCTAssertTrue(entries.last?.detail.hasSuffix("1 audit details") == true, entries.last?.detail ?? "")
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: Int64(entries.count)), "the rewritten entry and those after it are signed anew")
        // The log's protection is back: a plain UPDATE is refused again.
        XCTAssertThrowsError(try ServerDatabaseInspector(path).execute("UPDATE audit_log SET detail = 'x' WHERE seq = 1")) { error in
            XCTAssertTrue("\(error)".contains("the audit log is append-only"), "\(error)")
        }
    }

    /// An erasure does not sign an altered audit log anew, which would hide the alteration: it
    /// refuses and changes nothing.
    func testAnErasureRefusesToSignAnAlteredAuditLogAnew() throws {
        tokens["Zacharias Quellenfeld"] = try store.addUser(name: canary, role: .coordinator, districts: ["nordstadt"])
        try offer("s1", "o1", title: "Sprechstunde mit \(canary)", at: stamp(1, "aa"), by: "anna")
        let db = try ServerDatabaseInspector(path)
        try db.execute(store.sqlite != nil ? "DROP TRIGGER audit_log_no_update" : "ALTER TABLE audit_log DISABLE TRIGGER USER")
        try db.execute("UPDATE audit_log SET actor = 'jemand' WHERE seq = 1")
        XCTAssertThrowsError(try store.erase(person: canary)) { error in
            guard case .alteredBeforeErasure(let reason)? = error as? AuditLog.Problem else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.english.contains("entry 1"), reason.english)
        }
        let title = try db.scalarString("SELECT value FROM field_state WHERE record_type = 'offer' AND record_id = 'o1' AND field = 'title'")
        XCTAssertEqual(title, FieldValue.string("Sprechstunde mit \(canary)").jsonText, "nothing was erased")
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
        try requireSQLiteServer("scrubbing free pages and the WAL")
        // The name only in values that were overwritten: the live rows no longer hold it, freed
        // cells and old WAL frames do until the erasure rewrites the file. Debian's SQLite zeroes
        // freed cells (built with SECURE_DELETE); others do not, as with this setting.
        try store.sqlite!.writer.read { db in try db.execute("PRAGMA secure_delete = OFF") }
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
        XCTAssertEqual(try store.sqlite!.writer.read { db in try db.scalarInt("PRAGMA secure_delete") }, 0, "the connection's setting is restored")
    }
}
