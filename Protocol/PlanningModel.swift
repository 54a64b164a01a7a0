/// The records of the planning cycle as people read them: what `--json` prints and reports use.
/// Field names are the wire field names of `RecordType.fields`; every key is always present (null
/// when unset), as for offers, so scripts can rely on the shape. `…Name` keys are the names of
/// referenced records, for people.

/// A need ("Bedarf") found in a district (or county-wide) for some life phases.
public struct Need: Hashable, Sendable {
    public var id: String
    public var description: String
    public var district: String?
    public var districtName: String?
    public var phases: [LifePhase] = []
    public var category: OfferCategory?
    public var source: String?
    public var meeting: String?
    public var found: String?
    public var status: NeedStatus = .open
    public init(id: String, description: String) { self.id = id; self.description = description }

    /// The coverage cells it names: its district with each of its phases (none without a district).
    public var cells: [CoverageCell] {
        guard let district else { return [] }
        return phases.map { CoverageCell(district: district, phase: $0) }
    }
}

/// A goal ("Ziel") a body set, with its targets.
public struct Goal: Hashable, Sendable {
    public var id: String
    public var statement: String
    public var body: String?
    public var bodyName: String?
    public var decision: String?
    public var district: String?
    public var districtName: String?
    public var phases: [LifePhase] = []
    public var targets: [Target] = []
    public init(id: String, statement: String) { self.id = id; self.statement = statement }
}

/// A target of a goal: an indicator, where it is counted, a baseline and a value due by a period.
public struct Target: Hashable, Sendable {
    public var id: String
    public var goal: String
    public var indicator: TargetIndicator?
    public var district: String?
    public var phase: LifePhase?
    /// A custom indicator's name and unit.
    public var name: String?
    public var unit: String?
    public var baseline: Int?
    public var baselinePeriod: String?
    public var targetValue: Int?
    public var due: String?
    /// The figures recorded for a custom indicator, oldest period first.
    public var figures: [TargetFigure] = []
    public init(id: String, goal: String) { self.id = id; self.goal = goal }

    /// The coverage cell it counts in, when it names both a district and a phase.
    public var cell: CoverageCell? {
        guard let district, let phase else { return nil }
        return CoverageCell(district: district, phase: phase)
    }
}

/// A figure of a custom indicator for one period.
public struct TargetFigure: Codable, Hashable, Sendable {
    public var id: String
    public var target: String
    public var period: String
    public var value: Int
    public init(id: String, target: String, period: String, value: Int) {
        self.id = id; self.target = target; self.period = period; self.value = value
    }
}

/// A measure ("Maßnahme") agreed to close gaps and meet needs and goals.
public struct Measure: Hashable, Sendable {
    public var id: String
    public var title: String
    public var description: String?
    public var district: String?
    public var districtName: String?
    public var needs: [String] = []
    /// Coverage cells, `DISTRICT:PHASE`.
    public var gaps: [String] = []
    public var goals: [String] = []
    public var organization: String?
    public var organizationName: String?
    public var owner: String?
    public var contact: String?
    public var start: String?
    public var due: String?
    public var status: MeasureStatus = .planned
    public var decision: String?
    public var task: String?
    public var notes: [MeasureNote] = []
    public init(id: String, title: String) { self.id = id; self.title = title }
}

/// A progress note on a measure.
public struct MeasureNote: Codable, Hashable, Sendable {
    public var id: String
    public var measure: String
    public var date: String?
    public var text: String
    public init(id: String, measure: String, date: String?, text: String) {
        self.id = id; self.measure = measure; self.date = date; self.text = text
    }
}

/// A network contact: a professional the coordination works with. Personal data.
public struct Contact: Hashable, Sendable {
    public var id: String
    public var name: String
    public var organization: String?
    public var organizationName: String?
    public var role: String?
    public var phone: String?
    public var email: String?
    public var consent: PublicationConsent?
    public init(id: String, name: String) { self.id = id; self.name = name }

