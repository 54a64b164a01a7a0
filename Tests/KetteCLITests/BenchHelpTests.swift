import Foundation
import KetteTestSupport
import XCTest

/// `kette-bench --help` prints its usage and exits; before, any word it did not know started the
/// local benchmark (seeding a 20,000-offer store for minutes).
final class BenchHelpTests: XCTestCase {
    func testHelpPrintsUsageWithoutStartingABenchmark() throws {
        let kette = try XCTUnwrap(KetteBinary.url, "build the package first (swift build --build-tests)")
        let bench = kette.deletingLastPathComponent().appendingPathComponent("kette-bench")
        let runner = try KetteRunner(binary: bench)
        defer { runner.cleanUp() }
        for words in [["--help"], ["-h"], ["help"], ["sync", "--help"]] {
            // A started benchmark runs for minutes: the timeout turns it into a failure here.
            let result = runner.run(words, timeout: 20)
            XCTAssertEqual(result.exitCode, 0, "\(result)")
            XCTAssertTrue(result.stdout.contains("usage:"), "\(result)")
            for mode in ["local", "sync", "county", "import"] {
                XCTAssertTrue(result.stdout.contains("kette-bench \(mode)"), "\(mode) missing: \(result)")
            }
            XCTAssertFalse(result.stdout.contains("seeded"), "\(result)")
        }
    }

    /// `--backend` names what it accepts when given something else, before any benchmark starts.
    func testAnUnknownBackendIsRefusedWithWhatIsAccepted() throws {
        let kette = try XCTUnwrap(KetteBinary.url, "build the package first (swift build --build-tests)")
        let runner = try KetteRunner(binary: kette.deletingLastPathComponent().appendingPathComponent("kette-bench"))
        defer { runner.cleanUp() }
        let result = runner.run(["sync", "--backend", "mysql", "--sizes", "10"], timeout: 20)
        XCTAssertEqual(result.exitCode, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("--backend takes sqlite or postgres, not 'mysql'"), "\(result)")
        XCTAssertFalse(result.stdout.contains("field changes"), "a benchmark started: \(result)")
    }
}
