import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// The options that set a measure's fields, shared by `measure add` and `measure edit`.
private enum MeasureField {
    static let all: [FieldOption] = [
        FieldOption("description", value: "TEXT", help: LocalizedText("what is to be done, in more words", "was zu tun ist, ausführlicher")),
        FieldOption("district", value: "D", help: LocalizedText("its district (id or name); default with --from-…: the meeting's body's; none: county-wide",
                                                                "sein Sozialraum (ID oder Name); Standard mit --from-…: der des Gremiums der Sitzung; ohne: kreisweit")),
        FieldOption("need", field: "needs", value: "NEED", help: LocalizedText("a need it serves (id); repeatable; an open need becomes addressed",
                                                                                "ein Bedarf, dem sie dient (ID); wiederholbar; ein offener Bedarf wird aufgegriffen"), repeatable: true),
        FieldOption("gap", field: "gaps", value: "DISTRICT:PHASE", help: LocalizedText("a coverage gap it is to close, e.g. nordstadt:early-childhood; repeatable",
                                                                                       "eine Lücke, die sie schließen soll, z. B. nordstadt:fruehe-kindheit; wiederholbar"), repeatable: true),
        FieldOption("goal", field: "goals", value: "GOAL", help: LocalizedText("a goal it serves (id or statement); repeatable", "ein Ziel, dem sie dient (ID oder Aussage); wiederholbar"),
                    repeatable: true),
        FieldOption("organization", value: "ORG", help: LocalizedText("the organization responsible (id or name)", "der verantwortliche Träger (ID oder Name)")),
        FieldOption("owner", value: "NAME", help: LocalizedText("the person responsible", "die verantwortliche Person")),
        FieldOption("contact", value: "CONTACT", help: LocalizedText("the responsible person in the contact register (id or name)",
                                                                     "die verantwortliche Person aus dem Kontaktregister (ID oder Name)")),
        FieldOption("start", value: "DATE", help: LocalizedText("when it starts", "wann sie beginnt")),
        FieldOption("due", value: "DATE", help: LocalizedText("when it is to be done", "bis wann sie erledigt sein soll")),
        FieldOption("status", MeasureStatus.self, note: LocalizedText("default: planned", "Standard: geplant")),
    ]
    static let title = FieldOption("title", value: "TEXT", help: LocalizedText("what is to be done", "was zu tun ist"))
    static let fromDecision = Option<String>("from-decision", value: "DECISION", help: LocalizedText(
        "take it from a meeting's decision (id): the link, its text as title, the district", "aus einem Beschluss übernehmen (ID): Verknüpfung, Text als Titel, Sozialraum"))
    static let fromTask = Option<String>("from-task", value: "TASK", help: LocalizedText(
        "take it from an action item (id): the link, its text, owner and due date", "aus einem Arbeitsauftrag übernehmen (ID): Verknüpfung, Text, Verantwortliche*r, Frist"))
}

private let measureID = Argument<String>("ID", help: LocalizedText("the measure's id, the start of it, or its title", "die ID der Maßnahme, ihr Anfang oder ihr Titel"))
private let measureTitle = Argument<String?>.optional("TITLE", help: LocalizedText(
    "what is to be done (may be left out with --from-decision or --from-task)", "was zu tun ist (entfällt mit --from-decision oder --from-task)"))
private let noteText = Argument<String>("TEXT", help: LocalizedText("what happened", "was geschehen ist"))
private let noteDate = Option<String>("date", value: "DATE", help: LocalizedText("the day of the note (default: today)", "der Tag der Notiz (Standard: heute)"))
private let noteStatus = Option<String>("status", value: "S", help: LocalizedText(
    "the measure's new status: " + MeasureStatus.slugs.joined(separator: ", "), "der neue Status der Maßnahme: " + germanChoices(MeasureStatus.self)))
private let measureStatusFilter = PlanningListFilter.status(MeasureStatus.self)

