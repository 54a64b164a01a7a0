import Foundation
import KetteClient
import KetteStore

// kette-bench: fills a store with a county-sized data set and measures the whole-process wall
// time of the coordinator's everyday commands. A benchmark, not a test: report its figures.
//
//   kette-bench [--offers N] [--meetings N] [--runs N] [--seed N] [--keep DIR]

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    if let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count, let number = Int(arguments[index + 1]) {
        return number
    }
    return value
}

let offers = argument("offers", default: 20_000)
let meetings = argument("meetings", default: 5_000)
let runs = argument("runs", default: 30)
let seed = UInt64(argument("seed", default: 2026))
let keep = CommandLine.arguments.firstIndex(of: "--keep").map { CommandLine.arguments[$0 + 1] }

let executableDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let kette = executableDirectory.appendingPathComponent("kette").path
guard FileManager.default.isExecutableFile(atPath: kette) else {
    FileHandle.standardError.write(Data("kette-bench: no kette binary next to this one (\(kette)); build the package first\n".utf8))
    exit(1)
}

let home = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("kette-bench-\(UUID().uuidString)").path
defer { if keep == nil { try? FileManager.default.removeItem(atPath: home) } }

// Seeding goes through the normal write path (one change set per action) but without fsync:
// the seed's durability is not what is measured.
try LocalStore.create(directory: home, name: "Benchmark")
let seedStart = Date()
var districts: [String] = []
do {
    let store = try LocalStore(directory: home)
    try store.database.execute("PRAGMA synchronous = OFF")
    var generator = CountyGenerator(random: SeededGenerator(seed: seed), store: store)
    districts = try generator.generate(districts: 30, organizations: 400, offers: offers, meetings: meetings) { step in
        print("  seeded \(step)")
    }
    try store.database.checkpoint()
}
let seeded = try LocalStore(directory: home)
let status = try seeded.status()
let meetingIDs = try seeded.database.rows("SELECT id FROM meetings ORDER BY rowid LIMIT 100").compactMap { $0.string(0) }
print(String(format: "seeded %d offers, %d meetings, %d change sets in %.1f s", status.offers, status.meetings,
             status.pendingChangeSets, Date().timeIntervalSince(seedStart)))

/// Runs `kette` with `arguments` and returns its wall time in milliseconds.
///
/// posix_spawn and waitpid directly: Foundation's Process notices the exit through a run loop,
/// which adds tens of milliseconds of its own to every measurement.
func timedRun(_ arguments: [String]) throws -> Double {
    let argv = [kette, "--home", home] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArguments { free(pointer) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let spawned = posix_spawn(&pid, kette, &actions, nil, &cArguments, environ)
    guard spawned == 0 else { throw NSError(domain: "kette-bench", code: Int(spawned)) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    guard status == 0 else {
        throw NSError(domain: "kette-bench", code: Int(status),
                      userInfo: [NSLocalizedDescriptionKey: "kette \(arguments.joined(separator: " ")) failed (wait status \(status))"])
    }
    return elapsed
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

struct Measurement {
    let name: String
    let target: Double
    let arguments: (Int) -> [String]
}

let measurements = [
    Measurement(name: "kette status", target: .infinity) { _ in ["status"] },
    Measurement(name: "kette offer list --district X", target: 50) { run in ["offer", "list", "--district", districts[run % districts.count]] },
    Measurement(name: "kette search WORD", target: 50) { run in ["search", ["Sprachförderung", "Hebamme", "Jugendtreff", "Bewerbung"][run % 4]] },
    Measurement(name: "kette offer add", target: 30) { run in ["offer", "add", "--title", "Benchmark-Angebot \(run)", "--district", districts[run % districts.count],
                                                                 "--phase", "preschool", "--category", "promotion"] },
    Measurement(name: "kette meeting show ID", target: .infinity) { run in ["meeting", "show", meetingIDs[run % meetingIDs.count]] },
]

print("")
print("whole-process wall time, \(runs) runs each, after one warm-up run (ms):")
print("command                                  median     p90     min   target")
var failed = false
for measurement in measurements {
    _ = try timedRun(measurement.arguments(0))
    var times: [Double] = []
    for run in 0..<runs { times.append(try timedRun(measurement.arguments(run + 1))) }
    let median = percentile(times, 0.5)
    let target = measurement.target.isFinite ? String(format: "< %.0f", measurement.target) : "–"
    print(measurement.name.padding(toLength: 38, withPad: " ", startingAt: 0)
          + String(format: "%9.1f %7.1f %7.1f   %@", median, percentile(times, 0.9), times.min() ?? 0, target))
    if measurement.target.isFinite && median >= measurement.target { failed = true }
}
print(failed ? "\nsome medians are above their targets" : "\nall medians are within their targets")
