import Foundation
import KetteClient
import KetteStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 4, "network faults": real `kette` processes sync through Fixtures/fault_proxy.py, which
/// resets connections before and after forwarding, truncates answers, stalls them past the
/// client's timeout and sends requests to the server twice, at random from a seed. Once the faults
/// stop, every replica converges to the server's state and no acknowledged change set is lost.
final class NetworkFaultTests: FaultTestCase {
    static let proxyScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fault_proxy.py").path

    /// The fault proxy as a child process.
    struct Proxy {
        let pid: pid_t
        let port: Int
        let stats: String
    }

    func startProxy(seed: Int, stall: Double, rate: Double) throws -> Proxy {
        let output = runner.root.appendingPathComponent("proxy-\(seed)").path
        let stats = output + ".json"
        let pid = try spawn("/usr/bin/python3", [Self.proxyScript, "--target", String(server.port), "--seed", String(seed),
                                                 "--fault-rate", String(rate), "--stall", String(stall), "--stats", stats], output: output)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let range = text(output + ".out").range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Proxy(pid: pid, port: Int(text(output + ".out")[range].split(separator: ":").last!)!, stats: stats)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = try runner.waitForExit(pid)
        throw NSError(domain: "NetworkFaultTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "the fault proxy did not start: \(text(output + ".err"))"])
    }

    func testReplicasSyncingThroughResetsTruncationsStallsAndDuplicatesConvergeWithNothingLost() throws {
        let seeds = long ? Array(1...30) : [1, 2]
        let rounds = long ? 8 : 4
        let replicas = ["r1", "r2", "r3"]
        try startServer(users: replicas.map { ($0, nil) })
        for name in replicas { try makeClient(name, user: name) }
        // Short client timeouts so a stall (longer than them) costs little; retries as `kette sync` does them.
        let env: [String: String?] = ["KETTE_TIMEOUT": "1", "KETTE_RETRIES": "2", "KETTE_PUSH_BATCH": "2", "KETTE_PAGE_SIZE": "40"]
        var created: [String: String] = [:]  // change set → replica
        var faults: [String: Int] = [:]
        var exits: [Int32: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        let started = Date()

        for seed in seeds {
            let proxy = try startProxy(seed: seed, stall: 1.5, rate: 0.35)
            defer {
                kill(proxy.pid, SIGKILL)
                _ = try? runner.waitForExit(proxy.pid)
            }
            for name in replicas {
                try RemoteConfiguration(url: "http://127.0.0.1:\(proxy.port)", token: tokens[name]!, caCertificate: nil).save(in: home(name))
            }
            for round in 0..<rounds {
                // Recorded offline, then all three sync at once through the faults.
                for name in replicas {
                    for set in try addOffers(name, Int.random(in: 1...3, using: &generator), district: "nordstadt", tag: "S\(seed)R\(round)\(name)").keys {
                        created[set] = name
                    }
                }
                let pids = try replicas.map { try spawnKette($0, ["sync"], env: env, output: runner.root.appendingPathComponent("net-\($0)").path) }
                for (name, pid) in zip(replicas, pids) {
                    let code = exitCode(try runner.waitForExit(pid))
                    exits[code, default: 0] += 1
                    XCTAssertTrue(code == 0 || code == 3, "seed \(seed) round \(round) \(name): exit \(code): \(text(runner.root.appendingPathComponent("net-\(name)").path + ".err"))")
                }
                // What a replica saw acknowledged is on the server.
                let onServer = try serverChangeSets()
                for name in replicas {
                    let pending = try outboxIDs(name)
                    for (set, owner) in created where owner == name && !pending.contains(set) {
                        XCTAssertEqual(onServer[set], name, "seed \(seed): acknowledged change set \(set) of \(name) is not on the server")
                    }
                    try assertStoreIntact(name)
                }
            }
            // The faults stop; everyone syncs twice (the second pass brings what the others pushed last).
            kill(proxy.pid, SIGUSR1)
            usleep(100_000)
            for _ in 0..<2 { for name in replicas { kette(name, ["sync"], env: env) } }
            let fields = try serverFields()
            for name in replicas {
                XCTAssertEqual(try outboxIDs(name), [], "seed \(seed): \(name) has pending change sets after the faults stopped")
                try assertConverged(name, server: fields)
                try assertStoreIntact(name)
            }
            let onServer = try serverChangeSets()
            XCTAssertEqual(Set(onServer.keys), Set(created.keys), "seed \(seed): the server holds exactly the change sets made")
            for (set, owner) in created { XCTAssertEqual(onServer[set], owner) }
            let stats = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: proxy.stats))) as? [String: Any])
            for (kind, count) in stats where kind != "faults_on" { if let count = count as? Int { faults[kind, default: 0] += count } }
            if testRun?.failureCount ?? 0 > 0 { break }
        }
        XCTAssertEqual(try openDatabase(server.database).integrityCheck(), ["ok"])
        print("""
            network fault test: \(seeds.count) seeds × \(rounds) rounds × \(replicas.count) replicas through the fault proxy; \
            requests by fate \(faults.sorted { $0.key < $1.key }); kette sync exit codes \(exits.sorted { $0.key < $1.key }); \
            \(created.count) change sets, all on the server exactly once, all replicas equal to the server; \(Int(Date().timeIntervalSince(started))) s
            """)
        for kind in ["reset_before", "reset_after", "truncate", "stall", "duplicate"] {
            XCTAssertGreaterThan(faults[kind, default: 0], 0, "no \(kind) fault was injected")
        }
        // The client keeps its connection between requests: faults must also strike one it reused.
        XCTAssertGreaterThan(faults["faults_on_kept", default: 0], 0, "no fault struck a kept connection")
    }

    /// libcurl judges the low-speed limit on the transfer rate averaged over the last 5 s and
    /// checks it about once a second, so the low-speed clock starts up to 6 s after the last byte
    /// moved (the request body counts) and the abort comes up to 1 s after it runs out. Measured
    /// with the defaults: 4 attempts took 111.5 s, not the 4 × 20 s the limit's name suggests.
    static let curlLowSpeedLatencySeconds = 7.0

    /// The longest `kette sync` can wait on a server that accepts the connection and never
    /// answers: every attempt runs into the total timeout or, before it, the low-speed limit
    /// (under `lowSpeedLimitBytesPerSecond` for `lowSpeedTimeSeconds`, plus curl's latency in
    /// noticing), and the pauses between attempts are the retry policy's backoff at its largest jitter.
    static func stalledSyncBound(_ configuration: CurlTransport.Configuration, _ policy: RetryPolicy) -> Double {
        let perAttempt = min(configuration.totalTimeoutSeconds, Double(configuration.lowSpeedTimeSeconds) + curlLowSpeedLatencySeconds)
        let pauses = (1..<max(1, policy.maxAttempts)).reduce(0.0) { $0 + min(policy.backoff(afterAttempt: $1).inSecondsForTest * (1 + policy.jitter),
                                                                         policy.maxDelay.inSecondsForTest) }
        return Double(policy.maxAttempts) * perAttempt + pauses
    }

    func testAServerThatAcceptsAndNeverAnswersMakesSyncGiveUpWithinItsBound() throws {
        // A listening socket nobody accepts from: the kernel completes the handshake, then silence.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, length) == 0, listen(listener, 16) == 0, getsockname(listener, raw, &length) == 0 else {
                    throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

        _ = makeFixture()
        addOffer(title: "Wartet auf den Server")
        ok("remote", "http://127.0.0.1:\(port)", "--token", "stalled-server-token")
        let pendingBefore = try pendingChangeSets()

        // The quick run shortens the limits through the environment kette reads; the long run uses the defaults.
        var configuration = CurlTransport.Configuration()
        var policy = RetryPolicy()
        var env: [String: String?] = [:]
        if !long {
            configuration.totalTimeoutSeconds = 2
            policy.maxAttempts = 2
            env = ["KETTE_TIMEOUT": "2", "KETTE_RETRIES": "1"]
        }
        let bound = Self.stalledSyncBound(configuration, policy)
        let floor = Double(policy.maxAttempts) * min(configuration.totalTimeoutSeconds, Double(configuration.lowSpeedTimeSeconds))
        let started = Date()
        let result = runner.run(["sync"], env: env, timeout: bound + 30)
        let elapsed = Date().timeIntervalSince(started)
        print("stalled server: `kette sync` gave up after \(String(format: "%.2f", elapsed)) s (stated bound \(String(format: "%.1f", bound)) s: \(policy.maxAttempts) attempts × \(min(configuration.totalTimeoutSeconds, Double(configuration.lowSpeedTimeSeconds) + Self.curlLowSpeedLatencySeconds)) s + backoff); exit \(result.exitCode)")
        XCTAssertEqual(result.exitCode, 3, "\(result)")
        XCTAssertTrue(result.stderr.contains("the server did not answer in time") && result.stderr.contains("nothing was lost"), "\(result)")
        XCTAssertLessThan(elapsed, bound + 1.0, "kette sync waited longer than its bound (1 s allowed for starting the process)")
        XCTAssertGreaterThanOrEqual(elapsed, floor * 0.95, "kette sync gave up before its timeouts ran out: the bound is not what it waits")
        XCTAssertEqual(try pendingChangeSets(), pendingBefore, "the outbox is kept")
    }
}

extension Duration {
    var inSecondsForTest: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
