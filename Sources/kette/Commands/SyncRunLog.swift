import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// `kette sync --log FILE`: one logfmt line per run, appended whatever the outcome, so a district
/// office's unattended nightly sync leaves a record someone can read the next morning (or a
/// monitoring check can grep). After the sync it also asks the server's version and warns when
/// the server is older than the protocol features this client uses.
struct SyncRunLog {
    /// nil: no `--log`, only the version check.
    let path: String?
    let context: CommandContext

    /// Runs `sync`, writes its line, warns about an old server, and ends with exit 2 when the
    /// report needs attention; an error is logged with its exit code and thrown on.
    func record(_ sync: () throws -> SyncReport) throws {
        let started = Date()
        let report: SyncReport
        do {
            report = try sync()
        } catch {
            // Unreachable or a local failure: nothing to ask. An answer the client did not expect
            // may be an old server's missing endpoint.
            let health = serverAnswered(error) ? checkServer() : nil
            let failure = Failure(error, language: .english) { kette.explain($0, .english) }
            append(fields(started: started, exit: failure.exitCode, health: health)
                   + [("outcome", "failed"), ("code", failure.code), ("error", failure.message)])
            throw error
        }
        let exit = report.needsAttention ? ExitCode.attention : ExitCode.ok
        let health = checkServer()
        append(fields(started: started, exit: exit, health: health) + [("outcome", exit == 0 ? "ok" : "attention")] + counts(report))
        if exit != 0 { throw ExitStatus(code: exit) }
    }

    private func serverAnswered(_ error: any Error) -> Bool {
        switch error as? SyncError {
        case .server?, .protocolViolation?: true
        default: false
        }
    }

    /// The server's health, with a warning on stderr when it is too old for this client.
    private func checkServer() -> HealthStatus? {
        guard let remote = try? RemoteConfiguration.load(from: context.homeDirectory) else { return nil }
        var configuration = CurlTransport.Configuration()
        configuration.caCertificatePath = remote.caCertificate
        configuration.totalTimeoutSeconds = 10
        configuration.acceptsGzip = compresses(context)
        guard let health = ServerCompatibility.health(of: remote, over: CurlTransport(configuration: configuration)) else { return nil }
        if let warning = ServerCompatibility.warning(health, url: remote.url) {
            FileHandle.standardError.write(Data(TerminalText.escaped(warning(context.language) + "\n").utf8))
        }
        return health
    }

    private func fields(started: Date, exit: Int32, health: HealthStatus?) -> [(String, String)] {
        let time = LocalFormat.isoTimestamp(milliseconds: Int64((started.timeIntervalSince1970 * 1000).rounded(.down)))
        var fields = [("time", time), ("exit", String(exit)), ("duration_ms", String(Int(Date().timeIntervalSince(started) * 1000)))]
        if let health { fields += [("server_version", health.version ?? "unknown"), ("server_protocol", String(health.protocolLevel))] }
        return fields
    }

    private func counts(_ report: SyncReport) -> [(String, String)] {
        let counts = [("pushed", report.appliedChangeSets), ("refused", report.refusedChangeSets.count), ("kept_refusals", report.keptRefusals),
                      ("pulled", report.pulledChanges), ("conflicts", report.openConflicts), ("pending", report.pendingChangeSets), ("left_scope", report.leftScope)]
            .map { ($0.0, String($0.1)) }
        // The digest check's outcome (SPEC §16): a morning's grep can tell a repaired night from a verified one.
        return counts + (report.verification.map { [("check", $0.outcome.rawValue)] } ?? [])
    }

    /// Appends the line with one `write` to a file opened with O_APPEND (mode 0600, made with its
    /// folder when missing), so two runs at once cannot interleave their lines. A log that cannot
    /// be written is said on stderr; the sync's own exit code stands.
    private func append(_ fields: [(String, String)]) {
        guard let path else { return }
        let ordered = fields.sorted { Self.order($0.0) < Self.order($1.0) }
        let line = LogLine(ordered).text(.logfmt) + "\n"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        let written = descriptor < 0 ? -1 : line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        if descriptor >= 0 { close(descriptor) }
        if written != line.utf8.count {
            writeError(SyncText.logUnwritable(context.language, ["path": path, "reason": String(cString: strerror(errno))]), context.language)
        }
    }

    /// The fields' order in the line: when, how it ended, then counts.
    private static func order(_ key: String) -> Int {
        ["time", "outcome", "exit", "code", "pushed", "refused", "kept_refusals", "pulled", "conflicts", "pending", "left_scope", "check", "duration_ms", "server_version", "server_protocol", "error"]
            .firstIndex(of: key) ?? 99
    }
}
