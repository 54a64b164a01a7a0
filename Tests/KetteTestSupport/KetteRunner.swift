import Foundation
import KetteStore
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of the `kette` binary did.
public struct KetteResult: CustomStringConvertible {
    public let arguments: [String]
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    public var description: String {
        "`kette \(arguments.joined(separator: " "))` exited \(exitCode)\n--- stdout:\n\(stdout)\n--- stderr:\n\(stderr)"
    }
}

/// Finds the built `kette` executable: it sits in `.build/<config>/` next to the test product.
public enum KetteBinary {
    public static let url: URL? = locate()

    private static func locate() -> URL? {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["KETTE_BINARY"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        // Linux: Bundle.main is the directory holding `KettePackageTests.xctest`; macOS: the bundle's
        // parent is that directory. Either way `kette` was linked into the same directory.
        for bundle in [Bundle.main, Bundle(for: KetteBundleMarker.self)] {
            candidates.append(bundle.bundleURL.appendingPathComponent("kette"))
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("kette"))
        }
        if let executable = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("kette"))
        }
        // Last resort: the package's default build folder, found by walking up from this file.
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                candidates.append(directory.appendingPathComponent(".build/debug/kette"))
                break
            }
            directory = directory.deletingLastPathComponent()
        }
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
    }
}

private final class KetteBundleMarker {}

/// Runs the built `kette` binary as a child process, in a fresh temporary home of its own, with an
/// environment the test controls completely (nothing leaks in from the developer's shell).
public final class KetteRunner {
    public let binary: URL
    /// A fresh directory for this test; removed by `cleanUp()`.
    public let root: URL
    /// The store's directory (`KETTE_HOME`); made by `kette init`.
    public let home: URL
    /// `LANG` for the child, unless a run overrides it.
    public var language = "en_US.UTF-8"
    private var outputCounter = 0

    public init(binary: URL) throws {
        self.binary = binary
        root = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("kette-cli-tests-\(UUID().uuidString.prefix(8))", isDirectory: true)
        home = root.appendingPathComponent("home", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public var databasePath: String { home.appendingPathComponent("kette.db").path }

    public func cleanUp() {
        do { try FileManager.default.removeItem(at: root) } catch { print("could not remove \(root.path): \(error)") }
    }

    /// The child's environment: only what is listed here, `env` on top (a nil value unsets).
    public func environment(_ env: [String: String?] = [:]) -> [String: String] {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": root.path, "LANG": language,
                           "KETTE_HOME": home.path, "TMPDIR": root.path]
        for (key, value) in env { environment[key] = value }
        return environment
    }

    /// Runs `kette args…` to the end and returns its exit code and output. Output goes to files, not
    /// pipes, so a chatty child can never block on a full pipe. A child that runs longer than
    /// `timeout` is killed and reported as exit code -1.
    public func run(_ args: [String], env: [String: String?] = [:], stdin: String? = nil, timeout: TimeInterval = 30) -> KetteResult {
        outputCounter += 1
        let stdoutURL = root.appendingPathComponent("run-\(outputCounter).out")
        let stderrURL = root.appendingPathComponent("run-\(outputCounter).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        process.environment = environment(env)
        process.currentDirectoryURL = root
        do {
            let out = try FileHandle(forWritingTo: stdoutURL)
            let err = try FileHandle(forWritingTo: stderrURL)
            defer { try? out.close(); try? err.close() }
            process.standardOutput = out
            process.standardError = err
            var input: Pipe?
            if stdin != nil { input = Pipe(); process.standardInput = input } else { process.standardInput = FileHandle.nullDevice }
            let finished = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in finished.signal() }
            try process.run()
            if let input, let stdin {
                let data = Data(stdin.utf8)
                let writer = input.fileHandleForWriting
                DispatchQueue.global().async {
                    try? writer.write(contentsOf: data)
                    try? writer.close()
                }
            }
            if finished.wait(timeout: .now() + timeout) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return KetteResult(arguments: args, exitCode: -1, stdout: read(stdoutURL), stderr: "TIMED OUT after \(timeout) s\n" + read(stderrURL))
            }
            process.waitUntilExit()
        } catch {
            return KetteResult(arguments: args, exitCode: -2, stdout: "", stderr: "could not start \(binary.path): \(error)")
        }
        let code = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        return KetteResult(arguments: args, exitCode: code, stdout: read(stdoutURL), stderr: read(stderrURL))
    }

    private func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? "<output is not UTF-8>"
    }

    // MARK: Raw spawning, for the crash test

    /// Starts `kette args…` with posix_spawn, output to `stdoutPath` (or /dev/null), and returns its
    /// pid. The caller must reap it with `waitForExit`: until then the pid cannot be reused, so a
    /// `kill` aimed at it can never hit another process.
    public func spawn(_ args: [String], env: [String: String?] = [:], stdoutPath: String? = nil) throws -> pid_t {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, stdoutPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary.path] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment(env).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, binary.path, &fileActions, nil, argv, envp)
        guard code == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(code)) }
        return pid
    }

    public enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Reaps a child started with `spawn`.
    public func waitForExit(_ pid: pid_t) throws -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// The base of the CLI tests: a fresh home per test and helpers that assert on `kette`'s behaviour.
open class KetteCLITestCase: XCTestCase {
    public private(set) var runner: KetteRunner!

