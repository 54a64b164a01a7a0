import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

// Corrections of a meeting's minutes after the fact: its attendees, agenda items and decisions,
// each found by the id `meeting show` prints beside it.

private let meetingID = Argument<String>("MEETING_ID", help: LocalizedText("the meeting's id or the start of it", "die ID der Sitzung oder ihr Anfang"))
private let attendeeID = Argument<String>("ID", help: LocalizedText(
    "the attendee's id or the start of it (see `kette meeting show`)", "die ID der*des Teilnehmenden oder ihr Anfang (siehe `kette meeting show`)"))
private let attendeeText = Argument<String>("ATTENDEE", help: LocalizedText(
    "\"Name; Organization; Role\" (organization and role optional)", "\"Name; Organisation; Rolle\" (Organisation und Rolle optional)"))
private let attendeeName = Option<String>("name", value: "N", help: LocalizedText("the attendee's name", "Name der*des Teilnehmenden"))
private let attendeeOrganization = Option<String>("organization", value: "O", help: LocalizedText(
    "their organization (empty clears it)", "ihre Organisation (leer: entfernen)"))
private let attendeeRole = Option<String>("role", value: "R", help: LocalizedText("their role (empty clears it)", "ihre Rolle (leer: entfernen)"))
private let agendaItemID = Argument<String>("ID", help: LocalizedText(
    "the agenda item's id or the start of it (see `kette meeting show`)", "die ID des Tagesordnungspunkts oder ihr Anfang (siehe `kette meeting show`)"))
private let agendaTitle = Option<String>("title", value: "T", help: LocalizedText("the item's title", "Titel des Punkts"))
private let agendaNotes = Option<String>("notes", value: "TEXT", help: LocalizedText("notes on the item (empty clears them)", "Notizen zum Punkt (leer: entfernen)"))
private let topNumber = Argument<Int>("TOP", help: LocalizedText("the number it is to have (1 = first)", "die Nummer, die er bekommen soll (1 = erster)"),
                                      expected: LocalizedText("a whole number from 1", "eine ganze Zahl ab 1")) { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
private let decisionID = Argument<String>("ID", help: LocalizedText(
    "the decision's id or the start of it (see `kette meeting show`)", "die ID des Beschlusses oder ihr Anfang (siehe `kette meeting show`)"))
private let decisionText = Argument<String>("TEXT", help: LocalizedText("what was decided", "was beschlossen wurde"))

/// `meeting attendee|agenda|decision remove`: one deletion after confirming.
private func removeCommand(_ path: String, _ type: RecordType, argument: Argument<String>, abstract: LocalizedText) -> KetteCommand {
    deletionCommand(path, type, argument: argument, abstract: abstract) { id in
        MinutesText.removed.with(["kind": FieldText.kind(type), "id": id])
    }
}

let minutesCommands: [KetteCommand] = [
    KetteCommand(
        "meeting attendee add", abstract: LocalizedText("add an attendee to a meeting; prints its id", "eine*n Teilnehmende*n hinzufügen; gibt die ID aus"),
        arguments: [meetingID, attendeeText]
    ) { args, context in
        context.say(try context.store().addAttendee(meeting: args[meetingID], args[attendeeText], language: context.language))
    },
    KetteCommand(
        "meeting attendee edit", abstract: LocalizedText("correct an attendee's name, organization or role", "Name, Organisation oder Rolle einer*eines Teilnehmenden korrigieren"),
        arguments: [attendeeID], options: [attendeeName, attendeeOrganization, attendeeRole]
    ) { args, context in
        context.say(try context.store().editAttendee(args[attendeeID], name: args[attendeeName], organization: args[attendeeOrganization],
                                                     role: args[attendeeRole], language: context.language))
    },
    removeCommand("meeting attendee remove", .attendee, argument: attendeeID, abstract: LocalizedText(
        "remove an attendee from the minutes; asks first", "eine*n Teilnehmende*n aus dem Protokoll entfernen; fragt vorher")),
    KetteCommand(
        "meeting agenda edit", abstract: LocalizedText("correct an agenda item's title or notes", "Titel oder Notizen eines Tagesordnungspunkts korrigieren"),
        arguments: [agendaItemID], options: [agendaTitle, agendaNotes]
    ) { args, context in
        context.say(try context.store().editAgendaItem(args[agendaItemID], title: args[agendaTitle], notes: args[agendaNotes],
                                                       language: context.language))
    },
    KetteCommand(
        "meeting agenda move", abstract: LocalizedText("move an agenda item to another place (TOP number)", "einen Tagesordnungspunkt an eine andere Stelle (TOP-Nummer) verschieben"),
        arguments: [agendaItemID, topNumber],
        discussion: LocalizedText("The items in between move up or down by one. TOP numbers are the places in the agenda's order, worked out when shown.",
                                  "Die Punkte dazwischen rücken um eins auf oder ab. TOP-Nummern sind die Plätze in der Reihenfolge der Tagesordnung und werden beim Anzeigen bestimmt.")
    ) { args, context in
        let id = try context.store().moveAgendaItem(args[agendaItemID], to: args[topNumber], language: context.language)
        context.say(MinutesText.movedTo.with(["id": id, "number": String(args[topNumber])]))
    },
    removeCommand("meeting agenda remove", .agendaItem, argument: agendaItemID, abstract: LocalizedText(
        "remove an agenda item; asks first", "einen Tagesordnungspunkt entfernen; fragt vorher")),
    KetteCommand(
        "meeting decision edit", abstract: LocalizedText("correct the text of a decision", "den Text eines Beschlusses korrigieren"),
        arguments: [decisionID, decisionText]
    ) { args, context in
        context.say(try context.store().editDecision(args[decisionID], text: args[decisionText], language: context.language))
    },
    removeCommand("meeting decision remove", .decision, argument: decisionID, abstract: LocalizedText(
        "remove a decision; asks first", "einen Beschluss entfernen; fragt vorher")),
]
