import Foundation
import KetteClient
import KetteProtocol
import KetteServer
import KetteStore

/// Sync with the real server on loopback: push from several clients at once, a fresh client's
/// first full sync of the county, an incremental nightly sync, and the storage engine's own
/// ceiling for the same rows, measured in the same run.
struct SyncBenchmark {
    let binaries: Binaries
    let clients: Int
    let runs: Int
    let seed: UInt64
    let work: String
    /// `--link`: also time first full syncs through a shaping proxy, with and without gzip.
    var link: ShapingProxy.Shape? = nil
    /// The Yjs peer run on the same rows in the same run; nil with `--no-yjs` or when it is not set up.
    var yjs: YjsPeer? = nil

    struct Figures {
        var changes = 0
        var pushSeconds: [Double] = []
        var ceilingInsertSeconds: [Double] = []
        var pullSeconds: [Double] = []
        var pulledRows = 0
        var ceilingSelectSeconds: [Double] = []
        var incrementalMilliseconds: [Double] = []
        var pushClientRSS: [Double] = []
        var pullClientRSS: [Double] = []
        /// What the first full sync's client wrote to disk, and the size of the store it made.
        var pullWrittenBytes: [Double] = []
        var pullStoreBytes: [Double] = []
        var serverRSS: [Double] = []
        var antiEntropy = AntiEntropyFigures()
        /// First full syncs with `KETTE_COMPRESSION=off` on loopback, and both ways through the link.
        var pullPlainSeconds: [Double] = []
        var pullGzipSeconds: [Double] = []
        var linkGzipSeconds: [Double] = []
        var linkPlainSeconds: [Double] = []
        /// Bytes the link carried down (server to client) in one first sync, gzipped and plain.
        var linkGzipBytes = 0
        var linkPlainBytes = 0
        /// The bulk-load limit: the pulled rows loaded into an empty client store (`BulkLoad`) and the store closed.
        var bulkLoadSeconds: [Double] = []
        /// The same loads until their commit, before the store is closed.
        var bulkLoadCommittedSeconds: [Double] = []
        /// The Yjs peer on the same rows: push until persisted, a fresh client's first full sync.
        var yjsPushSeconds: [Double] = []
        var yjsFirstSyncSeconds: [Double] = []
    }

    /// The server's users and districts, made once per size: 30 districts, 300 coordinators,
    /// a county office.
    func prepareServer(_ path: String) throws -> [String: String] {
        let store = try ServerStore(path: path)
        for index in 0..<30 { try store.addDistrict(id: "d\(index + 1)", name: CountyGenerator.districtName(index)) }
        var tokens: [String: String] = ["county": try store.addUser(name: "county", role: .county, districts: [])]
        for index in 0..<300 {
            tokens["c\(index + 1)"] = try store.addUser(name: "c\(index + 1)", role: .coordinator, districts: ["d\(index % 30 + 1)"])
        }
        return tokens
    }

