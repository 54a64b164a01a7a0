import Foundation
import XCTest
import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// The client's sync engine against the real server storage and API (in process, no socket):
/// clock skew recovery, resumable pulls, and the outbox emptied only on confirmation (refusals:
/// `RefusalTests`).
final class SyncEngineTests: InProcessSyncTestCase {
    override class var districts: [TestDistrict] { [.nordstadt, .suedstadt] }


    func testAClockFarAheadIsCorrectedAndDoesNotWinLaterEdits() throws {
        let skewed = TestClock(milliseconds: clock.milliseconds + 3 * 3_600_000)  // the laptop runs three hours ahead
        let (laptop, laptopSync) = try client("anna", clock: skewed)
        let (office, officeSync) = try client("kreis", role: .county, districts: [], clock: clock)
        _ = try laptopSync.sync()
        let offer = try recordOffer(laptop, "Elterncafé")

        let report = try laptopSync.sync()
        XCTAssertEqual(report.restampedChangeSets, 1, "the refused change set was re-stamped")
        XCTAssertEqual(report.refusedChangeSets, [])
        XCTAssertEqual(try Outbox.pendingCount(in: laptop.database), 0)
        let stamped = try XCTUnwrap(laptop.database.scalarString("SELECT hlc FROM field_versions WHERE record_id = ? AND field = 'title'", [offer]))
        XCTAssertLessThan(HLCTimestamp(encoded: stamped)!.physicalMilliseconds, clock.milliseconds + SyncLimits.maxClockAheadMilliseconds)

        // Later edits on both sides: the office's edit, made after the laptop's, wins.
        skewed.milliseconds += 1_000
        var laptopEdit = OfferInput()
        laptopEdit.location = "Rathaus"
        _ = try laptop.editOffer(offer, laptopEdit, language: .english)
        _ = try laptopSync.sync()
        clock.milliseconds += 2_000
        _ = try officeSync.sync()
        var officeEdit = OfferInput()
        officeEdit.location = "Familienzentrum"
        _ = try office.editOffer(offer, officeEdit, language: .english)
        _ = try officeSync.sync()
        _ = try laptopSync.sync()
        XCTAssertEqual(try laptop.offer(offer, language: .english).location, "Familienzentrum",
                       "the device whose clock ran ahead does not win every later edit")
    }

    func testAPullCutOffResumesAfterTheLastStoredPage() throws {
        let (writer, writerSync) = try client("anna", clock: clock)
        _ = try writerSync.sync()  // learn the districts
        for index in 0..<40 { _ = try recordOffer(writer, "Angebot \(index)") }
        _ = try writerSync.sync()

        final class CuttingTransport: HTTPTransport, @unchecked Sendable {
            let inner: InProcessTransport
            var pagesLeft: Int
            var pulls = 0
            init(inner: InProcessTransport, pagesLeft: Int) { self.inner = inner; self.pagesLeft = pagesLeft }
            func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
                if request.method == "GET" {
                    pulls += 1
                    if pagesLeft == 0 { throw .unreachable("injected: connection dropped mid-pull") }
                    pagesLeft -= 1
                }
                return try inner.send(request)
            }
        }
        var cutting: CuttingTransport!
        let (reader, readerSync) = try client("bert", clock: clock, transport: { api in
            cutting = CuttingTransport(inner: InProcessTransport(api: api, seed: 2), pagesLeft: 3)
            return cutting
        }, pageSize: 10)
        XCTAssertThrowsError(try readerSync.sync()) { error in
            guard case SyncError.transport(.unreachable) = error else { return XCTFail("\(error)") }
        }
        let cursorAfterCut = try reader.pullCursor()
        XCTAssertGreaterThan(cursorAfterCut, 0, "the pages merged before the cut are kept")
        let offersAfterCut = try reader.offers(OfferFilter(), language: .english).count
        XCTAssertGreaterThan(offersAfterCut, 0)
        XCTAssertLessThan(offersAfterCut, 40)

