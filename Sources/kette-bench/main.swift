import Foundation

// kette-bench: the benchmark harness (BENCHMARKS.md describes the method). A benchmark, not a
// test: it reports figures and never fails on them. `usage` lists the modes and their options.

/// What `kette-bench --help` prints.
let usage = """
    kette-bench: Kette's benchmarks (BENCHMARKS.md describes the method). Run from a release build.

    usage:
      kette-bench local  [--offers 20000] [--meetings 5000] [--runs 30] [--seed N] [--keep DIR]
      kette-bench sync   [--sizes 10000,100000,1000000] [--clients 4] [--runs 3] [--many 50] [--many-changes 2000] [--seed N]
                         [--backend postgres]   # push and first sync on SQLite and PostgreSQL, COPY/SELECT ceiling, 1 vs 2 processes
                         [--link 16mbit,40ms] [--no-yjs]
      kette-bench county --out DIR [--districts 30] [--offers 20000] [--meetings 2000] [--seed N]
      kette-bench import [--offers 20000] [--changed 100] [--runs 5] [--seed N]
      kette-bench api-push --from STORE_DIRECTORY
      kette-bench --help

    local:  whole-process times of everyday `kette` commands on a county-sized store, and a long
            list side by side with the sqlite3 shell running the same query.
    sync:   push, first full sync and nightly sync against a real kette-server, with raw SQLite ceilings,
            the bulk-load limit of the client tables and the Yjs peer on the same rows (issue 13, target 2:
            scripts/yjs-peer.py, set up once with `python3 scripts/yjs-peer.py --setup`; --no-yjs skips it).
            --link RATE,RTT also times first full syncs through a shaping proxy on loopback (RATE in
            kbit or mbit per direction, RTT in ms), gzipped and with KETTE_COMPRESSION=off, and the
            loopback first sync with KETTE_COMPRESSION=off.
    county: writes a store to look at; import: times `kette import` of a county file.
    """

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func number(_ name: String, default value: Int) -> Int { option(name).flatMap(Int.init) ?? value }

/// The over-a-link line of `sync --link`: medians of first full syncs, gzipped and plain.
func linkSummary(_ f: SyncBenchmark.Figures, shape: ShapingProxy.Shape) -> String {
    let gzip = Sample(values: f.linkGzipSeconds), plain = Sample(values: f.linkPlainSeconds)
    let loopGzip = Sample(values: f.pullGzipSeconds), loopPlain = Sample(values: f.pullPlainSeconds)
    let link = String(format: "    first full sync through %@: gzip %.2f s, uncompressed %.2f s, %.1f × faster (%.1f MB vs %.1f MB down)",
                      shape.description, gzip.median, plain.median, plain.median / gzip.median,
                      Double(f.linkGzipBytes) / 1e6, Double(f.linkPlainBytes) / 1e6)
    let loopback = String(format: " | loopback: gzip %.2f s, uncompressed %.2f s (gzip/plain %.2f)", loopGzip.median, loopPlain.median,
                          loopGzip.median / loopPlain.median)
    return link + loopback + " | spreads: link gzip \(gzip), link plain \(plain), loopback gzip \(loopGzip), loopback plain \(loopPlain)"
}

