import Foundation
import XCTest
@testable import KetteClient

/// CurlTransport and RetryingTransport against a real HTTP server on 127.0.0.1
/// (Fixtures/test_http_server.py, one process per test).
final class TransportTests: XCTestCase {
    // MARK: - Round trips

    func testGetRoundTripsHeadersAndLowercasesResponseHeaders() throws {
        let server = try startServer()
        let response = try CurlTransport().send(TransportRequest(method: "GET", url: server.url("/ok"), headers: ["X-Kette-Test": "grüße"]))

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertEqual(response.headers["x-multi"], "a, b", "repeated headers are joined")
        XCTAssertNil(response.headers["Content-Type"], "keys are lower case")
        let echo = try Echo(response.body)
        XCTAssertEqual(echo.method, "GET")
        XCTAssertEqual(echo.bodyLength, 0)
        XCTAssertEqual(echo.header, "grüße")
    }

    func testPostAndPutSendTheWholeBinaryBodyWithoutExpectContinue() throws {
        let server = try startServer()
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }  // zero bytes included
        for method in ["POST", "PUT"] {
            let response = try CurlTransport().send(TransportRequest(
                method: method, url: server.url("/ok"),
                headers: ["X-Kette-Test": "1", "Content-Type": "application/octet-stream"], body: body))
            XCTAssertEqual(response.status, 200)
            let echo = try Echo(response.body)
            XCTAssertEqual(echo.method, method)
            XCTAssertEqual(echo.bodyLength, body.count)
            XCTAssertEqual(echo.header, "1")
            XCTAssertNil(echo.expect, "curl must not wait for 100-continue")
        }
        let empty = try CurlTransport().send(TransportRequest(method: "POST", url: server.url("/ok")))
        XCTAssertEqual(try Echo(empty.body).bodyLength, 0)
        XCTAssertEqual(try Echo(empty.body).method, "POST")
    }

    func testLargeBodyWithinTheLimitArrivesWhole() throws {
        let server = try startServer()
        let response = try CurlTransport().send(TransportRequest(url: server.url("/big?bytes=5000000")))
        XCTAssertEqual(response.body.count, 5_000_000)
        XCTAssertTrue(response.body.allSatisfy { $0 == UInt8(ascii: "k") })
    }

    func testResponseOverTheSizeLimitIsRefusedWithOrWithoutContentLength() throws {
        let server = try startServer()
        let transport = CurlTransport(configuration: .init(maxResponseBytes: 1_000_000))
        for path in ["/big?bytes=2000000", "/big?bytes=2000000&length=0"] {
            XCTAssertThrowsError(try transport.send(TransportRequest(url: server.url(path))), path) { error in
                guard case .failed(let detail) = error as? TransportError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("larger than the limit of 1000000 bytes"), detail)
            }
        }
    }

    // MARK: - Statuses and retries

    func test404IsReturnedNotThrownAndNotRetried() throws {
        let server = try startServer()
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(CurlTransport(), sleep: sleeper.sleep)

        let response = try transport.send(TransportRequest(url: server.url("/status/404")))

        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "status 404")
        XCTAssertEqual(sleeper.delays, [])
        XCTAssertEqual(try server.count("/status/404"), 1)
    }

    func test503IsRetriedWithExponentialBackoffThenReturned() throws {
        let server = try startServer()
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(CurlTransport(), policy: RetryPolicy(jitter: 0), sleep: sleeper.sleep)

        let response = try transport.send(TransportRequest(url: server.url("/status/503")))

        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(sleeper.delays, [.milliseconds(500), .seconds(1), .seconds(2)])
        XCTAssertEqual(try server.count("/status/503"), 4)
    }

    func test503RetryAfterIsHonouredAndTooLongARetryAfterEndsTheRetries() throws {
        let server = try startServer()
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(CurlTransport(), policy: RetryPolicy(maxAttempts: 3), sleep: sleeper.sleep)

        XCTAssertEqual(try transport.send(TransportRequest(url: server.url("/status/503?retry_after=3"))).status, 503)
        XCTAssertEqual(sleeper.delays, [.seconds(3), .seconds(3)])

        sleeper.delays = []
        let response = try transport.send(TransportRequest(url: server.url("/status/503?retry_after=3600")))
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.headers["retry-after"], "3600", "the caller can tell the user when to come back")
        XCTAssertEqual(sleeper.delays, [])
        XCTAssertEqual(try server.count("/status/503"), 4)
    }

    // MARK: - Failures

    func testRefusedConnectionIsUnreachableQuickly() throws {
        let port = try closedPort()
        let start = ContinuousClock.now
        XCTAssertThrowsError(try CurlTransport().send(TransportRequest(url: "http://127.0.0.1:\(port)/ok"))) { error in
            guard case .unreachable(let detail) = error as? TransportError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("\(port)"), detail)
            XCTAssertTrue((error as! TransportError).description.contains("nothing was lost"))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }

    func testTotalTimeoutEndsAServerThatNeverAnswers() throws {
        let server = try startServer()
        let transport = CurlTransport(configuration: .init(totalTimeoutSeconds: 2, lowSpeedTimeSeconds: 60))
        let start = ContinuousClock.now
        XCTAssertThrowsError(try transport.send(TransportRequest(url: server.url("/slow?seconds=10")))) { error in
            guard case .timedOut(let detail) = error as? TransportError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("timed out"), detail)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(1900))
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    func testStalledTransferIsCutByTheLowSpeedLimit() throws {
        let server = try startServer()
        let transport = CurlTransport(configuration: .init(totalTimeoutSeconds: 25, lowSpeedLimitBytesPerSecond: 100, lowSpeedTimeSeconds: 1))
        let start = ContinuousClock.now
        XCTAssertThrowsError(try transport.send(TransportRequest(url: server.url("/stall")))) { error in
            guard case .timedOut(let detail) = error as? TransportError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("too slow"), detail)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "cut long before the 25 s total timeout")
    }

    func testHTTPSToAPlainHTTPPortFailsClearlyAndIsNotRetried() throws {
        let server = try startServer()
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(CurlTransport(), sleep: sleeper.sleep)
        let url = server.url("/ok").replacingOccurrences(of: "http://", with: "https://")
        XCTAssertThrowsError(try transport.send(TransportRequest(url: url))) { error in
            switch error as? TransportError {
            case .tls(let detail):
                XCTAssertTrue(detail.contains("TLS handshake failed"), detail)
                XCTAssertEqual(sleeper.delays, [], "TLS errors are never retried")
            case .unreachable(let detail):
                XCTAssertFalse(detail.isEmpty)
            default:
                XCTFail("\(error)")
            }
        }
    }

    func testOnlyHTTPAndHTTPSAreAllowed() {
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/x"] {
            XCTAssertThrowsError(try CurlTransport().send(TransportRequest(url: url)), url) { error in
                guard case .failed(let detail) = error as? TransportError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("curl error 1)"), detail)  // CURLE_UNSUPPORTED_PROTOCOL
            }
        }
    }

    func testHeaderInjectionAndBadMethodsAreRefusedBeforeSending() {
        let requests = [
            TransportRequest(url: "http://127.0.0.1:1/", headers: ["X-A": "1\r\nX-Injected: 2"]),
            TransportRequest(url: "http://127.0.0.1:1/", headers: ["X A": "1"]),
            TransportRequest(method: "GET /evil HTTP/1.1\r\n", url: "http://127.0.0.1:1/"),
        ]
        for request in requests {
            XCTAssertThrowsError(try CurlTransport().send(request)) { error in
                guard case .failed = error as? TransportError else { return XCTFail("\(error)") }
            }
        }
    }

    // MARK: - Helpers

    private func startServer() throws -> TestHTTPServer {
        let server = try TestHTTPServer()
        addTeardownBlock { server.stop() }
        return server
    }

    /// A port nothing listens on: bound, read back, and closed again.
    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Retry decisions with a scripted transport: no sockets, no sleeping.
