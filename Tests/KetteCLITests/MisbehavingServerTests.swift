import Foundation
import KetteTestSupport
import XCTest

/// Issue 12.5 and 12.6: the real `kette` against a server that breaks the protocol
/// (Fixtures/misbehaving_server.py). Every bad answer ends the sync with exit 3 and "unexpected
/// answer from the server", the store exactly as it was, and never an endless loop or exit 4
/// ("storage error") that would send a coordinator to look for a broken disk.
final class MisbehavingServerTests: KetteCLITestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/misbehaving_server.py").path
    private var fixture: PythonFixture?
    private var port: Int { fixture?.port ?? 0 }

    override func tearDown() {
        fixture?.stop()
        super.tearDown()
    }

    private func startFixture(_ mode: String) throws {
        fixture = try PythonFixture(script: Self.script, arguments: [mode])
    }

    /// The body of the fixture's answer to `GET path`.
    private func fixtureAnswer(_ path: String) throws -> String {
        let socket = try TestSocket(port: UInt16(port))
        XCTAssertTrue(socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        let text = String(decoding: socket.readToEnd().bytes, as: UTF8.self)
        return text.components(separatedBy: "\r\n\r\n").last ?? ""
    }

    private func pulls() throws -> Int {
        Int(try fixtureAnswer("/count")) ?? -1
    }

    /// A store with a change the fixture has accepted, then a pull against `mode`.
    private func assertRefusedAsTheServersFault(_ mode: String, mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try startFixture(mode)
        ok(["init", "--name", "Anna"], file: file, line: line)
        ok(["org", "add", "Kita Sonnenschein"], file: file, line: line)
        ok(["remote", "http://127.0.0.1:\(port)", "--token", "kette_test"], file: file, line: line)
        ok(["sync", "--json"], env: ["KETTE_SYNC_ONLY": "push"], file: file, line: line)
        let before = try storeSnapshot()
        let result = kette("sync")
        XCTAssertEqual(result.exitCode, 3, "\(mode): \(result)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains("unexpected answer from the server"), "\(mode): \(result.stderr)", file: file, line: line)
        XCTAssertFalse(result.stderr.contains("storage error"), "\(mode): \(result.stderr)", file: file, line: line)
        // For scripts: the code, and what exactly was wrong with the page as `detail`.
        let again = kette("sync", "--json")
        XCTAssertEqual(again.exitCode, 3, "\(mode), second sync: \(again)", file: file, line: line)
        let failure = (try? JSONSerialization.jsonObject(with: Data(again.stdout.utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(failure["code"] as? String, "protocol_violation", "\(mode): \(again)", file: file, line: line)
        XCTAssertTrue((failure["detail"] as? String ?? "").contains(mentions), "\(mode) should mention \"\(mentions)\": \(again)", file: file, line: line)
        XCTAssertEqual(try storeSnapshot(), before, "\(mode): the store is untouched", file: file, line: line)
        let german = kette("sync", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.stderr.contains("Unerwartete Antwort des Servers"), german.stderr, file: file, line: line)
    }

    func testMoreWithoutCursorProgressIsAProtocolViolationNotALoop() throws {
        try assertRefusedAsTheServersFault("loop", mentions: "did not move the cursor")
        // Three syncs (two English, one German), each stopped at its first page: no loop.
        XCTAssertLessThanOrEqual(try pulls(), 3 * 2)
    }

    func testAGzipBombPageIsRefusedAtThePageLimitNotHeldInMemory() throws {
        // 64 KiB on the wire, 64 MiB inflated: inflating stops at twice the page limit (8 MiB).
        try assertRefusedAsTheServersFault("gzip-bomb", mentions: "larger than the limit of 8388608 bytes")
    }

    func testAPageThatIsNotGzipAsItSaysIsAProtocolViolation() throws {
        try assertRefusedAsTheServersFault("gzip-corrupt", mentions: "cannot be read")
    }

    func testAServerThatDoesNotSayItReadsGzipGetsPlainPushes() throws {
        XCTAssertEqual(try pushEncodings(against: "good"), [""], "one push, plain")
    }

    func testAGzipPushRefused415IsSentAgainPlain() throws {
        // The fixture says it reads gzip, then refuses it: the same push goes again, plain, and
        // later pushes of the sync stay plain.
        XCTAssertEqual(try pushEncodings(against: "gzip-liar"), ["gzip", ""])
    }

    /// A sync of 30 organizations (a push body over 1 KiB) against `mode`; the Content-Encoding of each push.
    private func pushEncodings(against mode: String) throws -> [String] {
        try startFixture(mode)
        ok(["init", "--name", "Anna"])
        for index in 0..<30 { ok(["org", "add", "Träger \(index) für Familienbildung und Beratung"]) }
        ok(["remote", "http://127.0.0.1:\(port)", "--token", "kette_test"])
        ok(["sync", "--json"])
        XCTAssertEqual(try pendingChangeSets(), 0, "the server took every change set")
        let text = try fixtureAnswer("/push-encodings")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String], text)
    }

    func testMoreWithAnEmptyPageIsAProtocolViolation() throws {
        try assertRefusedAsTheServersFault("empty-more", mentions: "must end at its cursor")
    }

    func testANullTombstoneIsTheServersFaultNotAStorageError() throws {
        try assertRefusedAsTheServersFault("deleted-null", mentions: "deleted must be true or false")
    }

    func testAnUnknownRecordTypeIsAProtocolViolation() throws {
        try assertRefusedAsTheServersFault("unknown-type", mentions: "not a PullPage")
    }

    func testSequenceNumbersMustRiseUpToTheCursor() throws {
        try assertRefusedAsTheServersFault("seq-back", mentions: "sequence numbers must rise")
    }

    func testAChangeBeyondThePagesCursorIsAProtocolViolation() throws {
        try assertRefusedAsTheServersFault("seq-beyond", mentions: "sequence numbers must rise")
    }

    func testValuesOutsideTheProtocolsBoundsAreRefused() throws {
        try assertRefusedAsTheServersFault("nul-id", mentions: "control characters")
    }

    func testATextOverTheLimitIsRefused() throws {
        try assertRefusedAsTheServersFault("long-text", mentions: "longer than 262144 bytes")
    }

    func testAnAnswerThatIsNoJSONIsAProtocolViolation() throws {
        try assertRefusedAsTheServersFault("not-json", mentions: "not a PullPage")
    }

    func testAWellFormedPageFromTheSameFixtureIsMerged() throws {
        try startFixture("good")
        ok("init", "--name", "Anna")
        ok("remote", "http://127.0.0.1:\(port)", "--token", "kette_test")
        ok("sync")
        XCTAssertTrue(ok("org", "list").contains("Jugendamt"), "the fixture itself speaks the protocol when asked to")
    }
}
