import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

// What happened on this laptop and to its records, and taking a mistake back: `undo`, `trash`,
// `restore`, `log`. All from the local history, which is kept 30 days and never synced.

private let restoreID = Argument<String>("ID", help: LocalizedText(
    "the deleted record's id, the start of it, or its former title or name (see kette trash)",
    "die ID des gelöschten Eintrags, ihr Anfang oder sein früherer Titel oder Name (siehe kette trash)"))
private let sinceSync = Flag("since-sync", help: LocalizedText(
    "only what the last sync received, and what was written here since it began",
    "nur was der letzte Sync empfangen hat und was hier seit seinem Beginn geschrieben wurde"))
private let sinceDate = Option<String>("since", value: "YYYY-MM-DD", help: LocalizedText(
    "only changes written on or after this day", "nur Änderungen ab diesem Tag"))

/// When a change was written, for people: local time, as the catalog writes times.
private func localTime(_ milliseconds: Int64, _ language: Language) -> String {
    LocalFormat.localTime(Int(milliseconds / 1000), language)
}

private func localTime(iso: String, _ language: Language) -> String {
    LocalFormat.epochSeconds(iso: iso).map { LocalFormat.localTime($0, language) } ?? iso
}

/// Field names as people read them: "title, description" / "Titel, Beschreibung".
private func fieldNames(_ names: [String]) -> LocalizedText {
    let texts = names.map(FieldText.named)
    return LocalizedText(texts.map(\.english).joined(separator: ", "), texts.map(\.german).joined(separator: ", "))
}

/// "offer 3f2a9c1e: title, description" per record, for the undo report.
private func describe(_ fields: [FieldReference], _ context: CommandContext) -> [LocalizedText] {
    var order: [String] = []
    var byRecord: [String: (FieldReference, [String])] = [:]
    for field in fields {
        let key = field.recordType.rawValue + "/" + field.recordID
        if byRecord[key] == nil { order.append(key); byRecord[key] = (field, []) }
        byRecord[key]?.1.append(field.field)
    }
    return order.compactMap { byRecord[$0] }.map { record, names in
        HistoryText.fieldsOfRecord.with(["kind": FieldText.kind(record.recordType), "id": shortID(record.recordID),
                                         "fields": fieldNames(names)])
    }
}

private func printUndo(_ result: UndoResult, _ context: CommandContext) {
    let values: MessageValues = ["action": result.summary, "time": localTime(result.writtenAt, context.language)]
    if result.restored.isEmpty {
        context.say(HistoryText.nothingTakenBack.with(values))
    } else {
        context.say(HistoryText.tookBack.with(values))
        for line in describe(result.restored, context) { context.say(line) }
    }
    guard !result.kept.isEmpty else { return }
    context.say(HistoryText.keptHeader.text)
    for line in describe(result.kept, context) { context.say(line) }
}

private func printTrash(_ entries: [TrashEntry], _ context: CommandContext) {
    if entries.isEmpty { return context.say(HistoryText.trashEmpty.text) }
    let shown = context.limited(entries)
    let header = context.headers(.headerID, .headerKind) + [HistoryText.headerDeleted(context.language)] + context.headers(.headerTitle)
    let rows = shown.map { [shortID($0.id), FieldText.kind($0.recordType)(context.language), localTime(iso: $0.deletedAt, context.language), $0.title] }
    for line in context.table(header, rows) { context.say(line) }
    context.sayTotal(shown: shown.count, of: entries.count, .deletedRecords)
    context.say(HistoryText.trashHint.text)
}

/// What a log entry says happened to its record.
private func what(_ entry: LogEntry, _ language: Language) -> String {
    let event: String = switch entry.event {
    case "created": HistoryText.eventCreated(language)
    case "deleted": HistoryText.eventDeleted(language)
    case "restored": HistoryText.eventRestored(language)
    case "conflict": HistoryText.eventConflict(language)
    case "conflictResolved": HistoryText.eventConflictResolved(language)
    default: fieldNames(entry.fields)(language)
    }
    return event + (entry.undone == true ? HistoryText.undoneMark(language) : "")
}