private func printMeasure(_ measure: Measure, _ context: CommandContext) {
    context.printFields(id: measure.id, [
        (.measure, measure.title), (.status, measure.status.label(context.language)),
        (.district, measure.districtName ?? measure.district ?? context.text(.countyWide)),
        (.organization, measure.organizationName ?? measure.organization), (.owner, measure.owner), (.contact, measure.contact),
        (.start, context.day(measure.start)), (.due, context.day(measure.due)),
        (.needs, measure.needs.isEmpty ? nil : measure.needs.map(shortID).joined(separator: ", ")),
        (.gaps, measure.gaps.isEmpty ? nil : measure.gaps.joined(separator: ", ")),
        (.goals, measure.goals.isEmpty ? nil : measure.goals.map(shortID).joined(separator: ", ")),
        (.decision, measure.decision), (.task, measure.task), (.description, measure.description),
    ])
    guard !measure.notes.isEmpty else { return }
    context.say("")
    context.say(context.text(.progress))
    for note in measure.notes { context.say("  \(context.day(note.date) ?? "–")  \(note.text)") }
}

let measureCommands: [KetteCommand] = [
    KetteCommand("measure add", abstract: LocalizedText("record a measure (Maßnahme) to close gaps and meet needs and goals; prints its id",
                                                        "eine Maßnahme erfassen, die Lücken schließt und Bedarfe und Ziele bedient; gibt ihre ID aus"),
                 arguments: [measureTitle], options: MeasureField.all.declarations + [MeasureField.fromDecision, MeasureField.fromTask],
                 validate: { args in
                     guard args[measureTitle] != nil || args[MeasureField.fromDecision] != nil || args[MeasureField.fromTask] != nil else {
                         throw UsageError(PlanningText.titleOrFrom.text)
                     }
                 }) { args, context in
        context.say(try context.store().addMeasure(MeasureField.all.input(args, ["title": args[measureTitle]]), fromDecision: args[MeasureField.fromDecision],
                                                   fromTask: args[MeasureField.fromTask], language: context.language))
    },
    KetteCommand("measure edit", abstract: LocalizedText("change a measure; --need, --gap and --goal replace the lists; an empty value clears a field",
                                                         "eine Maßnahme ändern; --need, --gap und --goal ersetzen die Listen; ein leerer Wert leert ein Feld"),
                 arguments: [measureID], options: (MeasureField.all + [MeasureField.title]).declarations + [MeasureField.fromDecision, MeasureField.fromTask]) { args, context in
        context.say(try context.store().editMeasure(args[measureID], (MeasureField.all + [MeasureField.title]).input(args),
                                                    fromDecision: args[MeasureField.fromDecision], fromTask: args[MeasureField.fromTask], language: context.language))
    },
    KetteCommand("measure note", abstract: LocalizedText("add a progress note to a measure, optionally with its new status",
                                                         "eine Fortschrittsnotiz zu einer Maßnahme hinzufügen, wahlweise mit neuem Status"),
                 arguments: [measureID, noteText], options: [noteDate, noteStatus]) { args, context in
        context.say(try context.store().addMeasureNote(measure: args[measureID], text: args[noteText], date: args[noteDate], status: args[noteStatus],
                                                       language: context.language))
    },
    KetteCommand("measure show", abstract: LocalizedText("show a measure with its progress notes", "eine Maßnahme mit ihren Fortschrittsnotizen anzeigen"),
                 arguments: [measureID], options: [jsonFlag]) { args, context in
        let measure = try context.store().measure(args[measureID], language: context.language)
        if context.wantsJSON { return try context.printJSON(measure) }
        context.startPaging()
        printMeasure(measure, context)
    },
    KetteCommand("measure list", abstract: LocalizedText("list measures, soonest due first", "Maßnahmen auflisten, die nächstfälligen zuerst"),
                 options: [PlanningListFilter.district, measureStatusFilter, limitOption, jsonFlag]) { args, context in
        let measures = try context.store().measures(PlanningListFilter.filter(args, status: measureStatusFilter), language: context.language)
        try context.printList(measures, header: context.headers(.headerID, .headerDue, .headerStatus, .headerDistrict, .headerOwner)
                                + [context.text(.headerMeasure)], noun: .nounMeasures) { measure in
            [shortID(measure.id), context.day(measure.due) ?? "–", measure.status.label(context.language),
             measure.districtName ?? measure.district ?? context.text(.county),
             measure.owner ?? measure.organizationName ?? "–", measure.title]
        }
    },
    deleteCommand(.measure, measureID, LocalizedText("a measure", "Maßnahme")),
]
