import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// The options that set a need's fields, shared by `need add` and `need edit`.
private enum NeedField {
    static let all: [FieldOption] = [
        CommonField.district, CommonField.phases, FieldOption("category", OfferCategory.self),
        FieldOption("source", value: "TEXT", help: LocalizedText("where it was found, e.g. \"Bedarfserhebung Kita 2026\"",
                                                                 "wo er erkannt wurde, z. B. \"Bedarfserhebung Kita 2026\"")),
        FieldOption("meeting", value: "MEETING", help: LocalizedText("the meeting it was found in (id)", "die Sitzung, in der er erkannt wurde (ID)")),
        FieldOption("found", value: "DATE", help: LocalizedText("when it was found (default: today)", "wann er erkannt wurde (Standard: heute)")),
        FieldOption("status", NeedStatus.self, note: LocalizedText("default: open", "Standard: offen")),
    ]
    static let description = FieldOption("description", value: "TEXT", help: LocalizedText("what is needed", "was gebraucht wird"))
}

private let needID = Argument<String>("ID", help: LocalizedText("the need's id or the start of it", "die ID des Bedarfs oder ihr Anfang"))
private let needText = Argument<String>("DESCRIPTION", help: LocalizedText("what is needed, where and for whom", "was wo für wen gebraucht wird"))

/// Filters of the planning lists.
enum PlanningListFilter {
    static let district = Option<String>("district", value: "D", help: LocalizedText("only this district (id or name)", "nur dieser Sozialraum (ID oder Name)"))
    static let phase = Option<String>("phase", value: "P", help: LocalizedText(
        "only this life phase: " + LifePhase.slugs.joined(separator: ", "), "nur diese Lebensphase: " + germanChoices(LifePhase.self)))
    static func status<V: Vocabulary>(_ type: V.Type) -> Option<String> {
        Option<String>("status", value: "S", help: LocalizedText("only this status: " + V.slugs.joined(separator: ", "),
                                                                "nur dieser Status: " + germanChoices(V.self)))
    }

    static func filter(_ args: ParsedInput, status: Option<String>?) -> PlanningFilter {
        var filter = PlanningFilter()
        if args.accepts(district) { filter.district = args[district] }
        if args.accepts(phase) { filter.phase = args[phase] }
        if let status { filter.status = args[status] }
        return filter
    }
}

private let needStatusFilter = PlanningListFilter.status(NeedStatus.self)

let needCommands: [KetteCommand] = [
    KetteCommand("need add", abstract: LocalizedText("record a need (Bedarf) found in a district; prints its id",
                                                     "einen Bedarf in einem Sozialraum erfassen; gibt seine ID aus"),
                 arguments: [needText], options: NeedField.all.declarations) { args, context in
        context.say(try context.store().addNeed(NeedField.all.input(args, ["description": args[needText]]), language: context.language))
    },
    KetteCommand("need edit", abstract: LocalizedText("change a need; an empty value clears an optional field",
                                                      "einen Bedarf ändern; ein leerer Wert leert ein optionales Feld"),
                 arguments: [needID], options: (NeedField.all + [NeedField.description]).declarations) { args, context in
        context.say(try context.store().editNeed(args[needID], (NeedField.all + [NeedField.description]).input(args), language: context.language))
    },
    KetteCommand("need show", abstract: LocalizedText("show one need", "einen Bedarf anzeigen"), arguments: [needID], options: [jsonFlag]) { args, context in
        let need = try context.store().need(args[needID], language: context.language)
        if context.wantsJSON { return try context.printJSON(need) }
        context.startPaging()
        context.printFields(id: need.id, [
            (.need, need.description), (.district, need.districtName ?? need.district ?? context.text(.countyWide)),
            (.phases, context.labels(need.phases)), (.category, need.category?.label(context.language)), (.source, need.source),
            (.meeting, need.meeting), (.found, context.day(need.found)), (.status, need.status.label(context.language)),
        ])
    },
    KetteCommand("need list", abstract: LocalizedText("list needs, newest first", "Bedarfe auflisten, die neuesten zuerst"),
                 options: [PlanningListFilter.district, PlanningListFilter.phase, needStatusFilter, jsonFlag]) { args, context in
        let needs = try context.store().needs(PlanningListFilter.filter(args, status: needStatusFilter), language: context.language)
        try context.printList(needs, header: ["ID", context.text(.headerFound), OutputText.headerDistrict(context.language), context.text(.headerPhases),
                                              OutputText.headerStatus(context.language), context.text(.headerNeed)],
                              noun: .nounNeeds) { need in
            [shortID(need.id), context.day(need.found) ?? "–", need.districtName ?? need.district ?? context.text(.county),
             need.phases.map(\.slug).joined(separator: ","), need.status.label(context.language), need.description]
        }
    },
    deleteCommand(.need, needID, LocalizedText("a need", "Bedarf")),
]

