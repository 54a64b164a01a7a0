import Foundation
import KetteClient
import KetteCommandLine
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
private let logLimit = Option<Int>.integer("limit", in: 1...Int.max, expected: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
                                           help: LocalizedText("at most N entries, the newest", "höchstens N Einträge, die neuesten"))

/// Local time for people: "2026-03-14 10:02".
private func localTime(_ milliseconds: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
}

private func localTime(iso: String) -> String {
    guard let date = ISO8601DateFormatter().date(from: iso) else { return iso }
    return localTime(Int64(date.timeIntervalSince1970 * 1000))
}

/// "offer 3f2a9c1e: title, description" per record, for the undo report.
private func describe(_ fields: [FieldReference], _ context: CommandContext) -> [String] {
    var order: [String] = []
    var byRecord: [String: (FieldReference, [String])] = [:]
    for field in fields {
        let key = field.recordType.rawValue + "/" + field.recordID
        if byRecord[key] == nil { order.append(key); byRecord[key] = (field, []) }
        byRecord[key]?.1.append(field.field)
    }
    return order.compactMap { byRecord[$0] }.map { record, names in
        "\(LocalStore.kindName(record.recordType, context.language)) \(shortID(record.recordID)): \(names.joined(separator: ", "))"
    }
}

private func printUndo(_ result: UndoResult, _ context: CommandContext) {
    let when = localTime(result.writtenAt)
    if result.restored.isEmpty {
        context.say(context.pick("Nothing taken back of “\(result.summary)” (\(when)): someone else wrote every field since. The next `kette undo` goes further back.",
                                 "Von „\(result.summary)“ (\(when)) nichts zurückgenommen: jedes Feld hat seither jemand anderes geschrieben. Das nächste `kette undo` geht weiter zurück."))
    } else {
        context.say(context.pick("Took back “\(result.summary)” (\(when)):", "„\(result.summary)“ (\(when)) zurückgenommen:"))
        for line in describe(result.restored, context) { context.say("  " + line) }
    }
    guard !result.kept.isEmpty else { return }
    context.say(context.pick("Kept, because someone else wrote them after it:", "Beibehalten, weil danach von anderen geschrieben:"))
    for line in describe(result.kept, context) { context.say("  " + line) }
}

private func printTrash(_ entries: [TrashEntry], _ context: CommandContext) {
    if entries.isEmpty { return context.say(context.pick("The trash is empty.", "Der Papierkorb ist leer.")) }
    let header = ["ID", context.pick("KIND", "ART"), context.pick("DELETED", "GELÖSCHT"), context.pick("TITLE", "TITEL")]
    let rows = entries.map { [shortID($0.id), LocalStore.kindName($0.recordType, context.language), localTime(iso: $0.deletedAt), $0.title] }
    for line in context.table(header, rows) { context.say(line) }
    context.say(context.pick("Restore with `kette restore ID`; kept for 30 days after the deletion.",
                             "Wiederherstellen mit `kette restore ID`; aufbewahrt 30 Tage nach dem Löschen."))
}

private func printLog(_ entries: [LogEntry], _ context: CommandContext) {
    if entries.isEmpty { return context.say(context.pick("No changes.", "Keine Änderungen.")) }
    let header = [context.pick("WHEN", "WANN"), context.pick("FROM", "HERKUNFT"), context.pick("BY", "VON"), context.pick("RECORD", "EINTRAG"),
                  context.pick("TITLE", "TITEL"), context.pick("WHAT", "WAS")]
    let rows = entries.map { entry -> [String] in
        let origin = entry.origin == "local" ? context.pick("here", "hier") : context.pick("server", "Server")
        let what: String = switch entry.event {
        case "created": context.pick("created", "angelegt")
        case "deleted": context.pick("deleted", "gelöscht")
        case "restored": context.pick("restored", "wiederhergestellt")
        default: entry.fields.joined(separator: ", ")
        }
        let undone = entry.undone == true ? context.pick(" (undone)", " (rückgängig gemacht)") : ""
        return [localTime(iso: entry.time), origin, entry.author ?? "–",
                "\(LocalStore.kindName(entry.recordType, context.language)) \(shortID(entry.recordID))", entry.title ?? "–", what + undone]
    }
    for line in context.table(header, rows) { context.say(line) }
}

/// `kette trash` and its longer name `kette trash list`.
private func trashCommand(_ path: String, abstract: LocalizedText) -> KetteCommand {
    KetteCommand(path, abstract: abstract, options: [jsonFlag]) { _, context in
        let entries = try context.store().trash()
        if context.wantsJSON { return try context.printJSON(entries) }
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
            comes back with its texts. Again and again, undo goes further back, within 30 days.
            """, """
            Jedes Feld bekommt den Wert von vor der Aktion zurück; ein Feld, das danach jemand anderes geschrieben hat (auf \
            einem anderen Rechner, durch einen Sync bekannt), behält den späteren Wert und wird aufgeführt. Ein von der Aktion angelegter \
            Eintrag wird gelöscht, ein von ihr gelöschter kommt mit seinen Texten zurück. Wiederholt geht undo weiter zurück, \
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
        let kind = LocalStore.kindName(entry.recordType, context.language)
        context.say(context.pick("Restored \(kind) “\(entry.title)” (\(entry.id)).", "\(kind) „\(entry.title)“ (\(entry.id)) wiederhergestellt."))
    },
    KetteCommand(
        "log", abstract: LocalizedText("what changed: each record, its fields, by whom, when, from here or from the server",
                                       "was sich geändert hat: jeder Eintrag, seine Felder, von wem, wann, von hier oder vom Server"),
        options: [sinceSync, sinceDate, logLimit, jsonFlag],
        discussion: LocalizedText("Newest first; kept for 30 days on this laptop only.", "Neueste zuerst; 30 Tage lang nur auf diesem Rechner aufbewahrt."),
        validate: { args in
            if args[sinceSync], args[sinceDate] != nil {
                throw UsageError("--since-sync and --since exclude each other: give only one", "--since-sync und --since schließen einander aus: nur eines angeben")
            }
        }
    ) { args, context in
        var range = LogRange.all
        if args[sinceSync] { range = .sinceLastSync }
        if let day = args[sinceDate] { range = .writtenSince(try startOfDay(day)) }
        var entries = try context.store().log(range)
        if let limit = args[logLimit] { entries = Array(entries.prefix(limit)) }
        if context.wantsJSON { return try context.printJSON(entries) }
        printLog(entries, context)
    },
]

/// Midnight at the start of `day` (YYYY-MM-DD) in the local time zone, in milliseconds since 1970.
private func startOfDay(_ day: String) throws -> Int64 {
    _ = try Input.date(day, field: "--since")
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd"
    guard let date = formatter.date(from: day) else { throw KetteError.malformedValue(field: "--since", value: day, expected: "a date YYYY-MM-DD, e.g. 2026-03-14") }
    return Int64(date.timeIntervalSince1970 * 1000)
}
