import Foundation
import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Counts every answer and transport error a client sees; retries nothing, so a 503 (the
/// server's answer to SQLITE_BUSY) or a 429 would be counted, not hidden.
private struct CountingTransport: HTTPTransport {
    let base: CurlTransport
    let tally: Tally
    /// "METHOD /path STATUS" of every answer, to compare with the server's /metrics.
    let requests: Tally

    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        do {
            let response = try base.send(request)
            tally.add("HTTP \(response.status)")
            let path = URLComponents(string: request.url)?.path ?? request.url
            requests.add("\(request.method) \(path) \(response.status)")
            if response.status != 200 { tally.add("body \(response.status): \(String(decoding: response.body.prefix(160), as: UTF8.self))") }
            return response
        } catch {
            tally.add("transport error: \(error.detail.prefix(120))")
            throw error
        }
    }
}

/// Change set → user, filled from many threads.
private final class Ledger: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var entries: [String: String] = [:]
    func add(_ set: String, _ user: String) { lock.lock(); entries[set] = user; lock.unlock() }
    var snapshot: [String: String] { lock.lock(); defer { lock.unlock() }; return entries }
}

/// The server's resident memory, sampled from /proc/PID/status.
private final class RSSSampler: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var samples: [Int] = []  // KiB
    /// The server-side sockets on its port, by TCP state (from /proc/net/tcp): CLOSE_WAIT ones
    /// were closed by the client but not yet by the server, and still count against its limits.
    private(set) var peakSockets: [String: Int] = [:]
    private var running = true

    private static func serverSockets(port: UInt16) -> [String: Int] {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return [:] }
        let local = String(format: ":%04X", port)
        var counts: [String: Int] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ")
            guard columns.count > 3, columns[1].hasSuffix(local) else { continue }
            let state = ["01": "ESTABLISHED", "08": "CLOSE_WAIT", "0A": "LISTEN", "06": "TIME_WAIT"][String(columns[3])] ?? String(columns[3])
            counts[state, default: 0] += 1
        }
        return counts
    }

    func start(pid: pid_t, port: UInt16) {
        Thread.detachNewThread { [self] in
            while true {
                lock.lock(); let go = running; lock.unlock()
                guard go else { return }
                if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                   let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
                    lock.lock(); samples.append(kib); lock.unlock()
                }
                let sockets = Self.serverSockets(port: port)
                lock.lock(); peakSockets.merge(sockets) { max($0, $1) }; lock.unlock()
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }

    func stop() -> (rss: [Int], peakSockets: [String: Int]) {
        lock.lock(); defer { lock.unlock() }
        running = false
        return (samples, peakSockets)
    }
}

/// Issue 4, "load": 50 clients (SyncEngines over CurlTransport, one thread each) record and sync
/// against one real `kette-server` for a sustained run. No busy answer reaches a client, the
/// server's memory stays under a stated bound, every change set arrives exactly once.
final class LoadTests: FaultTestCase {
    /// Measured peak in the quick run was far below this (see RELIABILITY.md); the bound has a wide margin.
    static let serverRSSBoundMiB = 256

