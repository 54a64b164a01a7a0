import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
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
    static let attendeeContact = Option<String>("attendee-contact", value: "CONTACT", help: LocalizedText(
        "someone who attended, from the contact register (id or name)", "jemand, der teilnahm, aus dem Kontaktregister (ID oder Name)"), repeatable: true)
    static let offer = Option<String>("offer", value: "OFFER", help: LocalizedText(
        "an offer the meeting dealt with (id or title)", "ein Angebot, um das es ging (ID oder Titel)"), repeatable: true)
    static let minutes = Option<MinutesSource>("minutes", value: "[TEXT]", help: LocalizedText(
        "the free minutes text; alone (no TEXT), the minutes open in $EDITOR",
        "der freie Protokolltext; allein (ohne TEXT) öffnet sich das Protokoll in $EDITOR"),
        expected: nil, whenAlone: .editor) { .text($0) }
    static let minutesFile = Option<String>("minutes-file", value: "F", help: LocalizedText(
        "read the minutes text from file F (- for standard input)", "den Protokolltext aus Datei F lesen (- für die Standardeingabe)"))

    static let all: [any OptionDeclaration] = [body, date, time, place, attendee, attendeeContact, offer, minutes, minutesFile]

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
        input.attendeeContacts = args.all(attendeeContact)
        input.offers = args.all(offer)
        if case .text(let text)? = args[minutes] { input.minutes = text } else { input.minutes = try minutesText(file: args[minutesFile]) }
        return input
    }

    /// Whether `--minutes` stands alone: the minutes are to be written in the editor.
    static func wantsEditor(_ args: ParsedInput) -> Bool {
        args[minutes] == .editor
    }
}

/// Where `--minutes` takes the text from.
private enum MinutesSource: Equatable, Sendable {
    case text(String)
    case editor
}

/// The minutes text from --minutes-file; nil when it is not given.
private func minutesText(file: String?) throws -> String? {
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
            context.say("  - " + [attendee.name, attendee.organization, attendee.role].compactMap { $0 }.joined(separator: "; ")
                        + "  (\(shortID(attendee.id)))")
        }
    }
    if !meeting.agenda.isEmpty {
        context.say("")
        context.say(RecordText.agenda.text)
        for item in meeting.agenda {
            context.say(RecordText.agendaItem.with(["number": String(item.number), "title": item.title, "id": shortID(item.id)]))
            if let notes = item.notes { context.say("      \(notes)") }
        }
    }
    if !meeting.decisions.isEmpty {
        context.say("")
        context.say(RecordText.decisions.text)
        for decision in meeting.decisions { context.say("  - \(decision.text)  (\(shortID(decision.id)))") }
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
        discussion: LocalizedText("--body and --date are required. $EDITOR opens for the minutes with --minutes alone, and on a terminal without --minutes or --minutes-file.",
                                  "--body und --date sind Pflicht. $EDITOR öffnet sich für das Protokoll mit --minutes allein und am Terminal ohne --minutes oder --minutes-file."),
        validate: MeetingField.validate
    ) { args, context in
        var input = try MeetingField.input(args)
        // Check everything else before the editor opens, so nobody types minutes for a
        // meeting that cannot be saved.
        let store = try context.store()
        let onTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        if MeetingField.wantsEditor(args) || (input.minutes == nil && args[MeetingField.minutesFile] == nil && onTerminal) {
            _ = try store.validateMeeting(input, language: context.language)
            input.minutes = try MinutesEditor(context: context).edit(current: nil)
        }
        context.say(try store.addMeeting(input, language: context.language))
    },
    KetteCommand(
        "meeting edit", abstract: LocalizedText("change a meeting; --attendee adds attendees", "eine Sitzung ändern; --attendee fügt Teilnehmende hinzu"),
        arguments: [meetingID], options: MeetingField.all,
        discussion: LocalizedText("--minutes alone opens the current minutes in $EDITOR.",
                                  "--minutes allein öffnet das bisherige Protokoll in $EDITOR."),
        validate: MeetingField.validate
    ) { args, context in
        var input = try MeetingField.input(args)
        let store = try context.store()
        if MeetingField.wantsEditor(args) {
            let current = try store.meeting(args[meetingID], language: context.language).minutes
            // An empty text or the same text changes nothing; `--minutes ""` clears the minutes.
            if let edited = try MinutesEditor(context: context).edit(current: current),
               edited != current?.trimmingCharacters(in: .whitespacesAndNewlines) {
                input.minutes = edited
            } else if input.isEmpty {
                return context.say(MinutesText.minutesUnchanged.text)
            }
        }
        context.say(try store.editMeeting(args[meetingID], input, language: context.language))
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
    deletionCommand("meeting delete", .meeting, argument: meetingID, abstract: LocalizedText(
        "delete a meeting (a tombstone that syncs); asks first", "eine Sitzung löschen (als Grabstein, der synchronisiert wird); fragt vorher")) { id in
        RecordText.deletedMeeting.with(["id": id])
    },
]
