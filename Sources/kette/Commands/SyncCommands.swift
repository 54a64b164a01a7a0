import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

/// The transport `kette sync` uses: libcurl with timeouts, retried with backoff on network
/// errors and 5xx answers.
func makeTransport(_ remote: RemoteConfiguration, _ context: CommandContext) -> any HTTPTransport {
    var configuration = CurlTransport.Configuration()
    configuration.caCertificatePath = remote.caCertificate
    configuration.acceptsGzip = compresses(context)
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

/// Whether sync traffic may be gzipped both ways (the default). `KETTE_COMPRESSION=off` sends
/// and asks for plain bodies only: for measurements (`kette-bench sync --link`) and for a proxy
/// that mishandles compressed bodies.
func compresses(_ context: CommandContext) -> Bool {
    context.environment["KETTE_COMPRESSION"] != "off"
}

/// A field's value as people read it; a vocabulary slug shows its label.
func describe(_ value: FieldValue, field: String, _ language: Language) -> String {
    switch value {
    case .null: "–"
    case .string(let text): vocabularyLabel(field: field, slug: text, language) ?? text
    case .integer(let number): String(number)
    case .bool(let flag): (flag ? OutputText.yes : OutputText.no)(language)
    case .list(let items): items.map { vocabularyLabel(field: field, slug: $0, language) ?? $0 }.joined(separator: ", ")
    }
}

/// The label of a slug stored in a vocabulary field (`phases`, `category`, …); nil for other fields.
private func vocabularyLabel(field: String, slug: String, _ language: Language) -> String? {
    switch field {
    case "phases": LifePhase(rawValue: slug)?.label(language)
    case "category": OfferCategory(rawValue: slug)?.label(language)
    case "sector": Sector(rawValue: slug)?.label(language)
    case "cost": Cost(rawValue: slug)?.label(language)
    case "level": BodyLevel(rawValue: slug)?.label(language)
    default: nil
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
private let syncLog = Option<String>("log", value: "FILE", help: LocalizedText(
    "append one line about this run to FILE (time, outcome, counts, exit code), for unattended syncs",
    "eine Zeile über diesen Lauf an FILE anhängen (Zeit, Ergebnis, Anzahlen, Exit-Code), für unbeaufsichtigte Läufe"))
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
                    return context.say(SyncText.noServer.text)
                }
                return context.say(remote.url)
            }
            guard let token = args[remoteToken] else { throw KetteError.missingValue(field: .verbatim("--token")) }
            let remote = try RemoteConfiguration.validated(url: url, token: token, caCertificate: args[caCertificate])
            try remote.save(in: directory)
            context.say(SyncText.willSync.with(["url": remote.url]))
        }),
    KetteCommand(
        "sync", abstract: LocalizedText("push waiting change sets, then pull what is new (exit 2: refusals or conflicts, 3: server unreachable, 5: token refused)",
                                        "wartende Änderungssätze senden, dann Neues holen (Exit 2: Ablehnungen oder Konflikte, 3: Server nicht erreichbar, 5: Token abgelehnt)"),
        options: [jsonFlag, syncLog],
        discussion: LocalizedText("""
            For unattended runs (a systemd timer, cron) --log FILE appends one line per run, whatever its outcome:
              time=… outcome=ok|attention|failed exit=0|2|3|… pushed=N refused=N kept_refusals=N pulled=N conflicts=N pending=N left_scope=N check=verified|repaired|differs …
            A server older than the protocol features this kette uses is named in a warning after the sync.
            """, """
            Für unbeaufsichtigte Läufe (systemd-Timer, cron) hängt --log FILE je Lauf eine Zeile an, wie er auch ausgeht:
              time=… outcome=ok|attention|failed exit=0|2|3|… pushed=N refused=N kept_refusals=N pulled=N conflicts=N pending=N left_scope=N check=verified|repaired|differs …
            Ein Server, der älter ist als die Protokollfunktionen dieses kette, wird nach dem Sync in einer Warnung genannt.
            """),
        run: { args, context in
            try SyncRunLog(path: args[syncLog], context: context).record { try synchronize(context) }
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
                verificationLines(report).forEach(context.say)
            }
            if report.verification?.needsAttention == true { throw ExitStatus(code: ExitCode.attention) }
        }),
    KetteCommand(
        "conflicts", abstract: LocalizedText("list open conflicts: fields two people changed without seeing each other's edit",
                                             "offene Konflikte auflisten: Felder, die zwei Personen geändert haben, ohne die Änderung der anderen zu sehen"),
        options: [includeResolved, limitOption, jsonFlag],
        run: { args, context in
            let conflicts = try context.store().conflicts(includeResolved: args[includeResolved])
            if context.wantsJSON { return try context.printJSONList(conflicts) }
            if conflicts.isEmpty { return context.say(SyncText.noConflicts.text) }
            let shown = context.limited(conflicts)
            for conflict in shown { printConflict(conflict, context) }
            context.sayTotal(shown: shown.count, of: conflicts.count, .conflicts)
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
            case (let keep?, nil): throw KetteError.invalidValue(field: .verbatim("--keep"), value: keep, accepted: ["mine", "theirs", "winner", "loser"])
            case (nil, nil): throw KetteError.missingValue(field: InputText.expectedKeepOrValue.text)
            case (_?, _?): throw KetteError.malformedValue(field: .verbatim("--keep/--value"), value: "--keep --value",
                                                           expected: InputText.expectedOnlyOne.with(["first": "--keep", "second": "--value"]))
            }
            let entry = try context.store().resolveConflict(args[conflictID], resolution, language: context.language)
            context.say(SyncText.resolved.with(["id": shortID(entry.id), "kind": recordKind(entry.recordType), "field": FieldText.named(entry.field)]))
        }),
]

