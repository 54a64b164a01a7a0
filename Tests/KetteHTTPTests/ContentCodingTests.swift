import Foundation
import KetteCompression
import KetteTestSupport
import XCTest
@testable import KetteHTTP

/// gzip in the transport (issue 13, target 4): the wrapper's bounds, the `Accept-Encoding`
/// grammar, and request bodies inflated through a real socket under the body limit.
final class ContentCodingTests: XCTestCase {
    private var server: HTTPServer?
    private var directory: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: try makeTemporaryDirectory("coding"))
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private let text = Array(String(repeating: "{\"field\":\"title\",\"value\":\"Elterncafé Nordstadt\"},", count: 2000).utf8)

    func testGzipRoundTripsAndShrinksJSON() throws {
        let compressed = try Gzip.compress(text)
        XCTAssertLessThan(compressed.count, text.count / 10)
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1F, 0x8B], "a gzip stream, not zlib or raw deflate")
        XCTAssertEqual(try Gzip.decompress(compressed, limit: text.count), text)
    }

    func testInflatingStopsAtTheLimitAndRefusesDamage() throws {
        let compressed = try Gzip.compress(text)
        XCTAssertThrowsError(try Gzip.decompress(compressed, limit: text.count - 1)) { XCTAssertEqual($0 as? GzipError, .tooLarge(limit: text.count - 1)) }
        XCTAssertThrowsError(try Gzip.decompress(Array(compressed.dropLast(8)), limit: 1 << 20)) { XCTAssertEqual($0 as? GzipError, .truncated) }
        XCTAssertThrowsError(try Gzip.decompress(compressed + [0], limit: 1 << 20)) { XCTAssertEqual($0 as? GzipError, .trailingData) }
        XCTAssertThrowsError(try Gzip.decompress(text, limit: 1 << 20)) { error in
            guard case .corrupt(let reason)? = error as? GzipError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "incorrect header check")
        }
        var damaged = compressed
        damaged[damaged.count - 6] ^= 0x55  // the CRC-32 of the content
        XCTAssertThrowsError(try Gzip.decompress(damaged, limit: 1 << 20)) { XCTAssertNotNil($0 as? GzipError) }
    }

    func testABombStopsAtTheLimitHavingMadeAtMostOnePieceMore() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 64 << 20), level: 9)
        let inflater = try GzipInflater(limit: 1 << 20)
        var taken = 0
        XCTAssertThrowsError(try bomb.withUnsafeBytes { input in
            try Result { () throws(GzipError) in try inflater.inflate(input) { taken += $0.count; return true } }.get()
        }) { XCTAssertEqual($0 as? GzipError, .tooLarge(limit: 1 << 20)) }
        XCTAssertLessThanOrEqual(taken, 1 << 20, "nothing past the limit was handed out")
    }

    func testAcceptEncodingFollowsTheGrammar() {
        let allowing = ["gzip", "GZIP", "x-gzip", "gzip;q=0.001", "br, gzip;q=1.0", "*", "identity;q=1, *;q=0.5", "gzip ; q=0.5"]
        let refusing = [nil, "", "identity", "gzip;q=0", "gzip;q=0.000", "br, deflate", "*;q=0", "gzip;q=2", "gzip;q=0.5555",
                        "gzip;q=abc", "*, gzip;q=0", "gzip;q=-1"]
        for header in allowing { XCTAssertTrue(ContentCoding.acceptsGzip(header), header) }
        for header in refusing { XCTAssertFalse(ContentCoding.acceptsGzip(header), header ?? "no header") }
    }

    func testRequestCodings() {
        XCTAssertEqual(ContentCoding.ofRequest(nil), .identity)
        XCTAssertEqual(ContentCoding.ofRequest(" Identity "), .identity)
        XCTAssertEqual(ContentCoding.ofRequest("gzip"), .gzip)
        XCTAssertEqual(ContentCoding.ofRequest("X-GZIP"), .gzip)
        for unread in ["br", "deflate", "gzip, gzip", "gzip, identity", "compress"] { XCTAssertNil(ContentCoding.ofRequest(unread), unread) }
    }

    // MARK: - Through the socket

    private func start(maxBodyBytes: Int) throws -> (HTTPServer, BodyRecorder) {
        let recorder = BodyRecorder()
        let server = HTTPServer(configuration: HTTPServer.Configuration(port: 0, maxBodyBytes: maxBodyBytes), handler: recorder)
        try server.start()
        self.server = server
        return (server, recorder)
    }

    /// POSTs `body` with `headers` through curl; returns the status and answer.
    private func post(_ body: [UInt8], headers: [String], port: UInt16) throws -> (status: Int, body: String) {
        let file = directory.appendingPathComponent("body-\(UUID().uuidString)")
        try Data(body).write(to: file)
        var arguments = ["--data-binary", "@" + file.path]
        for header in headers { arguments += ["-H", header] }
        return try curlRequest(arguments + ["http://127.0.0.1:\(port)/upload"])
    }

    func testAGzipBodyReachesTheHandlerInflatedWhetherChunkedOrNot() throws {
        let (server, recorder) = try start(maxBodyBytes: 1 << 20)
        let compressed = try Gzip.compress(text)
        for framing in [[], ["Transfer-Encoding: chunked"]] {
            let (status, answer) = try post(compressed, headers: ["Content-Encoding: gzip"] + framing, port: server.port)
            XCTAssertEqual(status, 200, answer)
            XCTAssertEqual(recorder.last, text, "the handler sees the plain body (\(framing))")
            XCTAssertEqual(recorder.lastEncoding, "none", "and no Content-Encoding it would have to undo")
        }
    }

    func testABodyThatInflatesPastTheLimitIs413AndNeverReachesTheHandler() throws {
        let (server, recorder) = try start(maxBodyBytes: 1 << 20)
        let bomb = try Gzip.compress([UInt8](repeating: 0x20, count: 32 << 20), level: 9)
        XCTAssertLessThan(bomb.count, 64 << 10)
        for framing in [[], ["Transfer-Encoding: chunked"]] {
            let (status, answer) = try post(bomb, headers: ["Content-Encoding: gzip"] + framing, port: server.port)
            XCTAssertEqual(status, 413, answer)
            XCTAssertTrue(answer.contains("1048576 bytes"), answer)
        }
        // Exactly at the limit is still read.
        let (status, answer) = try post(try Gzip.compress([UInt8](repeating: 0x20, count: 1 << 20)), headers: ["Content-Encoding: gzip"], port: server.port)
        XCTAssertEqual(status, 200, answer)
        XCTAssertEqual(recorder.calls, 1, "only the body within the limit reached the handler")
    }
}

/// Keeps the last body and Content-Encoding the transport handed over, and counts the calls.
private final class BodyRecorder: HTTPHandler, @unchecked Sendable {
    // @unchecked: every property is guarded by `lock`.
    private let lock = NSLock()
    private var _last: [UInt8] = []
    private var _encoding = ""
    private var _calls = 0

    var last: [UInt8] { lock.withLock { _last } }
    var lastEncoding: String { lock.withLock { _encoding } }
    var calls: Int { lock.withLock { _calls } }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        lock.withLock {
            _last = request.body
            _encoding = request.header("content-encoding") ?? "none"
            _calls += 1
        }
        return .json(200, Array(#"{"ok":true}"#.utf8))
    }
}