/// - Parameter total: how many entries there are; `entries` are the first of them (`--limit`).
private func printLog(_ entries: [LogEntry], total: Int, _ context: CommandContext) {
    if entries.isEmpty { return context.say(HistoryText.noChanges.text) }
    let shown = context.limited(entries)
    let language = context.language
    let header = [HistoryText.headerWhen, .headerFrom, .headerBy, .headerRecord].map { $0(language) } + context.headers(.headerTitle)
        + [HistoryText.headerWhat(language)]
    // A county's log repeats a few dozen kinds and field lists; each is rendered from the catalog once.
    var kinds: [RecordType: String] = [:], changes: [String: String] = [:]
    let rows = shown.map { entry -> [String] in
        let origin = (entry.origin == "local" ? HistoryText.originHere : HistoryText.originServer)(language)
        let kind = kinds[entry.recordType] ?? FieldText.kind(entry.recordType)(language)
        kinds[entry.recordType] = kind
        let changeKey = entry.event + "|" + entry.fields.joined(separator: ",") + (entry.undone == true ? "|undone" : "")
        let change = changes[changeKey] ?? what(entry, language)
        changes[changeKey] = change
        return [localTime(iso: entry.time, language), origin, entry.author ?? "–", kind + " " + shortID(entry.recordID), entry.title ?? "–", change]
    }
    for line in context.table(header, rows) { context.say(line) }
    context.sayTotal(shown: shown.count, of: total, .changes)
}

/// `kette trash` and its longer name `kette trash list`.
private func trashCommand(_ path: String, abstract: LocalizedText) -> KetteCommand {
    KetteCommand(path, abstract: abstract, options: [limitOption, jsonFlag]) { _, context in
        let entries = try context.store().trash()
        if context.wantsJSON { return try context.printJSONList(entries) }
        printTrash(entries, context)
    }
}

let historyCommands: [KetteCommand] = [
    KetteCommand(
        "undo", abstract: LocalizedText("take back your last action on this laptop (as a new change that syncs)",
                                        "Ihre letzte Aktion auf diesem Rechner zurücknehmen (als neue Änderung, die synchronisiert wird)"),
        discussion: LocalizedText("""
            Each field gets the value it had before the action back; a field someone else wrote after it (on another \
            laptop, learnt by a sync) keeps that later value and is listed. A record the action made is deleted, a record it deleted \
            comes back with its texts. Again and again, `kette undo` goes further back, within 30 days.
            """, """
            Jedes Feld bekommt den Wert von vor der Aktion zurück; ein Feld, das danach jemand anderes geschrieben hat (auf \
            einem anderen Rechner, durch einen Sync bekannt), behält den späteren Wert und wird aufgeführt. Ein von der Aktion angelegter \
            Eintrag wird gelöscht, ein von ihr gelöschter kommt mit seinen Texten zurück. Wiederholt geht `kette undo` weiter zurück, \
            innerhalb von 30 Tagen.
            """)
    ) { _, context in
        printUndo(try context.store().undo(language: context.language), context)
    },
    trashCommand("trash", abstract: LocalizedText("records deleted on this laptop in the last 30 days", "auf diesem Rechner in den letzten 30 Tagen gelöschte Einträge")),
    trashCommand("trash list", abstract: LocalizedText("the same as kette trash", "dasselbe wie kette trash")),
    KetteCommand(
        "restore", abstract: LocalizedText("bring back a record from the trash with its texts (a new change that syncs)",
                                           "einen Eintrag mit seinen Texten aus dem Papierkorb zurückholen (als neue Änderung, die synchronisiert wird)"),
        arguments: [restoreID]
    ) { args, context in
        let entry = try context.store().restore(args[restoreID], language: context.language)
        context.say(HistoryText.restored.with(["kind": FieldText.kind(entry.recordType), "title": entry.title, "id": entry.id]))
    },
    KetteCommand(
        "log", abstract: LocalizedText("what changed: each record, its fields, by whom, when, from here or from the server",
                                       "was sich geändert hat: jeder Eintrag, seine Felder, von wem, wann, von hier oder vom Server"),
        options: [sinceSync, sinceDate, limitOption, jsonFlag],
        discussion: LocalizedText("Newest first; kept for 30 days on this laptop only.", "Neueste zuerst; 30 Tage lang nur auf diesem Rechner aufbewahrt."),
        validate: { args in
            if args[sinceSync], args[sinceDate] != nil {
                throw UsageError(HistoryText.sinceExclusive.text)
            }
        }
    ) { args, context in
        var range = LogRange.all
        if args[sinceSync] { range = .sinceLastSync }
        if let day = args[sinceDate] { range = .writtenSince(try startOfDay(day)) }
        let (entries, total) = try context.store().log(range, limit: args[limitOption] ?? .max)
        if context.wantsJSON { return try context.printJSONList(entries) }
        printLog(entries, total: total, context)
    },
]

/// Midnight at the start of `day` (2026-03-14 or 14.03.2026) in local time, in milliseconds since 1970.
private func startOfDay(_ day: String) throws -> Int64 {
    guard let iso = try Input.date(day, field: "date"), let seconds = LocalFormat.localMidnight(iso) else {
        throw KetteError.malformedValue(field: .verbatim("--since"), value: day, expected: InputText.expectedDate.text)
    }
    return Int64(seconds) * 1000
}
