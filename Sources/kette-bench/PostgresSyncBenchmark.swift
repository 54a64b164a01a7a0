import Foundation
import KetteClient
import KettePostgres
import KetteStore

/// `kette-bench sync --backend postgres`: the same county, pushed by the same coordinators at once
/// and pulled by a fresh county store, against `kette-server` on SQLite and on PostgreSQL in the
/// same run; PostgreSQL's own ceiling for the same rows (`COPY` in, `SELECT` out); and the push
/// through one and through two server processes on one database (issue 17).
///
/// PostgreSQL runs in a throw-away cluster with its durable defaults (every commit flushed), as
/// SQLite runs with `synchronous=FULL`. Each PostgreSQL run starts from the county the clients
/// were made against, moved in with `kette-server migrate` (users, tokens and database id kept,
/// so the clients' cursors and tokens hold), with the audit key beside the SQLite file.
struct PostgresSyncBenchmark {
    let sync: SyncBenchmark

    struct Figures {
        var changes = 0
        var pulledRows = 0
        var sqlitePush: [Double] = []
        var sqlitePull: [Double] = []
        var postgresPush: [Double] = []
        var postgresPull: [Double] = []
        var postgresPushTwoProcesses: [Double] = []
        var copyIn: [Double] = []
        var selectOut: [Double] = []
    }

