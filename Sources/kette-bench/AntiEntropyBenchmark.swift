import Foundation
import KetteClient
import KetteProtocol
import KetteServer
import KetteStore

/// The digest check a sync ends with, and the repair after a restore (SPEC §16), measured on
/// the county of a `sync` run: what the check costs when nothing differs, and what bringing back
/// a restore's losses costs.
extension SyncBenchmark {
    struct AntiEntropyFigures {
        /// `ServerStore.digests` in process (the server's work for one check), milliseconds.
        var checkServerMilliseconds: [Double] = []
        /// `GET /v1/digests` over loopback HTTP, milliseconds.
        var checkRoundTripMilliseconds: [Double] = []
        /// Requests of the check when nothing differs (rounds of a verified check).
        var checkRequests = 0
        var fieldVersions = 0
        var lostRows = 0
        /// The county's first sync after the restore: wall time, and its check-and-repair part.
        var repairSyncSeconds: [Double] = []
        var repairCheckSeconds: [Double] = []
        var broughtBack = 0
    }

    /// Times the check on the county's store against the running server (nothing differs).
    func measureCheck(database: String, url: String, token: String, county: String, into figures: inout AntiEntropyFigures) throws {
        let store = try ServerStore(path: database)
        let identity = Identity(user: "county", role: .county, districts: [])
        let total = try LocalStore(directory: county).database.rows("SELECT digest FROM replica_digests")
            .reduce(UInt64(0)) { $0 &+ UInt64(bitPattern: Int64($1.int(0) ?? 0)) }
        for _ in 0..<50 {
            let start = DispatchTime.now().uptimeNanoseconds
            let answer = try store.digests(for: identity, clientTotal: total)
            figures.checkServerMilliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            guard answer.buckets == nil else { throw BenchmarkError("the county's digests differ from the server's after its sync") }
        }
        let transport = CurlTransport(configuration: CurlTransport.Configuration())
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            let response = try transport.send(TransportRequest(method: "GET", url: url + "/v1/digests?total=" + VersionDigest.hex(total),
                                                               headers: ["Authorization": "Bearer \(token)"], body: nil))
            figures.checkRoundTripMilliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            guard response.status == 200 else { throw BenchmarkError("GET /v1/digests answered \(response.status)") }
        }
        figures.fieldVersions = try Database(path: database).scalarInt("SELECT count(*) FROM field_state") ?? 0
        // The check as the county's sync runs it, when nothing is new: how many rounds (requests).
        let output = (county as NSString).deletingLastPathComponent + "/check.json"
        try? FileManager.default.removeItem(atPath: output)
        _ = try ChildProcess.run(binaries.kette, ["--home", county, "sync", "--json"], log: output)
        let report = try JSONDecoder().decode(SyncReport.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        guard report.verification?.outcome == .verified, report.verification?.differingBuckets == 0 else {
            throw BenchmarkError("the county's check did not verify at once: see \(output)")
        }
        figures.checkRequests = report.verification?.rounds ?? 0
    }

    /// Backs the server up, lets every coordinator write about 1% more rows and the county pull
    /// them, restores the backup (losing those rows), and times the county's next sync: a pull
    /// from 0 and the repair that brings the lost rows back.
    func measureRestore(directory: String, base: String, size: Int, tokens: [String: String], server: inout ChildProcess, url: inout String,
                        into figures: inout AntiEntropyFigures) throws {
        let backup = directory + "/backup.db"
        _ = try ChildProcess.run(binaries.server, ["backup", "--to", backup, "--db", directory + "/server.db"], log: base + "/admin.log")
        for index in 0..<clients {
            let store = try LocalStore(directory: directory + "/client\(index + 1)")
            var generator = CountyGenerator(random: SeededGenerator(seed: seed &+ 1000 &+ UInt64(index)), store: store)
            try generator.generate(changes: max(1, size / 100 / clients), districts: ["d\(index + 1)"]) { _ in }
            _ = try ChildProcess.run(binaries.kette, ["--home", directory + "/client\(index + 1)", "sync"], log: base + "/push.log")
        }
        let county = directory + "/county"
        _ = try ChildProcess.run(binaries.kette, ["--home", county, "sync"], log: base + "/pull.log")
        let before = try Database(path: directory + "/server.db").scalarInt("SELECT count(*) FROM field_state") ?? 0
        kill(server.pid, SIGTERM)
        _ = server.wait()
        _ = try ChildProcess.run(binaries.server, ["restore", backup, "--db", directory + "/server.db"], log: base + "/admin.log")
        figures.lostRows = before - (try Database(path: directory + "/server.db").scalarInt("SELECT count(*) FROM field_state") ?? 0)
        (server, url) = try startServer(database: directory + "/server.db", log: base + "/server-restored.log")
        try RemoteConfiguration(url: url, token: tokens["county"]!, caCertificate: nil).save(in: county)
        let output = base + "/repair.json"
        try? FileManager.default.removeItem(atPath: output)
        let sync = try ChildProcess.run(binaries.kette, ["--home", county, "sync", "--json"], log: output)
        figures.repairSyncSeconds.append(sync.milliseconds / 1000)
        let report = try JSONDecoder().decode(SyncReport.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        figures.repairCheckSeconds.append(report.verification?.seconds ?? .nan)
        figures.broughtBack = report.verification?.pushed ?? 0
        guard report.verification?.outcome == .repaired else { throw BenchmarkError("the county's sync after the restore did not repair: see \(output)") }
    }
}
