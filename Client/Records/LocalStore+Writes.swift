import KetteMessages
import KetteProtocol
import KetteStore

/// The actions a coordinator takes, each one change set. Input is checked before the transaction
/// opens where possible, and any failure inside it rolls back everything: bad input writes nothing.
extension LocalStore {
    // MARK: Districts and organizations

    public func addDistrict(name: String, id: String?, parent: String?, language: Language) throws -> String {
        let name = try Input.requiredText(name, field: "name")
        let id = try id.map { try Input.requiredText($0, field: "id") } ?? newID()
        return try record("district add") { change in
            if try database.scalarInt("SELECT 1 FROM districts WHERE id = ?", [id]) != nil {
                throw KetteError.malformedValue(field: FieldText.id.text, value: id, expected: InputText.expectedUnusedID.text)
            }
            let parentID = try parent.map { try Resolver.resolve($0, as: .district, in: database, language: language) }
            try change.create(.district, id, [("name", .string(name)), ("parent", parentID.map(FieldValue.string))])
            return id
        }
    }

    public func addOrganization(name: String, kind: String?, sector: String?, contact: String?, language: Language) throws -> String {
        let name = try Input.requiredText(name, field: "name")
        let sector = try Input.vocabulary(sector, Sector.self)
        let id = newID()
        return try record("org add") { change in
            try change.create(.organization, id, [("name", .string(name)), ("kind", Input.optionalText(kind)),
                                                  ("sector", sector.map { .string($0.slug) }), ("contact", Input.optionalText(contact))])
            return id
        }
    }

    // MARK: Offers

    /// Checks an offer's input and turns it into field values; references are resolved here.
    private func offerFields(_ input: OfferInput, creating: Bool, language: Language) throws -> [(String, FieldValue?)] {
        var fields: [(String, FieldValue?)] = []
        if creating || input.title != nil {
            fields.append(("title", .string(try Input.requiredText(input.title, field: "title"))))
        }
        if creating || input.district != nil {
            let reference = try Input.requiredText(input.district, field: "district")
            fields.append(("district", .string(try Resolver.resolve(reference, as: .district, in: database, language: language))))
        }
        // On edit an empty value clears an optional field, whatever its kind; on add it is the
        // same as not giving the option.
        func cleared(_ text: String?) -> Bool { text?.trimmingCharacters(in: .whitespaces).isEmpty == true }
        func given(_ text: String?) -> String? { cleared(text) ? nil : text }
        func vocabulary<V: Vocabulary>(_ name: String, _ text: String?, _ type: V.Type) throws {
            if cleared(text) { if !creating { fields.append((name, .null)) }; return }
            fields.append((name, try Input.vocabulary(text, type).map { .string($0.slug) }))
        }
        if cleared(input.phases) {
            if !creating { fields.append(("phases", .null)) }
        } else if let phases = try Input.vocabularyList(input.phases, LifePhase.self) {
            // Stored in the order of growing up, whatever order they were typed in.
            let ordered = LifePhase.allCases.filter(phases.contains)
            fields.append(("phases", .list(ordered.map(\.slug))))
        }
        try vocabulary("category", input.category, OfferCategory.self)
        try vocabulary("sector", input.sector, Sector.self)
        try vocabulary("status", input.status, OfferStatus.self)
        if creating && given(input.status) == nil { fields.append(("status", .string(OfferStatus.active.slug))) }
        try vocabulary("cost", input.cost, Cost.self)
        if let provider = input.provider {
            let trimmed = provider.trimmingCharacters(in: .whitespaces)
            fields.append(("provider", trimmed.isEmpty ? .null
                           : .string(try Resolver.resolve(trimmed, as: .organization, in: database, language: language))))
        }
        fields.append(("languages", Input.wordList(input.languages).map { .list($0.map { $0.lowercased() }) }))
        fields.append(("targetGroups", Input.wordList(input.targetGroups).map { .list($0) }))
        for (name, text) in [("start", input.start), ("end", input.end)] {
            if cleared(text) { if !creating { fields.append((name, .null)) }; continue }
            fields.append((name, try Input.date(text, field: name).map(FieldValue.string)))
        }
        for (name, text) in [("description", input.description), ("contact", input.contact), ("location", input.location),
                             ("schedule", input.schedule), ("accessibility", input.accessibility)] {
            fields.append((name, Input.optionalText(text)))
        }
        return fields
    }

