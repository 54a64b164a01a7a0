import Foundation
import KetteTestSupport
import XCTest

/// `kette` loads libcurl (and the thirty libraries it brings) only when it talks to a server
/// (Sources/CCurl/shim.h): the everyday commands start without it, which took a third of their
/// time. The dynamic loader's own log (`LD_DEBUG=files`) shows what each command loaded.
final class LibcurlLoadingTests: ServerTestCase {
    private func loadsLibcurl(_ result: KetteResult) -> Bool {
        result.stderr.contains("file=libcurl.so.4")
    }

    func testOnlyCommandsThatTalkToTheServerLoadLibcurl() throws {
        try makeServer(users: [.coordinator("anna", "nordstadt")])
        try server.start()
        kette("anna", ["init", "--name", "Anna"])
        kette("anna", ["remote", server.url, "--token", tokens["anna"]!])
        kette("anna", ["sync"])
        let offer = kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"], env: ["LD_DEBUG": "files"])
        XCTAssertFalse(loadsLibcurl(offer), "\(offer)")
        for words in [["status"], ["offer", "list", "--district", "nordstadt"], ["search", "Eltern"], ["--help"]] {
            let result = kette("anna", words, env: ["LD_DEBUG": "files"])
            XCTAssertFalse(loadsLibcurl(result), "\(result)")
        }
        let sync = kette("anna", ["sync"], env: ["LD_DEBUG": "files"])
        XCTAssertTrue(loadsLibcurl(sync), "the sync did not load libcurl: \(sync)")
        XCTAssertTrue(sync.stderr.contains("dynamically loaded"), "\(sync)")
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(kette("anna", ["status", "--json"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(status["pendingChangeSets"] as? Int, 0, "the offer reached the server")
    }
}
