import Foundation
import KetteClient
import KetteProtocol

/// The transport `kette sync` uses: libcurl with timeouts, retried with backoff on network
/// errors and 5xx answers.
func makeTransport(_ remote: RemoteConfiguration, _ context: CommandContext) -> any HTTPTransport {
    var configuration = CurlTransport.Configuration()
    configuration.caCertificatePath = remote.caCertificate
    // For scripts and tests that must give up sooner than the defaults (10 s connect, 120 s total).
    if let seconds = context.environment["KETTE_TIMEOUT"].flatMap(Double.init), seconds > 0 {
        configuration.totalTimeoutSeconds = seconds
        configuration.connectTimeoutSeconds = min(configuration.connectTimeoutSeconds, seconds)
    }
    var policy = RetryPolicy()
    if let attempts = context.environment["KETTE_RETRIES"].flatMap(Int.init), attempts >= 0 {
        policy.maxAttempts = min(attempts, RetryPolicy.attemptLimit - 1) + 1
    }
    return RetryingTransport(CurlTransport(configuration: configuration), policy: policy)
}

func describe(_ value: FieldValue) -> String {
    switch value {
    case .null: "–"
    case .string(let text): text
    case .integer(let number): String(number)
    case .bool(let flag): flag ? "true" : "false"
    case .list(let items): items.joined(separator: ", ")
    }
}

let syncCommands: [CommandSpec] = [
    CommandSpec(
        path: ["remote"], abstract: "set the county server to sync with (or show it)",
        arguments: [ArgumentSpec(name: "URL", help: "the server, e.g. https://kette.kreis-example.de", optional: true)],
        options: [.value("token", "TOKEN", "your token from `kette-server user add` (stored with file mode 0600)"),
                  .value("cacert", "F", "a CA certificate (PEM) to trust, for the municipality's own CA")],
        run: { args, context in
            let directory = context.homeDirectory
            _ = try context.store()
            guard let url = args.positional(0) else {
                guard let remote = try RemoteConfiguration.load(from: directory) else {
                    return context.say(context.pick("No server configured.", "Kein Server eingerichtet."))
                }
                return context.say(remote.url)
            }
            guard let token = args.value("token") else { throw KetteError.missingValue(field: "--token") }
            let remote = try RemoteConfiguration.validated(url: url, token: token, caCertificate: args.value("cacert"))
            try remote.save(in: directory)
            context.say(context.pick("Will sync with \(remote.url).", "Synchronisiert künftig mit \(remote.url)."))
        }),
    CommandSpec(
        path: ["sync"], abstract: "push waiting change sets, then pull what is new (exit 2: refusals or conflicts, 3: server unreachable)",
        options: [jsonFlag],
        run: { args, context in
            let store = try context.store()
            guard let remote = try RemoteConfiguration.load(from: context.homeDirectory) else { throw SyncError.notConfigured }
            // Tuning knobs for slow links and for tests: change sets per push, changes per pulled page
            // (large pages by default: every merged page is one transaction, one fsync).
            let batch = context.environment["KETTE_PUSH_BATCH"].flatMap(Int.init).map { max(1, $0) } ?? 200
            let page = context.environment["KETTE_PAGE_SIZE"].flatMap(Int.init).map { min(max(1, $0), SyncLimits.maxPageSize) } ?? SyncLimits.maxPageSize
            let engine = SyncEngine(store: store, remote: remote, transport: makeTransport(remote, context), pushBatchSize: batch, pageSize: page)
            let onTerminal = isatty(STDERR_FILENO) == 1 && !context.wantsJSON
            if onTerminal {
                engine.progress = { line in FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
            }
            // KETTE_SYNC_ONLY=push|pull: one direction only, for measurements and very slow links.
            let direction = context.environment["KETTE_SYNC_ONLY"].flatMap(SyncEngine.Direction.init(rawValue:)) ?? .both
            let report: SyncReport
            do {
                report = try engine.sync(direction)
            } catch {
                if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                throw error
            }
            if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if context.wantsJSON {
                try context.printJSON(report)
            } else {
                context.say(context.pick(
                    "Sync done: pushed \(report.appliedChangeSets) change sets, pulled \(report.pulledChanges) changes; \(report.refusedChangeSets.count) refused, \(report.openConflicts) open conflicts.",
                    "Sync fertig: \(report.appliedChangeSets) Änderungssätze übertragen, \(report.pulledChanges) Änderungen empfangen; \(report.refusedChangeSets.count) abgelehnt, \(report.openConflicts) offene Konflikte."))
                for refused in report.refusedChangeSets {
                    context.say(context.pick("  refused: ", "  abgelehnt: ") + "\(refused.summary) [\(shortID(refused.id))]: \(refused.reason)")
                }
                if report.openConflicts > 0 {
                    context.say(context.pick("  see `kette conflicts`", "  siehe `kette conflicts`"))
                }
            }
            if report.needsAttention { throw ExitStatus(code: 2) }
        }),
    CommandSpec(
        path: ["conflicts"], abstract: "list open conflicts: fields two people changed without seeing each other's edit",
        options: [.flag("all", "include resolved conflicts"), jsonFlag],
        run: { args, context in
            let conflicts = try context.store().conflicts(includeResolved: args.flag("all"))
            if context.wantsJSON { return try context.printJSON(conflicts) }
            if conflicts.isEmpty { return context.say(context.pick("No open conflicts.", "Keine offenen Konflikte.")) }
            for conflict in conflicts {
                context.say("\(shortID(conflict.id))  \(conflict.recordType) \(shortID(conflict.recordID)) · \(conflict.field)\(conflict.status == "open" ? "" : " (\(conflict.status))")")
                for (label, side) in [(context.pick("now", "jetzt"), conflict.winner), (context.pick("lost", "verloren"), conflict.loser)] {
                    let who = (side.author ?? "?") + (side.mine ? context.pick(" (this store)", " (dieser Speicher)") : "")
                    context.say("    \(label): \(describe(side.value))  — \(who), \(side.time)")
                }
            }
        }),
    CommandSpec(
        path: ["conflicts", "resolve"], abstract: "settle a conflict; the resolution syncs like any change",
        arguments: [ArgumentSpec(name: "ID", help: "the conflict's id or the start of it")],
        options: [.value("keep", "mine|theirs|winner|loser", "which side's value to keep"),
                  .value("value", "V", "a new value instead of either side")],
        run: { args, context in
            let resolution: LocalStore.Resolution
            switch (args.value("keep"), args.value("value")) {
            case (nil, let value?): resolution = .value(value)
            case ("mine"?, nil): resolution = .mine
            case ("theirs"?, nil): resolution = .theirs
            case ("winner"?, nil): resolution = .winner
            case ("loser"?, nil): resolution = .loser
            case (let keep?, nil): throw KetteError.invalidValue(field: "--keep", value: keep, accepted: ["mine", "theirs", "winner", "loser"])
            case (nil, nil): throw KetteError.missingValue(field: "--keep mine|theirs or --value V")
            case (_?, _?): throw KetteError.malformedValue(field: "--keep/--value", value: "both", expected: "only one of --keep and --value")
            }
            let entry = try context.store().resolveConflict(args.positional(0)!, resolution, language: context.language)
            context.say(context.pick("Resolved conflict \(shortID(entry.id)) (\(entry.recordType).\(entry.field)); run `kette sync` to share it.",
                                     "Konflikt \(shortID(entry.id)) gelöst (\(entry.recordType).\(entry.field)); mit `kette sync` teilen."))
        }),
]

/// Ends `kette` with a specific exit code after normal output (2: sync needs attention).
struct ExitStatus: Error {
    let code: Int32
}
