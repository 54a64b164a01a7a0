import Foundation
import XCTest
import KetteClient
import KetteProtocol
import KetteServer
import KetteStore
import KetteTestSupport

/// SPEC §16 end to end in process: the digest check every sync ends with, the repair of a
/// restored server and of a damaged replica, records leaving a scope with their children, and
/// users given and losing districts.
final class AntiEntropySyncTests: InProcessSyncTestCase {
    override class var districts: [TestDistrict] { [.nordstadt, .suedstadt] }

    /// A user's store that has synced once (it knows the districts).
    func connected(_ name: String, role: Role = .coordinator, districts: [String] = ["nordstadt"]) throws -> (LocalStore, SyncEngine) {
        let (store, engine) = try client(name, role: role, districts: districts)
        _ = try engine.sync()
        return (store, engine)
    }

    func addOffer(_ store: LocalStore, _ title: String, district: String = "nordstadt") throws -> String {
        var input = OfferInput()
        input.title = title
        input.district = district
        input.phases = "preschool"
        input.status = "active"
        return try store.addOffer(input, language: .english)
    }

    func moveOffer(_ store: LocalStore, _ offer: String, to district: String) throws {
        var input = OfferInput()
        input.district = district
        _ = try store.editOffer(offer, input, language: .english)
    }

    /// The digests the store keeps, and the same computed from its versions.
    func assertReplicaDigestsAreRight(_ store: LocalStore, file: StaticString = #filePath, line: UInt = #line) throws {
        var computed = [Int: UInt64]()
        for row in try store.database.rows("SELECT record_type, record_id, field, hlc FROM field_versions") {
            let type = row.string(0)!, id = row.string(1)!
            computed[VersionDigest.bucket(type: type, id: id), default: 0] &+= VersionDigest.hash(type: type, id: id, field: row.string(2)!, hlc: row.string(3)!)
        }
        var kept = [Int: UInt64]()
        for row in try store.database.rows("SELECT bucket, digest FROM replica_digests") where row.int(1) != 0 {
            kept[row.int(0)!] = UInt64(bitPattern: Int64(row.int(1)!))
        }
        XCTAssertEqual(kept, computed.filter { $0.value != 0 }, "the kept digests differ from the versions held", file: file, line: line)
    }

    func offers(_ store: LocalStore) throws -> Set<String> {
        Set(try store.database.rows("SELECT id FROM offers").compactMap { $0.string(0) })
    }

    func serverValue(_ type: RecordType, _ id: String, _ field: String) throws -> (value: String, author: String?)? {
        try ServerDatabaseInspector(server.path).firstRow("SELECT value, author FROM field_state WHERE record_type = ? AND record_id = ? AND field = ?",
                                                 [type.rawValue, id, field]).map { ($0.string(0)!, $0.string(1)) }
    }

    /// Restores the server from `backup` into a new file (the old one stays where it is), with the
    /// audit key beside it, and points every client at it.
    func restoreServer(from backup: String) throws {
        let path = server.path + "-restored"
        try FileManager.default.copyItem(atPath: server.path + ".audit-key", toPath: path + ".audit-key")
        _ = try ServerStore.restore(from: backup, to: path)
        server = try ServerStore(path: path, now: clock.now)
        api = SyncAPI(storage: server)
        for transport in transports { transport.api = api }
    }

    func testEverySyncEndsWithTheDigestCheckAndVerifiesWhenNothingDiffers() throws {
        let (anna, annaSync) = try connected("anna")
        _ = try addOffer(anna, "Elterncafé")
        let report = try annaSync.sync()
        XCTAssertEqual(report.verification?.outcome, .verified)
        XCTAssertEqual(report.verification?.rounds, 1)
        XCTAssertEqual(report.verification?.differingBuckets, 0)
        XCTAssertNil(try annaSync.sync(.push).verification, "a push alone does not check")
        try assertReplicaDigestsAreRight(anna)
    }

