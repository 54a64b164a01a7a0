/// The records of a prevention chain as people read them: what `--json` prints and reports use.
/// Field names are the wire field names of `RecordType.fields`; values are stable slugs.

public struct District: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var parent: String?
    public init(id: String, name: String, parent: String?) { self.id = id; self.name = name; self.parent = parent }
}

public struct Organization: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var kind: String?
    public var sector: Sector?
    public var contact: String?
    public init(id: String, name: String, kind: String?, sector: Sector?, contact: String?) {
        self.id = id; self.name = name; self.kind = kind; self.sector = sector; self.contact = contact
    }
}

/// A service offer ("Angebot") of the chain.
public struct Offer: Hashable, Sendable {
    public var id: String
    public var title: String
    public var district: String?
    public var districtName: String?
    public var phases: [LifePhase]
    public var category: OfferCategory?
    public var sector: Sector?
    public var provider: String?
    public var providerName: String?
    public var description: String?
    public var status: OfferStatus?
    public var contact: String?
    public var location: String?
    public var cost: Cost?
    public var languages: [String]
    public var targetGroups: [String]
    public var schedule: String?
    public var accessibility: String?
    public var start: String?
    public var end: String?

    public init(id: String, title: String) {
        self.id = id
        self.title = title
        self.phases = []
        self.languages = []
        self.targetGroups = []
    }
}

extension Offer: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, district, districtName, phases, category, sector, provider, providerName, description, status
        case contact, location, cost, languages, targetGroups, schedule, accessibility, start, end
    }

    /// Every key is always present (null when unset), so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(district, forKey: .district)
        try c.encode(districtName, forKey: .districtName)
        try c.encode(phases, forKey: .phases)
        try c.encode(category, forKey: .category)
        try c.encode(sector, forKey: .sector)
        try c.encode(provider, forKey: .provider)
        try c.encode(providerName, forKey: .providerName)
        try c.encode(description, forKey: .description)
        try c.encode(status, forKey: .status)
        try c.encode(contact, forKey: .contact)
        try c.encode(location, forKey: .location)
        try c.encode(cost, forKey: .cost)
        try c.encode(languages, forKey: .languages)
        try c.encode(targetGroups, forKey: .targetGroups)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(accessibility, forKey: .accessibility)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
    }
}

/// A steering or working body ("Gremium").
public struct Body: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var level: BodyLevel?
    public var district: String?
    public init(id: String, name: String, level: BodyLevel?, district: String?) {
        self.id = id; self.name = name; self.level = level; self.district = district
    }
}

public struct Attendee: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var organization: String?
    public var role: String?
    public init(id: String, name: String, organization: String?, role: String?) {
        self.id = id; self.name = name; self.organization = organization; self.role = role
    }
}

public struct AgendaItem: Codable, Hashable, Sendable {
    public var id: String
    /// The order key (SPEC §6.1); not the number people see.
    public var position: Int
    public var title: String
    public var notes: String?
    /// The TOP number: the item's place in the agenda's order, from 1.
    public var number: Int
    public init(id: String, position: Int, title: String, notes: String?, number: Int) {
        self.id = id; self.position = position; self.title = title; self.notes = notes; self.number = number
    }
}

public struct Decision: Codable, Hashable, Sendable {
    public var id: String
    public var text: String
    public init(id: String, text: String) { self.id = id; self.text = text }
}

/// An action item ("Arbeitsauftrag") given in a meeting.
public struct ActionItem: Codable, Hashable, Sendable {
    public var id: String
    public var meeting: String
    public var text: String
    public var owner: String?
    public var due: String?
    public var status: TaskStatus
    public init(id: String, meeting: String, text: String, owner: String?, due: String?, status: TaskStatus) {
        self.id = id; self.meeting = meeting; self.text = text; self.owner = owner; self.due = due; self.status = status
    }
}

/// A meeting of a body with its minutes ("Protokoll").
public struct Meeting: Codable, Hashable, Sendable {
    public var id: String
    public var body: String?
    public var bodyName: String?
    public var date: String
    public var time: String?
    public var place: String?
    public var minutes: String?
    public var offers: [String]
    public var attendees: [Attendee]
    public var agenda: [AgendaItem]
    public var decisions: [Decision]
    public var tasks: [ActionItem]
    public init(id: String, body: String?, bodyName: String?, date: String, time: String?, place: String?, minutes: String?, offers: [String]) {
        self.id = id; self.body = body; self.bodyName = bodyName; self.date = date; self.time = time
        self.place = place; self.minutes = minutes; self.offers = offers
        self.attendees = []; self.agenda = []; self.decisions = []; self.tasks = []
    }
}

// Every key is always present in `--json` (null when unset), as for offers: scripts rely on the
// shape. Synthesized encoding would leave unset optionals out.

extension District {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(parent, forKey: .parent)
    }
}

extension Organization {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(kind, forKey: .kind)
        try c.encode(sector, forKey: .sector); try c.encode(contact, forKey: .contact)
    }
}

extension Body {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(level, forKey: .level)
        try c.encode(district, forKey: .district)
    }
}

extension Attendee {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(organization, forKey: .organization)
        try c.encode(role, forKey: .role)
    }
}

extension AgendaItem {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(number, forKey: .number); try c.encode(position, forKey: .position)
        try c.encode(title, forKey: .title); try c.encode(notes, forKey: .notes)
    }
}

extension ActionItem {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(meeting, forKey: .meeting); try c.encode(text, forKey: .text)
        try c.encode(owner, forKey: .owner); try c.encode(due, forKey: .due); try c.encode(status, forKey: .status)
    }
}

extension Meeting {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(body, forKey: .body); try c.encode(bodyName, forKey: .bodyName)
        try c.encode(date, forKey: .date); try c.encode(time, forKey: .time); try c.encode(place, forKey: .place)
        try c.encode(minutes, forKey: .minutes); try c.encode(offers, forKey: .offers); try c.encode(attendees, forKey: .attendees)
        try c.encode(agenda, forKey: .agenda); try c.encode(decisions, forKey: .decisions); try c.encode(tasks, forKey: .tasks)
    }
}
