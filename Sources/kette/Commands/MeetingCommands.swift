import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

/// The options that set a meeting's fields, shared by `meeting add` and `meeting edit`.
private enum MeetingField {
    static let body = Option<String>("body", value: "B", help: LocalizedText("the body that met (id or name)", "das Gremium, das getagt hat (ID oder Name)"))
    static let date = Option<String>("date", value: "DATE", help: LocalizedText(
        "the day of the meeting (2026-03-14 or 14.03.2026)", "der Tag der Sitzung (14.03.2026 oder 2026-03-14)"))
    static let time = Option<String>("time", value: "HH:MM", help: LocalizedText("when it started", "wann sie begann"))
    static let place = Option<String>("place", value: "P", help: LocalizedText("where it took place", "wo sie stattfand"))
    static let attendee = Option<String>("attendee", value: "\"Name; Organization; Role\"", help: LocalizedText(
        "someone who attended (organization and role optional)", "jemand, der teilnahm (Organisation und Rolle optional)"), repeatable: true)
    static let offer = Option<String>("offer", value: "OFFER", help: LocalizedText(
        "an offer the meeting dealt with (id or title)", "ein Angebot, um das es ging (ID oder Titel)"), repeatable: true)
    static let minutes = Option<String>("minutes", value: "TEXT", help: LocalizedText("the free minutes text", "der freie Protokolltext"))
    static let minutesFile = Option<String>("minutes-file", value: "F", help: LocalizedText(
        "read the minutes text from file F (- for standard input)", "den Protokolltext aus Datei F lesen (- für die Standardeingabe)"))

    static let all: [any OptionDeclaration] = [body, date, time, place, attendee, offer, minutes, minutesFile]

    /// Refuses both minutes options at once, before anything else is checked.
    static func validate(_ args: ParsedInput) throws {
        if args[minutes] != nil, args[minutesFile] != nil {
            throw UsageError("--minutes and --minutes-file exclude each other: give only one of --minutes and --minutes-file",
                             "--minutes und --minutes-file schließen einander aus: nur eines von --minutes und --minutes-file angeben")
        }
    }

    static func input(_ args: ParsedInput) throws -> MeetingInput {
        var input = MeetingInput()
        input.body = args[body]
        input.date = args[date]
        input.time = args[time]
        input.place = args[place]
        input.attendees = args.all(attendee)
        input.offers = args.all(offer)
        input.minutes = try minutesText(text: args[minutes], file: args[minutesFile])
        return input
    }
}

/// The minutes text from --minutes or --minutes-file; nil when neither is given.
private func minutesText(text: String?, file: String?) throws -> String? {
    if let text { return text }
    guard let path = file else { return nil }
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw KetteError.unreadableFile(path: path, reason: .verbatim((error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription))
        }
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw KetteError.unreadableFile(path: path, reason: InputText.notUTF8.text)
    }
    return text
}

/// Opens `$EDITOR` (else `$VISUAL`, else vi) on a template and returns what was written, without
/// the comment lines. Used only on a terminal, when no minutes were given.
private func minutesFromEditor(_ context: CommandContext) throws -> String? {
    let editor = context.environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 }
        ?? context.environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("kette-minutes-\(UUID().uuidString).md")
    let template = RecordText.minutesTemplate(context.language)
    try Data(template.utf8).write(to: file, options: [.atomic])
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    // The editor may carry arguments ("code --wait"), so the shell splits it; the file is "$1".
    process.arguments = ["-c", "\(editor) \"$1\"", "kette-editor", file.path]
    do { try process.run() } catch { throw KetteError.editorFailed(command: editor, reason: .verbatim("\(error)")) }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw KetteError.editorFailed(command: editor, reason: InputText.editorExit.with(["status": String(process.terminationStatus)]))
    }
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}

private func printMeeting(_ meeting: Meeting, _ context: CommandContext) {
    var header = "\(meeting.bodyName ?? meeting.body ?? "–") — \(Day(meeting.date).text(context.language))"
    if let time = meeting.time { header += " \(time)" }
    if let place = meeting.place { header += ", \(place)" }
    context.say(header)
    context.say("ID: \(meeting.id)")
    if !meeting.attendees.isEmpty {
        context.say("")
        context.say(RecordText.attendees.text)
        for attendee in meeting.attendees {
            context.say("  - " + [attendee.name, attendee.organization, attendee.role].compactMap { $0 }.joined(separator: "; "))
        }
    }
    if !meeting.agenda.isEmpty {
        context.say("")
        context.say(RecordText.agenda.text)
        for item in meeting.agenda {
            context.say(RecordText.agendaItem.with(["position": String(item.position), "title": item.title]))
            if let notes = item.notes { context.say("      \(notes)") }
        }
    }
    if !meeting.decisions.isEmpty {
        context.say("")
        context.say(RecordText.decisions.text)
        for decision in meeting.decisions { context.say("  - \(decision.text)") }
    }
    if !meeting.tasks.isEmpty {
        context.say("")
        context.say(RecordText.tasks.text)
        for task in meeting.tasks {
            var line = "  [\(task.status == .done ? "x" : " ")] \(task.text) — \(task.owner ?? "–")"
            if let due = task.due { line += RecordText.due(context.language, ["date": Day(due)]) }
            context.say(line + "  (\(shortID(task.id)))")
        }
    }
    if !meeting.offers.isEmpty {
        context.say("")
        context.say(RecordText.offers(context.language) + meeting.offers.map(shortID).joined(separator: ", "))
    }
    if let minutes = meeting.minutes {
        context.say("")
        context.say(RecordText.minutes.text)
        context.say(minutes)
    }
}