    func testARestoredServerGetsBackEverythingSyncedAfterTheBackup() throws {
        try requireSQLiteServer("a backup and restore of the server file")
        let (anna, annaSync) = try connected("anna")
        let (county, countySync) = try connected("kreis", role: .county, districts: [])
        let before = try addOffer(anna, "Vor dem Backup")
        _ = try annaSync.sync()
        let backup = try makeTemporaryDirectory("backup") + "/backup.db"
        _ = try server.backup(to: backup)
        clock.milliseconds += 1_000
        let after = try addOffer(anna, "Nach dem Backup")
        let countys = try addOffer(county, "Vom Kreis nach dem Backup")
        _ = try countySync.sync()
        _ = try annaSync.sync()
        XCTAssertEqual(try offers(anna), [before, after, countys])

        try restoreServer(from: backup)
        XCTAssertNil(try serverValue(.offer, after, "title"), "the restore lost what came after the backup")
        // Writes after the restore reuse the sequence numbers the lost ones had: Anna's cursor is
        // not ahead, only the new server id tells her pull to start again.
        for index in 0..<3 { _ = try addOffer(county, "Nach der Wiederherstellung \(index)") }
        _ = try countySync.sync()
        // Anna edits, offline, the offer the restore lost: the push waits until it is back.
        var edit = OfferInput()
        edit.location = "Rathaus"
        _ = try anna.editOffer(after, edit, language: .english)
        let report = try annaSync.sync()
        XCTAssertEqual(report.refusedChangeSets, [], "the push was held back until the repair had brought the offer back")
        XCTAssertEqual(try serverValue(.offer, after, "location")?.value, #""Rathaus""#)
        XCTAssertEqual(report.pullRestart, .serverChanged, "a new server id: pull again from 0")
        XCTAssertEqual(report.verification?.outcome, .repaired)
        XCTAssertGreaterThan(report.verification?.pushed ?? 0, 0)
        XCTAssertEqual(try serverValue(.offer, after, "title")?.value, #""Nach dem Backup""#)
        XCTAssertEqual(try serverValue(.offer, after, "title")?.author, "anna")
        XCTAssertEqual(try serverValue(.offer, countys, "title")?.author, "kreis", "another user's write comes back with its author")
        XCTAssertEqual(try annaSync.sync().verification?.outcome, .verified)
        XCTAssertEqual(try countySync.sync().verification?.outcome, .verified)
        XCTAssertTrue(try offers(county).isSuperset(of: [before, after, countys]))
        XCTAssertEqual(try offers(county), try offers(anna))
        XCTAssertTrue(try server.auditEntries().contains { $0.action == "repair" && $0.actor == "anna" })
    }

    func testARawCopyRestoredUnderTheSameIdIsCaughtByTheDigests() throws {
        try requireSQLiteServer("a raw copy of the server file")
        let (anna, annaSync) = try connected("anna")
        let (bert, bertSync) = try connected("bert")
        _ = try addOffer(anna, "Vor der Kopie")
        _ = try annaSync.sync()
        _ = try bertSync.sync()
        let copy = try makeTemporaryDirectory("backup") + "/copy.db"
        _ = try server.backup(to: copy)  // stands for a file copy: same database id
        let lost = try addOffer(anna, "Nach der Kopie")
        _ = try annaSync.sync()
        _ = try bertSync.sync()

        // The copy goes back in place of the server's file, id and all; Bert writes enough that
        // the sequence passes the cursors again, with numbers the lost rows had.
        let path = server.path + "-copy"
        try FileManager.default.copyItem(atPath: copy, toPath: path)
        try FileManager.default.copyItem(atPath: server.path + ".audit-key", toPath: path + ".audit-key")
        try FileManager.default.copyItem(atPath: server.path + ".audit-head", toPath: path + ".audit-head")
        server = try ServerStore(path: path, now: clock.now)
        api = SyncAPI(storage: server)
        for transport in transports { transport.api = api }
        for index in 0..<4 { _ = try addOffer(bert, "Bert \(index)") }
        let bertReport = try bertSync.sync()
        XCTAssertNil(bertReport.pullRestart, "same id, cursor not ahead: nothing tells the pull")
        XCTAssertEqual(bertReport.verification?.outcome, .repaired, "the digests tell")
        XCTAssertEqual(try serverValue(.offer, lost, "title")?.author, "anna", "Bert brought back Anna's offer")
        XCTAssertEqual(try annaSync.sync().verification?.outcome, .repaired, "Anna's stale cursor skipped Bert's rows; the check found them")
        XCTAssertEqual(try offers(anna), try offers(bert))
        XCTAssertEqual(try annaSync.sync().verification?.outcome, .verified)
    }

    func testADamagedReplicaIsRepairedFromTheServer() throws {
        let (anna, annaSync) = try connected("anna")
        let offer = try addOffer(anna, "Elterncafé")
        _ = try annaSync.sync()
        // A row deleted behind the store's back (a damaged file, a bug).
        try anna.database.execute("DELETE FROM field_versions WHERE record_id = '\(offer)' AND field = 'title'")
        try anna.database.execute("UPDATE offers SET title = NULL WHERE id = '\(offer)'")
        let report = try annaSync.sync()
        XCTAssertEqual(report.verification?.outcome, .repaired)
        XCTAssertEqual(report.verification?.damagedBuckets, 1, "the self-check finds the kept digest wrong")
        XCTAssertEqual(report.verification?.differingBuckets, 1)
        XCTAssertEqual(report.verification?.pulled, 1)
        XCTAssertEqual(try anna.database.scalarString("SELECT title FROM offers WHERE id = ?", [offer]), "Elterncafé")
        try assertReplicaDigestsAreRight(anna)

        // A record's row deleted: its versions are forgotten, and the whole record comes back.
        try anna.database.execute("DELETE FROM offers WHERE id = '\(offer)'")
        let again = try annaSync.sync()
        XCTAssertEqual(again.verification?.outcome, .repaired)
        XCTAssertGreaterThan(again.verification?.orphanedVersions ?? 0, 0)
        XCTAssertEqual(try anna.database.scalarString("SELECT title FROM offers WHERE id = ?", [offer]), "Elterncafé")
        XCTAssertEqual(try anna.search("Elterncafé").count, 1)
        try assertReplicaDigestsAreRight(anna)
    }

    func testAMovedOfferLeavesTheOldDistrictWithItsIndicatorsAndReachesTheNewOne() throws {
        let (anna, annaSync) = try connected("anna")
        let (bert, bertSync) = try connected("bert", districts: ["suedstadt"])
        let (county, countySync) = try connected("kreis", role: .county, districts: [])
        let offer = try addOffer(anna, "Sprachförderung")
        _ = try anna.recordIndicator(offer: offer, period: "2026-Q1", participants: "34", sessions: "12", language: .english)
        _ = try annaSync.sync()
        _ = try bertSync.sync()
        _ = try countySync.sync()
        XCTAssertEqual(try anna.coverageReport(district: "nordstadt", window: try ReportWindow(parsing: "2026"), language: .english).cell(district: "nordstadt", phase: .preschool)?.activeOffers, 1)

        try moveOffer(county, offer, to: "suedstadt")
        _ = try countySync.sync()
        let report = try annaSync.sync()
        XCTAssertEqual(report.leftScope, 2, "the offer and its indicator left Anna's scope")
        XCTAssertEqual(report.verification?.outcome, .verified)
        XCTAssertEqual(try offers(anna), [])
        XCTAssertEqual(try anna.database.scalarInt("SELECT count(*) FROM indicators"), 0)
        XCTAssertEqual(try anna.coverageReport(district: "nordstadt", window: try ReportWindow(parsing: "2026"), language: .english).cell(district: "nordstadt", phase: .preschool)?.activeOffers ?? 0, 0,
                       "Anna's coverage no longer counts the offer")
        XCTAssertEqual(try anna.search("Sprachförderung").count, 0)
        _ = try bertSync.sync()
        XCTAssertEqual(try offers(bert), [offer])
        XCTAssertEqual(try bert.indicators(offer: offer).map(\.participants), [34])
        try assertReplicaDigestsAreRight(anna)
        try assertReplicaDigestsAreRight(bert)
    }

    func testAUserGivenADistrictReceivesItsRecordsAndLosingItRemovesThem() throws {
        let (anna, annaSync) = try connected("anna")
        let (bert, bertSync) = try connected("bert", districts: ["suedstadt"])
        let offer = try addOffer(bert, "Sport im Park", district: "suedstadt")
        _ = try bertSync.sync()
        _ = try annaSync.sync()
        XCTAssertEqual(try offers(anna), [])

        try server.setDistricts(user: "anna", districts: ["nordstadt", "suedstadt"])
        let given = try annaSync.sync()
        XCTAssertEqual(given.pullRestart, .scopeGained)
        XCTAssertEqual(try offers(anna), [offer])
        XCTAssertEqual(given.verification?.outcome, .verified)

        try server.setDistricts(user: "anna", districts: ["nordstadt"])
        let taken = try annaSync.sync()
        XCTAssertEqual(taken.verification?.outcome, .repaired)
        XCTAssertEqual(taken.verification?.leftScope, 1)
        XCTAssertEqual(try offers(anna), [])
        XCTAssertEqual(try annaSync.sync().verification?.outcome, .verified)
        try assertReplicaDigestsAreRight(anna)
    }

    func testARecordThatLeftTheScopeIsKeptWhileItHoldsVersionsTheServerLacks() throws {
        let (anna, annaSync) = try connected("anna")
        let offer = try addOffer(anna, "Elterncafé")
        _ = try annaSync.sync()
        // The server moves the offer away while Anna's copy holds a version the server never got
        // (as after a restore): dropping the copy would lose it.
        var edit = OfferInput()
        edit.location = "Rathaus"
        _ = try anna.editOffer(offer, edit, language: .english)
        try anna.database.execute("DELETE FROM outbox_changes; DELETE FROM outbox_change_sets")
        let (_, countySync) = try connected("kreis", role: .county, districts: [])
        _ = try countySync.sync()
        let move = ChangeSet(id: "move", replica: ReplicaID(rawValue: "cccc"), author: nil, summary: "move", changes: [
            Change(recordType: .offer, recordID: offer, field: "district", value: .string("suedstadt"),
                   hlc: HLCTimestamp(physicalMilliseconds: clock.milliseconds + 10, counter: 0, replica: ReplicaID(rawValue: "cccc")), base: nil)])
        _ = try server.push(PushRequest(changeSets: [move]), by: Identity(user: "kreis", role: .county, districts: []))
        let report = try annaSync.sync()
        XCTAssertEqual(report.leftScope, 0)
        XCTAssertEqual(report.verification?.outcome, .differs)
        XCTAssertEqual(report.verification?.kept, 1)
        XCTAssertEqual(try offers(anna), [offer], "Anna keeps the only copy of her edit")
    }
}
