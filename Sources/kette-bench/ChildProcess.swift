import Foundation

/// A child process started with posix_spawn and reaped with wait4, so the benchmark learns its
/// exact wall time, peak memory and bytes written without Foundation's run-loop delays.
struct ChildProcess {
    let pid: pid_t
    let started: UInt64

    struct Outcome {
        let status: Int32
        let milliseconds: Double
        /// Peak resident set size in MiB.
        let peakRSS: Double
        /// Bytes the process sent to the file system's block layer (ru_oublock: 512-byte
        /// blocks, as `/usr/bin/time -f %O` counts them): its writes that reached the disk.
        let writtenBytes: Double
    }

    /// Starts `executable arguments…` with stdout and stderr to `log` (or /dev/null).
    static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String? = nil) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let started = DispatchTime.now().uptimeNanoseconds
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard code == 0 else { throw BenchmarkError("could not start \(executable): \(String(cString: strerror(code)))") }
        return ChildProcess(pid: pid, started: started)
    }

    /// Waits for the process to end; with `samplingMemory`, samples its peak RSS (VmHWM) every
    /// few milliseconds, otherwise blocks in waitpid so the wall time is exact (polling every 5 ms
    /// rounded a 12 ms command up to as much as 17 ms).
    ///
    /// Not ru_maxrss from wait4: a child made by posix_spawn starts in the parent's address
    /// space, and ru_maxrss keeps that size (the benchmark's own) even after exec.
    func wait(samplingMemory: Bool = false) -> Outcome {
        var status: Int32 = 0
        var usage = rusage()
        var peak = 0.0
        while !samplingMemory {
            if wait4(pid, &status, 0, &usage) == pid || errno != EINTR { break }
        }
        while samplingMemory {
            if let hwm = Self.memoryLine("VmHWM:", of: pid) { peak = max(peak, hwm) }
            let result = wait4(pid, &status, WNOHANG, &usage)
            if result == pid { break }
            if result == -1 && errno != EINTR { break }
            usleep(5_000)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, milliseconds: elapsed, peakRSS: peak, writtenBytes: Double(usage.ru_oublock) * 512)
    }

    /// Runs to the end and fails unless the exit status is one of `accepted`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String? = nil,
                    accepted: Set<Int32> = [0], samplingMemory: Bool = false) throws -> Outcome {
        let outcome = try start(executable, arguments, environment: environment, log: log).wait(samplingMemory: samplingMemory)
        guard accepted.contains(outcome.status) else {
            throw BenchmarkError("\((executable as NSString).lastPathComponent) \(arguments.joined(separator: " ")) exited \(outcome.status)\(log.map { "; see \($0)" } ?? "")")
        }
        return outcome
    }

    /// The resident set size of a running process right now, in MiB (from /proc).
    static func currentRSS(of pid: pid_t) -> Double? { memoryLine("VmRSS:", of: pid) }

    /// A memory figure of /proc/PID/status in MiB (VmRSS, VmHWM).
    static func memoryLine(_ name: String, of pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kilobytes / 1024
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Median and spread of repeated measurements.
struct Sample: CustomStringConvertible {
    var values: [Double]
    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var minimum: Double { values.min() ?? .nan }
    var maximum: Double { values.max() ?? .nan }
    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
    var description: String { String(format: "%.1f [%.1f–%.1f]", median, minimum, maximum) }
}