private let meetingID = Argument<String>("ID", help: LocalizedText("the meeting's id or the start of it", "die ID der Sitzung oder ihr Anfang"))
private let agendaTitle = Argument<String>("TITLE", help: LocalizedText("the item's title", "Titel des Punkts"))
private let agendaNotes = Option<String>("notes", value: "TEXT", help: LocalizedText("notes on the item", "Notizen zum Punkt"))
private let decisionText = Argument<String>("TEXT", help: LocalizedText("what was decided", "was beschlossen wurde"))
private let bodyFilter = Option<String>("body", value: "B", help: LocalizedText(
    "only this body's meetings (id or name)", "nur Sitzungen dieses Gremiums (ID oder Name)"))

let meetingCommands: [KetteCommand] = [
    KetteCommand(
        "meeting add", abstract: LocalizedText("record a meeting and its minutes (Protokoll); prints its id",
                                               "eine Sitzung mit Protokoll erfassen; gibt ihre ID aus"),
        options: MeetingField.all,
        discussion: LocalizedText("--body and --date are required. Without --minutes or --minutes-file on a terminal, $EDITOR opens for the minutes.",
                                  "--body und --date sind Pflicht. Ohne --minutes oder --minutes-file öffnet sich am Terminal $EDITOR für das Protokoll."),
        validate: MeetingField.validate
    ) { args, context in
        var input = try MeetingField.input(args)
        // Check everything else before the editor opens, so nobody types minutes for a
        // meeting that cannot be saved.
        let store = try context.store()
        if input.minutes == nil, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
            _ = try store.validateMeeting(input, language: context.language)
            input.minutes = try minutesFromEditor(context)
        }
        context.say(try store.addMeeting(input, language: context.language))
    },
    KetteCommand(
        "meeting edit", abstract: LocalizedText("change a meeting; --attendee adds attendees", "eine Sitzung ändern; --attendee fügt Teilnehmende hinzu"),
        arguments: [meetingID], options: MeetingField.all, validate: MeetingField.validate
    ) { args, context in
        context.say(try context.store().editMeeting(args[meetingID], try MeetingField.input(args), language: context.language))
    },
    KetteCommand(
        "meeting agenda", abstract: LocalizedText("add an agenda item (Tagesordnungspunkt) to a meeting",
                                                  "einen Tagesordnungspunkt zu einer Sitzung hinzufügen"),
        arguments: [meetingID, agendaTitle], options: [agendaNotes]
    ) { args, context in
        context.say(try context.store().addAgendaItem(meeting: args[meetingID], title: args[agendaTitle], notes: args[agendaNotes],
                                                      language: context.language))
    },
    KetteCommand(
        "meeting decide", abstract: LocalizedText("record a decision (Beschluss) of a meeting", "einen Beschluss einer Sitzung erfassen"),
        arguments: [meetingID, decisionText]
    ) { args, context in
        context.say(try context.store().addDecision(meeting: args[meetingID], text: args[decisionText], language: context.language))
    },
    KetteCommand(
        "meeting show", abstract: LocalizedText("show a meeting with its whole minutes", "eine Sitzung mit dem ganzen Protokoll anzeigen"),
        arguments: [meetingID], options: [jsonFlag]
    ) { args, context in
        let meeting = try context.store().meeting(args[meetingID], language: context.language)
        if context.wantsJSON { return try context.printJSON(meeting) }
        context.startPaging()
        printMeeting(meeting, context)
    },
    KetteCommand(
        "meeting list", abstract: LocalizedText("list meetings, newest first", "Sitzungen auflisten, die neuesten zuerst"),
        options: [bodyFilter, limitOption, jsonFlag]
    ) { args, context in
        let meetings = try context.store().meetings(body: args[bodyFilter], language: context.language)
        if context.wantsJSON { return try context.printJSONList(meetings) }
        let shown = context.limited(meetings)
        let header = context.headers(.headerID, .headerDate, .headerBody, .headerPlace)
        let rows = shown.map { meeting in
            [shortID(meeting.id), Day(meeting.date).text(context.language) + (meeting.time.map { " " + $0 } ?? ""), meeting.bodyName ?? "–", meeting.place ?? "–"]
        }
        for line in context.table(header, rows) { context.say(line) }
        context.sayTotal(shown: shown.count, of: meetings.count, .meetings)
    },
    KetteCommand(
        "meeting delete", abstract: LocalizedText("delete a meeting (a tombstone that syncs)", "eine Sitzung löschen (als Grabstein, der synchronisiert wird)"),
        arguments: [meetingID]
    ) { args, context in
        let id = try context.store().deleteRecord(.meeting, args[meetingID], language: context.language)
        context.say(RecordText.deletedMeeting.with(["id": id]))
    },
]
