import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// SPEC §16 on the server: digests kept by every write, children that follow a moved parent,
/// scope exits in pull, the digest endpoints, repairs, backup and restore.
extension ServerStoreTests {
    func change(_ type: RecordType, _ id: String, _ field: String, _ value: FieldValue, _ at: Int64, _ replica: String = "aaaa",
                base: HLCTimestamp? = nil) -> Change {
        Change(recordType: type, recordID: id, field: field, value: value, hlc: stamp(at, replica), base: base)
    }

    func set(_ id: String, _ changes: [Change]) -> ChangeSet {
        ChangeSet(id: id, replica: changes[0].hlc.replica, author: nil, summary: "edit", changes: changes)
    }

    /// Digests as kept, and as a scan of every version computes them.
    func assertDigestsMatchARebuild(file: StaticString = #filePath, line: UInt = #line) throws {
        let db = try ServerDatabaseInspector(path)
        func stored() throws -> [String] {
            try db.rows("SELECT scope, bucket, digest FROM scope_digests WHERE digest != 0 ORDER BY scope, bucket")
                .map { "\($0.string(0)!)/\($0.int(1)!)/\($0.int(2)!)" }
        }
        let kept = try stored()
        try store.connections.write { db in try DigestUpkeep.rebuild(in: db) }
        XCTAssertEqual(kept, try stored(), "the digests kept by the writes differ from a rebuild", file: file, line: line)
        XCTAssertFalse(kept.isEmpty, file: file, line: line)
    }

    func page(_ user: String, after cursor: Int64, limit: Int = 1000) throws -> PullPage {
        let response = request("GET", "/v1/changes", token: tokens[user], query: ["after": String(cursor), "limit": String(limit)])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        return try PullPage.decode(json: response.body)
    }

    /// An offer with an indicator and a meeting of a Nordstadt body with an attendee and a task.
    func pushNordstadtRecords() throws {
        let results = try push([
            set("s1", [change(.offer, "o1", "title", .string("Elterncafé"), 1), change(.offer, "o1", "district", .string("nordstadt"), 1)]),
            set("s2", [change(.indicator, "i1", "offer", .string("o1"), 2), change(.indicator, "i1", "period", .string("2026-Q1"), 2),
                       change(.indicator, "i1", "participants", .integer(12), 2)]),
            set("s3", [change(.body, "b1", "name", .string("Netzwerk Frühe Hilfen"), 3), change(.body, "b1", "district", .string("nordstadt"), 3)]),
            set("s4", [change(.meeting, "m1", "body", .string("b1"), 4), change(.meeting, "m1", "date", .string("2026-03-14"), 4),
                       change(.attendee, "a1", "meeting", .string("m1"), 4), change(.attendee, "a1", "name", .string("Ali Öztürk"), 4),
                       change(.task, "t1", "meeting", .string("m1"), 4), change(.task, "t1", "text", .string("Liste"), 4)]),
        ], as: "anna").1
        XCTAssertEqual(results?.results.map(\.status), [.applied, .applied, .applied, .applied])
    }

    func testAMovedOfferLeavesItsDistrictWithItsIndicatorsAndReachesTheNewOne() throws {
        try pushNordstadtRecords()
        let annaCursor = try page("anna", after: 0).cursor
        let bertCursor = try page("bert", after: 0).cursor
        let move = set("move", [change(.offer, "o1", "district", .string("suedstadt"), 10, "cccc", base: stamp(1, "aaaa"))])
        XCTAssertEqual(try push([move], as: "kreis").1?.results.first?.status, .applied)

        let anna = try page("anna", after: annaCursor)
        XCTAssertEqual(Set(anna.left.map(\.id)), ["o1", "i1"], "the offer and its indicator left Anna's scope")
        XCTAssertTrue(anna.changes.isEmpty, "nothing of the moved offer is sent to Anna")
        let bert = try page("bert", after: bertCursor)
        XCTAssertEqual(Set(bert.changes.map(\.change.recordID)), ["o1", "i1"], "Bert receives the whole offer with its indicator")
        XCTAssertEqual(bert.changes.filter { $0.change.recordID == "i1" }.count, 3)
        XCTAssertTrue(bert.left.isEmpty)
        XCTAssertEqual(try page("kreis", after: annaCursor).left, [], "the county reads both districts: nothing left its scope")
        // The exit carries the server's versions, so a replica can tell that it loses nothing.
        XCTAssertEqual(anna.left.first { $0.id == "o1" }?.versions, ["title": stamp(1, "aaaa").encoded, "district": stamp(10, "cccc").encoded])
        let db = try ServerDatabaseInspector(path)
        XCTAssertEqual(try db.scalarString("SELECT district FROM record_scope WHERE record_id = 'i1'"), "suedstadt")
        try assertDigestsMatchARebuild()
    }