final class RetryingTransportTests: XCTestCase {
    func testUnreachableAndTimeoutsAreRetriedUntilSuccess() throws {
        let base = ScriptedTransport([.failure(.unreachable("refused")), .failure(.timedOut("slow")), .success(.init(status: 200))])
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(base, policy: RetryPolicy(jitter: 0), sleep: sleeper.sleep)
        XCTAssertEqual(try transport.send(TransportRequest(url: "http://x/")).status, 200)
        XCTAssertEqual(sleeper.delays, [.milliseconds(500), .seconds(1)])
        XCTAssertEqual(base.calls, 3)
    }

    func testTheLastErrorIsThrownWhenAttemptsRunOut() {
        let base = ScriptedTransport(Array(repeating: .failure(.unreachable("refused")), count: 4))
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(base, policy: RetryPolicy(maxAttempts: 2, jitter: 0), sleep: sleeper.sleep)
        XCTAssertThrowsError(try transport.send(TransportRequest(url: "http://x/"))) { error in
            XCTAssertEqual(error as? TransportError, .unreachable("refused"))
        }
        XCTAssertEqual(base.calls, 2)
        XCTAssertEqual(sleeper.delays, [.milliseconds(500)])
    }

    /// Issue 12.5: the client bounds every loop. A huge KETTE_RETRIES cannot make one request retry for ever.
    func testNoPolicyRetriesMoreThanTheAttemptLimit() {
        let base = ScriptedTransport(Array(repeating: .failure(.unreachable("refused")), count: 100))
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(base, policy: RetryPolicy(maxAttempts: .max, jitter: 0), sleep: sleeper.sleep)
        XCTAssertThrowsError(try transport.send(TransportRequest(url: "http://x/")))
        XCTAssertEqual(base.calls, RetryPolicy.attemptLimit)
        XCTAssertEqual(RetryPolicy.attemptLimit, 20)
    }

