import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// Corrections of the minutes' parts after the meeting: each one change set of the fields that
/// changed. A part is found by its id or the start of it, as `meeting show` prints them.
extension LocalStore {
    // MARK: Agenda items

    /// Changes an agenda item's title or notes (an empty text clears the notes).
    public func editAgendaItem(_ reference: String, title: String?, notes: String?, language: Language) throws -> String {
        guard title != nil || notes != nil else { throw KetteError.nothingToChange }
        let id = try Resolver.resolve(reference, as: .agendaItem, in: database, language: language)
        let title = try title.map { try Input.requiredText($0, field: "title") }
        try record("meeting agenda edit") { change in
            if let title { try change.set(.agendaItem, id, "title", .string(title)) }
            if let notes = Input.optionalText(notes) { try change.set(.agendaItem, id, "notes", notes) }
        }
        return id
    }

    /// Moves an agenda item so that it becomes TOP `number` (1 = first); the items between move
    /// up or down by one. Returns the item's id.
    public func moveAgendaItem(_ reference: String, to number: Int, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .agendaItem, in: database, language: language)
        try record("meeting agenda move") { change in
            let meeting = try database.scalarString("SELECT meeting FROM agenda_items WHERE id = ?", [id]) ?? ""
            let items = try AgendaOrder.items(meeting: meeting, in: database)
            guard (1...max(items.count, 1)).contains(number) else {
                throw KetteError.malformedValue(field: .verbatim("TOP"), value: String(number),
                                                expected: MinutesText.expectedTOP.with(["count": items.count]))
            }
            let others = items.filter { $0.id != id }
            for item in AgendaOrder.place(id, at: number - 1, among: others) {
                try change.set(.agendaItem, item.id, "position", .integer(item.position))
            }
        }
        return id
    }

    // MARK: Attendees

    /// Adds one attendee ("Name; Organization; Role") to a meeting; returns the attendee's id.
    public func addAttendee(meeting reference: String, _ text: String, language: Language) throws -> String {
        let meeting = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        let attendee = try Self.parseAttendee(text)
        let id = newID()
        return try record("meeting attendee add") { change in
            try change.create(.attendee, id, [("meeting", .string(meeting)), ("name", .string(attendee.name)),
                                              ("organization", attendee.organization.map(FieldValue.string)),
                                              ("role", attendee.role.map(FieldValue.string))])
            return id
        }
    }

    /// Changes an attendee's name, organization or role (an empty text clears organization or role).
    public func editAttendee(_ reference: String, name: String?, organization: String?, role: String?, language: Language) throws -> String {
        guard name != nil || organization != nil || role != nil else { throw KetteError.nothingToChange }
        let id = try Resolver.resolve(reference, as: .attendee, in: database, language: language)
        let name = try name.map { try Input.requiredText($0, field: "name") }
        try record("meeting attendee edit") { change in
            if let name { try change.set(.attendee, id, "name", .string(name)) }
            if let organization = Input.optionalText(organization) { try change.set(.attendee, id, "organization", organization) }
            if let role = Input.optionalText(role) { try change.set(.attendee, id, "role", role) }
        }
        return id
    }

    // MARK: Decisions

    public func editDecision(_ reference: String, text: String, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .decision, in: database, language: language)
        let text = try Input.requiredText(text, field: "text")
        try record("meeting decision edit") { change in try change.set(.decision, id, "text", .string(text)) }
        return id
    }

    // MARK: Action items

    /// Changes an action item's text, owner or due date (an empty due date clears it).
    public func editTask(_ reference: String, text: String?, owner: String?, due: String?, language: Language) throws -> String {
        guard text != nil || owner != nil || due != nil else { throw KetteError.nothingToChange }
        let id = try Resolver.resolve(reference, as: .task, in: database, language: language)
        let text = try text.map { try Input.requiredText($0, field: "text") }
        let owner = try owner.map { try Input.requiredText($0, field: "owner") }
        let clearsDue = due?.trimmingCharacters(in: .whitespaces).isEmpty == true
        let dueDate = clearsDue ? nil : try Input.date(due, field: "due")
        try record("task edit") { change in
            if let text { try change.set(.task, id, "text", .string(text)) }
            if let owner { try change.set(.task, id, "owner", .string(owner)) }
            if clearsDue { try change.set(.task, id, "due", .null) } else if let dueDate { try change.set(.task, id, "due", .string(dueDate)) }
        }
        return id
    }

    /// Marks an action item done, or open again.
    public func setTaskStatus(_ reference: String, to status: TaskStatus, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .task, in: database, language: language)
        try record(status == .done ? "task done" : "task reopen") { change in try change.set(.task, id, "status", .string(status.slug)) }
        return id
    }
}