        cutting.pagesLeft = 1000
        cutting.pulls = 0
        let report = try readerSync.sync()
        XCTAssertEqual(try reader.offers(OfferFilter(), language: .english).count, 40)
        XCTAssertLessThan(report.pulledPages, 40 * 4 / 10 + 2, "resumed, not started over")
        XCTAssertGreaterThan(try reader.pullCursor(), cursorAfterCut)
    }

    /// Pages that are already there when one is merged share its transaction, but none is held
    /// while a page is awaited: what was merged is committed first, so a coordinator's own write
    /// during a slow sync goes through (a transaction held while waiting would keep it waiting
    /// for the very page being fetched, until its busy timeout gave up).
    func testAPullHoldsNoTransactionWhileItWaitsForAPage() throws {
        let (writer, writerSync) = try client("anna", clock: clock)
        _ = try writerSync.sync()
        for index in 0..<60 { _ = try recordOffer(writer, "Angebot \(index)") }
        _ = try writerSync.sync()

        final class StallingTransport: HTTPTransport, @unchecked Sendable {
            let inner: InProcessTransport
            var pages = 0
            var duringFifthPage: () -> Void = {}
            init(inner: InProcessTransport) { self.inner = inner }
            func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
                if request.method == "GET", request.url.contains("/v1/changes") {
                    pages += 1
                    if pages == 5 { duringFifthPage() }
                }
                return try inner.send(request)
            }
        }
        var stalling: StallingTransport!
        let (reader, readerSync) = try client("bert", clock: clock, transport: { api in
            stalling = StallingTransport(inner: InProcessTransport(api: api, seed: 4))
            return stalling
        }, pageSize: 10)
        let directory = (reader.database.path as NSString).deletingLastPathComponent
        var seen: (cursor: Int64, wrote: Result<String, any Error>, seconds: Double)?
        stalling.duringFifthPage = {
            // Another process's write, while the pull waits for this page.
            let started = Date()
            let result = Result { () throws -> String in
                let other = try LocalStore(directory: directory)
                return try other.addOrganization(name: "Familienbüro", kind: nil, sector: nil, contact: nil, language: .english)
            }
            seen = ((try? LocalStore(directory: directory).pullCursor()) ?? -1, result, Date().timeIntervalSince(started))
        }
        _ = try readerSync.sync()
        let (cursor, wrote, seconds) = try XCTUnwrap(seen)
        XCTAssertNoThrow(try wrote.get(), "the write was not kept waiting by the pull")
        XCTAssertLessThan(seconds, 4, "not after the busy timeout (5 s)")
        XCTAssertGreaterThan(cursor, 0, "the pages merged before the wait were committed")
        XCTAssertEqual(try reader.offers(OfferFilter(), language: .english).count, 60)
        XCTAssertEqual(try reader.database.scalarInt("SELECT count(*) FROM organizations WHERE name = 'Familienbüro'"), 1)
    }

    /// A store that a first sync built from empty counts as self-checked then (its digests were
    /// kept as its versions were written): the scan of every version waits a day, as for any store
    /// above 20,000 versions. A small store is still checked at every sync.
    func testAFirstSyncCountsAsALargeStoresSelfCheck() throws {
        let (writer, writerSync) = try client("anna", clock: clock)
        _ = try writerSync.sync()
        try writer.record("offer import") { change in
            for index in 0..<7_000 {
                try change.create(.offer, "import-\(index)", [("title", .string("Angebot \(index)")), ("district", .string("nordstadt")),
                                                             ("location", .string("Haus \(index % 40)"))])
            }
        }
        _ = try writerSync.sync()

        let (reader, readerSync) = try client("bert", clock: clock)
        let first = try readerSync.sync()
        XCTAssertGreaterThan(try reader.database.scalarInt("SELECT count(*) FROM field_versions") ?? 0, 20_000)
        XCTAssertEqual(first.verification?.selfChecked, false, "the store was built by this very pull")
        XCTAssertEqual(first.verification?.outcome, .verified, "the digests it kept match the server's")
        XCTAssertEqual(try readerSync.sync().verification?.selfChecked, false, "within the day")
        clock.milliseconds += 25 * 3_600_000
        XCTAssertEqual(try readerSync.sync().verification?.selfChecked, true, "a day later, as for any large store")

        let (_, smallSync) = try client("carla", districts: ["suedstadt"], clock: clock)
        XCTAssertEqual(try smallSync.sync().verification?.selfChecked, true, "a small store is checked at every sync")
    }

    func testTheOutboxEmptiesOnlyWhenTheServerConfirms() throws {
        var transport: InProcessTransport!
        let (store, engine) = try client("anna", clock: clock, transport: { api in
            transport = InProcessTransport(api: api, seed: 3)
            return transport
        })
        _ = try engine.sync()
        _ = try recordOffer(store, "Elterncafé")
        transport.loseAnswer = 1  // every answer is lost after the server applied the request
        XCTAssertThrowsError(try engine.sync()) { error in
            guard case SyncError.transport(.unreachable) = error else { return XCTFail("a lost answer is a transport failure: \(error)") }
        }
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 1, "no confirmation, no removal")
        transport.loseAnswer = 0
        let report = try engine.sync()
        XCTAssertEqual(report.appliedChangeSets, 1, "the retried push gets the stored outcome")
        XCTAssertEqual(try Outbox.pendingCount(in: store.database), 0)
    }
}

extension SyncEngineTests {
    /// Re-stamping keeps the meaning of edits made on top of the re-stamped ones: their bases
    /// follow the new stamps, on the laptop and so on the server.
    func testRestampedEditsKeepPointingAtTheVersionsTheyReplaced() throws {
        let skewed = TestClock(milliseconds: clock.milliseconds + 3 * 3_600_000)
        let (laptop, laptopSync) = try client("anna", clock: skewed)
        _ = try laptopSync.sync()
        let offer = try recordOffer(laptop, "Elterncafé")
        skewed.milliseconds += 1_000
        var edit = OfferInput()
        edit.title = "Elterncafé Nord"
        _ = try laptop.editOffer(offer, edit, language: .english)

        let report = try laptopSync.sync()
        XCTAssertEqual(report.restampedChangeSets, 2)
        XCTAssertEqual(report.openConflicts, 0)
        let state = try ServerDatabaseInspector(server.path)
        let created = try XCTUnwrap(state.scalarString("SELECT hlc FROM field_state WHERE record_id = ? AND field = 'district'", [offer]))
        let title = try XCTUnwrap(state.firstRow("SELECT hlc, base, value FROM field_state WHERE record_id = ? AND field = 'title'", [offer]))
        XCTAssertEqual(title.string(2), #""Elterncafé Nord""#)
        XCTAssertEqual(title.string(1), created, "the edit's base is the re-stamped creation, not the refused stamp")
        XCTAssertLessThan(created, try XCTUnwrap(title.string(0)))
        XCTAssertEqual(try laptop.database.scalarInt("SELECT count(*) FROM field_versions WHERE hlc >= ?",
                                                      [String(format: "%015lld", skewed.milliseconds - 3_600_000)]), 0,
                       "no stamp from the wrong clock is left")
    }
}