// MARK: - Goals

private enum GoalField {
    static let all: [FieldOption] = [
        FieldOption("body", value: "B", help: LocalizedText("the body that set it (id or name)", "das Gremium, das es gesetzt hat (ID oder Name)")),
        FieldOption("decision", value: "DECISION", help: LocalizedText("the decision (Beschluss) that set it (id); its meeting's body by default",
                                                                       "der Beschluss, der es gesetzt hat (ID); Gremium standardmäßig das der Sitzung")),
        FieldOption("district", value: "D", help: LocalizedText("its district (id or name); default: the body's; empty: county-wide",
                                                                "sein Sozialraum (ID oder Name); Standard: der des Gremiums; leer: kreisweit")),
        CommonField.phases,
    ]
    static let statement = FieldOption("statement", value: "TEXT", help: LocalizedText("what is to be reached", "was erreicht werden soll"))
}

/// The options of a target, shared by `goal target add` and `goal target edit`.
private enum TargetField {
    static let all: [FieldOption] = [
        FieldOption("indicator", TargetIndicator.self, note: LocalizedText("required", "Pflicht")),
        FieldOption("district", value: "D", help: LocalizedText("the district counted in (id or name); for active-offers required",
                                                                "der Sozialraum, in dem gezählt wird (ID oder Name); bei aktive-angebote Pflicht")),
        FieldOption("phase", value: "P", help: LocalizedText("the life phase counted in; for active-offers required",
                                                             "die Lebensphase, in der gezählt wird; bei aktive-angebote Pflicht")),
        FieldOption("name", value: "TEXT", help: LocalizedText("a custom indicator's name (required for custom)", "Name einer eigenen Kennzahl (bei eigene-kennzahl Pflicht)")),
        FieldOption("unit", value: "TEXT", help: LocalizedText("a custom indicator's unit, e.g. \"Familien\"", "Einheit einer eigenen Kennzahl, z. B. \"Familien\"")),
        FieldOption("baseline", value: "N", help: LocalizedText("the value at the start", "der Ausgangswert")),
        FieldOption("baseline-period", field: "baselinePeriod", value: "YYYY[-Qn]", help: LocalizedText("the period of the baseline", "der Zeitraum des Ausgangswerts")),
        FieldOption("value", field: "targetValue", value: "N", help: LocalizedText("the target value (required)", "der Zielwert (Pflicht)")),
        FieldOption("due", value: "YYYY[-Qn]", help: LocalizedText("the period by which it is to be reached", "der Zeitraum, bis zu dem er erreicht sein soll")),
    ]
}

private let goalID = Argument<String>("ID", help: LocalizedText("the goal's id, the start of it, or its statement", "die ID des Ziels, ihr Anfang oder seine Aussage"))
private let goalText = Argument<String>("STATEMENT", help: LocalizedText("what is to be reached", "was erreicht werden soll"))
private let targetID = Argument<String>("TARGET_ID", help: LocalizedText("the target's id or the start of it", "die ID des Zielwerts oder ihr Anfang"))
private let figurePeriod = Option<String>("period", value: "YYYY[-Qn]", help: LocalizedText("the period of the figure (required)", "der Zeitraum der Zahl (Pflicht)"))
private let figureValue = Option<String>("value", value: "N", help: LocalizedText("the figure (required)", "die Zahl (Pflicht)"))

private func targetLine(_ target: Target, _ context: CommandContext) -> String {
    let what = target.indicator == .custom ? (target.name ?? "–") + (target.unit.map { " (\($0))" } ?? "") : context.label(target.indicator)
    let cell = [target.district, target.phase?.label(context.language)].compactMap { $0 }.joined(separator: " × ")
    let values = context.text(.baseline) + " \(target.baseline.map(String.init) ?? "–")"
        + (target.baselinePeriod.map { " (\($0))" } ?? "") + " → " + context.text(.target) + " \(target.targetValue.map(String.init) ?? "–")"
        + (target.due.map { context.text(.by) + $0 } ?? "")
    return "  \(shortID(target.id))  \(what)" + (cell.isEmpty ? "" : " [\(cell)]") + ": " + values
}