/// "Angebot" for "offer": a record type by its wire name, as people call it.
func recordKind(_ wireName: String) -> LocalizedText {
    RecordType(rawValue: wireName).map(FieldText.kind) ?? .verbatim(wireName)
}

/// One conflict: which record and field, then both sides with who wrote them and when.
private func printConflict(_ conflict: ConflictEntry, _ context: CommandContext) {
    context.say(SyncText.conflictLine.with([
        "id": shortID(conflict.id), "kind": recordKind(conflict.recordType), "record": shortID(conflict.recordID),
        "field": FieldText.named(conflict.field), "mark": conflict.status == "open" ? LocalizedText.verbatim("") : SyncText.conflictResolvedMark.text]))
    for (line, side) in [(SyncText.conflictNow, conflict.winner), (SyncText.conflictLost, conflict.loser)] {
        let author: any MessageValue = side.author ?? SyncText.unknownAuthor.text
        let who: any MessageValue = side.mine ? SyncText.thisStore.with(["author": author]) : author
        let time: any MessageValue = side.time.isEmpty ? "?" : Moment(iso: side.time)
        context.say(line.with(["value": describe(side.value, field: conflict.field, context.language), "who": who, "time": time]))
    }
}

/// One sync with its output; the run log and the exit code for refusals and conflicts are the caller's.
private func synchronize(_ context: CommandContext) throws -> SyncReport {
    let store = try context.store()
    guard let remote = try RemoteConfiguration.load(from: context.homeDirectory) else { throw SyncError.notConfigured }
    // Tuning knobs for slow links and for tests: change sets per push, changes per pulled page
    // (large pages by default: fewer requests, and fewer commits when pages share one).
    let batch = context.environment["KETTE_PUSH_BATCH"].flatMap(Int.init).map { max(1, $0) } ?? SyncEngine.defaultPushBatchSize
    let page = context.environment["KETTE_PAGE_SIZE"].flatMap(Int.init).map { min(max(1, $0), SyncLimits.maxPageSize) } ?? SyncLimits.maxPageSize
    let engine = SyncEngine(store: store, remote: remote, transport: makeTransport(remote, context), pushBatchSize: batch, pageSize: page,
                            compressesRequests: compresses(context))
    let onTerminal = isatty(STDERR_FILENO) == 1 && !context.wantsJSON
    if onTerminal {
        engine.progress = { line in FileHandle.standardError.write(Data("\r\u{1B}[K\(TerminalText.escaped(line(context.language)))".utf8)) }
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
        context.say(SyncText.done.with(["pushed": report.appliedChangeSets, "pulled": report.pulledChanges,
                                        "refused": report.refusedChangeSets.count, "conflicts": report.openConflicts]))
        for refused in report.refusedChangeSets {
            context.say(SyncText.refusedLine.with(["summary": refused.summary, "id": shortID(refused.id),
                                                   "reason": RefusalText.explain(code: refused.code, details: refused.details)]))
        }
        if report.keptRefusals > 0 { context.say(SyncText.keptRefusals.with(["count": report.keptRefusals])) }
        if report.openConflicts > 0 { context.say(SyncText.seeConflicts.text) }
        verificationLines(report).forEach(context.say)
    }
    return report
}

/// Ends `kette` with a specific exit code after normal output (2: sync needs attention).
struct ExitStatus: Error {
    let code: Int32
}
