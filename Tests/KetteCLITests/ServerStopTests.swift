import Foundation
import KetteTestSupport
import XCTest

/// SIGTERM stops `kette-server serve` cleanly whenever it comes: systemd and scripts send it as
/// soon as the server says it listens. The signals used to be ignored until dispatch signal
/// sources registered, asynchronously: a SIGTERM right after the "listening" line was dropped on
/// a loaded machine and the server served on (a full test run hung on it once).
final class ServerStopTests: FaultTestCase {
    func testSigtermRightAfterTheListeningLineStopsTheServerEveryTime() throws {
        let server = KetteBinary.url!.deletingLastPathComponent().appendingPathComponent("kette-server").path
        let database = runner.root.appendingPathComponent("county.db").path
        for attempt in 0..<25 {
            let output = runner.root.appendingPathComponent("serve-\(attempt)").path
            let pid = try spawn(server, ["serve", "--db", database, "--port", "0"], output: output)
            // Up to 20 s to start on a loaded machine. (A signal before the listening line waits
            // pending until the server is up: the signals are blocked first thing in `serve`.)
            var listening = false
            for _ in 0..<10_000 where !listening {
                listening = text(output + ".out").contains("listening on")
                if !listening { usleep(2_000) }
            }
            kill(pid, SIGTERM)
            // A server that serves on is killed after 10 s, and the attempt fails.
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
            let termination = try runner.waitForExit(pid)
            watchdog.cancel()
            XCTAssertTrue(listening, "attempt \(attempt): \(text(output + ".err"))")
            XCTAssertEqual(termination, .exited(0), "attempt \(attempt): the server did not stop on SIGTERM; \(text(output + ".err"))")
            XCTAssertTrue(text(output + ".err").contains("event=stop"), "attempt \(attempt): \(text(output + ".err"))")
        }
    }
}
