import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A real `kette-server` process on loopback, with its database in the test's directory, or in a
/// PostgreSQL database with its audit key in the test's directory.
public final class ServerProcess {
    public let binary: URL
    /// The SQLite file, or the PostgreSQL URL.
    public let database: String
    /// `--db` and, with PostgreSQL, `--audit-key`: given to every command.
    public let databaseArguments: [String]
    public let logPath: String
    public private(set) var pid: pid_t = 0
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - database: a PostgreSQL URL, or nil for `server.db` in `directory`.
    ///   - auditKey: the audit key file with PostgreSQL; by default `server.audit-key` in `directory`.
    public init(directory: URL, database postgres: String? = nil, auditKey: String? = nil) {
        binary = KetteBinary.url!.deletingLastPathComponent().appendingPathComponent("kette-server")
        database = postgres ?? directory.appendingPathComponent("server.db").path
        let key = auditKey ?? directory.appendingPathComponent("server.audit-key").path
        databaseArguments = ["--db", database] + (postgres == nil ? [] : ["--audit-key", key])
        logPath = directory.appendingPathComponent("server.log").path
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Runs an admin command against the database and returns its stdout (trimmed).
    @discardableResult
    public func admin(_ arguments: [String], expectExit: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(arguments + databaseArguments)
        XCTAssertEqual(result.status, expectExit, "kette-server \(arguments.joined(separator: " ")): \(result.errors)", file: file, line: line)
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `kette-server arguments…` (in English, no database added) to its end.
    /// `language`: the child's `LANG` (English unless a test reads the German output);
    /// `environment`: variables set on top of the test process's own.
    public func run(_ arguments: [String], language: String = "C.UTF-8",
                    environment: [String: String] = [:]) throws -> (status: Int32, errors: String, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["LANG": language, "LC_ALL": language]) { $1 }
            .merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, err, out)
    }

    /// Starts `serve` on `port` (0: any free port) and waits for its "listening" line.
    public func start(port requested: UInt16 = 0, extraArguments: [String] = []) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, logPath + ".err", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let arguments = [binary.path, "serve"] + databaseArguments + ["--port", String(requested)] + extraArguments
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, binary.path, &actions, nil, argv, environ) == 0 else { throw NSError(domain: "ServerProcess", code: 1) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let log = try? String(contentsOfFile: logPath, encoding: .utf8),
               let range = log.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = UInt16(log[range].split(separator: ":").last!)!
                return
            }
            usleep(20_000)
        }
        throw NSError(domain: "ServerProcess", code: 2, userInfo: [NSLocalizedDescriptionKey: "kette-server did not start: \((try? String(contentsOfFile: logPath + ".err", encoding: .utf8)) ?? "")"])
    }

    /// Stops the process (SIGKILL: no chance to clean up); `port` keeps the last address.
    public func kill(_ signal: Int32 = SIGKILL) {
        guard pid > 0 else { return }
        Glibc.kill(pid, signal)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    deinit { kill() }
}
