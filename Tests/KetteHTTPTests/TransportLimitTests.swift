import Foundation
import KetteTestSupport
import XCTest
@testable import KetteHTTP

/// The transport's bounds through a real socket (issue 12.1, 12.2): the head is decided before
/// the body is read, bodies and answers share an in-flight byte budget, and a body or an answer
/// that takes longer than the body timeout loses its connection.
final class TransportLimitTests: XCTestCase {
    private var servers: [HTTPServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
        super.tearDown()
    }

    private func start(_ configuration: HTTPServer.Configuration, _ handler: LimitHandler = LimitHandler()) throws -> HTTPServer {
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        servers.append(server)
        return server
    }

    private func status(of bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes.prefix(20), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    private func post(_ path: String, length: Int) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(length)\r\n\r\n"
    }

    func testAHeadTheHandlerRefusesIsAnsweredWithoutReadingTheBody() throws {
        let handler = LimitHandler()
        let server = try start(HTTPServer.Configuration(port: 0, maxBodyBytes: 64 << 20), handler)
        let socket = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(socket.send(post("/refuse", length: 50 << 20)))
        let reply = socket.readToEnd()
        XCTAssertEqual(status(of: reply.bytes), 401, "answered at the head, without the 50 MiB")
        XCTAssertEqual(reply.end, .closed)
        XCTAssertEqual(handler.handled.value, 0, "handle(_:) never ran")
        XCTAssertEqual(server.statistics.peakInFlightBytes, 0, "nothing was reserved for the body")
    }

    func testTheAdmissionContextReachesTheHandler() throws {
        let server = try start(HTTPServer.Configuration(port: 0))
        let socket = try TestSocket(port: server.port)
        XCTAssertTrue(socket.send(post("/context", length: 2) + "{}"))
        let text = String(decoding: socket.readToEnd().bytes, as: UTF8.self)
        XCTAssertTrue(text.hasSuffix("admitted /context"), text)
    }

