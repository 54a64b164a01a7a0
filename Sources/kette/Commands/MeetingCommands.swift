import Foundation
import KetteClient
import KetteProtocol

private let meetingFieldOptions: [OptionSpec] = [
    .value("body", "B", "the body that met (id or name)"),
    .value("date", "YYYY-MM-DD", "the day of the meeting"),
    .value("time", "HH:MM", "when it started"),
    .value("place", "P", "where it took place"),
    .value("attendee", "\"Name; Organization; Role\"", "someone who attended (organization and role optional)", repeatable: true),
    .value("offer", "OFFER", "an offer the meeting dealt with (id or title)", repeatable: true),
    .value("minutes", "TEXT", "the free minutes text"),
    .value("minutes-file", "F", "read the minutes text from file F (- for standard input)"),
]

/// The minutes text from --minutes or --minutes-file; nil when neither is given.
private func minutesText(_ args: ParsedArguments) throws -> String? {
    if args.value("minutes") != nil, args.value("minutes-file") != nil {
        throw KetteError.malformedValue(field: "minutes", value: "--minutes + --minutes-file", expected: "only one of --minutes and --minutes-file")
    }
    if let text = args.value("minutes") { return text }
    guard let path = args.value("minutes-file") else { return nil }
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw KetteError.unreadableFile(path: path, reason: (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription)
        }
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw KetteError.unreadableFile(path: path, reason: "not UTF-8 text")
    }
    return text
}

/// Opens `$EDITOR` (else `$VISUAL`, else vi) on a template and returns what was written, without
/// the comment lines. Used only on a terminal, when no minutes were given.
private func minutesFromEditor(_ context: CommandContext) throws -> String? {
    let editor = context.environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 }
        ?? context.environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("kette-minutes-\(UUID().uuidString).md")
    let template = context.pick("# Write the minutes below. Lines starting with # are left out.\n# Save and close the editor to record the meeting; leave it empty for no minutes.\n\n",
                                "# Protokoll unten eintragen. Zeilen, die mit # beginnen, werden nicht übernommen.\n# Speichern und Editor schließen, um die Sitzung zu erfassen; leer lassen für kein Protokoll.\n\n")
    try Data(template.utf8).write(to: file, options: [.atomic])
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    // The editor may carry arguments ("code --wait"), so the shell splits it; the file is "$1".
    process.arguments = ["-c", "\(editor) \"$1\"", "kette-editor", file.path]
    do { try process.run() } catch { throw KetteError.editorFailed(command: editor, reason: "\(error)") }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw KetteError.editorFailed(command: editor, reason: "exit status \(process.terminationStatus)")
    }
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}

private func meetingInput(_ args: ParsedArguments) throws -> MeetingInput {
    var input = MeetingInput()
    input.body = args.value("body")
    input.date = args.value("date")
    input.time = args.value("time")
    input.place = args.value("place")
    input.attendees = args.all("attendee")
    input.offers = args.all("offer")
    input.minutes = try minutesText(args)
    return input
}

private func printMeeting(_ meeting: Meeting, _ context: CommandContext) {
    var header = "\(meeting.bodyName ?? meeting.body ?? "–") — \(meeting.date)"
    if let time = meeting.time { header += " \(time)" }
    if let place = meeting.place { header += ", \(place)" }
    context.say(header)
    context.say("ID: \(meeting.id)")
    if !meeting.attendees.isEmpty {
        context.say("")
        context.say(context.pick("Attendees:", "Teilnehmende:"))
        for attendee in meeting.attendees {
            context.say("  - " + [attendee.name, attendee.organization, attendee.role].compactMap { $0 }.joined(separator: "; "))
        }
    }
    if !meeting.agenda.isEmpty {
        context.say("")
        context.say(context.pick("Agenda:", "Tagesordnung:"))
        for item in meeting.agenda {
            context.say("  TOP \(item.position): \(item.title)")
            if let notes = item.notes { context.say("      \(notes)") }
        }
    }
    if !meeting.decisions.isEmpty {
        context.say("")
        context.say(context.pick("Decisions:", "Beschlüsse:"))
        for decision in meeting.decisions { context.say("  - \(decision.text)") }
    }
    if !meeting.tasks.isEmpty {
        context.say("")
        context.say(context.pick("Action items:", "Arbeitsaufträge:"))
        for task in meeting.tasks {
            var line = "  [\(task.status == .done ? "x" : " ")] \(task.text) — \(task.owner ?? "–")"
            if let due = task.due { line += context.pick(", due \(due)", ", fällig \(due)") }
            context.say(line + "  (\(shortID(task.id)))")
        }
    }
    if !meeting.offers.isEmpty {
        context.say("")
        context.say(context.pick("Offers: ", "Angebote: ") + meeting.offers.map(shortID).joined(separator: ", "))
    }
    if let minutes = meeting.minutes {
        context.say("")
        context.say(context.pick("Minutes:", "Protokoll:"))
        context.say(minutes)
    }
}