    func testFiftyClientsSyncingConcurrentlyGetNoBusyAnswerAndEveryChangeSetArrivesOnce() throws {
        let clientCount = 50
        let seconds: Double = long ? 300 : 20
        // 20 coordinators per district and 10 county users (who receive everything).
        var users: [(name: String, district: String?)] = []
        for index in 1...clientCount {
            users.append(("c\(index)", index <= 40 ? (index % 2 == 0 ? "nordstadt" : "suedstadt") : nil))
        }
        // All 50 clients come from 127.0.0.1, where in the county they are 50 laptops with their
        // own addresses: the per-IP limit (default 64) would count them as one host and reset the
        // connections over it (a prefetching pull holds two), which is what the first long runs
        // saw. The limit itself is tested in HostileInputTests.
        try startServer(users: users.map { ($0.name, $0.district) }, extraArguments: ["--per-ip-limit", "512", "--metrics-allow", "127.0.0.1"])
        for user in users { try makeClient(user.name, user: user.name) }

        let tally = Tally()
        let requests = Tally()
        // What the clients' first syncs (`kette sync` in makeClient) left on the counters.
        let baseline = try PrometheusExposition(try curl(["\(server.url)/metrics"]).body)
        let scraper = MetricsScraper(url: "\(server.url)/metrics")
        scraper.start()
        let ledger = Ledger()
        let sampler = RSSSampler()
        sampler.start(pid: server.pid, port: server.port)
        let group = DispatchGroup()
        let deadline = Date().addingTimeInterval(seconds)
        let url = server.url
        for user in users {
            let directory = home(user.name), token = tokens[user.name]!, name = user.name
            let district = user.district ?? (Int(name.dropFirst())! % 2 == 0 ? "nordstadt" : "suedstadt")
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let store = try LocalStore(directory: directory)
                    let engine = SyncEngine(store: store, remote: RemoteConfiguration(url: url, token: token, caCertificate: nil),
                                            transport: CountingTransport(base: CurlTransport(), tally: tally, requests: requests))
                    var round = 0
                    while Date() < deadline {
                        round += 1
                        for index in 0..<Int.random(in: 1...3) {
                            var input = OfferInput()
                            input.title = "\(name) Runde \(round).\(index)"
                            input.district = district
                            let offer = try store.addOffer(input, language: .english)
                            if let set = try store.database.scalarString("""
                                SELECT s.id FROM outbox_change_sets s JOIN outbox_changes c ON c.change_set_seq = s.seq
                                WHERE c.record_type = 'offer' AND c.record_id = ? LIMIT 1
                                """, [offer]) { ledger.add(set, name) }
                        }
                        do {
                            _ = try engine.sync()
                            tally.add("sync ok")
                        } catch {
                            tally.add("sync failed: \(String(describing: error).prefix(160))")
                        }
                        Thread.sleep(forTimeInterval: Double.random(in: 0...0.2))  // a person's pause, a little
                    }
                } catch {
                    tally.add("client error: \(error)")
                }
            }
        }
        group.wait()
        let (samples, peakSockets) = sampler.stop()
        let counts = tally.snapshot
        let scrapes = scraper.stop()
        try assertMetrics(scrapes, since: baseline, match: requests.snapshot, changeSets: ledger.snapshot.count)

        // Everyone syncs twice more, one after another: the first pass pushes what a failed last
        // sync left behind (a client late in the pass may push after earlier ones pulled), the
        // second brings everything to everyone.
        for _ in 0..<2 { for user in users { kette(user.name, ["sync"]) } }
        let made = ledger.snapshot
        let onServer = try serverChangeSets()
        XCTAssertEqual(onServer.count, made.count, "change sets on the server vs made")
        XCTAssertEqual(Set(onServer.keys), Set(made.keys))
        for (set, user) in made { XCTAssertEqual(onServer[set], user) }
        let fields = try serverFields()
        let serverDB = try openDatabase(server.database)
        for user in users {
            XCTAssertEqual(try outboxIDs(user.name), [], user.name)
            if let district = user.district {
                let expected = try serverDB.scalarInt("SELECT count(*) FROM record_scope WHERE record_type = 'offer' AND district = ?", [district])
                XCTAssertEqual(try clientDatabase(user.name).scalarInt("SELECT count(*) FROM offers WHERE deleted = 0"), expected, user.name)
            } else {
                try assertConverged(user.name, server: fields)
            }
        }
        XCTAssertEqual(try serverDB.integrityCheck(), ["ok"])

        // What the server said about it (libmicrohttpd and the API log to its stderr).
        let serverLog = text(server.logPath + ".err").split(separator: "\n")
        // Lines by kind: without the fields that differ from request to request.
        let varying = ["time=", "request_id=", "remote=", "user=", "duration_ms=", "bytes_in=", "bytes_out=", "change_sets=", "applied=", "refused="]
        let logKinds = Dictionary(grouping: serverLog, by: { line in
            line.split(separator: " ").filter { field in !varying.contains { field.hasPrefix($0) } }.joined(separator: " ").prefix(90)
        }).mapValues(\.count).sorted { $0.value > $1.value }.prefix(5)
        print("load test: server stderr \(serverLog.count) lines; most frequent: \(logKinds.map { "\($0.value)× \($0.key)" })")
        let statuses = counts.filter { $0.key.hasPrefix("HTTP ") }
        let problems = counts.filter { !$0.key.hasPrefix("HTTP 200") && $0.key != "sync ok" }
        let peakMiB = Double(samples.max() ?? 0) / 1024
        let lastMiB = Double(samples.last ?? 0) / 1024
        print("""
            load test: \(clientCount) clients for \(Int(seconds)) s against one kette-server: \(counts["sync ok"] ?? 0) syncs, \
            \(made.count) change sets, answers \(statuses.sorted { $0.key < $1.key }); other events \(problems.sorted { $0.key < $1.key }.prefix(8)); \
            server RSS peak \(String(format: "%.1f", peakMiB)) MiB, last \(String(format: "%.1f", lastMiB)) MiB over \(samples.count) samples \
            (bound \(Self.serverRSSBoundMiB) MiB); most server sockets at once by state \(peakSockets.sorted { $0.key < $1.key })
            """)
        XCTAssertEqual(Array(problems.keys).sorted(), [], "a client saw an answer other than 200 or a failed sync")
        XCTAssertNil(counts["HTTP 503"], "SQLITE_BUSY reached a client as 503")
        XCTAssertGreaterThan(samples.count, 0, "no RSS sample of the server")
        XCTAssertLessThan(peakMiB, Double(Self.serverRSSBoundMiB), "server memory above the stated bound")
        XCTAssertGreaterThan(counts["sync ok"] ?? 0, clientCount, "every client synced at least once")
    }

    /// Every scrape taken during the run parsed, its counters never went back, and the last one
    /// (after the clients stopped) counts, beyond `baseline`, exactly the answers the clients
    /// received, by endpoint and status, and the change sets they made; promtool finds nothing to
    /// complain about.
    private func assertMetrics(_ scrapes: [Result<String, Error>], since baseline: PrometheusExposition, match sent: [String: Int],
                               changeSets: Int) throws {
        let texts = try scrapes.map { try $0.get() }
        XCTAssertGreaterThan(texts.count, 3, "scrapes during the run")
        let parsed = try texts.map(PrometheusExposition.init)
        for (earlier, later) in zip(parsed, parsed.dropFirst()) {
            for sample in earlier.samples where sample.name.hasSuffix("_total") || sample.name.hasSuffix("_count") {
                XCTAssertGreaterThanOrEqual(later.value(sample.name, sample.labels) ?? 0, sample.value, "\(sample.name)\(sample.labels) went back")
            }
        }
        let final = try PrometheusExposition(try XCTUnwrap(try curl(["\(server.url)/metrics"]).body))
        var counted: [String: Int] = [:]
        for sample in final.all("kette_http_requests_total") where sample.labels["endpoint"] != "/metrics" {
            let during = Int(sample.value - (baseline.value(sample.name, sample.labels) ?? 0))
            if during > 0 { counted["\(sample.labels["method"]!) \(sample.labels["endpoint"]!) \(sample.labels["status"]!)"] = during }
        }
        XCTAssertEqual(counted, sent, "the server's request counters vs the answers the clients received")
        XCTAssertEqual(final.value("kette_change_sets_total", ["outcome": "applied"]), Double(changeSets), "every change set made was applied once")
        XCTAssertEqual(baseline.value("kette_change_sets_total", ["outcome": "applied"]), 0, "no change set before the run")
        XCTAssertEqual(final.value("kette_change_sets_total", ["outcome": "refused"]), 0)
        XCTAssertEqual(final.value("kette_conflicts_opened_total"), 0, "new offers conflict with nothing")
        XCTAssertEqual(final.value("kette_rate_limit_refusals_total"), Double(sent.filter { $0.key.hasSuffix(" 429") }.values.reduce(0, +)))
        for endpoint in ["/v1/changesets", "/v1/changes"] {
            let count = "kette_http_request_duration_seconds_count"
            XCTAssertEqual((final.value(count, ["endpoint": endpoint]) ?? 0) - (baseline.value(count, ["endpoint": endpoint]) ?? 0),
                           Double(sent.filter { $0.key.contains(" \(endpoint) ") }.values.reduce(0, +)), endpoint)
        }
        XCTAssertGreaterThan(final.value("kette_database_size_bytes") ?? 0, 0)
        if let problems = try promtoolProblems(texts.last ?? "") { XCTAssertEqual(problems, "", "promtool check metrics") }
        print("load test: \(texts.count) scrapes of /metrics during the run; requests counted by the server: \(counted.values.reduce(0, +))")
    }
}

/// Scrapes /metrics once a second with curl while the load runs.
private final class MetricsScraper: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private let url: String
    private var results: [Result<String, Error>] = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(url: String) { self.url = url }

    func start() {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let result = Result { () throws -> String in
                    let scrape = try runProcess("/usr/bin/curl", ["-sf", "--noproxy", "*", "-m", "10", url])
                    guard scrape.status == 0 else { throw NSError(domain: "scrape", code: Int(scrape.status)) }
                    return scrape.output
                }
                lock.withLock { results.append(result) }
                Thread.sleep(forTimeInterval: 1)
            }
            done.signal()
        }
    }

    func stop() -> [Result<String, Error>] {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { results }
    }
}