    func startServer(database: String, log: String, extraArguments: [String] = []) throws -> (ChildProcess, String) {
        try? FileManager.default.removeItem(atPath: log)
        let server = try ChildProcess.start(binaries.server, ["serve", "--db", database, "--port", "0"] + extraArguments, log: log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
               let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                return (server, String(text[range]))
            }
            usleep(20_000)
        }
        throw BenchmarkError("kette-server did not start; see \(log)")
    }

    /// A coordinator's store that knows the server and its districts.
    func makeClient(_ directory: String, url: String, token: String) throws {
        try LocalStore.create(directory: directory, name: (directory as NSString).lastPathComponent)
        try RemoteConfiguration(url: url, token: token, caCertificate: nil).save(in: directory)
        _ = try ChildProcess.run(binaries.kette, ["--home", directory, "sync"])
    }

    func copy(_ from: String, _ to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    func run(size: Int) throws -> Figures {
        let base = (work as NSString).appendingPathComponent("size-\(size)")
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let template = base + "/template"
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: true)
        let tokens = try prepareServer(template + "/server.db")
        var figures = Figures()
        figures.changes = try makeClientStores(template: template, base: base, size: size, tokens: tokens)
        for run in 0..<runs {
            let directory = base + "/run\(run)"
            try copy(template, directory)
            try measureRun(directory: directory, base: base, run: run, size: size, tokens: tokens, figures: &figures)
            try measureCeiling(directory: directory, figures: &figures)
            try measureBulkLoad(directory: directory, figures: &figures)
            // A failing peer costs its figures, not the run's.
            do { if let yjs { try measureYjs(yjs, directory: directory, base: base, figures: &figures) } } catch { print("    Yjs peer failed: \(error)") }
            try? FileManager.default.removeItem(atPath: directory)
        }
        return figures
    }

    /// Client stores with their share of the changes, made once and copied for every run;
    /// returns the number of field changes they hold.
    func makeClientStores(template: String, base: String, size: Int, tokens: [String: String]) throws -> Int {
        let started = Date()
        let (server, url) = try startServer(database: template + "/server.db", log: base + "/server.log")
        var changes = 0
        for index in 0..<clients {
            let directory = template + "/client\(index + 1)"
            try makeClient(directory, url: url, token: tokens["c\(index + 1)"]!)
            let store = try LocalStore(directory: directory)
            try store.database.execute("PRAGMA synchronous = OFF")
            var generator = CountyGenerator(random: SeededGenerator(seed: seed &+ UInt64(index)), store: store)
            try generator.generate(changes: size / clients, districts: ["d\(index + 1)"]) { _ in }
            try store.database.checkpoint()
            changes += try Outbox.pendingChanges(in: store.database)
        }
        kill(server.pid, SIGTERM)
        _ = server.wait()
        print(String(format: "  %d field changes in %d client stores, made in %.1f s", changes, clients, Date().timeIntervalSince(started)))
        return changes
    }

    /// One run against the real server: push, a first full sync, a nightly sync, the digest
    /// check and a restore's repair.
    func measureRun(directory: String, base: String, run: Int, size: Int, tokens: [String: String], figures: inout Figures) throws {
        var (server, url) = try startServer(database: directory + "/server.db", log: base + "/server-run\(run).log")
        for index in 0..<clients {
            try RemoteConfiguration(url: url, token: tokens["c\(index + 1)"]!, caCertificate: nil).save(in: directory + "/client\(index + 1)")
        }
        let (peakBox, sampler) = PeakBox.sampling(server.pid, every: .milliseconds(50))

        // Push: every client at once, after what earlier runs and copies left dirty is on disk
        // (its writeback would otherwise compete with the push's fsyncs).
        Glibc.sync()
        let pushStart = DispatchTime.now().uptimeNanoseconds
        let pushes = try (0..<clients).map { index in
            try ChildProcess.start(binaries.kette, ["--home", directory + "/client\(index + 1)", "sync"],
                                   environment: ["KETTE_SYNC_ONLY": "push"], log: base + "/push.log")
        }
        let pushOutcomes = pushes.map { $0.wait(samplingMemory: true) }
        figures.pushSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - pushStart) / 1e9)
        guard pushOutcomes.allSatisfy({ $0.status == 0 }) else { throw BenchmarkError("a push failed; see \(base)/push.log") }
        figures.pushClientRSS.append(pushOutcomes.map(\.peakRSS).max() ?? 0)

        // A fresh county client's first full sync.
        let county = directory + "/county"
        try LocalStore.create(directory: county, name: "county")
        try RemoteConfiguration(url: url, token: tokens["county"]!, caCertificate: nil).save(in: county)
        let pull = try ChildProcess.run(binaries.kette, ["--home", county, "sync"], log: base + "/pull.log", samplingMemory: true)
        figures.pullSeconds.append(pull.milliseconds / 1000)
        figures.pullClientRSS.append(pull.peakRSS)
        figures.pullWrittenBytes.append(pull.writtenBytes)
        figures.pullStoreBytes.append(Self.bytes(in: county))

        if let link { try measureLink(link, url: url, directory: directory, base: base, token: tokens["county"]!, figures: &figures) }
        figures.incrementalMilliseconds.append(try nightlySync(directory: directory, base: base))
        sampler.cancel()
        figures.serverRSS.append(peakBox.peak)
        try measureCheck(database: directory + "/server.db", url: url, token: tokens["county"]!, county: county, into: &figures.antiEntropy)
        try measureRestore(directory: directory, base: base, size: size, tokens: tokens, server: &server, url: &url, into: &figures.antiEntropy)
        kill(server.pid, SIGTERM)
        _ = server.wait()
    }

    /// First full syncs of fresh county stores: on loopback without and with gzip, then through a shaping
    /// proxy with and without gzip (the same server process as the loopback figures).
    func measureLink(_ shape: ShapingProxy.Shape, url: String, directory: String, base: String, token: String,
                     figures: inout Figures) throws {
        let port = UInt16(url.split(separator: ":").last!)!
        let proxy = try ShapingProxy(target: port, shape: shape)
        // Loopback both ways back to back, so the comparison does not depend on what ran before.
        figures.pullPlainSeconds.append(try firstSync(url: url, directory: directory + "/plain", token: token, compressed: false, base: base))
        figures.pullGzipSeconds.append(try firstSync(url: url, directory: directory + "/gzip", token: token, compressed: true, base: base))
        figures.linkGzipSeconds.append(try firstSync(url: proxy.url, directory: directory + "/link-gzip", token: token, compressed: true, base: base))
        figures.linkGzipBytes = proxy.downstream.bytesCarried
        figures.linkPlainSeconds.append(try firstSync(url: proxy.url, directory: directory + "/link-plain", token: token, compressed: false, base: base))
        figures.linkPlainBytes = proxy.downstream.bytesCarried - figures.linkGzipBytes
    }

    /// A fresh county store's first full sync from `url`, in seconds; the store is removed after.
    func firstSync(url: String, directory: String, token: String, compressed: Bool, base: String) throws -> Double {
        try LocalStore.create(directory: directory, name: "county")
        try RemoteConfiguration(url: url, token: token, caCertificate: nil).save(in: directory)
        let outcome = try ChildProcess.run(binaries.kette, ["--home", directory, "sync"],
                                           environment: compressed ? [:] : ["KETTE_COMPRESSION": "off"], log: base + "/pull.log")
        try? FileManager.default.removeItem(atPath: directory)
        return outcome.milliseconds / 1000
    }

    /// A nightly sync: one coordinator edits 1% of their offers, the county office syncs; the
    /// county's time in milliseconds.
    func nightlySync(directory: String, base: String) throws -> Double {
        let editor = try LocalStore(directory: directory + "/client1")
        let offers = try editor.offers(OfferFilter(), language: .english)
        for offer in offers.prefix(max(1, offers.count / 100)) {
            var input = OfferInput()
            input.status = offer.status == .active ? "ended" : "active"
            _ = try editor.editOffer(offer.id, input, language: .english)
        }
        _ = try ChildProcess.run(binaries.kette, ["--home", directory + "/client1", "sync"], log: base + "/push.log")
        return try ChildProcess.run(binaries.kette, ["--home", directory + "/county", "sync"], log: base + "/pull.log").milliseconds
    }

    /// The ceiling: the same rows, inserted raw in one transaction, and selected raw; the fastest
    /// of `ceilingTries` into a fresh file each. A single insert moved by 20–30 % between runs on
    /// a shared machine, and the ratios against it with it.
    func measureCeiling(directory: String, figures: inout Figures) throws {
        let rows = try Database(path: directory + "/server.db").rows("SELECT record_type, record_id, field, value, hlc, base, replica, author, seq FROM field_state ORDER BY seq")
        figures.pulledRows = rows.count
        var insertSeconds: [Double] = [], selectSeconds: [Double] = []
        let path = directory + "/ceiling.db"  // the last try stays: the Yjs peer reads its rows
        for _ in 0..<Self.ceilingTries {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let ceiling = try Database(path: path)
            try ceiling.execute("""
                CREATE TABLE field_state (record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                    hlc TEXT NOT NULL, base TEXT, replica TEXT NOT NULL, author TEXT, seq INTEGER NOT NULL,
                    PRIMARY KEY (record_type, record_id, field)) WITHOUT ROWID;
                CREATE INDEX field_state_by_seq ON field_state (seq);
                """)
            let insertStart = DispatchTime.now().uptimeNanoseconds
            try ceiling.inTransaction { db in
                let insert = try db.cachedStatement("INSERT INTO field_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                for row in rows {
                    try insert.bind(row.values)
                    _ = try insert.step()
                }
                insert.reset()
            }
            insertSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - insertStart) / 1e9)
            let selectStart = DispatchTime.now().uptimeNanoseconds
            var selected = 0
            try ceiling.forEachRow("SELECT record_type, record_id, field, value, hlc, base, replica, author, seq FROM field_state ORDER BY seq") { row in
                selected += row.values.count > 0 ? 1 : 0
            }
            selectSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - selectStart) / 1e9)
        }
        figures.ceilingInsertSeconds.append(insertSeconds.min() ?? 0)
        figures.ceilingSelectSeconds.append(selectSeconds.min() ?? 0)
    }

    /// Tries per ceiling and per bulk load in each run; the fastest counts (as for the PostgreSQL
    /// `COPY` ceiling): what the machine can do at best, so a slow moment does not flatter Kette.
    static let ceilingTries = 3

    /// 50 coordinators syncing at once against one server: its peak memory, and that every
    /// change arrives.
    func runManyClients(count: Int, changesEach: Int) throws -> (serverRSS: Double, seconds: Double, arrived: Bool) {
        let base = (work as NSString).appendingPathComponent("clients-\(count)")
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let tokens = try prepareServer(base + "/server.db")
        let (server, url) = try startServer(database: base + "/server.db", log: base + "/server.log")
        var expected = 0
        for index in 0..<count {
            let directory = base + "/client\(index + 1)"
            try makeClient(directory, url: url, token: tokens["c\(index + 1)"]!)
            let store = try LocalStore(directory: directory)
            try store.database.execute("PRAGMA synchronous = OFF")
            var generator = CountyGenerator(random: SeededGenerator(seed: seed &+ UInt64(index)), store: store)
            try generator.generate(changes: changesEach, districts: ["d\(index % 30 + 1)"]) { _ in }
            expected += try Outbox.pendingCount(in: store.database)
        }
        let (peakBox, sampler) = PeakBox.sampling(server.pid, every: .milliseconds(20))
        let start = DispatchTime.now().uptimeNanoseconds
        let syncs = try (0..<count).map { index in
            try ChildProcess.start(binaries.kette, ["--home", base + "/client\(index + 1)", "sync"], log: base + "/sync.log")
        }
        let outcomes = syncs.map { $0.wait() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        sampler.cancel()
        kill(server.pid, SIGTERM)
        _ = server.wait()
        let arrived = try Database(path: base + "/server.db").scalarInt("SELECT count(*) FROM change_sets WHERE user_name LIKE 'c%'") ?? 0
        try? FileManager.default.removeItem(atPath: base)
        return (peakBox.peak, seconds, outcomes.allSatisfy { $0.status == 0 } && arrived == expected)
    }
}

/// The highest value seen, from a timer thread.
final class PeakBox: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private var value = 0.0
    private let lock = NSLock()
    func note(_ sample: Double) { lock.lock(); value = max(value, sample); lock.unlock() }
    var peak: Double { lock.lock(); defer { lock.unlock() }; return value }

    /// Samples the resident size of process `pid` every `interval` until the timer is cancelled.
    static func sampling(_ pid: pid_t, every interval: DispatchTimeInterval) -> (PeakBox, DispatchSourceTimer) {
        let box = PeakBox()
        let sampler = DispatchSource.makeTimerSource()
        sampler.schedule(deadline: .now(), repeating: interval)
        sampler.setEventHandler { if let rss = ChildProcess.currentRSS(of: pid) { box.note(rss) } }
        sampler.resume()
        return (box, sampler)
    }
}