    open override func setUpWithError() throws {
        try super.setUpWithError()
        guard let binary = KetteBinary.url else {
            throw NSError(domain: "KetteCLITests", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "the built `kette` executable was not found next to the test bundle (\(Bundle.main.bundleURL.path)); build it first or set KETTE_BINARY"])
        }
        runner = try KetteRunner(binary: binary)
    }

    open override func tearDown() {
        runner?.cleanUp()
        runner = nil
        super.tearDown()
    }

    /// Runs kette and returns what happened, whatever the exit code.
    @discardableResult
    public func kette(_ args: String..., env: [String: String?] = [:], stdin: String? = nil) -> KetteResult {
        runner.run(args, env: env, stdin: stdin)
    }

    /// Runs kette, asserts exit 0 and an empty stderr, and returns stdout without the final newline.
    @discardableResult
    public func ok(_ args: [String], env: [String: String?] = [:], stdin: String? = nil,
            file: StaticString = #filePath, line: UInt = #line) -> String {
        let result = runner.run(args, env: env, stdin: stdin)
        XCTAssertEqual(result.exitCode, 0, "\(result)", file: file, line: line)
        XCTAssertEqual(result.stderr, "", "\(result)", file: file, line: line)
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    @discardableResult
    public func ok(_ args: String..., env: [String: String?] = [:], stdin: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> String {
        ok(args, env: env, stdin: stdin, file: file, line: line)
    }

    /// Runs kette with `--json` output and parses it.
    public func json(_ args: String..., env: [String: String?] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        let output = ok(args, env: env, file: file, line: line)
        do {
            return try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
        } catch {
            XCTFail("not JSON: \(output)", file: file, line: line)
            throw error
        }
    }

    public func jsonObject(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let output = ok(args, file: file, line: line)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output, file: file, line: line)
    }

    public func jsonArray(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let output = ok(args, file: file, line: line)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output, file: file, line: line)
    }

    /// `kette status --json`.
    public func status(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try jsonObject("status", "--json", file: file, line: line)
    }

    public func pendingChangeSets(file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try XCTUnwrap(try status(file: file, line: line)["pendingChangeSets"] as? Int, file: file, line: line)
    }

    /// Every row of every table of the store, in a stable order: equal snapshots mean nothing was written.
    public func storeSnapshot(path: String? = nil) throws -> [String] {
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        let database = try Database(path: path ?? runner.databasePath, configuration: configuration)
        var lines: [String] = []
        let tables = try database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.string(0) }
        for table in tables {
            let rows = try database.rows("SELECT * FROM \"\(table)\"").map { row in
                table + ": " + row.values.map { String(describing: $0) }.joined(separator: " | ")
            }
            lines += rows.sorted()
        }
        return lines
    }

    /// Asserts that `kette args…` is refused with exit 1, prints nothing on stdout, says every one of
    /// `mentions` on stderr, and changes nothing in the store (status and every row of every table).
    @discardableResult
    public func assertRejected(_ args: [String], mentions: [String], env: [String: String?] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> KetteResult {
        let statusBefore = ok(["status", "--json"], file: file, line: line)
        let snapshotBefore = try storeSnapshot()
        let result = runner.run(args, env: env)
        XCTAssertEqual(result.exitCode, 1, "\(result)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", "a refused command printed output: \(result)", file: file, line: line)
        XCTAssertFalse(result.stderr.isEmpty, "\(result)", file: file, line: line)
        for mention in mentions {
            XCTAssertTrue(result.stderr.contains(mention), "stderr should mention \"\(mention)\": \(result)", file: file, line: line)
        }
        XCTAssertEqual(ok(["status", "--json"], file: file, line: line), statusBefore,
                       "`kette status --json` changed after the refused command \(args)", file: file, line: line)
        let snapshotAfter = try storeSnapshot()
        XCTAssertEqual(snapshotAfter, snapshotBefore, "the store changed after the refused command \(args): "
                       + "\(Set(snapshotAfter).symmetricDifference(snapshotBefore).sorted().prefix(5))", file: file, line: line)
        return result
    }

    // MARK: Fixture

    public struct Fixture {
        public var nordstadt = "nordstadt"
        public var suedstadt = ""
        public var jugendamt = ""
        public var steering = ""
    }

    /// A store with two districts, an organization and a steering group.
    public func makeFixture(file: StaticString = #filePath, line: UInt = #line) -> Fixture {
        var fixture = Fixture()
        ok(["init", "--name", "Koordination Kreis"], file: file, line: line)
        fixture.nordstadt = ok(["district", "add", "Nordstadt", "--id", "nordstadt"], file: file, line: line)
        fixture.suedstadt = ok(["district", "add", "Südstadt"], file: file, line: line)
        fixture.jugendamt = ok(["org", "add", "Jugendamt Süd", "--sector", "youth-welfare", "--kind", "öffentlicher Träger"], file: file, line: line)
        fixture.steering = ok(["body", "add", "Steuerungsgruppe Präventionskette", "--level", "steering"], file: file, line: line)
        return fixture
    }

    /// A full offer; returns its id.
    @discardableResult
    public func addOffer(title: String, district: String = "nordstadt", extra: [String] = [],
                  file: StaticString = #filePath, line: UInt = #line) -> String {
        ok(["offer", "add", "--title", title, "--district", district] + extra, file: file, line: line)
    }
}

/// A lowercase UUID as kette prints for new records.
public func isUUID(_ text: String) -> Bool {
    UUID(uuidString: text) != nil && text == text.lowercased()
}
