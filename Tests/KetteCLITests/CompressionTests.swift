import Foundation
import KetteCompression
import KetteStore
import KetteTestSupport
import XCTest

/// Issue 13, target 4, against the real `kette` and `kette-server` on loopback: pull pages and
/// pushes travel gzipped when both sides say so (checked on the wire by Fixtures/wire_recorder.py),
/// a client that does not ask gets identity, and a hostile gzip body is refused before anything
/// of it is stored.
final class CompressionTests: ServerTestCase {
    static let recorderScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wire_recorder.py").path
    private var recorder: PythonFixture?

    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(users: [.coordinator("anna", "nordstadt"), .county("kreis")])
        try server.start()
    }

    override func tearDown() {
        recorder?.stop()
        super.tearDown()
    }

    /// Starts the recorder in front of the server; returns its URL.
    private func startRecorder() throws -> String {
        let fixture = try PythonFixture(script: Self.recorderScript, arguments: ["--target", String(server.port), "--log", wireLog])
        recorder = fixture
        return fixture.url
    }

    private var wireLog: String { runner.root.appendingPathComponent("wire.json").path }

    /// Every request that crossed the recorder, as it crossed, once the connections are closed
    /// (the recorder reads a connection's requests when it ends; `kette` keeps one per sync).
    private func exchanges() throws -> [[String: Any]] {
        for _ in 0..<100 {
            let data = try Data(contentsOf: URL(fileURLWithPath: wireLog))
            let log = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            if log["open"] as? Int == 0 { return try XCTUnwrap(log["exchanges"] as? [[String: Any]]) }
            usleep(50_000)
        }
        throw POSIXError(.ETIMEDOUT)
    }

    private func changeSetCount() throws -> Int {
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        let database = try Database(path: server.database, configuration: configuration)
        return Int(try database.rows("SELECT count(*) FROM change_sets").first?.int(0) ?? -1)
    }

    /// Anna pushes 40 organizations and the county office pulls them, both through the recorder.
    private func syncThroughRecorder(env: [String: String?] = [:]) throws -> [[String: Any]] {
        let url = try startRecorder()
        kette("anna", ["init", "--name", "anna"])
        kette("anna", ["remote", url, "--token", tokens["anna"]!])
        for index in 0..<40 { kette("anna", ["org", "add", "Träger \(index) für Familienbildung und Beratung"]) }
        kette("anna", ["sync"], env: env)
        kette("kreis", ["init", "--name", "kreis"])
        kette("kreis", ["remote", url, "--token", tokens["kreis"]!])
        kette("kreis", ["sync"], env: env)
        let listed = kette("kreis", ["org", "list", "--json"]).stdout
        XCTAssertTrue(listed.contains("Träger 39 für Familienbildung"), "the county office holds Anna's organizations: \(listed)")
        return try exchanges()
    }

    func testASyncPushesAndPullsGzippedOnTheWire() throws {
        let wire = try syncThroughRecorder()
        let pushes = wire.filter { ($0["request"] as? String ?? "").hasPrefix("POST /v1/changesets") }
        let pulls = wire.filter { ($0["request"] as? String ?? "").hasPrefix("GET /v1/changes?") }
        XCTAssertFalse(pushes.isEmpty, "\(wire)")
        XCTAssertTrue(pushes.allSatisfy { $0["requestEncoding"] as? String == "gzip" }, "every push went gzipped: \(pushes)")
        XCTAssertTrue(pulls.allSatisfy { ($0["acceptEncoding"] as? String ?? "").contains("gzip") }, "\(pulls)")
        // The county's page holds 40 organizations (several KiB of JSON): it comes down gzipped.
        let gzipped = pulls.filter { $0["answerEncoding"] as? String == "gzip" }
        XCTAssertFalse(gzipped.isEmpty, "a page came down gzipped: \(pulls)")
    }

    func testWithoutCompressionNothingOnTheWireIsGzipped() throws {
        let wire = try syncThroughRecorder(env: ["KETTE_COMPRESSION": "off"])
        XCTAssertTrue(wire.allSatisfy { $0["requestEncoding"] as? String == "" && $0["answerEncoding"] as? String == "" }, "\(wire)")
        XCTAssertTrue(wire.allSatisfy { $0["acceptEncoding"] as? String == "" }, "no Accept-Encoding is sent: \(wire)")
    }

    /// The answer's head for a pull with `acceptEncoding` (nil: no header), through curl without
    /// its own decoding, so the head is exactly what the server sent.
    private func pullHead(acceptEncoding: String?) throws -> String {
        var arguments = ["-i", "-H", "Authorization: Bearer \(tokens["kreis"]!)", server.url + "/v1/changes?after=0&limit=5000&schema=1"]
        if let acceptEncoding { arguments = ["-H", "Accept-Encoding: \(acceptEncoding)"] + arguments }
        let (status, text) = try curl(arguments)
        XCTAssertEqual(status, 200, text)
        return String(text.prefix { $0 != "{" && $0 != "\u{1f}" }).lowercased()
    }

    func testTheAnswerIsGzippedOnlyWhenTheRequestAllowsIt() throws {
        kette("anna", ["init", "--name", "anna"])
        kette("anna", ["remote", server.url, "--token", tokens["anna"]!])
        for index in 0..<30 { kette("anna", ["org", "add", "Träger \(index) für Familienbildung"]) }
        kette("anna", ["sync"])
        let plain = try pullHead(acceptEncoding: nil)
        XCTAssertFalse(plain.contains("content-encoding"), "no Accept-Encoding: identity\n\(plain)")
        XCTAssertTrue(plain.contains("vary: accept-encoding"), plain)
        XCTAssertTrue(plain.contains("accept-encoding: gzip"), "the server says it reads gzip bodies\n\(plain)")
        for refusing in ["gzip;q=0", "identity", "br, deflate", "gzip;q=2", "*;q=0"] {
            let head = try pullHead(acceptEncoding: refusing)
            XCTAssertFalse(head.contains("content-encoding"), "\(refusing): identity\n\(head)")
        }
        for allowing in ["gzip", "GZIP;q=0.5", "br;q=1, gzip;q=0.001", "*", "identity;q=1, *;q=0.3", "x-gzip"] {
            let head = try pullHead(acceptEncoding: allowing)
            XCTAssertTrue(head.contains("content-encoding: gzip"), "\(allowing): gzip\n\(head)")
        }
    }

    /// A push body that is valid and would be stored: Protocol/Examples/push-request.json.
    private var examplePush: [UInt8] {
        get throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Protocol/Examples/push-request.json").path
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    /// POSTs `body` as a push with `headers`; returns the status and the answer.
    private func push(_ body: [UInt8], headers: [String], token: String? = nil) throws -> (status: Int, body: String) {
        let file = runner.root.appendingPathComponent("body-\(UUID().uuidString)").path
        try Data(body).write(to: URL(fileURLWithPath: file))
        var arguments = ["-X", "POST", "--data-binary", "@" + file, "-H", "Content-Type: application/json"]
        if let token = token ?? tokens["kreis"] { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        return try curl(arguments + [server.url + "/v1/changesets"])
    }

    func testAGzipBombPushIsRefused413AndNothingIsStored() throws {
        // The same change sets, followed by 64 MiB of spaces (valid JSON, 8 × the limit): 64 KiB on the wire.
        var padded = try examplePush
        let closing = padded.lastIndex(of: UInt8(ascii: "}"))!
        padded.insert(contentsOf: [UInt8](repeating: 0x20, count: 64 << 20), at: closing)
        let bomb = try Gzip.compress(padded, level: 9)
        padded = []
        XCTAssertLessThan(bomb.count, 1 << 20)
        let (status, answer) = try push(bomb, headers: ["Content-Encoding: gzip"])
        XCTAssertEqual(status, 413, answer)
        XCTAssertTrue(answer.contains("inflates") && answer.contains("limit"), answer)
        XCTAssertEqual(try changeSetCount(), 0, "nothing of the bomb was stored")
        // Control: the same change sets gzipped without the padding are read and stored.
        let (accepted, text) = try push(try Gzip.compress(try examplePush), headers: ["Content-Encoding: gzip"])
        XCTAssertEqual(accepted, 200, text)
        XCTAssertGreaterThan(try changeSetCount(), 0, text)
    }

    func testCorruptOrTruncatedGzipIs400AndNothingIsStored() throws {
        let good = try Gzip.compress(try examplePush)
        var damaged = good
        damaged[damaged.count / 2] ^= 0xFF
        for (name, body) in [("corrupt", damaged), ("truncated", Array(good.prefix(good.count - 12))), ("not gzip", try examplePush),
                             ("trailing bytes", good + [1, 2, 3])] {
            let (status, answer) = try push(body, headers: ["Content-Encoding: gzip"])
            XCTAssertEqual(status, 400, "\(name): \(answer)")
            XCTAssertTrue(answer.contains("bad_encoding") && answer.contains("gzip"), "\(name): \(answer)")
        }
        XCTAssertEqual(try changeSetCount(), 0)
    }

    func testAnUnknownContentEncodingIs415NamingWhatIsAccepted() throws {
        for coding in ["br", "deflate", "gzip, gzip", "compress"] {
            let (status, answer) = try push(try examplePush, headers: ["Content-Encoding: \(coding)"])
            XCTAssertEqual(status, 415, "\(coding): \(answer)")
            XCTAssertTrue(answer.contains("accepted: gzip, identity"), "\(coding): \(answer)")
        }
        // The token is still decided first: without one the answer is 401, not 415.
        let (status, answer) = try push(try examplePush, headers: ["Content-Encoding: br"], token: "kette_not_a_token")
        XCTAssertEqual(status, 401, answer)
        XCTAssertEqual(try changeSetCount(), 0)
        // identity is a coding too: read as it is.
        XCTAssertEqual(try push(try examplePush, headers: ["Content-Encoding: identity"]).status, 200)
    }
}
