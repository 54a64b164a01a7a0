import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

private let taskMeeting = Argument<String>("MEETING_ID", help: LocalizedText("the meeting's id or the start of it", "die ID der Sitzung oder ihr Anfang"))
private let taskText = Argument<String>("TEXT", help: LocalizedText("what is to be done", "was zu tun ist"))
private let taskID = Argument<String>("ID", help: LocalizedText("the action item's id or the start of it", "die ID des Arbeitsauftrags oder ihr Anfang"))
private let taskOwner = Option<String>("owner", value: "O", help: LocalizedText("who does it (required unless --contact)", "wer ihn erledigt (Pflicht außer mit --contact)"))
private let taskContact = Option<String>("contact", value: "CONTACT", help: LocalizedText(
    "who does it, from the contact register (id or name)", "wer ihn erledigt, aus dem Kontaktregister (ID oder Name)"))
private let taskDue = Option<String>("due", value: "DATE", help: LocalizedText(
    "by when (2026-03-14 or 14.03.2026)", "bis wann (14.03.2026 oder 2026-03-14)"))
private let openOnly = Flag("open", help: LocalizedText("only those not done", "nur unerledigte"))
private let ownerFilter = Option<String>("owner", value: "O", help: LocalizedText(
    "only those whose owner contains O", "nur die, deren Verantwortliche*r O enthält"))
private let newText = Option<String>("text", value: "T", help: LocalizedText("what is to be done", "was zu tun ist"))
private let newOwner = Option<String>("owner", value: "O", help: LocalizedText("who does it", "wer ihn erledigt"))
private let newDue = Option<String>("due", value: "YYYY-MM-DD", help: LocalizedText("by when (empty clears it)", "bis wann (leer: entfernen)"))

/// `task done` and `task reopen`: one action item gets `status`.
private func taskStatusCommand(_ path: String, _ status: TaskStatus, abstract: LocalizedText,
                               done: @escaping @Sendable (String) -> LocalizedText) -> KetteCommand {
    KetteCommand(path, abstract: abstract, arguments: [taskID]) { args, context in
        let id = try context.store().setTaskStatus(args[taskID], to: status, language: context.language)
        context.say(done(id)(context.language))
    }
}

/// Action items ("Arbeitsaufträge") given in meetings.
let taskCommands: [KetteCommand] = [
    KetteCommand(
        "task add", abstract: LocalizedText("give an action item (Arbeitsauftrag) in a meeting; prints its id",
                                            "einen Arbeitsauftrag in einer Sitzung vergeben; gibt seine ID aus"),
        arguments: [taskMeeting, taskText], options: [taskOwner, taskContact, taskDue]
    ) { args, context in
        context.say(try context.store().addTask(meeting: args[taskMeeting], text: args[taskText], owner: args[taskOwner],
                                                due: args[taskDue], contact: args[taskContact], language: context.language))
    },
    KetteCommand(
        "task list", abstract: LocalizedText("list action items, soonest due first", "Arbeitsaufträge auflisten, die nächstfälligen zuerst"),
        options: [openOnly, ownerFilter, limitOption, jsonFlag]
    ) { args, context in
        let tasks = try context.store().tasks(openOnly: args[openOnly], owner: args[ownerFilter])
        if context.wantsJSON { return try context.printJSONList(tasks) }
        let shown = context.limited(tasks)
        let header = context.headers(.headerID, .headerDue, .headerStatus, .headerOwner, .headerTask)
        let rows = shown.map { task in
            [shortID(task.id), task.due.map { Day($0).text(context.language) } ?? "–", task.status.label(context.language), task.owner ?? "–", task.text]
        }
        for line in context.table(header, rows) { context.say(line) }
        context.sayTotal(shown: shown.count, of: tasks.count, .tasks)
    },
    taskStatusCommand("task done", .done, abstract: LocalizedText("mark an action item done", "einen Arbeitsauftrag als erledigt markieren")) { id in
        RecordText.taskDone.with(["id": id])
    },
    taskStatusCommand("task reopen", .open, abstract: LocalizedText("mark an action item open again", "einen Arbeitsauftrag wieder als offen markieren")) { id in
        MinutesText.taskReopened.with(["id": id])
    },
    KetteCommand(
        "task edit", abstract: LocalizedText("change an action item's text, owner or due date", "Text, Verantwortliche*n oder Fälligkeit eines Arbeitsauftrags ändern"),
        arguments: [taskID], options: [newText, newOwner, newDue]
    ) { args, context in
        context.say(try context.store().editTask(args[taskID], text: args[newText], owner: args[newOwner], due: args[newDue],
                                                 language: context.language))
    },
    deletionCommand("task delete", .task, argument: taskID, abstract: LocalizedText("delete an action item; asks first",
                                                                                    "einen Arbeitsauftrag löschen; fragt vorher")) { id in
        MinutesText.deletedTask.with(["id": id])
    },
]
