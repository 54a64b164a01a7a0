import Foundation
import KetteClient
import KetteProtocol
import KetteStore

/// Issue 13's target 2, measured in the same run as Kette's push and first full sync: the
/// bulk-load limit of the client tables and the Yjs peer on the same rows.
extension SyncBenchmark {
    /// The bulk-load limit: the rows a first full sync delivers, loaded into an empty client
    /// store (`BulkLoad`, synchronous=FULL as every store) from memory, so JSON and HTTP are left
    /// out; the fastest of `ceilingTries` loads into fresh stores. Timed from opening the store until
    /// it is closed, as a first sync's `kette` process is timed until it exits: closing the last connection
    /// copies the write-ahead log into the database file, part of making such a store. The time
    /// until the load's commit is kept beside it.
    func measureBulkLoad(directory: String, figures: inout Figures) throws {
        let changes = try Self.pulledChanges(serverDatabase: directory + "/server.db")
        var closed: [Double] = [], committed: [Double] = []
        var bulk = ""
        for attempt in 0..<Self.ceilingTries {
            try? FileManager.default.removeItem(atPath: bulk)
            bulk = directory + "/bulk-\(attempt)"
            try LocalStore.create(directory: bulk, name: "county")
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let loaded = try LocalStore(directory: bulk)
                try withExtendedLifetime(loaded) {
                    try BulkLoad.load(changes, into: loaded)
                    committed.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
            }  // the store is closed by here
            closed.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        figures.bulkLoadSeconds.append(closed.min() ?? 0)
        figures.bulkLoadCommittedSeconds.append(committed.min() ?? 0)
        let store = try LocalStore(directory: bulk)
        // It loaded what the real first sync made: the same versions (digests), records and search entries.
        let county = try Database(path: directory + "/county/" + LocalStore.fileName)
        for query in ["SELECT bucket, digest FROM replica_digests ORDER BY bucket", "SELECT count(*) FROM field_versions",
                      "SELECT count(*) FROM offers", "SELECT count(*) FROM offers_fts", "SELECT count(*) FROM meetings_fts"] {
            guard try store.database.rows(query).map(\.values) == county.rows(query).map(\.values) else {
                throw BenchmarkError("the bulk load differs from the first full sync in: \(query)")
            }
        }
    }

    /// The server's current versions in pull order, as a first full sync receives them.
    static func pulledChanges(serverDatabase path: String) throws -> [PulledChange] {
        var changes: [PulledChange] = []
        try Database(path: path).forEachRow("SELECT record_type, record_id, field, value, hlc, base, author, seq FROM field_state ORDER BY seq") { row in
            guard let type = RecordType(rawValue: row.string(0) ?? ""), let hlc = HLCTimestamp(encoded: row.string(4) ?? "") else {
                throw BenchmarkError("a field_state row of \(path) has an unknown record type or timestamp")
            }
            let change = Change(recordType: type, recordID: row.string(1) ?? "", field: row.string(2) ?? "",
                                value: try FieldValue(jsonText: row.string(3) ?? ""), hlc: hlc,
                                base: row.string(5).flatMap(HLCTimestamp.init(encoded:)))
            changes.append(PulledChange(seq: Int64(row.int(7) ?? 0), change: change, author: row.string(6)))
        }
        return changes
    }

    /// The Yjs peer on the rows of the raw-SQLite ceiling (the server's rows after this run).
    func measureYjs(_ yjs: YjsPeer, directory: String, base: String, figures: inout Figures) throws {
        let peer = try yjs.run(rows: directory + "/ceiling.db", work: directory + "/yjs", clients: clients, log: base + "/yjs.log")
        guard peer.changes == figures.pulledRows else {
            throw BenchmarkError("the Yjs peer pushed \(peer.changes) rows of \(figures.pulledRows); see \(base)/yjs.log")
        }
        figures.yjsPushSeconds.append(peer.pushSeconds)
        figures.yjsFirstSyncSeconds.append(peer.firstSyncSeconds)
    }

    /// Target 2's line for one size: each ratio (median over runs) next to its target.
    static func targetTwoLine(_ f: Figures) -> String {
        func verdict(_ ratio: Double, _ target: Double) -> String { ratio >= target ? "met" : "NOT met" }
        let rows = Double(f.pulledRows)
        let bulk = Sample(values: f.bulkLoadSeconds.map { rows / $0 })
        let syncOfBulk = Sample(values: zip(f.pullSeconds, f.bulkLoadSeconds).map { $1 / $0 }).median
        let syncOfCommitted = Sample(values: zip(f.pullSeconds, f.bulkLoadCommittedSeconds).map { $1 / $0 }).median
        let pushOfInsert = Sample(values: zip(f.pushSeconds, f.ceilingInsertSeconds).map { $1 / $0 }).median
        var line = String(format: "    target 2: bulk-load limit %8.0f rows/s, first full sync %.2f of it (≥ 0.9 %@; %.2f of the load until its commit) | push %.2f of the raw insert (≥ 0.5 %@)",
                          bulk.median, syncOfBulk, verdict(syncOfBulk, 0.9), syncOfCommitted, pushOfInsert, verdict(pushOfInsert, 0.5))
        guard !f.yjsPushSeconds.isEmpty else { return line + " | Yjs peer not run" }
        let yjsPush = Sample(values: f.yjsPushSeconds.map { rows / $0 }), yjsSync = Sample(values: f.yjsFirstSyncSeconds.map { rows / $0 })
        let pushOfYjs = Sample(values: zip(f.pushSeconds, f.yjsPushSeconds).map { Double(f.changes) / $0 / (rows / $1) }).median
        let syncOfYjs = Sample(values: zip(f.pullSeconds, f.yjsFirstSyncSeconds).map { $1 / $0 }).median
        line += String(format: " | Yjs peer: push %8.0f/s, Kette/Yjs %.2f (≥ 1 %@), first full sync %8.0f rows/s, Kette/Yjs %.2f (≥ 1 %@)",
                       yjsPush.median, pushOfYjs, verdict(pushOfYjs, 1), yjsSync.median, syncOfYjs, verdict(syncOfYjs, 1))
        return line
    }
}
