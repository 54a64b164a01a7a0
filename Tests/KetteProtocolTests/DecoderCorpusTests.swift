import Foundation
import XCTest
@testable import KetteProtocol

/// Replays the decoders' fuzz corpus (Fuzz/Corpus/decoder, kept minimized in the repo, and the
/// findings' inputs in Fuzz/Seeds/decoder; the other seeds are Protocol/Examples) through
/// `PushRequest.decode(json:)` and `PullPage.decode(json:)`: every input ends in a value or a
/// typed error. A trap would end the test run. scripts/test.sh then builds the fuzzers with the
/// sanitizers and fuzzes 20 s per target (300 s with `KETTE_LONG_TESTS=1`).
final class DecoderCorpusTests: XCTestCase {
    func testEveryCorpusInputDecodesOrIsRefusedWithATypedError() throws {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz").standardizedFileURL
        let files = try ["Corpus/decoder", "Seeds/decoder"].flatMap {
            try FileManager.default.contentsOfDirectory(at: fuzz.appendingPathComponent($0), includingPropertiesForKeys: nil)
        }
        XCTAssertGreaterThan(files.count, 100, "the corpus is in the repo")
        var pushes = 0, pages = 0
        for file in files {
            let bytes = Array(try Data(contentsOf: file))
            do {
                _ = try PushRequest.decode(json: bytes)
                pushes += 1
            } catch {
                XCTAssertFalse("\(error)".isEmpty, file.lastPathComponent)
            }
            if (try? PullPage.decode(json: bytes)) != nil { pages += 1 }
        }
        print("decoder corpus: \(files.count) inputs, \(pushes) valid pushes, \(pages) valid pull pages")
        XCTAssertGreaterThan(pushes, 0)
        XCTAssertGreaterThan(pages, 0)
    }

    /// Found by the decoder fuzzer: skipping an unknown key's value recursed once per `[`, so a
    /// deeply nested value overflowed the stack (a crash of the client reading a pull page, and
    /// of this test run in a debug build). Nesting is now limited and refused with a position.
    func testDeepNestingIsRefusedNotACrash() throws {
        for opener in ["[", "{\"k\":"] {
            let deep = Array(("{\"cursor\":0,\"more\":false,\"serverTime\":0,\"extra\":" + String(repeating: opener, count: 200_000)).utf8)
            XCTAssertThrowsError(try PullPage.decode(json: deep)) { error in
                guard let failure = error as? JSONReader.Failure else { return XCTFail("\(error)") }
                XCTAssertTrue(failure.message.contains("nested deeper than 64 levels"), "\(failure)")
            }
            XCTAssertThrowsError(try PushRequest.decode(json: Array(String(repeating: opener, count: 200_000).utf8))) { error in
                guard case .syntax(let detail) = error as? PushRequest.DecodingProblem else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("nested deeper than 64 levels"), detail)
            }
        }
        // Nesting within the limit is read as before.
        let nested = "{\"changes\":[],\"cursor\":1,\"more\":false,\"serverTime\":2,\"extra\":" + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}"
        XCTAssertEqual(try PullPage.decode(json: Array(nested.utf8)).cursor, 1)
    }
}
