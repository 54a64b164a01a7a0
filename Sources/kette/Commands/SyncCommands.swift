import Foundation
import KetteClient
import KetteCommandLine
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
        policy.maxAttempts = attempts + 1
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

private let serverURL = Argument<String?>.optional("URL", help: LocalizedText(
    "the server, e.g. https://kette.kreis-example.de", "der Server, z. B. https://kette.kreis-example.de"))
private let remoteToken = Option<String>("token", value: "TOKEN", help: LocalizedText(
    "your token from `kette-server user add` (stored with file mode 0600)", "Ihr Token von `kette-server user add` (mit Dateimodus 0600 gespeichert)"))
private let caCertificate = Option<String>("cacert", value: "F", help: LocalizedText(
    "a CA certificate (PEM) to trust, for the municipality's own CA", "ein CA-Zertifikat (PEM), dem vertraut wird, für die eigene CA der Kommune"))
private let includeResolved = Flag("all", help: LocalizedText("include resolved conflicts", "auch gelöste Konflikte"))
private let conflictID = Argument<String>("ID", help: LocalizedText("the conflict's id or the start of it", "die ID des Konflikts oder ihr Anfang"))
private let keep = Option<String>("keep", value: "mine|theirs|winner|loser", help: LocalizedText(
    "which side's value to keep", "welcher Wert bleibt"))
private let newValue = Option<String>("value", value: "V", help: LocalizedText("a new value instead of either side", "ein neuer Wert statt beider Seiten"))

let syncCommands: [KetteCommand] = [
    KetteCommand(
        "remote", abstract: LocalizedText("set the county server to sync with (or show it)", "den Kreisserver für den Sync festlegen (oder anzeigen)"),
        arguments: [serverURL], options: [remoteToken, caCertificate],
        run: { args, context in
            let directory = context.homeDirectory
            _ = try context.store()
            guard let url = args[serverURL] else {
                guard let remote = try RemoteConfiguration.load(from: directory) else {
                    return context.say(context.pick("No server configured.", "Kein Server eingerichtet."))
                }
                return context.say(remote.url)
            }
            guard let token = args[remoteToken] else { throw KetteError.missingValue(field: "--token") }
            let remote = try RemoteConfiguration.validated(url: url, token: token, caCertificate: args[caCertificate])
            try remote.save(in: directory)
            context.say(context.pick("Will sync with \(remote.url).", "Synchronisiert künftig mit \(remote.url)."))
        }),
    KetteCommand(
        "sync", abstract: LocalizedText("push waiting change sets, then pull what is new (exit 2: refusals or conflicts, 3: server unreachable)",
                                        "wartende Änderungssätze senden, dann Neues holen (Exit 2: Ablehnungen oder Konflikte, 3: Server nicht erreichbar)"),
        options: [jsonFlag],
        run: { _, context in
            let store = try context.store()
            guard let remote = try RemoteConfiguration.load(from: context.homeDirectory) else { throw SyncError.notConfigured }
            // Tuning knobs for slow links and for tests: change sets per push, changes per pulled page
            // (large pages by default: every merged page is one transaction, one fsync).
            let batch = context.environment["KETTE_PUSH_BATCH"].flatMap(Int.init).map { max(1, $0) } ?? 200
            let page = context.environment["KETTE_PAGE_SIZE"].flatMap(Int.init).map { min(max(1, $0), SyncLimits.maxPageSize) } ?? SyncLimits.maxPageSize
            let engine = SyncEngine(store: store, remote: remote, transport: makeTransport(remote, context), pushBatchSize: batch, pageSize: page)
            let onTerminal = isatty(STDERR_FILENO) == 1 && !context.wantsJSON
            if onTerminal {
                engine.progress = { line in FileHandle.standardError.write(Data("\r\u{1B}[K\(TerminalText.escaped(line))".utf8)) }
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
                if report.keptRefusals > 0 {
                    context.say(context.pick("  \(report.keptRefusals) refused change sets taken back and kept: see `kette refused`",
                                             "  \(report.keptRefusals) abgelehnte Änderungssätze zurückgenommen und aufbewahrt: siehe `kette refused`"))
                }
                if report.openConflicts > 0 {
                    context.say(context.pick("  see `kette conflicts`", "  siehe `kette conflicts`"))
                }
                verificationLines(report, context).forEach(context.say)
            }
            if report.needsAttention { throw ExitStatus(code: 2) }
        }),
    KetteCommand(
        "verify", abstract: LocalizedText("check this store against the server and repair what differs, both ways (exit 2: a difference remains)",
                                          "diesen Speicher mit dem Server vergleichen und Unterschiede in beide Richtungen reparieren (Exit 2: ein Unterschied bleibt)"),
        options: [jsonFlag],
        discussion: LocalizedText("""
            The check every `kette sync` ends with, alone: no waiting change set is pushed. This store's check sums are
            compared with its data first. A difference that was repaired ends with exit 0.
            """, """
            Die Prüfung, mit der jeder `kette sync` endet, allein: wartende Änderungssätze werden nicht gesendet. Zuerst
            werden die Prüfsummen dieses Speichers mit seinen Daten verglichen. Ein reparierter Unterschied endet mit Exit 0.
            """),
        run: { _, context in
            let store = try context.store()
            guard let remote = try RemoteConfiguration.load(from: context.homeDirectory) else { throw SyncError.notConfigured }
            let report = try SyncEngine(store: store, remote: remote, transport: makeTransport(remote, context)).verify()
            if context.wantsJSON {
                try context.printJSON(report)
            } else {
                verificationLines(report, context).forEach(context.say)
            }
            if report.verification?.needsAttention == true { throw ExitStatus(code: 2) }
        }),
    KetteCommand(
        "conflicts", abstract: LocalizedText("list open conflicts: fields two people changed without seeing each other's edit",
                                             "offene Konflikte auflisten: Felder, die zwei Personen geändert haben, ohne die Änderung der anderen zu sehen"),
        options: [includeResolved, jsonFlag],
        run: { args, context in
            let conflicts = try context.store().conflicts(includeResolved: args[includeResolved])
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
    KetteCommand(
        "conflicts resolve", abstract: LocalizedText("settle a conflict; the resolution syncs like any change",
                                                     "einen Konflikt lösen; die Lösung wird wie jede Änderung synchronisiert"),
        arguments: [conflictID], options: [keep, newValue],
        run: { args, context in
            let resolution: LocalStore.Resolution
            switch (args[keep], args[newValue]) {
            case (nil, let value?): resolution = .value(value)
            case ("mine"?, nil): resolution = .mine
            case ("theirs"?, nil): resolution = .theirs
            case ("winner"?, nil): resolution = .winner
            case ("loser"?, nil): resolution = .loser
            case (let keep?, nil): throw KetteError.invalidValue(field: "--keep", value: keep, accepted: ["mine", "theirs", "winner", "loser"])
            case (nil, nil): throw KetteError.missingValue(field: "--keep mine|theirs or --value V")
            case (_?, _?): throw KetteError.malformedValue(field: "--keep/--value", value: "both", expected: "only one of --keep and --value")
            }
            let entry = try context.store().resolveConflict(args[conflictID], resolution, language: context.language)
            context.say(context.pick("Resolved conflict \(shortID(entry.id)) (\(entry.recordType).\(entry.field)); run `kette sync` to share it.",
                                     "Konflikt \(shortID(entry.id)) gelöst (\(entry.recordType).\(entry.field)); mit `kette sync` teilen."))
        }),
]

/// Ends `kette` with a specific exit code after normal output (2: sync needs attention).
struct ExitStatus: Error {
    let code: Int32
}
