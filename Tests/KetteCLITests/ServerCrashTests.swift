import Foundation
import KetteStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 4, "server crash during push": a real `kette-server` killed with SIGKILL at a random
/// moment while three real `kette sync` processes push, restarted on the same port and database,
/// trial after trial. Generalises SyncEndToEndTests' single mid-push kill to several clients
/// and many moments.
final class ServerCrashTests: FaultTestCase {
    func testServerKilledAtRandomMomentsWhileSeveralClientsPush() throws {
        let trials = long ? 1_000 : 20
        let clients: [(name: String, user: String, district: String)] = [("anna", "anna", "nordstadt"), ("bert", "bert", "suedstadt"),
                                                                        ("kreis", "kreis", "nordstadt")]
        try startServer(users: [("anna", "nordstadt"), ("bert", "suedstadt"), ("kreis", nil)])
        for client in clients { try makeClient(client.name, user: client.user) }
        // Small batches: a push is many requests, so a kill lands between and inside them.
        let env: [String: String?] = ["KETTE_PUSH_BATCH": "3", "KETTE_RETRIES": "0", "KETTE_TIMEOUT": "10"]

        var created: [String: [String: String]] = [:]  // client → change set → offer
        var offerFields: Set<String>?
        var generator = SystemRandomNumberGenerator()
        var delays: [Int] = []
        var cutClients = 0, finishedClients = 0, trialsWithACut = 0
        var ackLost = 0  // applied on the server, but the client never heard (still in its outbox)

        // Change sets whose fate a trial can decide: those pending before it and those it makes.
        // (One acknowledged earlier is checked again at the end.) Checking only these keeps a
        // trial's cost flat as the server fills up.
        var open: [String: Set<String>] = [:]
        func trialBody(_ trial: Int, killAfter delay: Int?) throws -> (cut: Int, seconds: Double) {
            for client in clients {
                let made = try addOffers(client.name, Int.random(in: 4...12, using: &generator), district: client.district, tag: "T\(trial)-\(client.name)")
                created[client.name, default: [:]].merge(made) { $1 }
                open[client.name, default: []].formUnion(made.keys)
            }
            let began = Date()
            let pids = try clients.map { try spawnKette($0.name, ["sync"], env: env, output: runner.root.appendingPathComponent("sync-\($0.name)").path) }
            if let delay {
                usleep(useconds_t(delay * 1000))
                server.kill()
            }
            var cut = 0
            for (client, pid) in zip(clients, pids) {
                let code = exitCode(try runner.waitForExit(pid))
                if code == 0 { finishedClients += 1 } else {
                    XCTAssertEqual(code, 3, "trial \(trial): \(client.name): \(text(runner.root.appendingPathComponent("sync-\(client.name).err").path))")
                    cut += 1
                }
            }
            let seconds = Date().timeIntervalSince(began)
            cutClients += cut
            if cut > 0 { trialsWithACut += 1 }
            if delay != nil { try server.start(port: server.port) }

            // Every change set a client saw acknowledged (gone from its outbox) is on the server,
            // from that user; every other one is still pending; the server has nothing else.
            let onServer = try serverChangeSets()
            let all = created.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
            XCTAssertEqual(onServer.count, Set(onServer.keys).intersection(all).count, "trial \(trial): the server holds change sets nobody made")
            let db = try openDatabase(server.database)
            for client in clients {
                let pending = try outboxIDs(client.name)
                XCTAssertTrue(pending.isSubset(of: open[client.name]!), "trial \(trial): \(client.name)'s outbox holds unknown or old change sets")
                for set in open[client.name]! {
                    if !pending.contains(set) {
                        XCTAssertEqual(onServer[set], client.user, "trial \(trial): \(client.name)'s acknowledged change set \(set) is not on the server")
                    } else if onServer[set] != nil {
                        ackLost += 1
                    }
                    // Whole change sets only: an offer on the server has all its fields, one not applied none.
                    let offer = created[client.name]![set]!
                    let present = Set(try db.rows("SELECT field FROM field_state WHERE record_type = 'offer' AND record_id = ?", [offer]).compactMap { $0.string(0) })
                    if onServer[set] == nil {
                        XCTAssertEqual(present, [], "trial \(trial): offer \(offer) has fields on the server without its change set")
                    } else {
                        if offerFields == nil { offerFields = present }
                        XCTAssertEqual(present, offerFields, "trial \(trial): offer \(offer) is on the server only in part")
                    }
                }
                open[client.name] = pending
            }
            return (cut, seconds)
        }
        func runTrial(_ trial: Int, killAfter delay: Int?) -> (cut: Int, seconds: Double) {
            do {
                return try trialBody(trial, killAfter: delay)
            } catch {
                XCTFail("trial \(trial): \(error)")
                return (0, 0)
            }
        }

        let started = Date()
        // Calibrate: how long the three syncs of one trial take on this machine, without a kill.
        let typical = Int(runTrial(0, killAfter: nil).seconds * 1000)
        // The window follows the pushes as the machine's load changes: it shrinks after a kill
        // that came when every push was done, and grows after one that cut a push.
        var window = Double(max(100, typical * 3 / 2))  // ms; the sync processes start inside it, too
        var windows: [Int] = []
        for trial in 1...trials {
            let delay = Int.random(in: 0...Int(window), using: &generator)
            delays.append(delay)
            windows.append(Int(window))
            let outcome = runTrial(trial, killAfter: delay)
            window = outcome.cut == 0 ? max(50, window * 0.85) : min(5_000, window * 1.05)
            if trial % 50 == 0 || trial == trials {
                for client in clients { try assertStoreIntact(client.name) }
                XCTAssertEqual(try openDatabase(server.database).integrityCheck(), ["ok"], "server after trial \(trial)")
            }
            if testRun?.failureCount ?? 0 > 0 { break }
        }

        // Nothing stays behind: a last sync of every client brings every change set, once.
        for client in clients { kette(client.name, ["sync"]) }
        let onServer = try serverChangeSets()
        var total = 0
        for client in clients {
            XCTAssertEqual(try outboxIDs(client.name), [], "\(client.name) still has pending change sets")
            XCTAssertEqual(Set(onServer.filter { $0.value == client.user }.keys), Set(created[client.name]!.keys), client.name)
            total += created[client.name]!.count
            try assertStoreIntact(client.name)
        }
        XCTAssertEqual(onServer.count, total)
        XCTAssertEqual(try openDatabase(server.database).scalarInt("SELECT count(DISTINCT record_id) FROM field_state WHERE record_type = 'offer'"), total)
        XCTAssertEqual(try openDatabase(server.database).integrityCheck(), ["ok"])

        let sorted = delays.sorted()
        let quartiles = [0, sorted.count / 4, sorted.count / 2, sorted.count * 3 / 4, sorted.count - 1].map { sorted[$0] }
        print("""
            server crash test: \(delays.count) SIGKILL trials of the server during pushes from \(clients.count) kette processes; \
            kill delay 0 to a window of \(windows.min() ?? 0)–\(windows.max() ?? 0) ms (a whole trial without a kill took \(typical) ms), quartiles \(quartiles) ms; \
            \(trialsWithACut) trials cut at least one push (\(cutClients) cut, \(finishedClients) finished client syncs); \
            \(ackLost) times a change set was applied but its acknowledgement lost; \(total) change sets, all on the server exactly once; \
            \(Int(Date().timeIntervalSince(started))) s in all
            """)
        XCTAssertGreaterThan(trialsWithACut, 0, "no kill landed during a push: the test proved nothing")
    }
}
