import Foundation
import XCTest
@testable import KetteServer

/// Replays the request handler's fuzz corpus (Fuzz/Corpus/handler, kept minimized in the repo,
/// and the readable seeds in Fuzz/Seeds/handler) through the real `SyncAPI` and `ServerStore`,
/// with the verdict the fuzzer uses. scripts/test.sh then builds the fuzzers with the sanitizers
/// and fuzzes 20 s per target (300 s with `KETTE_LONG_TESTS=1`).
final class HandlerCorpusTests: XCTestCase {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz").standardizedFileURL
    static let corpus = fuzz.appendingPathComponent("Corpus/handler")
    static let seeds = fuzz.appendingPathComponent("Seeds/handler")

    func testEveryCorpusInputGetsAWellFormedAnswer() throws {
        let fixture = try HandlerFuzzFixture()
        defer { fixture.remove() }
        // Seeds first: they push the records that later inputs read.
        let files = try [Self.seeds, Self.corpus].flatMap {
            try FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil)
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        XCTAssertGreaterThan(files.count, 100, "the corpus is in the repo")
        var statuses: [Int: Int] = [:]
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            let response = fixture.api.handle(HandlerFuzzInput.request(from: bytes, tokens: fixture.tokens))
            XCTAssertNil(HandlerFuzzInput.problem(with: response), file.lastPathComponent)
            statuses[response.status, default: 0] += 1
        }
        print("handler corpus: \(files.count) inputs, statuses \(statuses.sorted { $0.key < $1.key })")
        // The corpus reaches past authentication: accepted pushes and pulls are in it.
        XCTAssertGreaterThan(statuses[200] ?? 0, 3)
    }

    func testTheSeedRequestsReachWhatTheyAreMeantTo() throws {
        let fixture = try HandlerFuzzFixture()
        defer { fixture.remove() }
        func status(_ name: String) throws -> Int {
            let bytes = Array(try Data(contentsOf: Self.seeds.appendingPathComponent(name)))
            return fixture.api.handle(HandlerFuzzInput.request(from: bytes, tokens: fixture.tokens)).status
        }
        XCTAssertEqual(try status("push-anna"), 200, "a valid token's push is applied")
        XCTAssertEqual(try status("pull-kreis"), 200)
        XCTAssertEqual(try status("record-anna"), 200, "the pushed offer is there")
        XCTAssertEqual(try status("me-unknown-token"), 401)
        XCTAssertEqual(try status("push-truncated"), 400)
        XCTAssertEqual(try status("push-wrong-type"), 415)
        XCTAssertEqual(try status("wrong-method"), 405)
    }

    func testA405NamesTheAllowedMethods() throws {
        let fixture = try HandlerFuzzFixture()
        defer { fixture.remove() }
        let response = fixture.api.handle(HTTPRequest(method: "TRACE", path: "/v1/health"))
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.headers.first { $0.0 == "Allow" }?.1, "GET, HEAD", "RFC 9110: a 405 carries Allow")
    }
}
