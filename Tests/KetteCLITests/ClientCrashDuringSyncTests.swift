import Foundation
import KetteStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 4, "client crash": `kette sync` SIGKILLed at random moments of its push and its paged
/// pull. (A crash during a local write is CrashTests' subject: 60 killed `meeting add`s, 500 in
/// the long run.) After every kill the store and its outbox are intact and the pull cursor is not
/// ahead of the merged data; the next sync completes and the store then equals the server.
final class ClientCrashDuringSyncTests: FaultTestCase {
    func testSyncKilledDuringPushAndPullLeavesAConsistentStoreAndCursor() throws {
        let trials = long ? 300 : 20
        try startServer(users: [("writer", nil), ("victim", nil)])
        try makeClient("writer", user: "writer")
        try makeClient("victim", user: "victim")
        // Small pages and batches: many merge transactions and requests for a kill to fall between or into.
        let env: [String: String?] = ["KETTE_PUSH_BATCH": "2", "KETTE_PAGE_SIZE": "40", "KETTE_RETRIES": "0"]
        var generator = SystemRandomNumberGenerator()
        var created: [String: String] = [:]
        var outcomes: [String: Int] = [:]
        var delays: [Int] = []
        var cursorMovedByKilledSync = 0

        func prepare(_ trial: Int) throws {
            // Something new on the server for the victim to pull, and something of its own to push.
            try addOffers("writer", 30, district: "nordstadt", tag: "W\(trial)")
            kette("writer", ["sync"])
            created.merge(try addOffers("victim", Int.random(in: 3...8, using: &generator), district: "suedstadt", tag: "V\(trial)")) { $1 }
        }

        try prepare(0)
        let started = Date()
        kette("victim", ["sync"], env: env)
        let typical = Int(Date().timeIntervalSince(started) * 1000)
        let window = max(100, typical * 3 / 2)

        for trial in 1...trials {
            try prepare(trial)
            let before = try cursor("victim")
            let delay = Int.random(in: 0...window, using: &generator)
            delays.append(delay)
            let output = runner.root.appendingPathComponent("victim-sync").path
            let pid = try spawnKette("victim", ["sync"], env: env, output: output)
            usleep(useconds_t(delay * 1000))
            kill(pid, SIGKILL)
            let code = exitCode(try runner.waitForExit(pid))
            XCTAssertTrue(code == 0 || code == 128 + SIGKILL, "trial \(trial): exit \(code): \(text(output + ".err"))")
            let pending = try outboxIDs("victim")
            let phase = code == 0 ? "finished" : pending.isEmpty ? "killed after the push (pulling)" : "killed while pushing"
            outcomes[phase, default: 0] += 1

            try assertStoreIntact("victim")
            let fields = try serverFields()
            let after = try assertCursorNotAhead("victim", server: fields)
            if code != 0, after > before { cursorMovedByKilledSync += 1 }
            // Nothing pending was lost: every change set is pending or on the server.
            let onServer = try serverChangeSets()
            for set in created.keys { XCTAssertTrue(pending.contains(set) || onServer[set] == "victim", "trial \(trial): change set \(set) is gone") }

            // Every other trial the next sync runs to its end: it completes and leaves the store equal to the server.
            if trial % 2 == 0 {
                kette("victim", ["sync"], env: env)
                XCTAssertEqual(try outboxIDs("victim"), [], "trial \(trial)")
                try assertConverged("victim", server: try serverFields())
            }
            if testRun?.failureCount ?? 0 > 0 { break }
        }
        kette("victim", ["sync"])
        XCTAssertEqual(Set(try serverChangeSets().filter { $0.value == "victim" }.keys), Set(created.keys), "every change set of the victim arrived once")
        try assertConverged("victim", server: try serverFields())
        XCTAssertEqual(try openDatabase(server.database).integrityCheck(), ["ok"])
        let sorted = delays.sorted()
        print("""
            client crash test: \(delays.count) SIGKILLs of `kette sync` (push batch 2, page 40); kill delay 0–\(window) ms \
            (a whole sync took \(typical) ms), median \(sorted[sorted.count / 2]) ms; outcomes \(outcomes.sorted { $0.key < $1.key }); \
            \(cursorMovedByKilledSync) killed syncs had already stored some pulled pages; \(created.count) change sets, all arrived once
            """)
        XCTAssertGreaterThan(outcomes["killed while pushing", default: 0], 0, "no kill landed in a push")
        XCTAssertGreaterThan(cursorMovedByKilledSync, 0, "no kill landed between pulled pages")
    }
}
