import KetteClient
import KetteCommandLine
import KetteProtocol

private let taskMeeting = Argument<String>("MEETING_ID", help: LocalizedText("the meeting's id or the start of it", "die ID der Sitzung oder ihr Anfang"))
private let taskText = Argument<String>("TEXT", help: LocalizedText("what is to be done", "was zu tun ist"))
private let taskID = Argument<String>("ID", help: LocalizedText("the action item's id or the start of it", "die ID des Arbeitsauftrags oder ihr Anfang"))
private let taskOwner = Option<String>("owner", value: "O", help: LocalizedText("who does it (required)", "wer ihn erledigt (Pflicht)"))
private let taskDue = Option<String>("due", value: "YYYY-MM-DD", help: LocalizedText("by when", "bis wann"))
private let openOnly = Flag("open", help: LocalizedText("only those not done", "nur unerledigte"))
private let ownerFilter = Option<String>("owner", value: "O", help: LocalizedText(
    "only those whose owner contains O", "nur die, deren Verantwortliche*r O enthält"))

/// Action items ("Arbeitsaufträge") given in meetings.
let taskCommands: [KetteCommand] = [
    KetteCommand(
        "task add", abstract: LocalizedText("give an action item (Arbeitsauftrag) in a meeting; prints its id",
                                            "einen Arbeitsauftrag in einer Sitzung vergeben; gibt seine ID aus"),
        arguments: [taskMeeting, taskText], options: [taskOwner, taskDue]
    ) { args, context in
        context.say(try context.store().addTask(meeting: args[taskMeeting], text: args[taskText], owner: args[taskOwner],
                                                due: args[taskDue], language: context.language))
    },
    KetteCommand(
        "task list", abstract: LocalizedText("list action items, soonest due first", "Arbeitsaufträge auflisten, die nächstfälligen zuerst"),
        options: [openOnly, ownerFilter, jsonFlag]
    ) { args, context in
        let tasks = try context.store().tasks(openOnly: args[openOnly], owner: args[ownerFilter])
        if context.wantsJSON { return try context.printJSON(tasks) }
        let header = ["ID", context.pick("DUE", "FÄLLIG"), context.pick("STATUS", "STATUS"), context.pick("OWNER", "VERANTWORTLICH"),
                      context.pick("TEXT", "AUFTRAG")]
        let rows = tasks.map { [shortID($0.id), $0.due ?? "–", $0.status.label(context.language), $0.owner ?? "–", $0.text] }
        for line in context.table(header, rows) { context.say(line) }
    },
    KetteCommand(
        "task done", abstract: LocalizedText("mark an action item done", "einen Arbeitsauftrag als erledigt markieren"),
        arguments: [taskID]
    ) { args, context in
        let id = try context.store().completeTask(args[taskID], language: context.language)
        context.say(context.pick("Action item \(id) done.", "Arbeitsauftrag \(id) erledigt."))
    },
]
