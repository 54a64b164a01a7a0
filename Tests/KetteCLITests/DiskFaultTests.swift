import Foundation
import KetteStore
import KetteTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 4, "disk errors": a write (`pwrite64`, which SQLite uses for the WAL, its index and the
/// checkpoint) or an `fdatasync` that fails with EIO or ENOSPC, injected with
/// `strace -e inject=SYSCALL:error=ERRNO:when=N` into the client and into the running server.
/// Varying N moves the fault through the write: the shared-memory index, the WAL frames, the
/// commit's sync, the checkpoint into the database file after the commit.
final class DiskFaultTests: FaultTestCase {
    static let strace = "/usr/bin/strace"

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.isExecutableFile(atPath: Self.strace) else {
            throw XCTSkip("strace is missing: scripts/setup.sh installs it")
        }
    }

    /// `strace` arguments that make the `when`-th call of `syscall` fail with `errno` (counted from
    /// the start, or from the attach with `-p`).
    func inject(_ syscall: String, _ errno: String, when: Int) -> [String] {
        ["-f", "-qq", "-o", "/dev/null", "-e", "trace=\(syscall)", "-e", "inject=\(syscall):error=\(errno):when=\(when)"]
    }

    /// Runs kette under strace to the end; returns exit code, stdout, stderr.
    func ketteUnderStrace(_ injection: [String], _ args: [String], env: [String: String?] = [:]) throws -> (code: Int32, out: String, err: String) {
        let output = runner.root.appendingPathComponent("strace-run").path
        let pid = try spawn(Self.strace, injection + [runner.binary.path] + args, env: env, output: output)
        return (exitCode(try runner.waitForExit(pid)), text(output + ".out"), text(output + ".err"))
    }

    func testAFailingWriteOrSyncDuringOfferAddExitsFourChangesNothingAndTheRetryWorks() throws {
        _ = makeFixture()
        let pwriteCalls = long ? Array(1...60) : [1, 4, 9, 12, 20, 28, 36, 44, 50]
        var cases: [(String, String, Int)] = []
        for errno in ["EIO", "ENOSPC"] {
            cases += (1...4).map { ("fdatasync", errno, $0) }
            cases += pwriteCalls.map { ("pwrite64", errno, $0) }
        }
        var outcomes: [String: Int] = [:]
        for (index, (syscall, errno, when)) in cases.enumerated() {
            let title = "Plattenfehler \(index)"
            let command = ["offer", "add", "--title", title, "--district", "nordstadt"]
            let german = index % 5 == 0
            let before = try storeSnapshot()
            let run = try ketteUnderStrace(inject(syscall, errno, when: when), command, env: german ? ["LANG": "de_DE.UTF-8"] : [:])
            let label = "\(syscall) \(errno) when=\(when)"
            switch run.code {
            case 4:
                outcomes["\(syscall) \(errno): exit 4", default: 0] += 1
                XCTAssertEqual(run.out, "", "\(label): an id printed for an offer that was not saved")
                let expected = german ? (errno == "ENOSPC" ? ["Datenträger ist voll", "Lese-/Schreibfehler des Datenträgers"] : ["Lese-/Schreibfehler des Datenträgers"])
                                      : (errno == "ENOSPC" ? ["the disk is full", "the disk reported an I/O error"] : ["the disk reported an I/O error"])
                XCTAssertTrue(expected.contains { run.err.contains($0) }, "\(label): \(run.err)")
                XCTAssertEqual(try storeSnapshot(), before, "\(label): the failed command left something in the store")
            case 0:
                // The fault fell after the commit (the checkpoint when the store closes) or past the last call.
                outcomes["\(syscall) \(errno): exit 0", default: 0] += 1
                XCTAssertTrue(isUUID(run.out.trimmingCharacters(in: .newlines)), "\(label): \(run.out)")
            default:
                XCTFail("\(label): exit \(run.code): \(run.err)")
            }
            try assertStoreIntact("home")
            // The fault is gone: the same command succeeds (when it had failed), and the offer is there once.
            if run.code != 0 { ok(command) }
            XCTAssertEqual(try clientDatabase("home").scalarInt("SELECT count(*) FROM offers WHERE title = ?", [title]), 1, label)
            XCTAssertEqual(try clientDatabase("home").scalarInt("""
                SELECT count(*) FROM outbox_changes WHERE record_type = 'offer' AND field = 'title' AND value = ?
                """, ["\"\(title)\""]), 1, "\(label): one change set for the offer")
        }
        print("disk faults in `kette offer add`: \(cases.count) injections; \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(outcomes.filter { $0.key.hasSuffix("exit 4") }.values.reduce(0, +), cases.count / 2, "most injections should hit the write")
    }

    func testADiskErrorWhileMergingAPullExitsFourKeepsTheCursorHonestAndTheNextSyncCompletes() throws {
        try startServer(users: [("writer", nil), ("reader", nil)])
        try makeClient("writer", user: "writer")
        try makeClient("reader", user: "reader")
        let points = long ? Array(stride(from: 2, through: 200, by: 3)) : [2, 15, 40, 80, 130]
        var outcomes: [Int32: Int] = [:]
        for (round, when) in points.enumerated() {
            try addOffers("writer", 60, district: "nordstadt", tag: "R\(round)")
            kette("writer", ["sync"])
            let run = try ketteUnderStrace(inject("pwrite64", round % 2 == 0 ? "EIO" : "ENOSPC", when: when), ["--home", home("reader"), "sync"],
                                           env: ["KETTE_PAGE_SIZE": "50"])
            outcomes[run.code, default: 0] += 1
            XCTAssertTrue(run.code == 0 || run.code == 4, "pwrite64 when=\(when): exit \(run.code): \(run.err)")
            if run.code == 4 { XCTAssertTrue(run.err.contains("disk"), run.err) }
            try assertStoreIntact("reader")
            try assertCursorNotAhead("reader")
            kette("reader", ["sync"])
            try assertConverged("reader", server: try serverFields())
        }
        print("disk faults while merging a pull: \(points.count) injections of pwrite64 (when=\(points)); exit codes \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(outcomes[4, default: 0], 0, "no injection hit the merge")
    }

    /// The server: strace attaches to the running `kette-server`, a push meets the failing write,
    /// the strace detaches (the disk is back) and the same server takes the retried push.
    func testADiskErrorOnTheServerDuringAPushAnswers5xxAndTheRetryArrivesOnce() throws {
        try startServer(users: [("anna", "nordstadt")])
        try makeClient("anna", user: "anna")
        var cases: [(String, String, Int)] = [("fdatasync", "EIO", 1), ("fdatasync", "ENOSPC", 1), ("pwrite64", "ENOSPC", 1),
                                              ("pwrite64", "EIO", 3), ("fdatasync", "EIO", 2)]
        if long { for when in 1...12 { cases += [("pwrite64", "EIO", when), ("pwrite64", "ENOSPC", when)] } }
        var created: [String: String] = [:]
        var outcomes: [String: Int] = [:]
        var resurrected = 0
        for (index, (syscall, errno, when)) in cases.enumerated() {
            let label = "server \(syscall) \(errno) when=\(when)"
            let made = try addOffers("anna", 5, district: "nordstadt", tag: "S\(index)")
            created.merge(made) { $1 }
            let tracer = try spawn(Self.strace, inject(syscall, errno, when: when) + ["-p", String(server.pid)], output: runner.root.appendingPathComponent("strace-server").path)
            try waitForTracer(attached: true)
            let sync = kette("anna", ["sync"], env: ["KETTE_RETRIES": "0"], expect: nil)
            outcomes["\(syscall) \(errno): exit \(sync.exitCode)", default: 0] += 1
            if sync.exitCode != 0 {
                XCTAssertEqual(sync.exitCode, 3, "\(label): \(sync)")
                XCTAssertTrue(sync.stderr.contains("the server could not write to its disk (503 storage_failed)"), "\(label): \(sync.stderr)")
                XCTAssertTrue(sync.stderr.contains("Nothing was lost"), "\(label): \(sync.stderr)")
                // The server keeps serving while the fault is still armed.
                XCTAssertEqual(try curl(["\(server.url)/v1/health"]).status, 200, label)
            }
            // No partial change set: each one is on the server whole or not at all.
            try assertWholeOrAbsent(made, label: label)
            Glibc.kill(tracer, SIGINT)  // detaches; the server runs on
            _ = try runner.waitForExit(tracer)
            try waitForTracer(attached: false)
            // Every other case the server also dies before the retry: what it wrote must not come back doubled.
            if index % 2 == 1 {
                server.kill()
                try server.start(port: server.port)
                // A commit whose sync failed may still be in the WAL and come back with the restart;
                // the retry must then find it applied, not apply it twice.
                if sync.exitCode != 0 { resurrected += Set(made.keys).intersection(try serverChangeSets().keys).count }
            }
            kette("anna", ["sync"], env: ["KETTE_RETRIES": "0"])
            XCTAssertEqual(try outboxIDs("anna"), [], label)
            try assertWholeOrAbsent(made, label: label)
        }
        let onServer = try serverChangeSets()
        XCTAssertEqual(Set(onServer.keys), Set(created.keys), "every change set once")
        XCTAssertEqual(try openDatabase(server.database).integrityCheck(), ["ok"])
        let log = text(server.logPath + ".err")
        print("disk faults in the server during a push: \(cases.count) injections; \(outcomes.sorted { $0.key < $1.key }); \(resurrected) change sets of a failed push were back after a restart; server log: \(log.split(separator: "\n").first ?? "")")
        XCTAssertGreaterThan(outcomes.filter { !$0.key.hasSuffix("exit 0") }.values.reduce(0, +), 0, "no injection hit the push")
    }

    private func assertWholeOrAbsent(_ made: [String: String], label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let onServer = try serverChangeSets()
        let db = try openDatabase(server.database)
        for (set, offer) in made {
            let fields = try db.scalarInt("SELECT count(*) FROM field_state WHERE record_type = 'offer' AND record_id = ?", [offer]) ?? -1
            if onServer[set] == nil {
                XCTAssertEqual(fields, 0, "\(label): offer \(offer) has fields without its change set", file: file, line: line)
            } else {
                XCTAssertGreaterThanOrEqual(fields, 3, "\(label): offer \(offer) is there only in part", file: file, line: line)
            }
        }
    }

    /// Waits until every thread of the server is (or none is) traced: injection counts only from then.
    private func waitForTracer(attached: Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/task")) ?? []
            let traced = tasks.map { text("/proc/\(server.pid)/task/\($0)/status").contains("TracerPid:\t0\n") == false }
            if !tasks.isEmpty, traced.allSatisfy({ $0 == attached }) { return }
            usleep(20_000)
        }
        throw NSError(domain: "DiskFaultTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "strace did not \(attached ? "attach to" : "detach from") the server"])
    }
}