    func run(size: Int) throws -> Figures {
        let base = (sync.work as NSString).appendingPathComponent("postgres-\(size)")
        try? FileManager.default.removeItem(atPath: base)
        let template = base + "/template"
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: true)
        let tokens = try sync.prepareServer(template + "/server.db")
        var figures = Figures()
        figures.changes = try sync.makeClientStores(template: template, base: base, size: size, tokens: tokens)
        let cluster = try ThrowawayCluster(durability: .full)
        defer { cluster.stop() }
        for run in 0..<sync.runs {
            let sqlite = base + "/sqlite\(run)"
            try sync.copy(template, sqlite)
            let (push, pull) = try pushAndPull(clients: sqlite, base: base, servers: [["--db", sqlite + "/server.db"]], token: tokens["county"]!)
            figures.sqlitePush.append(push)
            figures.sqlitePull.append(pull ?? 0)
            try? FileManager.default.removeItem(atPath: sqlite)

            let one = try movedCounty(template: template, into: cluster, name: "run\(run)_one", base: base)
            let (pgPush, pgPull) = try pushAndPull(clients: one.clients, base: base, servers: [one.arguments], token: tokens["county"]!)
            figures.postgresPush.append(pgPush)
            figures.postgresPull.append(pgPull ?? 0)
            try measureCeiling(cluster: cluster, database: "run\(run)_one", figures: &figures)

            let two = try movedCounty(template: template, into: cluster, name: "run\(run)_two", base: base)
            let (twoPush, _) = try pushAndPull(clients: two.clients, base: base, servers: [two.arguments, two.arguments], token: nil)
            figures.postgresPushTwoProcesses.append(twoPush)
        }
        return figures
    }

    /// A copy of the template's client stores and a new database holding the template's county,
    /// with the `--db` and `--audit-key` arguments that serve it.
    private func movedCounty(template: String, into cluster: ThrowawayCluster, name: String,
                             base: String) throws -> (clients: String, arguments: [String]) {
        let clients = base + "/" + name
        try sync.copy(template, clients)
        let admin = try PostgresConnection(cluster.socketURL(database: "postgres"))
        try admin.execute("CREATE DATABASE \(name)")
        let url = cluster.socketURL(database: name)
        let moved = try ChildProcess.run(sync.binaries.server, ["migrate", "--from", clients + "/server.db", "--to", url], log: base + "/migrate.log")
        guard moved.status == 0 else { throw BenchmarkError("kette-server migrate failed; see \(base)/migrate.log") }
        return (clients, ["--db", url, "--audit-key", clients + "/server.db.audit-key"])
    }

    /// Every client pushes at once, spread over the server processes started with `servers`
    /// (their `--db` arguments); then, with `token`, a fresh county store's first full sync
    /// through the first process. Seconds for the push and the pull.
    private func pushAndPull(clients: String, base: String, servers: [[String]], token: String?) throws -> (Double, Double?) {
        let started = try servers.enumerated().map { index, arguments in
            try sync.startServer(database: arguments[1], log: base + "/server\(index).log", extraArguments: Array(arguments.dropFirst(2)))
        }
        defer {
            for (process, _) in started { kill(process.pid, SIGTERM); _ = process.wait() }
        }
        Glibc.sync()  // as in SyncBenchmark: earlier runs' dirty pages on disk before the push
        // And PostgreSQL's, as before each copy of the ceiling: no push pays for earlier writes.
        if PostgresURL.isPostgres(servers[0][1]) { try PostgresConnection(servers[0][1]).execute("CHECKPOINT") }
        let pushStart = DispatchTime.now().uptimeNanoseconds
        let pushes = try (0..<sync.clients).map { index in
            let directory = clients + "/client\(index + 1)"
            guard let stored = try RemoteConfiguration.load(from: directory) else { throw BenchmarkError("no remote in \(directory)") }
            try RemoteConfiguration(url: started[index % started.count].1, token: stored.token, caCertificate: nil).save(in: directory)
            return try ChildProcess.start(sync.binaries.kette, ["--home", directory, "sync"], environment: ["KETTE_SYNC_ONLY": "push"],
                                          log: base + "/push.log")
        }
        guard pushes.map({ $0.wait() }).allSatisfy({ $0.status == 0 }) else { throw BenchmarkError("a push failed; see \(base)/push.log") }
        let push = Double(DispatchTime.now().uptimeNanoseconds - pushStart) / 1e9
        guard let token else { return (push, nil) }
        let county = clients + "/county"
        try LocalStore.create(directory: county, name: "county")
        try RemoteConfiguration(url: started[0].1, token: token, caCertificate: nil).save(in: county)
        let pull = try ChildProcess.run(sync.binaries.kette, ["--home", county, "sync"], log: base + "/pull.log")
        guard pull.status == 0 else { throw BenchmarkError("the first full sync failed; see \(base)/pull.log") }
        return (push, pull.milliseconds / 1000)
    }

    /// PostgreSQL's own ceiling for the rows the server holds after the push: `COPY` into a table
    /// like the server's `field_state` (its key and its sequence index), one transaction, and a
    /// `SELECT` of them in sequence order. The copy is the fastest of three into fresh tables: a
    /// single one ranged from 140,000 to 220,000 rows per second between runs (the shared machine,
    /// and what PostgreSQL still writes back after the push), and a ceiling is what the database
    /// can do at best.
    private func measureCeiling(cluster: ThrowawayCluster, database: String, figures: inout Figures) throws {
        let connection = try PostgresConnection(cluster.socketURL(database: database))
        let columns = "record_type, record_id, field, value, hlc, base, replica, author, seq"
        let rows = try connection.rows("SELECT \(columns) FROM field_state ORDER BY seq").map(\.values)
        figures.pulledRows = rows.count
        var copies: [Double] = []
        for _ in 0..<3 {
            try connection.execute("""
                DROP TABLE IF EXISTS ceiling;
                CREATE TABLE ceiling (record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                    hlc TEXT NOT NULL, base TEXT, replica TEXT NOT NULL, author TEXT, seq BIGINT NOT NULL,
                    PRIMARY KEY (record_type, record_id, field));
                CREATE INDEX ceiling_by_seq ON ceiling (seq)
                """)
            try connection.execute("CHECKPOINT")  // no copy pays for the writes before it
            let copyStart = DispatchTime.now().uptimeNanoseconds
            try connection.inTransaction { connection in
                _ = try connection.copy("COPY ceiling (\(columns)) FROM STDIN", rows: rows)
            }
            copies.append(Double(DispatchTime.now().uptimeNanoseconds - copyStart) / 1e9)
        }
        figures.copyIn.append(copies.min()!)
        let selectStart = DispatchTime.now().uptimeNanoseconds
        var selected = 0
        try connection.forEachRow("SELECT \(columns) FROM ceiling ORDER BY seq") { _ in selected += 1 }
        figures.selectOut.append(Double(DispatchTime.now().uptimeNanoseconds - selectStart) / 1e9)
        guard selected == rows.count else { throw BenchmarkError("the ceiling selected \(selected) of \(rows.count) rows") }
    }

    /// One line per size: rates, medians over the runs, and the ratios the issue asks for.
    static func report(_ f: Figures) -> String {
        func rate(_ seconds: [Double], _ count: Int) -> Double { Sample(values: seconds.map { Double(count) / $0 }).median }
        let sqlitePush = rate(f.sqlitePush, f.changes), postgresPush = rate(f.postgresPush, f.changes)
        let twoPush = rate(f.postgresPushTwoProcesses, f.changes), copy = rate(f.copyIn, f.pulledRows)
        let sqlitePull = rate(f.sqlitePull, f.pulledRows), postgresPull = rate(f.postgresPull, f.pulledRows), select = rate(f.selectOut, f.pulledRows)
        return String(format: "%8d changes, %d rows | push: SQLite %7.0f/s, PostgreSQL %7.0f/s (COPY ceiling %8.0f/s, ratio %.2f), "
                      + "2 processes %7.0f/s (%.2f × one) | first full sync: SQLite %7.0f rows/s, PostgreSQL %7.0f rows/s "
                      + "(SELECT ceiling %8.0f/s, ratio %.2f) | %d runs",
                      f.changes, f.pulledRows, sqlitePush, postgresPush, copy, postgresPush / copy, twoPush, twoPush / postgresPush,
                      sqlitePull, postgresPull, select, postgresPull / select, f.postgresPush.count)
    }
}
