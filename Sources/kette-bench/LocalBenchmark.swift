import Foundation
import KetteClient
import KetteProtocol
import KetteStore

/// The coordinator's everyday commands on a county-sized store, timed as whole processes.
struct LocalBenchmark {
    let binaries: Binaries
    let offers: Int
    let meetings: Int
    let runs: Int
    let seed: UInt64
    let home: String

    struct Result {
        let name: String
        let target: Double?
        let sample: Sample
    }

    func run() throws -> [Result] {
        let seedStart = Date()
        var districts: [String] = []
        if !(try LocalStore.create(directory: home, name: "Benchmark")) {
            // A kept store from an earlier run (--keep): measured as it is.
            districts = try LocalStore(directory: home).districts().map(\.id)
        } else {
            // Seeding goes through the normal write path (one change set per action) without
            // fsync: the seed's durability is not what is measured.
            let store = try LocalStore(directory: home)
            try store.database.execute("PRAGMA synchronous = OFF")
            var generator = CountyGenerator(random: SeededGenerator(seed: seed), store: store)
            districts = try generator.generate(districts: 30, organizations: 400, offers: offers, meetings: meetings) { step in
                print("  seeded \(step)")
            }
            try store.database.checkpoint()
        }
        // Read what the measurements need, then close the store: while the commands run, each
        // `kette` is the store's only user, as on a coordinator's laptop (the last connection to
        // close checkpoints the WAL), and the seed's dirty pages are on disk, not being written
        // back under the measurements.
        let meetingIDs: [String]
        let longListCategory: (name: String, offers: Int)?
        do {
            let seeded = try LocalStore(directory: home)
            let status = try seeded.status()
            meetingIDs = try seeded.database.rows("SELECT id FROM meetings ORDER BY rowid LIMIT 100").compactMap { $0.string(0) }
            longListCategory = try Self.category(nearest: 3_400, in: seeded)
            print(String(format: "seeded %d offers, %d meetings, %d change sets in %.1f s", status.offers, status.meetings,
                         status.pendingChangeSets, Date().timeIntervalSince(seedStart)))
        }
        sync()

        // Targets: issue 13's "instant commands" (20 ms median, whole process) where it names the
        // command, issue 14's 50 ms for showing a meeting.
        let measurements: [(String, Double?, (Int) -> [String])] = [
            ("kette status", 20, { _ in ["status"] }),
            ("kette offer list --district X", 20, { run in ["offer", "list", "--district", districts[run % districts.count]] }),
            ("kette search WORD", 20, { run in ["search", ["Sprachförderung", "Hebamme", "Jugendtreff", "Bewerbung"][run % 4]] }),
            ("kette meeting show ID", 50, { run in ["meeting", "show", meetingIDs[run % meetingIDs.count]] }),
            ("kette offer add", 20, { run in ["offer", "add", "--title", "Benchmark-Angebot \(run)", "--district", districts[run % districts.count],
                                               "--phase", "preschool", "--category", "promotion"] }),
        ]
        var results: [Result] = []
        if let (category, count) = longListCategory { results += try longList(category: category, offers: count) }
        for (name, target, arguments) in measurements {
            _ = try ChildProcess.run(binaries.kette, ["--home", home] + arguments(0))  // warm-up: page cache
            var times: [Double] = []
            for run in 0..<runs {
                times.append(try ChildProcess.run(binaries.kette, ["--home", home] + arguments(run + 1)).milliseconds)
            }
            results.append(Result(name: name, target: target, sample: Sample(values: times)))
        }
        return results
    }

    /// The list of one category (the one nearest 3,400 offers) by `kette offer list` and by the
    /// `sqlite3` shell running the same query and printing the same columns, run alternately so
    /// both see the same load. The target is the shell's median × 2.
    func longList(category: String, offers count: Int) throws -> [Result] {
        guard let shell = Binaries.onPath("sqlite3") else {
            print("no sqlite3 shell on PATH: the long list is not compared")
            return []
        }
        let query = """
            SELECT substr(o.id, 1, 8) AS id, o.title, coalesce(d.name, o.district, '–') AS district, o.category, o.status
            FROM offers o LEFT JOIN districts d ON d.id = o.district LEFT JOIN organizations p ON p.id = o.provider
            WHERE o.deleted = 0 AND o.category = '\(category)' ORDER BY o.title COLLATE NOCASE, o.id
            """
        let ketteArguments = ["--home", home, "offer", "list", "--category", category]
        let shellArguments = ["-readonly", "-column", "-header", home + "/" + LocalStore.fileName, query]
        _ = try ChildProcess.run(binaries.kette, ketteArguments)
        _ = try ChildProcess.run(shell, shellArguments)
        var kette: [Double] = [], sqlite: [Double] = []
        for _ in 0..<runs {
            kette.append(try ChildProcess.run(binaries.kette, ketteArguments).milliseconds)
            sqlite.append(try ChildProcess.run(shell, shellArguments).milliseconds)
        }
        let shellSample = Sample(values: sqlite)
        return [Result(name: "kette offer list (\(count) offers)", target: 2 * shellSample.median, sample: Sample(values: kette)),
                Result(name: "sqlite3 shell, same query", target: nil, sample: shellSample)]
    }

    /// The category whose live offers number nearest `offers`, and that number.
    static func category(nearest offers: Int, in store: LocalStore) throws -> (name: String, offers: Int)? {
        let counts = try store.database.rows("SELECT category, count(*) AS n FROM offers WHERE deleted = 0 GROUP BY category")
        guard let nearest = counts.min(by: { abs(($0.int("n") ?? 0) - offers) < abs(($1.int("n") ?? 0) - offers) }),
              let category = nearest.string("category"), let count = nearest.int("n") else { return nil }
        return (category, count)
    }

    static func report(_ results: [Result], runs: Int) -> String {
        var lines = ["whole-process wall time, \(runs) runs each after one warm-up run (ms):",
                     "command                                median      p90      min   target"]
        for result in results {
            let target = result.target.map { String(format: "< %.0f", $0) } ?? "–"
            lines.append(result.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                         + String(format: "%9.1f %8.1f %8.1f   %@", result.sample.median, result.sample.percentile(0.9), result.sample.minimum, target))
        }
        return lines.joined(separator: "\n")
    }
}

/// The built executables, found next to this one.
struct Binaries {
    let kette: String
    let server: String

    /// The first executable called `name` on PATH.
    static func onPath(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func locate() throws -> Binaries {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let binaries = Binaries(kette: directory.appendingPathComponent("kette").path, server: directory.appendingPathComponent("kette-server").path)
        for path in [binaries.kette, binaries.server] where !FileManager.default.isExecutableFile(atPath: path) {
            throw BenchmarkError("no \(path): build the package first (swift build -c release)")
        }
        return binaries
    }
}