    /// Pages cut at the 4 MiB cap (issue 12.3) hold the scope exits in sequence order with the
    /// rows: no exit is skipped, none comes twice, and no page's cursor passes anything unsent.
    func testPagesCutByBytesKeepEveryScopeExitInOrder() throws {
        let small = (0..<8).map { set("small-\($0)", [change(.offer, "s\($0)", "title", .string("Treff \($0)"), 1),
                                                     change(.offer, "s\($0)", "district", .string("nordstadt"), 1)]) }
        XCTAssertTrue(try push(small, as: "kreis").1?.results.allSatisfy { $0.status == .applied } ?? false)
        let start = try page("anna", after: 0).cursor
        // 24 offers of 250,000 bytes (6 MB: more than one page) with a move between every third.
        let text = String(repeating: "Beratung ", count: 250_000 / 9)
        for index in 0..<24 {
            let large = set("large-\(index)", [change(.offer, "l\(index)", "description", .string(text + String(index)), 20 + Int64(index) * 2),
                                               change(.offer, "l\(index)", "district", .string("nordstadt"), 20 + Int64(index) * 2)])
            var sets = [large]
            if index % 3 == 0 {
                sets.append(set("move-\(index)", [change(.offer, "s\(index / 3)", "district", .string("suedstadt"), 21 + Int64(index) * 2, "cccc",
                                                         base: stamp(1, "aaaa"))]))
            }
            XCTAssertTrue(try push(sets, as: "kreis").1?.results.allSatisfy { $0.status == .applied } ?? false)
        }
        var cursor = start, pages = 0
        var exits: [String] = [], offers: [String] = [], seqs: [Int64] = []
        while true {
            let response = request("GET", "/v1/changes", token: tokens["anna"], query: ["after": String(cursor), "limit": "1000"])
            XCTAssertLessThanOrEqual(response.body.count, SyncLimits.maxPageBytes + 200, "a page stays within the cap")
            let page = try PullPage.decode(json: response.body)
            XCTAssertNil(page.problem(after: cursor))
            exits += page.left.map(\.id)
            offers += page.changes.filter { $0.change.field == "description" }.map(\.change.recordID)
            seqs += (page.changes.map(\.seq) + page.left.map(\.seq)).sorted()
            cursor = page.cursor
            pages += 1
            if !page.more { break }
        }
        XCTAssertGreaterThan(pages, 1, "the pages were cut by bytes")
        XCTAssertEqual(exits.sorted(), (0..<8).map { "s\($0)" }, "every moved offer is announced once")
        XCTAssertEqual(offers.sorted(), (0..<24).map { "l\($0)" }.sorted(), "every large offer arrives once")
        XCTAssertEqual(seqs, seqs.sorted(), "changes and exits in sequence order across pages")
        XCTAssertEqual(Set(seqs).count, seqs.count, "nothing twice")
    }

    func testAMovedBodyTakesItsMeetingsAndTheirMinutes() throws {
        try pushNordstadtRecords()
        let cursor = try page("anna", after: 0).cursor
        XCTAssertEqual(try push([set("move", [change(.body, "b1", "district", .string("suedstadt"), 10, "cccc", base: stamp(3, "aaaa"))])], as: "kreis").1?.results.first?.status,
                       .applied)
        XCTAssertEqual(Set(try page("anna", after: cursor).left.map(\.id)), ["b1", "m1", "a1", "t1"])
        XCTAssertEqual(Set(try pullAll(as: "bert").map(\.change.recordID)).intersection(["b1", "m1", "a1", "t1"]), ["b1", "m1", "a1", "t1"])
        // Moving it back: Bert is told, Anna receives it again, and nothing is announced to her as gone.
        let back = try page("anna", after: cursor).cursor
        _ = try push([set("back", [change(.body, "b1", "district", .string("nordstadt"), 20, "cccc", base: stamp(10, "cccc"))])], as: "kreis")
        let again = try page("anna", after: back)
        XCTAssertTrue(again.left.isEmpty)
        XCTAssertEqual(Set(again.changes.map(\.change.recordID)), ["b1", "m1", "a1", "t1"])
        try assertDigestsMatchARebuild()
    }

