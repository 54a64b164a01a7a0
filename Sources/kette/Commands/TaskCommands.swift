import KetteClient
import KetteProtocol

/// Action items ("Arbeitsaufträge") given in meetings.
let taskCommands: [CommandSpec] = [
    CommandSpec(
        path: ["task", "add"], abstract: "give an action item (Arbeitsauftrag) in a meeting; prints its id",
        arguments: [ArgumentSpec(name: "MEETING_ID", help: "the meeting's id or the start of it"),
                    ArgumentSpec(name: "TEXT", help: "what is to be done")],
        options: [.value("owner", "O", "who does it (required)"), .value("due", "YYYY-MM-DD", "by when")],
        run: { args, context in
            context.say(try context.store().addTask(meeting: args.positional(0)!, text: args.positional(1)!, owner: args.value("owner"),
                                                    due: args.value("due"), language: context.language))
        }),
    CommandSpec(
        path: ["task", "list"], abstract: "list action items, soonest due first",
        options: [.flag("open", "only those not done"), .value("owner", "O", "only those whose owner contains O"), jsonFlag],
        run: { args, context in
            let tasks = try context.store().tasks(openOnly: args.flag("open"), owner: args.value("owner"))
            if context.wantsJSON { return try context.printJSON(tasks) }
            let header = ["ID", context.pick("DUE", "FÄLLIG"), context.pick("STATUS", "STATUS"), context.pick("OWNER", "VERANTWORTLICH"),
                          context.pick("TEXT", "AUFTRAG")]
            let rows = tasks.map { [shortID($0.id), $0.due ?? "–", $0.status.label(context.language), $0.owner ?? "–", $0.text] }
            for line in context.table(header, rows) { context.say(line) }
        }),
    CommandSpec(
        path: ["task", "done"], abstract: "mark an action item done",
        arguments: [ArgumentSpec(name: "ID", help: "the action item's id or the start of it")],
        run: { args, context in
            let id = try context.store().completeTask(args.positional(0)!, language: context.language)
            context.say(context.pick("Action item \(id) done.", "Arbeitsauftrag \(id) erledigt."))
        }),
]
