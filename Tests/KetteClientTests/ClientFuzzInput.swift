import Foundation
import KetteClient
import KetteProtocol
import KetteStore

// Shared by the client's libFuzzer target (Fuzz/Client, compiled together with this file by
// Fuzz/build.sh) and by `ClientCorpusTests`, which replays the kept corpus in the normal run.

/// How a fuzz input becomes what a server answers, and what counts as a finding.
///
/// An input is one or more pull pages (JSON) separated by lines of `~~~`: the answers to the
/// client's first, second, … `GET /v1/changes`. The client pulls them through the real
/// `SyncEngine` into a real store (seeded with a county's records, `ClientFuzzFixture`), then
/// every report and export runs over the store. A finding is a crash, or an error that would tell
/// the coordinator the wrong thing: anything but "unexpected answer from the server" for a bad
/// page (a storage error, exit 4, sent people looking for a broken disk), and any storage error
/// from a report.
enum ClientFuzzInput {
    static let separator = Array("\n~~~\n".utf8)
    /// More pages than the engine's prefetch needs to show its loop; more would only cost time.
    static let maxPages = 4

    static func pages(_ bytes: [UInt8]) -> [[UInt8]] {
        var pages: [[UInt8]] = []
        var start = 0
        var index = 0
        while index + separator.count <= bytes.count, pages.count < maxPages - 1 {
            if bytes[index..<index + separator.count].elementsEqual(separator) {
                pages.append(Array(bytes[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pages.append(Array(bytes[start...]))
        return pages
    }

    /// Why the outcome of a pull is wrong, or nil.
    static func problem(withPull error: (any Error)?) -> String? {
        switch error {
        case nil: return nil
        case SyncError.protocolViolation?: return nil
        // Paths the fake server does not answer (a newer engine's endpoints) end the sync as a 404.
        case SyncError.server(404, _, _)?: return nil
        default: return "a pull ended with \(String(reflecting: error!)), not a protocol violation"
        }
    }

    /// A county's records as the server sends them: the store every input starts from.
    static let basePage = """
        {"changes":[
        {"seq":1,"type":"district","id":"nordstadt","field":"name","value":"Nordstadt","hlc":"001763800000000-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":2,"type":"district","id":"suedstadt","field":"name","value":"Südstadt","hlc":"001763800000000-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":3,"type":"organization","id":"org-1","field":"name","value":"Jugendamt Süd","hlc":"001763800000001-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":4,"type":"organization","id":"org-1","field":"sector","value":"youth-welfare","hlc":"001763800000001-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":5,"type":"offer","id":"offer-1","field":"title","value":"Elterncafé","hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":6,"type":"offer","id":"offer-1","field":"district","value":"nordstadt","hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":7,"type":"offer","id":"offer-1","field":"phases","value":["early-childhood","preschool"],"hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":8,"type":"offer","id":"offer-1","field":"category","value":"counselling","hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":9,"type":"offer","id":"offer-1","field":"provider","value":"org-1","hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":10,"type":"offer","id":"offer-1","field":"status","value":"active","hlc":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":11,"type":"indicator","id":"ind-1","field":"offer","value":"offer-1","hlc":"001763800000003-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":12,"type":"indicator","id":"ind-1","field":"period","value":"2026-Q1","hlc":"001763800000003-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":13,"type":"indicator","id":"ind-1","field":"participants","value":12,"hlc":"001763800000003-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":14,"type":"indicator","id":"ind-1","field":"sessions","value":4,"hlc":"001763800000003-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":15,"type":"body","id":"body-1","field":"name","value":"Steuerungsgruppe","hlc":"001763800000004-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":16,"type":"body","id":"body-1","field":"level","value":"steering","hlc":"001763800000004-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":17,"type":"body","id":"body-1","field":"district","value":"nordstadt","hlc":"001763800000004-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":18,"type":"meeting","id":"meet-1","field":"body","value":"body-1","hlc":"001763800000005-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":19,"type":"meeting","id":"meet-1","field":"date","value":"2026-03-04","hlc":"001763800000005-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":20,"type":"meeting","id":"meet-1","field":"minutes","value":"Frühe Hilfen\\nBedarf geklärt","hlc":"001763800000005-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":21,"type":"attendee","id":"att-1","field":"meeting","value":"meet-1","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":22,"type":"attendee","id":"att-1","field":"name","value":"Anna Schulz","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":23,"type":"agenda-item","id":"ag-1","field":"meeting","value":"meet-1","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":24,"type":"agenda-item","id":"ag-1","field":"position","value":1,"hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":25,"type":"agenda-item","id":"ag-1","field":"title","value":"Bedarfe","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":26,"type":"decision","id":"dec-1","field":"meeting","value":"meet-1","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":27,"type":"decision","id":"dec-1","field":"text","value":"Elterncafé ausbauen","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":28,"type":"task","id":"task-1","field":"meeting","value":"meet-1","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":29,"type":"task","id":"task-1","field":"text","value":"Raum suchen","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":30,"type":"task","id":"task-1","field":"due","value":"2026-04-01","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":31,"type":"task","id":"task-1","field":"status","value":"open","hlc":"001763800000006-0000-aaaa0000aaaa0000aaaa0000aaaa0000","author":"anna"},
        {"seq":32,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"recordType","value":"offer","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":33,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"recordID","value":"offer-1","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":34,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"field","value":"title","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":35,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"winnerValue","value":"\\"Elterncafé\\"","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":36,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"loserValue","value":"\\"Eltern-Café\\"","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":37,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"winnerHLC","value":"001763800000002-0000-aaaa0000aaaa0000aaaa0000aaaa0000","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"},
        {"seq":38,"type":"conflict","id":"c0nf11c7-0000-4000-8000-000000000001","field":"status","value":"open","hlc":"001763800000007-0000-5e7e5e7e5e7e5e7e5e7e5e7e5e7e5e7e","author":"kette-server"}
        ],"cursor":38,"more":false,"serverTime":1763900000000}
        """
}

/// A client store in a temporary directory, seeded once with `ClientFuzzInput.basePage` and put
/// back to exactly that state before an input whenever the previous one changed it. Most inputs
/// are refused before they touch the store; they reuse the open store and skip the reports, which
/// would only repeat the seed's.
final class ClientFuzzFixture {
    let directory: String
    private let seed: [UInt8]
    private let seedCursor: Int64
    /// The store as the previous input left it; nil when it must be restored from the seed.
    private var store: LocalStore?
    private var storePath: String { (directory as NSString).appendingPathComponent(LocalStore.fileName) }

    init() throws {
        // In memory where the system offers it (tmpfs): a store is written for many inputs.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        directory = (base as NSString).appendingPathComponent("kette-client-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))")
        try LocalStore.create(directory: directory, name: "Fuzz", replica: ReplicaID(rawValue: "f0220000f0220000f0220000f0220000"))
        do {
            let store = try LocalStore(directory: directory)
            let (problem, finished) = Self.pull([Array(ClientFuzzInput.basePage.utf8)], into: store)
            guard problem == nil, finished else { throw FixtureError(problem ?? "the seed page was not merged") }
            guard try store.status().pendingChangeSets == 0 else { throw FixtureError("the seed store has pending changes") }
            seedCursor = try store.pullCursor()
        }
        // The last connection closed: SQLite checkpointed the WAL into the file and removed it.
        seed = Array(try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(LocalStore.fileName))))
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func remove() {
        store = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs one input from the seeded store, with the reports in `languages`; the finding, or nil.
    func run(_ bytes: [UInt8], languages: [Language] = [.english, .german]) -> String? {
        let store: LocalStore
        do {
            store = try self.store ?? restoredStore()
        } catch {
            return "cannot restore the seed store: \(error)"
        }
        self.store = nil
        let (problem, finished) = Self.pull(ClientFuzzInput.pages(bytes), into: store)
        guard !finished, (try? store.pullCursor()) == seedCursor else {
            // Something was merged, or the sync finished and noted it: reports over it, then a fresh seed.
            return problem ?? ClientFuzzReports.problem(in: store, languages: languages)
        }
        self.store = store
        return problem
    }

    private func restoredStore() throws -> LocalStore {
        for suffix in ["-wal", "-shm"] { unlink(storePath + suffix) }
        let code = PrivateFile.write(seed, to: storePath, exclusive: false)
        guard code == 0 else { throw FixtureError("writing the seed: errno \(code)") }
        return try LocalStore(directory: directory)
    }

    /// Pulls `pages` (the answers to the first pulls, in order) into `store` with the real engine:
    /// the finding, if any, and whether the sync finished.
    private static func pull(_ pages: [[UInt8]], into store: LocalStore) -> (problem: String?, finished: Bool) {
        let engine = SyncEngine(store: store, remote: RemoteConfiguration(url: "http://fuzz.invalid", token: "kette_fuzz", caCertificate: nil),
                                transport: PageServer(pages: pages))
        do {
            _ = try engine.sync(.pull)
            return (nil, true)
        } catch {
            return (ClientFuzzInput.problem(withPull: error), false)
        }
    }
}

/// Every report and export over a store; a storage error from any of them is a finding (their
/// other refusals, such as a period without figures, are answers).
enum ClientFuzzReports {
    static func problem(in store: LocalStore, languages: [Language]) -> String? {
        let today = CalendarDay("2026-06-15")!
        for language in languages {
            do {
                let html = ReportHTML(language: language)
                let csv = ReportCSV(language: language)
                let committee = try store.committeeReport(period: "2026", today: today, language: language)
                _ = html.committeePage(committee, title: nil)
                for window in [ReportWindow(day: today), try ReportWindow(parsing: "2026")] {
                    let coverage = try store.coverageReport(window: window, language: language)
                    _ = html.coveragePage(coverage) + csv.coverage(coverage)
                    _ = CoverageHeatMap.svg(coverage, language: language)
                }
                let indicators = try store.indicatorReport(today: today, language: language)
                _ = html.indicatorPage(indicators) + csv.indicators(indicators)
                let meetings = try store.meetingReport(language: language)
                _ = html.meetingPage(meetings) + csv.meetings(meetings)
                let tasks = try store.taskReport(today: today, language: language)
                _ = html.taskPage(tasks) + csv.tasks(tasks)
                _ = try store.offers(OfferFilter(), language: language)
                _ = try store.csvExport(language: language)
            } catch let error as SQLiteError {
                return "a report failed with a storage error: \(error)"
            } catch {
                continue
            }
        }
        do {
            _ = try store.hsdsExport()
            _ = try store.oparlExport(OParlExportOptions())
            _ = try store.conflicts(includeResolved: true)
            _ = try store.search("Eltern")
            _ = try store.status()
        } catch let error as SQLiteError {
            return "an export or read failed with a storage error: \(error)"
        } catch {}
        return nil
    }
}

/// A server that answers the client's pulls with the given pages, in order, and then with an
/// empty last page, and `/v1/me` with the county's user; every other request gets a 404.
final class PageServer: HTTPTransport, @unchecked Sendable {
    // @unchecked: `next` is only touched under `lock`.
    private let pages: [[UInt8]]
    private let lock = NSLock()
    private var next = 0

    init(pages: [[UInt8]]) { self.pages = pages }

    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        if request.method == "GET", request.url.hasSuffix("/v1/me") {
            return TransportResponse(status: 200, body: Array(#"{"user":"kreis","role":"county","districts":[]}"#.utf8))
        }
        guard request.method == "GET", request.url.contains("/v1/changes?") else {
            return TransportResponse(status: 404, body: Array(#"{"error":{"code":"not_found","message":"no endpoint"}}"#.utf8))
        }
        let index = lock.withLock { () -> Int in
            defer { next += 1 }
            return next
        }
        if index < pages.count { return TransportResponse(status: 200, body: pages[index]) }
        let after = request.url.components(separatedBy: "after=").last?.prefix { $0.isNumber } ?? "0"
        return TransportResponse(status: 200, body: Array(#"{"changes":[],"cursor":\#(after),"more":false,"serverTime":1763900000000}"#.utf8))
    }
}