    func testTLSAndOtherFailuresAreNeverRetried() {
        for failure in [TransportError.tls("certificate not trusted"), .failed("malformed URL")] {
            let base = ScriptedTransport([.failure(failure), .success(.init(status: 200))])
            let sleeper = RecordingSleeper()
            XCTAssertThrowsError(try RetryingTransport(base, sleep: sleeper.sleep).send(TransportRequest(url: "http://x/"))) { error in
                XCTAssertEqual(error as? TransportError, failure)
            }
            XCTAssertEqual(base.calls, 1)
            XCTAssertEqual(sleeper.delays, [])
        }
    }

    func test4xxIsNeverRetriedExcept429WithAShortRetryAfter() throws {
        for status in [400, 401, 403, 404, 409, 429] {
            let base = ScriptedTransport([.success(.init(status: status)), .success(.init(status: 200))])
            let sleeper = RecordingSleeper()
            XCTAssertEqual(try RetryingTransport(base, sleep: sleeper.sleep).send(TransportRequest(url: "http://x/")).status, status)
            XCTAssertEqual(base.calls, 1, "\(status)")
        }

        let limited = TransportResponse(status: 429, headers: ["retry-after": "2"])
        let base = ScriptedTransport(Array(repeating: .success(limited), count: 10))
        let sleeper = RecordingSleeper()
        let transport = RetryingTransport(base, policy: RetryPolicy(maxAttempts: 3), sleep: sleeper.sleep)
        XCTAssertEqual(try transport.send(TransportRequest(url: "http://x/")).status, 429)
        XCTAssertEqual(base.calls, 3, "no more attempts than the policy allows")
        XCTAssertEqual(sleeper.delays, [.seconds(2), .seconds(2)])
    }

    func testBackoffIsCappedAndJitterStaysWithinItsBounds() {
        let policy = RetryPolicy(maxAttempts: 10)
        XCTAssertEqual((1...7).map(policy.backoff(afterAttempt:)),
                       [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        XCTAssertEqual(policy.backoff(afterAttempt: 1000), .seconds(8))
        XCTAssertEqual(policy.jittered(.seconds(2), random: 0).inSeconds, 1.6, accuracy: 1e-9)
        XCTAssertEqual(policy.jittered(.seconds(2), random: 0.5).inSeconds, 2, accuracy: 1e-9)
        XCTAssertEqual(policy.jittered(.seconds(2), random: 1).inSeconds, 2.4, accuracy: 1e-9)
        XCTAssertEqual(policy.jittered(.seconds(8), random: 1), .seconds(8), "never above maxDelay")
    }

    func testMessagesSayWhatHappenedAndThatNothingWasLost() {
        XCTAssertEqual(TransportError.unreachable("Could not connect (curl error 7)").description,
                       "the server cannot be reached: nothing answers at that address (is it running, is the port right?). Your changes stay on this device; nothing was lost. Try again later.")
        // libcurl's English never reaches a German reader: the error class is put in plain words.
        let german = TransportError.unreachable("Could not resolve host: kreis.example (curl error 6)").message(.german)
        XCTAssertTrue(german.hasPrefix("Der Name des Servers ist nicht auffindbar"), german)
        XCTAssertFalse(german.contains("resolve"), german)
        XCTAssertTrue(TransportError.timedOut("x").description.contains("Try again later"))
        XCTAssertTrue(TransportError.tls("x").message(.german).contains("Keine sichere Verbindung"))
    }
}

// MARK: - Test doubles

/// Records the pauses a RetryingTransport asks for instead of sleeping.
final class RecordingSleeper: @unchecked Sendable {
    // @unchecked: `recorded` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var delays: [Duration] {
        get { lock.withLock { recorded } }
        set { lock.withLock { recorded = newValue } }
    }

    var sleep: @Sendable (Duration) -> Void {
        { [self] delay in lock.withLock { recorded.append(delay) } }
    }
}

/// Answers with a fixed list of outcomes, one per call.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `outcomes` and `count` are only touched under `lock`.
    private let lock = NSLock()
    private var outcomes: [Result<TransportResponse, TransportError>]
    private var count = 0

    init(_ outcomes: [Result<TransportResponse, TransportError>]) {
        self.outcomes = outcomes
    }

    var calls: Int { lock.withLock { count } }

    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        let outcome = lock.withLock {
            count += 1
            return outcomes.removeFirst()
        }
        return try outcome.get()
    }
}

/// The JSON /ok answers with.
private struct Echo: Decodable {
    var method: String
    var bodyLength: Int
    var header: String?
    var expect: String?

    init(_ body: [UInt8]) throws {
        self = try JSONDecoder().decode(Echo.self, from: Data(body))
    }
}

/// Fixtures/test_http_server.py as a child process on a free port of 127.0.0.1.
final class TestHTTPServer {
    private let process = Process()
    private let input = Pipe()
    let port: Int

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/test_http_server.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardInput = input  // the server exits when this closes, even if we crash
        process.standardOutput = output
        try process.run()

        // The first line of output is the port.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw POSIXError(.ECHILD)
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// How many requests reached `path`, as the server counted them.
    func count(_ path: String) throws -> Int {
        let response = try CurlTransport().send(TransportRequest(url: url("/count?path=\(path)")))
        return Int(String(decoding: response.body, as: UTF8.self)) ?? -1
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
