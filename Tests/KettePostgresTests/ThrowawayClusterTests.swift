import Foundation
import KettePostgres
import XCTest

/// The tests' own PostgreSQL: made in a temporary directory, run by an unprivileged account when
/// the tests run as root, on a free port, and gone without a trace after `stop()`.
final class ThrowawayClusterTests: XCTestCase {
    func testAClusterRunsUnprivilegedOnAFreePortAndLeavesNothingBehind() throws {
        let cluster = try ThrowawayCluster()
        let connection = try PostgresConnection(cluster.tcpURL(database: "postgres"))
        XCTAssertEqual(try connection.scalarString("SELECT current_setting('port')"), String(cluster.port))
        XCTAssertEqual(try connection.scalarString("SELECT current_setting('data_directory')"), cluster.directory + "/data")
        let pidText = try String(contentsOfFile: cluster.directory + "/data/postmaster.pid", encoding: .utf8)
        let pid = try XCTUnwrap(pidText.split(separator: "\n").first.flatMap { pid_t($0) })
        var info = stat()
        XCTAssertEqual(stat("/proc/\(pid)", &info), 0)
        if getuid() == 0 { XCTAssertNotEqual(info.st_uid, 0, "PostgreSQL runs as root") }

        cluster.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cluster.directory))
        XCTAssertFalse(Self.isRunning(pid), "the postmaster \(pid) still runs")
        XCTAssertThrowsError(try PostgresConnection(cluster.tcpURL(database: "postgres")))
    }

    /// Running, and not merely a zombie waiting for a parent that does not reap it.
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ")
    }
}
