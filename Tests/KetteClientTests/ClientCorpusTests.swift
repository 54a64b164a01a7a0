import Foundation
import XCTest
@testable import KetteClient

/// Replays the client fuzz target's corpus (Fuzz/Corpus/client, kept minimized in the repo, and
/// the readable seeds in Fuzz/Seeds/client) with the verdict the fuzzer uses: every input is
/// pulled into a seeded store through the real `SyncEngine`, then every report runs over it.
final class ClientCorpusTests: XCTestCase {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz").standardizedFileURL

    func testEveryCorpusInputIsMergedOrRefusedAsTheServersFault() throws {
        let fixture = try ClientFuzzFixture()
        defer { fixture.remove() }
        let files = try ["Seeds/client", "Corpus/client"].flatMap {
            try FileManager.default.contentsOfDirectory(at: Self.fuzz.appendingPathComponent($0), includingPropertiesForKeys: nil)
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        XCTAssertGreaterThan(files.count, 10, "the corpus is in the repo")
        for file in files {
            XCTAssertNil(fixture.run(Array(try Data(contentsOf: file))), file.lastPathComponent)
        }
        print("client corpus: \(files.count) inputs replayed")
    }

    func testTheFixtureStartsEveryInputFromTheSameSeededStore() throws {
        let fixture = try ClientFuzzFixture()
        defer { fixture.remove() }
        let page = #"{"changes":[{"seq":39,"type":"organization","id":"org-2","field":"name","value":"Kita Nord","hlc":"001763900000000-0000-bbbb0000bbbb0000bbbb0000bbbb0000"}],"cursor":39,"more":false,"serverTime":1763900000000}"#
        XCTAssertNil(fixture.run(Array(page.utf8)))
        let store = try LocalStore(directory: fixture.directory)
        XCTAssertEqual(try store.organizations().map(\.name).sorted(), ["Jugendamt Süd", "Kita Nord"], "the page was merged")
        XCTAssertNil(fixture.run(Array("{}".utf8)), "a page without its keys is the server's fault")
        XCTAssertEqual(try LocalStore(directory: fixture.directory).organizations().map(\.name), ["Jugendamt Süd"],
                       "the next input starts from the seed again")
    }

    /// The verdict itself: a storage error from a pull is a finding, a protocol violation is not.
    func testAStorageErrorFromAPullIsAFinding() {
        XCTAssertNil(ClientFuzzInput.problem(withPull: SyncError.protocolViolation("bad page")))
        XCTAssertNotNil(ClientFuzzInput.problem(withPull: KetteError.unknownField(type: "offer", field: "x")))
    }

    func testAnInputIsSplitIntoPagesAtTildeLines() {
        XCTAssertEqual(ClientFuzzInput.pages(Array("a\n~~~\nb\n~~~\nc".utf8)).map { String(decoding: $0, as: UTF8.self) }, ["a", "b", "c"])
        XCTAssertEqual(ClientFuzzInput.pages(Array("one".utf8)).count, 1)
        XCTAssertEqual(ClientFuzzInput.pages(Array(String(repeating: "x\n~~~\n", count: 9).utf8)).count, ClientFuzzInput.maxPages)
    }
}
