import CPostgres
import Foundation

/// A PostgreSQL cluster of its own in a temporary directory, for tests and benchmarks: made with
/// `initdb`, run with `pg_ctl` on a free port and a Unix socket inside the directory, stopped and
/// removed with `stop()` (or at the latest when the process exits).
///
/// PostgreSQL refuses to run as root, so under root the cluster belongs to and runs as an
/// unprivileged account (`nobody` unless `KETTE_PG_USER` names another) through `runuser`; the
/// directory is handed to that account. A cluster left behind by a process that was killed is
/// stopped and removed by the next one that starts a cluster.
public final class ThrowawayCluster: @unchecked Sendable {
    // @unchecked: every stored property is immutable except `stopped`, which `lock` guards.

    /// What the cluster is set up for.
    public enum Durability: Sendable {
        /// fsync off: fast, loses everything on a power cut (tests).
        case none
        /// PostgreSQL's defaults: every commit flushed (benchmarks against SQLite's synchronous=FULL).
        case full
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: String
    public let port: Int
    /// The superuser, with trust authentication on the socket and on loopback.
    public let user = "kette"
    private let programs: Programs
    private let lock = NSLock()
    private var stopped = false

    /// Starts a new cluster; takes a second or two.
    public init(durability: Durability = .none) throws {
        Self.removeAbandonedClusters()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kette-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: directory + "/owner"))
        self.directory = directory
        do {
            programs = Programs(binaries: try Self.findBinaries(), directory: directory,
                                account: getuid() == 0 ? (ProcessInfo.processInfo.environment["KETTE_PG_USER"] ?? "nobody") : nil)
            try programs.handOver()
            try programs.initdb(user: user, durability: durability)
            port = try programs.startOnFreePort()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        Self.register(self)
    }

    deinit { stop() }

    /// A connection URL for `database` over the Unix socket (the fastest way in).
    public func socketURL(database: String) -> String {
        let host = directory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? directory
        return "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    /// A connection URL for `database` over TCP on loopback, in the form operators write.
    public func tcpURL(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// Stops the server at once and removes the directory; a second call does nothing.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        _ = try? programs.execute("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Making and starting

    private static func findBinaries() throws -> String {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["KETTE_PG_BINDIR"] { candidates.append(configured) }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw Failure(description: "no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or KETTE_PG_BINDIR; install the Debian package postgresql (scripts/setup.sh does)")
        }
        return found
    }

    // MARK: - Clean-up

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var running: [ThrowawayCluster] = []

    /// Keeps the cluster to stop when the process exits: a test run that ends without stopping it
    /// (a failed test, an early exit) leaves nothing behind.
    private static func register(_ cluster: ThrowawayCluster) {
        registryLock.lock()
        defer { registryLock.unlock() }
        if running.isEmpty { atexit { ThrowawayCluster.stopAll() } }
        running.append(cluster)
    }

    private static func stopAll() {
        registryLock.lock()
        let clusters = running
        running.removeAll()
        registryLock.unlock()
        clusters.forEach { $0.stop() }
    }

    /// Stops and removes the clusters of processes that no longer run (killed before their exit
    /// handler could do it).
    private static func removeAbandonedClusters() {
        let temporary = FileManager.default.temporaryDirectory.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix("kette-pg-") {
            let path = temporary + "/" + name
            guard let owner = (try? String(contentsOfFile: path + "/owner", encoding: .utf8)).flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  kill(owner, 0) != 0, errno == ESRCH else { continue }
            if let pid = (try? String(contentsOfFile: path + "/data/postmaster.pid", encoding: .utf8))?.split(separator: "\n").first.flatMap({ pid_t($0) }) {
                kill(pid, SIGQUIT)  // the postmaster's immediate shutdown
            }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

/// The PostgreSQL programs of one cluster, run as the account that owns it.
private struct Programs: Sendable {
    let binaries: String
    let directory: String
    /// Whom the programs run as (through runuser) when the process is root.
    let account: String?

    /// Gives the directory to the account the cluster runs as (when running as root).
    func handOver() throws {
        guard let account else { return }
        let path = directory
        guard let entry = getpwnam(account) else { throw ThrowawayCluster.Failure(description: "no account \(account) to run PostgreSQL as (set KETTE_PG_USER)") }
        guard chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw ThrowawayCluster.Failure(description: "could not hand \(path) to \(account): \(String(cString: strerror(errno)))")
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: path) {
            _ = chown(path + "/" + file, entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
    }

    func initdb(user: String, durability: ThrowawayCluster.Durability) throws {
        try execute("initdb", ["-D", directory + "/data", "-U", user, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        var settings = [
            "unix_socket_directories = '\(directory)'", "listen_addresses = '127.0.0.1'", "max_connections = 300",
            "shared_buffers = 64MB", "max_parallel_workers_per_gather = 0", "log_min_messages = warning",
        ]
        if durability == .none { settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"] }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/data/postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n# ThrowawayCluster\n" + settings.joined(separator: "\n") + "\n").utf8))
    }

    /// Starts the server on a port that was free a moment ago; another process may take it in
    /// between, so a failed start is tried again on another port.
    func startOnFreePort() throws -> Int {
        var lastError: Error?
        for _ in 0..<5 {
            let port = try Self.freePort()
            do {
                try execute("pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60",
                                                   "-o", "-p \(port)", "start"])
                return port
            } catch {
                lastError = error
            }
        }
        let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        throw ThrowawayCluster.Failure(description: "PostgreSQL did not start: \(lastError.map { "\($0)" } ?? "") \(log.suffix(2000))")
    }

    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ThrowawayCluster.Failure(description: "no socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw ThrowawayCluster.Failure(description: "no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a PostgreSQL program (as the cluster's account under root) to its end; throws with its
    /// output when it fails.
    ///
    /// Spawned directly, not with Foundation's `Process`: `Process` learns that its child ended
    /// when a socket the child inherits closes, and the server that `pg_ctl start` leaves running
    /// would inherit it too, so `waitUntilExit` would wait for the server's end. For the same
    /// reason the child gets no descriptor but its output file.
    @discardableResult
    func execute(_ name: String, _ arguments: [String]) throws -> String {
        let program = binaries + "/" + name
        let command = account.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
        let outputPath = directory + "/command-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try Self.spawnAndWait(command + arguments, output: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ThrowawayCluster.Failure(description: "\(name) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
        return text
    }

    /// Runs `command` with stdin from /dev/null and stdout and stderr to `output`, in `/` (the
    /// unprivileged account may not enter the current directory), and returns its exit status.
    private static func spawnAndWait(_ command: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        posix_spawn_file_actions_addchdir_np(&actions, "/")
        let argv = command.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + environment).forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, command[0], &actions, nil, argv, environment)
        guard code == 0 else {
            throw ThrowawayCluster.Failure(description: "could not start \(command[0]): \(String(cString: strerror(code)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