private let meetingReference = ArgumentSpec(name: "ID", help: "the meeting's id or the start of it")

let meetingCommands: [CommandSpec] = [
    CommandSpec(
        path: ["meeting", "add"], abstract: "record a meeting and its minutes (Protokoll); prints its id",
        options: meetingFieldOptions,
        discussion: "--body and --date are required. Without --minutes or --minutes-file on a terminal, $EDITOR opens for the minutes.",
        run: { args, context in
            var input = try meetingInput(args)
            // Check everything else before the editor opens, so nobody types minutes for a
            // meeting that cannot be saved.
            let store = try context.store()
            if input.minutes == nil, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
                _ = try store.validateMeeting(input, language: context.language)
                input.minutes = try minutesFromEditor(context)
            }
            context.say(try store.addMeeting(input, language: context.language))
        }),
    CommandSpec(
        path: ["meeting", "edit"], abstract: "change a meeting; --attendee adds attendees",
        arguments: [meetingReference], options: meetingFieldOptions,
        run: { args, context in
            context.say(try context.store().editMeeting(args.positional(0)!, try meetingInput(args), language: context.language))
        }),
    CommandSpec(
        path: ["meeting", "agenda"], abstract: "add an agenda item (Tagesordnungspunkt) to a meeting",
        arguments: [meetingReference, ArgumentSpec(name: "TITLE", help: "the item's title")],
        options: [.value("notes", "TEXT", "notes on the item")],
        run: { args, context in
            context.say(try context.store().addAgendaItem(meeting: args.positional(0)!, title: args.positional(1)!, notes: args.value("notes"),
                                                          language: context.language))
        }),
    CommandSpec(
        path: ["meeting", "decide"], abstract: "record a decision (Beschluss) of a meeting",
        arguments: [meetingReference, ArgumentSpec(name: "TEXT", help: "what was decided")],
        run: { args, context in
            context.say(try context.store().addDecision(meeting: args.positional(0)!, text: args.positional(1)!, language: context.language))
        }),
    CommandSpec(
        path: ["meeting", "show"], abstract: "show a meeting with its whole minutes",
        arguments: [meetingReference], options: [jsonFlag],
        run: { args, context in
            let meeting = try context.store().meeting(args.positional(0)!, language: context.language)
            if context.wantsJSON { return try context.printJSON(meeting) }
            printMeeting(meeting, context)
        }),
    CommandSpec(
        path: ["meeting", "list"], abstract: "list meetings, newest first",
        options: [.value("body", "B", "only this body's meetings (id or name)"), jsonFlag],
        run: { args, context in
            let meetings = try context.store().meetings(body: args.value("body"), language: context.language)
            if context.wantsJSON { return try context.printJSON(meetings) }
            let header = ["ID", context.pick("DATE", "DATUM"), context.pick("BODY", "GREMIUM"), context.pick("PLACE", "ORT")]
            let rows = meetings.map { [shortID($0.id), $0.date + ($0.time.map { " " + $0 } ?? ""), $0.bodyName ?? "–", $0.place ?? "–"] }
            for line in context.table(header, rows) { context.say(line) }
        }),
    CommandSpec(
        path: ["meeting", "delete"], abstract: "delete a meeting (a tombstone that syncs)",
        arguments: [meetingReference],
        run: { args, context in
            let id = try context.store().deleteRecord(.meeting, args.positional(0)!, language: context.language)
            context.say(context.pick("Deleted meeting \(id).", "Sitzung \(id) gelöscht."))
        }),
]