    public func addOffer(_ input: OfferInput, language: Language) throws -> String {
        let fields = try offerFields(input, creating: true, language: language)
        let id = newID()
        return try record("offer add") { change in
            try change.create(.offer, id, fields)
            return id
        }
    }

    /// Changes the given fields of an offer; returns its id.
    public func editOffer(_ reference: String, _ input: OfferInput, language: Language) throws -> String {
        guard !input.isEmpty else { throw KetteError.nothingToChange }
        let id = try Resolver.resolve(reference, as: .offer, in: database, language: language)
        let fields = try offerFields(input, creating: false, language: language)
        try record("offer edit") { change in
            for (field, value) in fields { if let value { try change.set(.offer, id, field, value) } }
        }
        return id
    }

    public func deleteRecord(_ type: RecordType, _ reference: String, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: type, in: database, language: language)
        try record("\(type.rawValue) delete") { change in try change.delete(type, id) }
        return id
    }

    // MARK: Bodies, meetings and minutes

    public func addBody(name: String, level: String?, district: String?, language: Language) throws -> String {
        let name = try Input.requiredText(name, field: "name")
        guard let level = try Input.vocabulary(level ?? "", BodyLevel.self, field: "level") else {
            throw KetteError.missingValue(field: FieldText.level.text)
        }
        let districtID = try district.map { try Resolver.resolve($0, as: .district, in: database, language: language) }
        let id = newID()
        return try record("body add") { change in
            try change.create(.body, id, [("name", .string(name)), ("level", .string(level.slug)),
                                          ("district", districtID.map(FieldValue.string))])
            return id
        }
    }

    /// Parses "Name; Organization; Role" (organization and role optional).
    static func parseAttendee(_ text: String) throws -> (name: String, organization: String?, role: String?) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 3, let name = parts.first, !name.isEmpty else {
            throw KetteError.malformedValue(field: FieldText.attendee.text, value: text, expected: InputText.expectedAttendee.text)
        }
        func part(_ index: Int) -> String? { parts.count > index && !parts[index].isEmpty ? parts[index] : nil }
        return (name, part(1), part(2))
    }

    private func meetingFields(_ input: MeetingInput, creating: Bool, language: Language) throws -> [(String, FieldValue?)] {
        var fields: [(String, FieldValue?)] = []
        if creating || input.body != nil {
            let reference = try Input.requiredText(input.body, field: "body")
            fields.append(("body", .string(try Resolver.resolve(reference, as: .body, in: database, language: language))))
        }
        if creating || input.date != nil {
            let date = try Input.requiredText(input.date, field: "date")
            fields.append(("date", .string(try Input.date(date, field: "date")!)))
        }
        fields.append(("time", try Input.time(input.time, field: "time").map(FieldValue.string)))
        fields.append(("place", Input.optionalText(input.place)))
        fields.append(("minutes", input.minutes.map { $0.isEmpty ? .null : .string($0) }))
        if !input.offers.isEmpty {
            let ids = try input.offers.map { try Resolver.resolve($0, as: .offer, in: database, language: language) }
            fields.append(("offers", .list(ids)))
        }
        return fields
    }

    /// Checks a new meeting's input without writing anything (before an editor opens for its minutes).
    public func validateMeeting(_ input: MeetingInput, language: Language) throws {
        _ = try meetingFields(input, creating: true, language: language)
        _ = try attendeeFields(input, language: language)
    }

    /// The fields of the attendees a meeting's input names: typed ones, and contacts from the
    /// register (their name, organization and role as of today, and the reference).
    private func attendeeFields(_ input: MeetingInput, language: Language) throws -> [[(String, FieldValue?)]] {
        let typed = try input.attendees.map(Self.parseAttendee).map { attendee -> [(String, FieldValue?)] in
            [("name", .string(attendee.name)), ("organization", attendee.organization.map(FieldValue.string)),
             ("role", attendee.role.map(FieldValue.string))]
        }
        let registered = try input.attendeeContacts.map { reference -> [(String, FieldValue?)] in
            let contact = try contactForMinutes(reference, language: language)
            return [("name", .string(contact.name)), ("organization", contact.organization.map(FieldValue.string)),
                    ("role", contact.role.map(FieldValue.string)), ("contact", .string(contact.id))]
        }
        return typed + registered
    }

    public func addMeeting(_ input: MeetingInput, language: Language) throws -> String {
        let fields = try meetingFields(input, creating: true, language: language)
        let attendees = try attendeeFields(input, language: language)
        let id = newID()
        return try record("meeting add") { change in
            try change.create(.meeting, id, fields)
            for attendee in attendees { try change.create(.attendee, newID(), [("meeting", .string(id))] + attendee) }
            return id
        }
    }

    /// Changes a meeting's fields; attendees given are added to those already recorded.
    public func editMeeting(_ reference: String, _ input: MeetingInput, language: Language) throws -> String {
        guard !input.isEmpty else { throw KetteError.nothingToChange }
        let id = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        let fields = try meetingFields(input, creating: false, language: language)
        let attendees = try attendeeFields(input, language: language)
        try record("meeting edit") { change in
            for (field, value) in fields { if let value { try change.set(.meeting, id, field, value) } }
            for attendee in attendees { try change.create(.attendee, newID(), [("meeting", .string(id))] + attendee) }
        }
        return id
    }

    public func addAgendaItem(meeting reference: String, title: String, notes: String?, language: Language) throws -> String {
        let meeting = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        let title = try Input.requiredText(title, field: "title")
        let id = newID()
        return try record("meeting agenda") { change in
            // At the end of the agenda (`AgendaOrder`): a gap after the last item, or, when the
            // positions left none (within the protocol's bounds), every item numbered afresh.
            let items = try AgendaOrder.items(meeting: meeting, in: database)
            try change.create(.agendaItem, id, [("meeting", .string(meeting)), ("title", .string(title)), ("notes", Input.optionalText(notes))])
            for item in AgendaOrder.place(id, at: items.count, among: items) {
                try change.set(.agendaItem, item.id, "position", .integer(item.position))
            }
            return id
        }
    }

    public func addDecision(meeting reference: String, text: String, language: Language) throws -> String {
        let meeting = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        let text = try Input.requiredText(text, field: "text")
        let id = newID()
        return try record("meeting decide") { change in
            try change.create(.decision, id, [("meeting", .string(meeting)), ("text", .string(text))])
            return id
        }
    }

    // MARK: Action items

    /// Gives an action item in a meeting. Its owner is typed, or a contact from the register
    /// (`contact`: the owner's name is copied, with the reference).
    public func addTask(meeting reference: String, text: String, owner: String?, due: String?, contact: String? = nil,
                        language: Language) throws -> String {
        let meeting = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        let text = try Input.requiredText(text, field: "text")
        let registered = try contact.map { try contactForMinutes($0, language: language) }
        let owner = try Input.requiredText(owner ?? registered?.name, field: "owner")
        let due = try Input.date(due, field: "due")
        let id = newID()
        return try record("task add") { change in
            try change.create(.task, id, [("meeting", .string(meeting)), ("text", .string(text)), ("owner", .string(owner)),
                                          ("due", due.map(FieldValue.string)), ("status", .string(TaskStatus.open.slug)),
                                          ("contact", registered.map { .string($0.id) })])
            return id
        }
    }

    public func completeTask(_ reference: String, language: Language) throws -> String {
        try setTaskStatus(reference, to: .done, language: language)
    }
}
