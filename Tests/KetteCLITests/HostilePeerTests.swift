import Foundation
import KetteStore
import KetteTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12.1-12.3 against the real `kette-server`: a client without a token cannot make the
/// server hold a body, a slow body or too many connections cannot lock others out, and a
/// coordinator's large records cannot make pages that other clients cannot read.
final class HostilePeerTests: ServerTestCase {
    override var ketteTimeout: TimeInterval { 300 }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(districts: [.nordstadt, .suedstadt],
                       users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "suedstadt"), .county("kreis")])
    }

    /// Makes the store `name` for `user` and points it at the server, without a first sync (the
    /// test's own first sync is the one it measures).
    func attach(_ name: String, as user: String) {
        kette(name, ["init", "--name", user])
        kette(name, ["remote", server.url, "--token", tokens[user]!])
    }

    /// The server process's resident memory now and at its peak, in MiB (from /proc).
    func serverMemory() throws -> (now: Int, peak: Int) {
        let status = try String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)
        func kibibytes(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return (kibibytes("VmRSS:") / 1024, kibibytes("VmHWM:") / 1024)
    }

    /// A push's head: method, path, framing; `authorization` nil sends none.
    func pushHead(length: Int, authorization: String?) -> String {
        "POST /v1/changesets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
            + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + "\r\n"
    }

    // MARK: - 12.1 Authentication and size before the body

    func testARequestWithoutAValidTokenIsAnsweredBeforeItsBodyIsSent() throws {
        try server.start()
        for authorization in [nil, "Bearer kette_wrong", "Basic YWJjOmRlZg=="] {
            let socket = try TestSocket(port: server.port, receiveTimeout: 5)
            // Only the head goes out; the 401 must come without the server waiting for 60 MiB.
            XCTAssertTrue(socket.send(pushHead(length: 62_914_560, authorization: authorization)))
            let reply = socket.readToEnd()
            let text = String(decoding: reply.bytes, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 401"), "\(String(describing: authorization)): \(reply.end) \(text)")
            XCTAssertTrue(text.contains(#""code":"unauthorized""#), text)
            XCTAssertEqual(reply.end, .closed, "the connection closes: the announced body is never read")
        }
        // A valid token with a body over the limit: 413 before the body, as before.
        let socket = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(socket.send(pushHead(length: 100 << 20, authorization: "Bearer \(tokens["anna"]!)")))
        XCTAssertTrue(String(decoding: socket.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 413"))
    }

    func testUnauthenticatedLargeBodiesDoNotMakeTheServerGrow() throws {
        try server.start()
        let before = try serverMemory()
        // Eight clients without a token each try to send 60 MiB (issue 12.1: before, the server
        // grew by about 90 MiB per connection, to 750 MiB).
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let sent = Counter()
        let port = server.port, head = pushHead(length: 60 << 20, authorization: nil)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let socket = try? TestSocket(port: port, receiveTimeout: 5), socket.send(head) else { return }
            for _ in 0..<60 {
                guard socket.send(bytes: chunk) else { break }
                sent.add(1)
            }
            _ = socket.readToEnd()
        }
        let after = try serverMemory()
        print("8 unauthenticated 60 MiB bodies: \(sent.value) MiB accepted by the kernel before the server closed; "
            + "server RSS \(before.now) -> \(after.now) MiB, peak \(after.peak) MiB")
        XCTAssertLessThan(after.peak - before.peak, 32, "no body was buffered")
        XCTAssertEqual(try TestSocket(port: server.port).send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"), true)
    }

    // MARK: - 12.2 Slow bodies and the connection limit

    func testABodyTricklingInIsCutAtTheBodyTimeout() throws {
        try server.start(extraArguments: ["--body-timeout", "2"])
        let socket = try TestSocket(port: server.port, receiveTimeout: 0.5)
        XCTAssertTrue(socket.send(pushHead(length: 1000, authorization: "Bearer \(tokens["anna"]!)")))
        // One byte every half second: never idle long enough for the idle timeout (30 s).
        let (end, elapsed) = socket.trickle("{", for: 20)
        print("body trickling 1 byte / 0.5 s cut after \(String(format: "%.2f", elapsed)) s with --body-timeout 2")
        XCTAssertNotEqual(end, .timedOut, "the server closes the connection")
        XCTAssertGreaterThan(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 4.5)
    }

    func testMaxConnectionsMakesTheConnectionOverTheLimitWait() throws {
        try server.start(extraArguments: ["--max-connections", "3", "--per-ip-limit", "10"])
        var held = try (0..<3).map { _ in try TestSocket(port: server.port) }
        // Each held connection is answered once and stays open: the server has taken all three
        // (its worker threads accept in no fixed order) before connection 4 arrives.
        for connection in held {
            XCTAssertTrue(connection.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            XCTAssertEqual(connection.readAnswer().end, .complete)
        }
        // libmicrohttpd stops accepting at the limit: the kernel queues connection 4 unanswered.
        let extra = try TestSocket(port: server.port, receiveTimeout: 3)
        XCTAssertTrue(extra.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        let waiting = extra.readToEnd()
        XCTAssertEqual(waiting.end, .timedOut, "connection 4 waits")
        XCTAssertTrue(waiting.bytes.isEmpty, "unanswered")
        // One of the three leaves: connection 4 is accepted and served.
        held.removeFirst()
        XCTAssertTrue(String(decoding: extra.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        for connection in held {
            XCTAssertTrue(connection.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            XCTAssertTrue(String(decoding: connection.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
        for (flag, value, expected) in [("--max-connections", "0", "--max-connections must be 1 to 100000"),
                                        ("--body-timeout", "0", "--body-timeout must be 1 to 3600"),
                                        ("--max-inflight-mb", "8", "--max-inflight-mb must be at least --max-body-mb")] {
            let refused = try server.run(["serve", "--db", server.database, "--port", "0", flag, value])
            XCTAssertEqual(refused.status, 1, "\(flag) \(value)")
            XCTAssertTrue(refused.errors.contains(expected), "\(flag) \(value): \(refused.errors)")
        }
    }

    /// A stolen token cannot hold the server's connections with slow bodies: one user has at
    /// most 16 requests in progress; the 17th is answered 429 at once, others are not affected.
    func testOneTokenHasAtMostSixteenRequestsInProgress() throws {
        try server.start()
        let head = pushHead(length: 1000, authorization: "Bearer \(tokens["anna"]!)")
        var held: [TestSocket] = []
        for _ in 0..<16 {
            let socket = try TestSocket(port: server.port, receiveTimeout: 5)
            XCTAssertTrue(socket.send(head))  // and then no body: the request stays in progress
            held.append(socket)
        }
        usleep(300_000)
        let extra = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(extra.send(head))
        let refused = String(decoding: extra.readToEnd().bytes, as: UTF8.self)
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 429"), refused)
        XCTAssertTrue(refused.contains(#""code":"too_many_in_progress""#), refused)
        XCTAssertTrue(refused.contains("Retry-After: 1"), refused)
        let me = "GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer %@\r\n\r\n"
        let bert = try TestSocket(port: server.port)
        XCTAssertTrue(bert.send(String(format: me, tokens["bert"]!)))
        XCTAssertTrue(String(decoding: bert.readToEnd().bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "another user is served")
        // One of Anna's requests goes away: she has a place again.
        held.removeFirst()
        var answer = ""
        for _ in 0..<50 where !answer.hasPrefix("HTTP/1.1 200") {
            usleep(100_000)
            let retry = try TestSocket(port: server.port)
            XCTAssertTrue(retry.send(String(format: me, tokens["anna"]!)))
            answer = String(decoding: retry.readToEnd().bytes, as: UTF8.self)
        }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
    }

    /// Issue 12.2 in small: connections that announce a body and then trickle it no longer hold
    /// the server. Without a token they are answered at once; with one they last the body timeout.
    func testSlowBodiesDoNotLockALegitimateSyncOut() throws {
        try server.start(extraArguments: ["--max-connections", "20", "--per-ip-limit", "20", "--body-timeout", "3"])
        attach("anna", as: "anna")
        kette("anna", ["org", "add", "Jugendamt"])
        let stop = Flag()
        let group = DispatchGroup()
        let port = server.port, head = pushHead(length: 1 << 20, authorization: nil)
        // 20 attackers without a token from 127.0.0.2, each reconnecting when closed.
        for _ in 0..<20 {
            DispatchQueue.global().async(group: group) {
                while !stop.isSet {
                    guard let socket = try? TestSocket(port: port, receiveTimeout: 5, source: "127.0.0.2") else {
                        usleep(50_000)
                        continue
                    }
                    guard socket.send(head) else { continue }
                    while !stop.isSet, socket.send("x") { usleep(500_000) }
                }
            }
        }
        usleep(500_000)
        let started = Date()
        let result = kette("anna", ["sync"])
        print("sync with 20 slow-body attackers at a 20-connection limit: exit \(result.exitCode) after \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        stop.set()
        group.wait()
        let status = try JSONSerialization.jsonObject(with: Data(kette("anna", ["status", "--json"]).stdout.utf8)) as? [String: Any]
        XCTAssertEqual(status?["pendingChangeSets"] as? Int, 0, "the change reached the server")
    }

    // MARK: - 12.3 Pages a client can read

    /// Issue 12.3: 280 organizations with 250 KiB names (70 MB) made a page larger than the
    /// client's 64 MiB response limit, so every other district's sync and every new county
    /// store's first sync failed, on every attempt.
    func testLargeRecordsOfOneCoordinatorDoNotStopOthersFromPulling() throws {
        try server.start()
        let name = String(repeating: "Kinder- und Jugendhilfe ", count: 250 * 1024 / 24)
        let replica = "aaaa0000aaaa0000aaaa0000aaaa0000"
        let started = Date()
        for batch in stride(from: 0, to: 280, by: 20) {
            let sets = (batch..<batch + 20).map { index in
                #"{"id":"\#(UUID().uuidString.lowercased())","replica":"\#(replica)","schemaVersion":1,"summary":"org add","changes":["#
                    + #"{"type":"organization","id":"org-\#(index)","field":"name","value":"\#(name) \#(index)","hlc":"001763900000000-0000-\#(replica)"}]}"#
            }
            let body = #"{"changeSets":["# + sets.joined(separator: ",") + "]}"
            let socket = try TestSocket(port: server.port, receiveTimeout: 60)
            XCTAssertTrue(socket.send(pushHead(length: body.utf8.count, authorization: "Bearer \(tokens["anna"]!)") + body))
            let reply = String(decoding: socket.readToEnd().bytes.prefix(200), as: UTF8.self)
            XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        }
        print("pushed 280 organizations in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        // Another district's coordinator, and a new county store: both pull all 280.
        for (store, user) in [("bert", "bert"), ("kreis", "kreis")] {
            attach(store, as: user)
            let syncStarted = Date()
            let result = kette(store, ["sync", "--json"])
            print("\(store): sync took \(String(format: "%.1f", Date().timeIntervalSince(syncStarted))) s")
            XCTAssertEqual(result.exitCode, 0, "\(store): \(result.stderr)")
            let database = try Database(path: runner.root.appendingPathComponent(store).appendingPathComponent("kette.db").path)
            XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM organizations"), 280, store)
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            print("\(store): \(report["pulledPages"] ?? "?") pages for \(report["pulledChanges"] ?? "?") changes")
        }
    }
}

/// A thread-safe count.
private final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func add(_ amount: Int) { lock.withLock { count += amount } }
    var value: Int { lock.withLock { count } }
}

/// A thread-safe switch, set once.
final class Flag: @unchecked Sendable {
    // @unchecked: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state = false
    func set() { lock.withLock { state = true } }
    var isSet: Bool { lock.withLock { state } }
}