    func testBodiesBeyondTheInFlightBudgetWaitWith503UntilThereIsRoom() throws {
        let server = try start(HTTPServer.Configuration(port: 0, maxBodyBytes: 1 << 20, maxInFlightBytes: (3 << 20) / 2))
        // A holds 1 MiB of the 1.5 MiB budget while its body trickles in.
        let first = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(first.send(post("/a", length: 1 << 20) + String(repeating: "a", count: 1000)))
        usleep(200_000)
        // B does not fit: 503 with Retry-After, at once, its body unread.
        let second = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(second.send(post("/b", length: 1 << 20)))
        let refused = second.readToEnd()
        XCTAssertEqual(status(of: refused.bytes), 503)
        let refusedText = String(decoding: refused.bytes, as: UTF8.self)
        XCTAssertTrue(refusedText.contains("Retry-After: 1"), refusedText)
        XCTAssertTrue(refusedText.contains(#""code":"unavailable""#), refusedText)
        // C fits beside A.
        let third = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(third.send(post("/c", length: 100_000) + String(repeating: "c", count: 100_000)))
        XCTAssertEqual(status(of: third.readToEnd().bytes), 200)
        // A completes; then B fits.
        XCTAssertTrue(first.send(String(repeating: "a", count: (1 << 20) - 1000)))
        XCTAssertEqual(status(of: first.readToEnd().bytes), 200)
        let retried = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(retried.send(post("/b", length: 1 << 20) + String(repeating: "b", count: 1 << 20)))
        XCTAssertEqual(status(of: retried.readToEnd().bytes), 200)
        let statistics = server.statistics
        XCTAssertLessThanOrEqual(statistics.peakInFlightBytes, (3 << 20) / 2, "the budget held")
        XCTAssertGreaterThanOrEqual(statistics.peakInFlightBytes, (1 << 20) + 100_000, "A and C were held together")
        let answered = Date()
        while server.statistics.inFlightBytes > 0, Date().timeIntervalSince(answered) < 5 { usleep(20_000) }
        XCTAssertEqual(server.statistics.inFlightBytes, 0, "everything was given back")
    }

    func testAChunkedBodyReservesAsItGrowsAndGivesUpWhenTheBudgetIsGone() throws {
        let server = try start(HTTPServer.Configuration(port: 0, maxBodyBytes: 1 << 20, maxInFlightBytes: 1 << 20))
        let holder = try TestSocket(port: server.port, receiveTimeout: 5)
        XCTAssertTrue(holder.send(post("/hold", length: 900_000)))
        usleep(200_000)
        let chunked = try TestSocket(port: server.port, receiveTimeout: 5)
        var request = "POST /chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<4 { request += "10000\r\n" + String(repeating: "z", count: 0x10000) + "\r\n" }
        request += "0\r\n\r\n"
        XCTAssertTrue(chunked.send(request))
        XCTAssertEqual(status(of: chunked.readToEnd().bytes), 503, "256 KiB do not fit beside 900 KB in a 1 MiB budget")
        XCTAssertLessThanOrEqual(server.statistics.peakInFlightBytes, 1 << 20)
    }

    func testABodyTricklingInIsCutAtTheBodyTimeout() throws {
        let handler = LimitHandler()
        let server = try start(HTTPServer.Configuration(port: 0, connectionTimeoutSeconds: 30, bodyTimeoutSeconds: 2), handler)
        let socket = try TestSocket(port: server.port, receiveTimeout: 0.3)
        XCTAssertTrue(socket.send(post("/slow", length: 100)))
        let (end, elapsed) = socket.trickle("x", for: 15)
        XCTAssertNotEqual(end, .timedOut)
        XCTAssertGreaterThan(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 4.0)
        XCTAssertEqual(handler.handled.value, 0)
        XCTAssertEqual(server.statistics.cutReadingBody, 1)
        // libmicrohttpd ends the request on its own thread just after the client saw the close.
        let closed = Date()
        while server.statistics.inFlightBytes > 0, Date().timeIntervalSince(closed) < 5 { usleep(20_000) }
        XCTAssertEqual(server.statistics.inFlightBytes, 0, "the cut request gave its bytes back")
    }

    func testAnAnswerTheClientDoesNotTakeIsCutAtTheBodyTimeout() throws {
        let server = try start(HTTPServer.Configuration(port: 0, connectionTimeoutSeconds: 30, bodyTimeoutSeconds: 2))
        let socket = try TestSocket(port: server.port, receiveTimeout: 10)
        XCTAssertTrue(socket.send("GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        // The client reads nothing: the 32 MiB answer cannot all leave the server's buffers.
        usleep(500_000)
        XCTAssertGreaterThan(server.statistics.inFlightBytes, 16 << 20, "the answer is counted while it waits")
        let started = Date()
        while server.statistics.cutSendingAnswer == 0, Date().timeIntervalSince(started) < 10 { usleep(100_000) }
        XCTAssertEqual(server.statistics.cutSendingAnswer, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 4.0)
        while server.statistics.inFlightBytes > 0, Date().timeIntervalSince(started) < 10 { usleep(100_000) }
        XCTAssertEqual(server.statistics.inFlightBytes, 0, "freed with the connection")
    }

    func testAnAnswerLargerThanTheBudgetBecomesA503() throws {
        let server = try start(HTTPServer.Configuration(port: 0, maxBodyBytes: 1 << 20, maxInFlightBytes: 4 << 20))
        let socket = try TestSocket(port: server.port)
        XCTAssertTrue(socket.send("GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(status(of: socket.readToEnd().bytes), 503)
    }

    func testTheConfigurationRefusesABudgetSmallerThanABody() {
        let server = HTTPServer(configuration: HTTPServer.Configuration(port: 0, maxBodyBytes: 2 << 20, maxInFlightBytes: 1 << 20),
                                handler: LimitHandler())
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue("\(error)".contains("maxInFlightBytes"), "\(error)")
        }
        XCTAssertEqual(HTTPServer.Configuration(maxBodyBytes: 64 << 20).maxInFlightBytes, 128 << 20)
        XCTAssertEqual(HTTPServer.Configuration().bodyTimeoutSeconds, 120)
    }
}

/// Refuses `/refuse` at the head, passes a context for `/context`, answers `/large` with 32 MiB.
private struct LimitHandler: HTTPHandler {
    let handled = Count()

    func admit(_ head: HTTPRequest) -> HTTPHeadDecision {
        if head.path == "/refuse" { return .answer(.error(401, code: "unauthorized", message: "no")) }
        return .readBody(context: "admitted \(head.path)")
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        handled.add()
        switch request.path {
        case "/large": return HTTPResponse(status: 200, body: [UInt8](repeating: 0x6B, count: 32 << 20))
        case "/context": return HTTPResponse(status: 200, body: Array((request.context as? String ?? "none").utf8))
        default: return HTTPResponse(status: 200, body: Array("\(request.body.count)".utf8))
        }
    }
}

private final class Count: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