    /// Whether the contact may be named in published documents: only with consent given.
    public var mayBePublished: Bool { consent == .given }
}

/// A member of a body: an organization, the sector it stands for, and the person who sits there.
public struct Member: Hashable, Sendable {
    public var id: String
    public var body: String
    public var organization: String?
    public var organizationName: String?
    public var sector: Sector?
    public var person: String?
    public var contact: String?
    public var role: String?
    public init(id: String, body: String) { self.id = id; self.body = body }
}

/// An agreement between partners: a cooperation agreement, rules of procedure, another.
public struct Agreement: Hashable, Sendable {
    public var id: String
    public var title: String
    public var kind: AgreementKind?
    /// The organizations that are party to it, by id, and their names.
    public var parties: [String] = []
    public var partyNames: [String] = []
    public var body: String?
    public var bodyName: String?
    public var district: String?
    public var signed: String?
    public var review: String?
    public var summary: String?
    public var reference: String?
    public init(id: String, title: String) { self.id = id; self.title = title }
}

extension KeyedEncodingContainer {
    /// Encodes every pair, null for a nil value: `--json` keeps its shape.
    package mutating func encodeEach(_ pairs: [(Key, (any Encodable)?)]) throws {
        for (key, value) in pairs {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
    }
}

extension Need: Encodable {
    enum CodingKeys: String, CodingKey { case id, description, district, districtName, phases, category, source, meeting, found, status }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.description, description), (.district, district), (.districtName, districtName), (.phases, phases),
                          (.category, category), (.source, source), (.meeting, meeting), (.found, found), (.status, status)])
    }
}

extension Goal: Encodable {
    enum CodingKeys: String, CodingKey { case id, statement, body, bodyName, decision, district, districtName, phases, targets }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.statement, statement), (.body, body), (.bodyName, bodyName), (.decision, decision), (.district, district),
                          (.districtName, districtName), (.phases, phases), (.targets, targets)])
    }
}

extension Target: Encodable {
    enum CodingKeys: String, CodingKey { case id, goal, indicator, district, phase, name, unit, baseline, baselinePeriod, targetValue, due, figures }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.goal, goal), (.indicator, indicator), (.district, district), (.phase, phase), (.name, name), (.unit, unit),
                          (.baseline, baseline), (.baselinePeriod, baselinePeriod), (.targetValue, targetValue), (.due, due), (.figures, figures)])
    }
}

extension Measure: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, description, district, districtName, needs, gaps, goals, organization, organizationName, owner, contact, start, due
        case status, decision, task, notes
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.title, title), (.description, description), (.district, district), (.districtName, districtName),
                          (.needs, needs), (.gaps, gaps), (.goals, goals), (.organization, organization), (.organizationName, organizationName),
                          (.owner, owner), (.contact, contact), (.start, start), (.due, due), (.status, status), (.decision, decision),
                          (.task, task), (.notes, notes)])
    }
}

extension MeasureNote {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.measure, measure), (.date, date), (.text, text)])
    }
}

extension Contact: Encodable {
    enum CodingKeys: String, CodingKey { case id, name, organization, organizationName, role, phone, email, consent }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.name, name), (.organization, organization), (.organizationName, organizationName), (.role, role),
                          (.phone, phone), (.email, email), (.consent, consent)])
    }
}

extension Member: Encodable {
    enum CodingKeys: String, CodingKey { case id, body, organization, organizationName, sector, person, contact, role }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.body, body), (.organization, organization), (.organizationName, organizationName), (.sector, sector),
                          (.person, person), (.contact, contact), (.role, role)])
    }
}

extension Agreement: Encodable {
    enum CodingKeys: String, CodingKey { case id, title, kind, parties, partyNames, body, bodyName, district, signed, review, summary, reference }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.id, id), (.title, title), (.kind, kind), (.parties, parties), (.partyNames, partyNames), (.body, body),
                          (.bodyName, bodyName), (.district, district), (.signed, signed), (.review, review), (.summary, summary),
                          (.reference, reference)])
    }
}