private func printGoal(_ goal: Goal, _ context: CommandContext) {
    context.printFields(id: goal.id, [
        (.goal, goal.statement), (.body, goal.bodyName ?? goal.body), (.decision, goal.decision),
        (.district, goal.districtName ?? goal.district ?? context.text(.countyWide)), (.phases, context.labels(goal.phases)),
    ])
    guard !goal.targets.isEmpty else { return }
    context.say("")
    context.say(context.text(.targets))
    for target in goal.targets {
        context.say(targetLine(target, context))
        for figure in target.figures { context.say("      \(figure.period): \(figure.value)") }
    }
}

let goalCommands: [KetteCommand] = [
    KetteCommand("goal add", abstract: LocalizedText("record a goal (Ziel) a body set; prints its id", "ein Ziel erfassen, das ein Gremium gesetzt hat; gibt seine ID aus"),
                 arguments: [goalText], options: GoalField.all.declarations) { args, context in
        context.say(try context.store().addGoal(GoalField.all.input(args, ["statement": args[goalText]]), language: context.language))
    },
    KetteCommand("goal edit", abstract: LocalizedText("change a goal; an empty value clears an optional field", "ein Ziel ändern; ein leerer Wert leert ein optionales Feld"),
                 arguments: [goalID], options: (GoalField.all + [GoalField.statement]).declarations) { args, context in
        context.say(try context.store().editGoal(args[goalID], (GoalField.all + [GoalField.statement]).input(args), language: context.language))
    },
    KetteCommand("goal show", abstract: LocalizedText("show a goal with its targets", "ein Ziel mit seinen Zielwerten anzeigen"),
                 arguments: [goalID], options: [jsonFlag]) { args, context in
        let goal = try context.store().goal(args[goalID], language: context.language)
        if context.wantsJSON { return try context.printJSON(goal) }
        context.startPaging()
        printGoal(goal, context)
    },
    KetteCommand("goal list", abstract: LocalizedText("list goals with their targets", "Ziele mit ihren Zielwerten auflisten"),
                 options: [PlanningListFilter.district, jsonFlag]) { args, context in
        let goals = try context.store().goals(PlanningListFilter.filter(args, status: nil), language: context.language)
        try context.printList(goals, header: ["ID", OutputText.headerDistrict(context.language), context.text(.headerTargets), context.text(.headerGoal)],
                              noun: .nounGoals) { goal in
            [shortID(goal.id), goal.districtName ?? goal.district ?? context.text(.county), "\(goal.targets.count)", goal.statement]
        }
    },
    deleteCommand(.goal, goalID, LocalizedText("a goal", "Ziel")),
    KetteCommand("goal target add", abstract: LocalizedText("give a goal a target: an indicator, a baseline and a value due by a period; prints its id",
                                                            "einem Ziel einen Zielwert geben: Kennzahl, Ausgangswert und Wert bis zu einem Zeitraum; gibt seine ID aus"),
                 arguments: [goalID], options: TargetField.all.declarations,
                 discussion: LocalizedText("Progress is computed: participants and sessions from the offers' figures, active-offers from the coverage of the cell, custom from `kette goal figure`.",
                                           "Der Fortschritt wird berechnet: Teilnehmende und Termine aus den Kennzahlen der Angebote, aktive Angebote aus der Abdeckung der Zelle, eigene Kennzahlen aus `kette goal figure`.")) { args, context in
        context.say(try context.store().addTarget(goal: args[goalID], TargetField.all.input(args), language: context.language))
    },
    KetteCommand("goal target edit", abstract: LocalizedText("change a target", "einen Zielwert ändern"),
                 arguments: [targetID], options: TargetField.all.declarations) { args, context in
        context.say(try context.store().editTarget(args[targetID], TargetField.all.input(args), language: context.language))
    },
    KetteCommand("goal target delete", abstract: LocalizedText("delete a target (a tombstone that syncs)", "einen Zielwert löschen (als Grabstein, der synchronisiert wird)"),
                 arguments: [targetID]) { args, context in
        let id = try context.store().deleteRecord(.target, args[targetID], language: context.language)
        context.say(PlanningText.deleted.with(["kind": FieldText.target.text, "id": id]))
    },
    KetteCommand("goal figure", abstract: LocalizedText("record a custom indicator's figure for a period", "die Zahl einer eigenen Kennzahl für einen Zeitraum erfassen"),
                 arguments: [targetID], options: [figurePeriod, figureValue],
                 validate: { args in
                     guard args[figurePeriod] != nil, args[figureValue] != nil else {
                         throw UsageError(PlanningText.periodAndValue.text)
                     }
                 }) { args, context in
        context.say(try context.store().recordTargetFigure(target: args[targetID], period: args[figurePeriod]!, value: args[figureValue]!,
                                                           language: context.language))
    },
]