let mode = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("--") } ?? "local"
// Help before anything else: asking for it must not start a benchmark.
if CommandLine.arguments.dropFirst().contains(where: { ["--help", "-h", "help"].contains($0) }) {
    print(usage)
    exit(0)
}
let seed = UInt64(number("seed", default: 2026))
let work = FileManager.default.temporaryDirectory.appendingPathComponent("kette-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
/// Every way out removes the work directory (a `defer` at top level does not run on `exit`, and a
/// sync run leaves hundreds of megabytes there).
func finish(_ status: Int32) -> Never {
    try? FileManager.default.removeItem(atPath: work)
    exit(status)
}

do {
    // The county mode writes a store in this process and needs no built binaries.
    var binaries: Binaries { get throws { try Binaries.locate() } }
    switch mode {
    case "local":
        let runs = number("runs", default: 30)
        // --keep DIR: seed the store there (once) and leave it, to measure or profile it again by hand.
        let benchmark = LocalBenchmark(binaries: try binaries, offers: number("offers", default: 20_000), meetings: number("meetings", default: 5_000),
                                       runs: runs, seed: seed, home: option("keep") ?? work + "/local")
        print(LocalBenchmark.report(try benchmark.run(), runs: runs))
    case "sync":
        let sizes = (option("sizes") ?? "10000,100000,1000000").split(separator: ",").compactMap { Int($0) }
        let backend = option("backend") ?? "sqlite"
        guard ["sqlite", "postgres"].contains(backend) else { throw BenchmarkError("--backend takes sqlite or postgres, not '\(backend)'") }
        var benchmark = SyncBenchmark(binaries: try binaries, clients: number("clients", default: 4), runs: number("runs", default: 3),
                                      seed: seed, work: work)
        if let text = option("link") {
            guard let shape = ShapingProxy.Shape(text) else { throw BenchmarkError("--link takes RATE,RTT such as 16mbit,40ms, not '\(text)'") }
            benchmark.link = shape
        }
        if backend == "postgres" {
            var lines: [String] = []
            for size in sizes {
                print("size \(size) (SQLite and PostgreSQL):")
                let line = PostgresSyncBenchmark.report(try PostgresSyncBenchmark(sync: benchmark).run(size: size))
                print(line)
                lines.append(line)
            }
            print("\nsummary:\n" + lines.joined(separator: "\n"))
            finish(0)
        }
        // The Yjs peer belongs to the SQLite run (issue 13, target 2); looked for only there.
        if !CommandLine.arguments.contains("--no-yjs") {
            switch YjsPeer.locate() {
            case .success(let peer): benchmark.yjs = peer
            case .failure(let reason): print(reason)
            }
        }
        var lines: [String] = []
        var bySize: [SyncBenchmark.Figures] = []
        for size in sizes {
            print("size \(size):")
            let f = try benchmark.run(size: size)
            bySize.append(f)
            let push = Sample(values: f.pushSeconds.map { Double(f.changes) / $0 })
            let insert = Sample(values: f.ceilingInsertSeconds.map { Double(f.pulledRows) / $0 })
            let pull = Sample(values: f.pullSeconds)
            let pullRate = Sample(values: f.pullSeconds.map { Double(f.pulledRows) / $0 })
            let select = Sample(values: f.ceilingSelectSeconds.map { Double(f.pulledRows) / $0 })
            let pushRatios = Sample(values: zip(f.pushSeconds, f.ceilingInsertSeconds).map { $1 / $0 })
            let pullRatios = Sample(values: zip(f.pullSeconds, f.ceilingSelectSeconds).map { $1 / $0 })
            let line = String(format: """
                %8d changes | push %8.0f/s (ceiling insert %8.0f/s, ratio %4.1f%%) | first full sync %6.2f s = %8.0f rows/s \
                (ceiling select %9.0f/s, ratio %4.1f%%) | nightly %6.0f ms | RSS client push %5.1f / pull %5.1f MiB, server %5.1f MiB
                """, f.changes, push.median, insert.median, pushRatios.median * 100, pull.median, pullRate.median, select.median,
                pullRatios.median * 100, Sample(values: f.incrementalMilliseconds).median, Sample(values: f.pushClientRSS).maximum,
                Sample(values: f.pullClientRSS).maximum, Sample(values: f.serverRSS).maximum)
            print(line)
            let targetOne = SyncBenchmark.targetOneLine(f)
            print(targetOne)
            let targetTwo = SyncBenchmark.targetTwoLine(f)
            print(targetTwo)
            let ae = f.antiEntropy
            let check = String(format: """
                    digest check, nothing differs (%d field versions): server %.2f ms (in process, median of %d), \
                %.2f ms over loopback HTTP (median of %d), %d request; restore that lost %d rows (%.1f%%): county's next sync \
                %.1f s, of which check and repair %.1f s, %d versions brought back
                """, ae.fieldVersions, Sample(values: ae.checkServerMilliseconds).median, ae.checkServerMilliseconds.count,
                Sample(values: ae.checkRoundTripMilliseconds).median, ae.checkRoundTripMilliseconds.count, ae.checkRequests, ae.lostRows,
                Double(ae.lostRows) * 100 / Double(max(1, ae.fieldVersions)), Sample(values: ae.repairSyncSeconds).median,
                Sample(values: ae.repairCheckSeconds).median, ae.broughtBack)
            print(check)
            print("    spreads over \(f.pushSeconds.count) runs: push s \(Sample(values: f.pushSeconds)), pull s \(pull), ceiling insert s \(Sample(values: f.ceilingInsertSeconds)), ceiling select s \(Sample(values: f.ceilingSelectSeconds)), bulk load s \(Sample(values: f.bulkLoadSeconds)), Yjs push s \(Sample(values: f.yjsPushSeconds)), Yjs first sync s \(Sample(values: f.yjsFirstSyncSeconds))")
            lines.append(line)
            lines.append(targetOne)
            lines.append(targetTwo)
            lines.append(check)
            if let shape = benchmark.link {
                let linkLine = linkSummary(f, shape: shape)
                print(linkLine)
                lines.append(linkLine)
            }
        }
        if let many = option("many").flatMap(Int.init), many > 0 {
            let result = try benchmark.runManyClients(count: many, changesEach: number("many-changes", default: 2_000))
            let line = String(format: "%d clients syncing at once: %.1f s, server peak RSS %.1f MiB, every change arrived: %@",
                              many, result.seconds, result.serverRSS, result.arrived ? "yes" : "NO")
            print(line)
            lines.append(line)
        }
        lines += SyncBenchmark.linearityLines(bySize)
        print("\nsummary:\n" + lines.joined(separator: "\n"))
    case "county":
        guard let out = option("out") else { throw BenchmarkError("county needs --out DIRECTORY") }
        try CountyCommand(directory: out, districts: number("districts", default: 30), offers: number("offers", default: 20_000),
                          meetings: number("meetings", default: 2_000), seed: seed).run()
        print("county written to \(out)")
    case "import":
        print(try ImportBenchmark(binaries: try binaries, offers: number("offers", default: 20_000), changed: number("changed", default: 100),
                                  runs: number("runs", default: 5), seed: seed, work: work + "/import").run())
    case "api-push":
        // For profiling (valgrind cannot follow the server's signal handling): the push of a
        // client store's whole outbox through the server's API object, in this process.
        guard let from = option("from") else { throw BenchmarkError("api-push needs --from STORE_DIRECTORY") }
        let seconds = try APIPushProfile(store: from, work: work).run()
        print(String(format: "api-push: %.2f s", seconds))
    default:
        throw BenchmarkError("unknown mode \(mode); use local, sync, county, import or api-push (kette-bench --help)")
    }
} catch {
    FileHandle.standardError.write(Data("kette-bench: \(error)\n".utf8))
    finish(1)
}
finish(0)