    func testAConflictFollowsItsRecord() throws {
        try pushNordstadtRecords()
        _ = try push([set("anna-edit", [change(.offer, "o1", "title", .string("Nord"), 20, "aaaa", base: stamp(1, "aaaa"))])], as: "anna")
        let conflict = try XCTUnwrap(try push([set("county-edit", [change(.offer, "o1", "title", .string("Süd"), 15, "cccc", base: stamp(1, "aaaa"))])],
                                              as: "kreis").1?.results.first?.conflicts?.first)
        let cursor = try page("anna", after: 0).cursor
        _ = try push([set("move", [change(.offer, "o1", "district", .string("suedstadt"), 30, "cccc", base: stamp(1, "aaaa"))])], as: "kreis")
        XCTAssertTrue(try page("anna", after: cursor).left.contains { $0.id == conflict })
        XCTAssertTrue(try pullAll(as: "bert").contains { $0.change.recordID == conflict })
    }

    func testTheDigestCheckIsOneReadThatSendsBucketsOnlyWhenTotalsDiffer() throws {
        try pushNordstadtRecords()
        let first = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["anna"]).body))
        XCTAssertEqual(first.scope, ["everyone", "district:nordstadt"])
        XCTAssertEqual(first.buckets?.count, 256)
        XCTAssertEqual(first.server, try store.databaseID())
        XCTAssertEqual(VersionDigest.hex(try XCTUnwrap(first.bucketDigests).total), first.total)
        let matched = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["anna"],
                                                                                      query: ["total": first.total]).body))
        XCTAssertNil(matched.buckets, "nothing differs: nothing more is sent")
        let bert = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["bert"]).body))
        XCTAssertNotEqual(bert.total, first.total, "Bert's scope does not hold Anna's records")
        XCTAssertEqual(request("GET", "/v1/digests", token: tokens["anna"], query: ["total": "xyz"]).status, 400)
        XCTAssertEqual(request("GET", "/v1/digests", token: nil).status, 401)
        XCTAssertEqual(request("POST", "/v1/digests/buckets", token: tokens["anna"], body: Array(#"{"buckets":[256]}"#.utf8)).status, 400)
        XCTAssertEqual(request("POST", "/v1/digests/buckets", token: tokens["anna"], body: Array(#"{"bucket":[1]}"#.utf8)).status, 400)

        // The listing of every bucket names each record Anna reads once, with digests that sum to the total.
        let listing = try JSONDecoder().decode(BucketListing.self, from: Data(request("POST", "/v1/digests/buckets", token: tokens["anna"],
                                                                                      body: Array(try JSONEncoder().encode(BucketListingRequest(buckets: Array(0..<256))))).body))
        XCTAssertTrue(Set(listing.records.map(\.id)).isSuperset(of: ["o1", "i1", "b1", "m1", "a1", "t1", "nordstadt", "suedstadt"]))
        XCTAssertEqual(VersionDigest.hex(listing.records.compactMap { VersionDigest.parse($0.digest) }.reduce(0, &+)), first.total)
    }

    /// The county office reads `*`, every scope summed when it is read: its total is the sum of
    /// every record's digest, in districts, county-wide and in the registers, also after a record
    /// moved district, and no push stores a row for it.
    func testTheCountyOfficesDigestIsEveryScopeSummedWhenRead() throws {
        try pushNordstadtRecords()
        let countyWide = set("cw", [change(.body, "b9", "name", .string("Kreisarbeitsgemeinschaft Frühe Hilfen"), 5)])
        let suedstadt = set("sued", [change(.offer, "o8", "title", .string("Sprachcafé"), 6, "bbbb"),
                                     change(.offer, "o8", "district", .string("suedstadt"), 6, "bbbb")])
        XCTAssertEqual(try push([countyWide], as: "kreis").1?.results.map(\.status), [.applied])
        XCTAssertEqual(try push([suedstadt], as: "bert").1?.results.map(\.status), [.applied])
        // A record that moves district (with its indicator) leaves one scope's digest for another's.
        let move = set("move", [change(.offer, "o1", "district", .string("suedstadt"), 10, "cccc", base: stamp(1, "aaaa"))])
        XCTAssertEqual(try push([move], as: "kreis").1?.results.map(\.status), [.applied])

        let county = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["kreis"]).body))
        XCTAssertEqual(county.scope, ["*"])
        let listing = try JSONDecoder().decode(BucketListing.self, from: Data(request("POST", "/v1/digests/buckets", token: tokens["kreis"],
                                                                                      body: Array(try JSONEncoder().encode(BucketListingRequest(buckets: Array(0..<256))))).body))
        XCTAssertTrue(Set(listing.records.map(\.id)).isSuperset(of: ["o1", "o8", "b9", "m1", "nordstadt"]))
        XCTAssertEqual(VersionDigest.hex(listing.records.compactMap { VersionDigest.parse($0.digest) }.reduce(0, &+)), county.total)
        XCTAssertEqual(try ServerDatabaseInspector(path).scalarInt("SELECT COUNT(*) FROM scope_digests WHERE scope = '*'"), 0)
        try assertDigestsMatchARebuild()
    }

    /// A database from before the digest of all scopes was summed when read loses its stored one
    /// when it is opened, and the county office's digest is right afterwards.
    func testOpeningAnOlderDatabaseForgetsItsStoredDigestOfAllScopes() throws {
        try requireSQLiteServer("reopening a server database by its path")
        try pushNordstadtRecords()
        let before = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["kreis"]).body))
        let db = try ServerDatabaseInspector(path)
        try db.execute("INSERT INTO scope_digests (scope, bucket, digest) VALUES ('*', 7, 12345)")
        try db.execute("DELETE FROM schema_migrations WHERE identifier LIKE 'v5-%'")
        store = nil
        api = nil
        store = try ServerStore(path: path, now: TestClock(milliseconds: serverNow).now)
        api = SyncAPI(storage: store)
        XCTAssertEqual(try db.scalarInt("SELECT COUNT(*) FROM scope_digests WHERE scope = '*'"), 0)
        let after = try JSONDecoder().decode(DigestAnswer.self, from: Data(request("GET", "/v1/digests", token: tokens["kreis"]).body))
        XCTAssertEqual(after.total, before.total)
    }

    func testRecordChecksSayWhatTheServerLacksAndWhatLeftTheScope() throws {
        try pushNordstadtRecords()
        _ = try push([set("s5", [change(.offer, "o2", "title", .string("Sport"), 5, "bbbb"), change(.offer, "o2", "district", .string("suedstadt"), 5, "bbbb")])],
                     as: "bert")
        let request = RecordCheckRequest(records: [
            .init(type: .offer, id: "o1", versions: ["title": stamp(50, "aaaa").encoded, "district": stamp(1, "aaaa").encoded]),
            .init(type: .offer, id: "o2", versions: ["title": stamp(5, "bbbb").encoded]),
            .init(type: .offer, id: "gone", versions: ["title": stamp(7, "aaaa").encoded]),
        ])
        let response = self.request("POST", "/v1/digests/records", token: tokens["anna"], body: Array(try JSONEncoder().encode(request)))
        let check = try JSONDecoder().decode(RecordCheck.self, from: Data(response.body))
        XCTAssertEqual(check.records.map(\.status), [.present, .outside, .unknown])
        XCTAssertEqual(check.records[0].lacking, ["title"], "Anna's newer title is what the server lacks")
        XCTAssertEqual(check.records[0].versions?.count, 2)
        XCTAssertNil(check.records[1].versions, "nothing of a record outside the scope is sent")
        XCTAssertEqual(check.records[1].lacking, [])
        XCTAssertEqual(check.records[2].lacking, ["title"])
    }

    func testARepairBringsVersionsBackWithTheirAuthorsWhereTheUserMayWrite() throws {
        try pushNordstadtRecords()
        let lost = RepairVersion(change: change(.offer, "o9", "district", .string("nordstadt"), 40, "dddd"), author: "dora", changeSet: "cs-lost")
        let title = RepairVersion(change: change(.offer, "o9", "title", .string("Wiedergefunden"), 40, "dddd"), author: "dora", changeSet: "cs-lost")
        let older = RepairVersion(change: change(.offer, "o1", "title", .string("Alt"), 0, "dddd"), author: "dora", changeSet: "cs-old")
        let foreign = RepairVersion(change: change(.offer, "o8", "district", .string("suedstadt"), 41, "dddd"), author: "dora", changeSet: nil)
        let body = Array(try JSONEncoder().encode(RepairRequest(versions: [lost, title, older, foreign])))
        let answer = try JSONDecoder().decode(RepairAnswer.self, from: Data(request("POST", "/v1/repairs", token: tokens["anna"], body: body).body))
        XCTAssertEqual(answer.applied, 2)
        XCTAssertEqual(answer.ignored, 1, "a repair never beats a newer version")
        XCTAssertEqual(answer.refused.map(\.id), ["o8"])
        XCTAssertEqual(answer.refused.first?.code, "forbidden")
        let again = try JSONDecoder().decode(RepairAnswer.self, from: Data(request("POST", "/v1/repairs", token: tokens["anna"], body: body).body))
        XCTAssertEqual(again.applied, 0, "repeating a repair changes nothing")

        let restored = try XCTUnwrap(try pullAll(as: "kreis").first { $0.change.recordID == "o9" && $0.change.field == "title" })
        XCTAssertEqual(restored.author, "dora", "the original author is kept")
        XCTAssertEqual(restored.changeSet, "cs-lost")
        XCTAssertEqual(restored.change.hlc, stamp(40, "dddd"))
        let entry = try XCTUnwrap(try store.auditEntries().last { $0.action == "repair" })
        XCTAssertEqual(entry.actor, "anna", "the audit log says who brought them back")
        XCTAssertTrue(entry.detail.contains("dora"), entry.detail)
        try assertDigestsMatchARebuild()
    }

    func testBackupIsConsistentPrivateAndARestoreGetsANewIdentity() throws {
        try requireSQLiteServer("a backup file")
        try pushNordstadtRecords()
        let directory = (path as NSString).deletingLastPathComponent
        let backup = directory + "/backup-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: backup) }
        let before = try store.databaseID()
        let report = try store.backup(to: backup)
        XCTAssertEqual(report.database, before)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o600)
        _ = try push([set("after", [change(.offer, "o2", "title", .string("Nach dem Backup"), 30), change(.offer, "o2", "district", .string("nordstadt"), 30)])],
                     as: "anna")
        XCTAssertThrowsError(try ServerStore.restore(from: backup, to: path)) { error in
            XCTAssertTrue("\(error)".contains("in use"), "\(error)")
        }
        store = nil
        api = nil
        let restored = try ServerStore.restore(from: backup, to: path)
        XCTAssertNotEqual(restored.database, before)
        XCTAssertEqual(restored.seq, report.seq)
        store = try ServerStore(path: path)
        XCTAssertEqual(try store.databaseID(), restored.database)
        XCTAssertEqual(try ServerDatabaseInspector(path).scalarInt("SELECT count(*) FROM field_state WHERE record_id = 'o2'"), 0, "the write after the backup is gone")
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: Int64(try store.auditEntries().count)), "the restore keeps the audit log verifiable")
        XCTAssertEqual(try store.auditEntries().last?.action, "restore")
        XCTAssertThrowsError(try ServerStore.restore(from: directory, to: path + "-x"))
    }

    func testGivingAndTakingDistrictsChangesTheScopeAPullAnnounces() throws {
        XCTAssertEqual(try page("anna", after: 0).scope, ["everyone", "district:nordstadt"])
        try store.setDistricts(user: "anna", districts: ["suedstadt", "nordstadt"])
        XCTAssertEqual(try page("anna", after: 0).scope, ["everyone", "district:nordstadt", "district:suedstadt"])
        XCTAssertThrowsError(try store.setDistricts(user: "anna", districts: [])) { XCTAssertTrue("\($0)".contains("at least one"), "\($0)") }
        XCTAssertThrowsError(try store.setDistricts(user: "anna", districts: ["mitte"])) { XCTAssertEqual($0 as? AdminError, .unknownDistrict("mitte", known: ["nordstadt", "suedstadt"])) }
        XCTAssertThrowsError(try store.setDistricts(user: "nobody", districts: ["nordstadt"])) { XCTAssertEqual($0 as? AdminError, .unknownUser("nobody")) }
        XCTAssertEqual(try store.auditEntries().last { $0.action == "user-districts" }?.detail, "anna: nordstadt → nordstadt, suedstadt")
        XCTAssertEqual(try page("kreis", after: 0).scope, ["*"])
    }
}
