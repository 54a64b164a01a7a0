import KetteMessages
import KetteProtocol
import KetteStore

/// Filters for the planning lists; nil means any.
public struct PlanningFilter: Sendable {
    public var district: String?
    public var phase: String?
    public var status: String?
    /// One record, by id (`need(_:)`, `goal(_:)`, …).
    var id: String?
    public init() {}
    init(id: String) { self.id = id }
}

/// Reading needs, goals, measures, contacts, members and agreements as people see them.
extension LocalStore {
    // MARK: Needs

    public func needs(_ filter: PlanningFilter = PlanningFilter(), language: Language) throws -> [Need] {
        var (conditions, arguments) = try planningConditions(filter, table: "n", status: NeedStatus.self, language: language)
        if let phase = try Input.vocabulary(filter.phase, LifePhase.self) {
            conditions.append("EXISTS (SELECT 1 FROM json_each(n.phases) WHERE json_each.value = ?)")
            arguments.append(phase.slug)
        }
        return try database.rows("""
            SELECT n.*, d.name AS district_name FROM needs n LEFT JOIN districts d ON d.id = n.district
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY n.found DESC, n.id
            """, arguments).map(Self.need(from:))
    }

    public func need(_ reference: String, language: Language) throws -> Need {
        try single(.need, reference, language: language) { try needs(PlanningFilter(id: $0), language: language) }
    }

    private static func need(from row: Row) -> Need {
        var need = Need(id: row.string("id") ?? "", description: row.string("description") ?? "")
        need.district = row.string("district")
        need.districtName = row.string("district_name")
        need.phases = FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:))
        need.category = row.string("category").flatMap(OfferCategory.init(rawValue:))
        need.source = row.string("source")
        need.meeting = row.string("meeting")
        need.found = row.string("found")
        need.status = row.string("status").flatMap(NeedStatus.init(rawValue:)) ?? .open
        return need
    }

    // MARK: Goals

    /// Goals with their targets (and a custom indicator's figures).
    public func goals(_ filter: PlanningFilter = PlanningFilter(), language: Language) throws -> [Goal] {
        let (conditions, arguments) = try planningConditions(filter, table: "g", status: Optional<NeedStatus.Type>.none, language: language)
        return try database.rows("""
            SELECT g.*, b.name AS body_name, d.name AS district_name FROM goals g LEFT JOIN bodies b ON b.id = g.body
            LEFT JOIN districts d ON d.id = g.district WHERE \(conditions.joined(separator: " AND ")) ORDER BY g.statement COLLATE NOCASE, g.id
            """, arguments).map(goal(from:))
    }

    public func goal(_ reference: String, language: Language) throws -> Goal {
        try single(.goal, reference, language: language) { try goals(PlanningFilter(id: $0), language: language) }
    }

    private func goal(from row: Row) throws -> Goal {
        var goal = Goal(id: row.string("id") ?? "", statement: row.string("statement") ?? "")
        goal.body = row.string("body")
        goal.bodyName = row.string("body_name")
        goal.decision = row.string("decision")
        goal.district = row.string("district")
        goal.districtName = row.string("district_name")
        goal.phases = FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:))
        goal.targets = try targets(goal: goal.id)
        return goal
    }

    func targets(goal: String) throws -> [Target] {
        try database.rows("SELECT * FROM targets WHERE goal = ? AND deleted = 0 ORDER BY rowid", [goal]).map { row in
            var target = Target(id: row.string("id") ?? "", goal: goal)
            target.indicator = row.string("indicator").flatMap(TargetIndicator.init(rawValue:))
            target.district = row.string("district")
            target.phase = row.string("phase").flatMap(LifePhase.init(rawValue:))
            target.name = row.string("name")
            target.unit = row.string("unit")
            target.baseline = row.int("baseline")
            target.baselinePeriod = row.string("baseline_period")
            target.targetValue = row.int("target_value")
            target.due = row.string("due")
            target.figures = try database.rows("SELECT id, period, value FROM target_figures WHERE target = ? AND deleted = 0", [target.id])
                .map { TargetFigure(id: $0.string("id") ?? "", target: target.id, period: $0.string("period") ?? "", value: $0.int("value") ?? 0) }
                .sorted { lhs, rhs in
                    // Periods in time order; a text no period reads as (an older server's) last.
                    switch (ReportingPeriod(exactly: lhs.period), ReportingPeriod(exactly: rhs.period)) {
                    case (let l?, let r?): l < r
                    case (nil, nil): lhs.period < rhs.period
                    case (let l, _): l != nil
                    }
                }
            return target
        }
    }

    // MARK: Measures

    /// Measures, soonest due first, with their progress notes.
    public func measures(_ filter: PlanningFilter = PlanningFilter(), language: Language) throws -> [Measure] {
        let (conditions, arguments) = try planningConditions(filter, table: "m", status: MeasureStatus.self, language: language)
        return try database.rows("""
            SELECT m.*, d.name AS district_name, o.name AS organization_name FROM measures m LEFT JOIN districts d ON d.id = m.district
            LEFT JOIN organizations o ON o.id = m.organization WHERE \(conditions.joined(separator: " AND "))
            ORDER BY m.due IS NULL, m.due, m.title COLLATE NOCASE, m.id
            """, arguments).map(measure(from:))
    }

    public func measure(_ reference: String, language: Language) throws -> Measure {
        try single(.measure, reference, language: language) { try measures(PlanningFilter(id: $0), language: language) }
    }

    private func measure(from row: Row) throws -> Measure {
        var measure = Measure(id: row.string("id") ?? "", title: row.string("title") ?? "")
        measure.description = row.string("description")
        measure.district = row.string("district")
        measure.districtName = row.string("district_name")
        measure.needs = FieldValue.storedList(row.string("needs"))
        measure.gaps = FieldValue.storedList(row.string("gaps"))
        measure.goals = FieldValue.storedList(row.string("goals"))
        measure.organization = row.string("organization")
        measure.organizationName = row.string("organization_name")
        measure.owner = row.string("owner")
        measure.contact = row.string("contact")
        measure.start = row.string("start_date")
        measure.due = row.string("due")
        measure.status = row.string("status").flatMap(MeasureStatus.init(rawValue:)) ?? .planned
        measure.decision = row.string("decision")
        measure.task = row.string("task")
        measure.notes = try database.rows("SELECT id, note_date, note_text FROM measure_notes WHERE measure = ? AND deleted = 0 ORDER BY note_date, rowid",
                                          [measure.id]).map {
            MeasureNote(id: $0.string("id") ?? "", measure: measure.id, date: $0.string("note_date"), text: $0.string("note_text") ?? "")
        }
        return measure
    }

    // MARK: Contacts and members

    public func contacts() throws -> [Contact] {
        try contacts(id: nil)
    }

    private func contacts(id: String?) throws -> [Contact] {
        try database.rows("""
            SELECT c.*, o.name AS organization_name FROM contacts c LEFT JOIN organizations o ON o.id = c.organization
            WHERE c.deleted = 0 AND (?1 IS NULL OR c.id = ?1) ORDER BY c.name COLLATE NOCASE, c.id
            """, [id]).map(Self.contact(from:))
    }

    public func contact(_ reference: String, language: Language) throws -> Contact {
        try single(.contact, reference, language: language) { try contacts(id: $0) }
    }

    private static func contact(from row: Row) -> Contact {
        var contact = Contact(id: row.string("id") ?? "", name: row.string("name") ?? "")
        contact.organization = row.string("organization")
        contact.organizationName = row.string("organization_name")
        contact.role = row.string("role")
        contact.phone = row.string("phone")
        contact.email = row.string("email")
        contact.consent = row.string("consent").flatMap(PublicationConsent.init(rawValue:))
        return contact
    }

    /// A body's members (all bodies' when nil), by sector and organization.
    public func members(body: String?) throws -> [Member] {
        try database.rows("""
            SELECT m.*, o.name AS organization_name FROM members m LEFT JOIN organizations o ON o.id = m.organization
            WHERE m.deleted = 0 AND (?1 IS NULL OR m.body = ?1) ORDER BY m.body, m.sector, o.name COLLATE NOCASE, m.id
            """, [body]).map { row in
            var member = Member(id: row.string("id") ?? "", body: row.string("body") ?? "")
            member.organization = row.string("organization")
            member.organizationName = row.string("organization_name")
            member.sector = row.string("sector").flatMap(Sector.init(rawValue:))
            member.person = row.string("person")
            member.contact = row.string("contact")
            member.role = row.string("role")
            return member
        }
    }

    // MARK: Agreements

    /// Agreements, soonest review first.
    public func agreements() throws -> [Agreement] {
        let names = Dictionary(try organizations().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return try database.rows("""
            SELECT a.*, b.name AS body_name FROM agreements a LEFT JOIN bodies b ON b.id = a.body
            WHERE a.deleted = 0 ORDER BY a.review IS NULL, a.review, a.title COLLATE NOCASE, a.id
            """).map { row in
            var agreement = Agreement(id: row.string("id") ?? "", title: row.string("title") ?? "")
            agreement.kind = row.string("kind").flatMap(AgreementKind.init(rawValue:))
            agreement.parties = FieldValue.storedList(row.string("parties"))
            agreement.partyNames = agreement.parties.map { names[$0] ?? $0 }
            agreement.body = row.string("body")
            agreement.bodyName = row.string("body_name")
            agreement.district = row.string("district")
            agreement.signed = row.string("signed")
            agreement.review = row.string("review")
            agreement.summary = row.string("summary")
            agreement.reference = row.string("reference")
            return agreement
        }
    }

    public func agreement(_ reference: String, language: Language) throws -> Agreement {
        try single(.agreement, reference, language: language) { id in try agreements().filter { $0.id == id } }
    }

    // MARK: Filters

    /// The record a person means, read with the query that lists its kind.
    private func single<T>(_ type: RecordType, _ reference: String, language: Language, _ read: (String) throws -> [T]) throws -> T {
        let id = try Resolver.resolve(reference, as: type, in: database, language: language)
        guard let record = try read(id).first else { throw KetteError.notFound(kind: FieldText.kind(type), reference: reference) }
        return record
    }

    /// The SQL conditions of a planning filter on `table` (alias): live records, a district, a status.
    private func planningConditions<S: Vocabulary>(_ filter: PlanningFilter, table: String, status: S.Type?,
                                                   language: Language) throws -> ([String], [DatabaseValueConvertible?]) {
        var conditions = ["\(table).deleted = 0"]
        var arguments: [DatabaseValueConvertible?] = []
        if let id = filter.id {
            conditions.append("\(table).id = ?")
            arguments.append(id)
        }
        if let district = filter.district {
            conditions.append("\(table).district = ?")
            arguments.append(try Resolver.resolve(district, as: .district, in: database, language: language))
        }
        if let status, let value = try Input.vocabulary(filter.status, status) {
            conditions.append("\(table).status = ?")
            arguments.append(value.slug)
        }
        return (conditions, arguments)
    }
}

/// A body with its members and the sectors they stand for: `kette body show`.
public struct BodyOverview: Encodable, Sendable {
    public var body: Body
    public var members: [Member]
    /// The sectors its members stand for, in the order of `Sector`.
    public var sectorsRepresented: [Sector]
    /// The sectors a steering group brings together (`Sector.steeringGroupSectors`) that no member stands for.
    public var sectorsMissing: [Sector]
}

extension LocalStore {
    public func bodyOverview(_ reference: String, language: Language) throws -> BodyOverview {
        let id = try Resolver.resolve(reference, as: .body, in: database, language: language)
        guard let body = try bodies().first(where: { $0.id == id }) else {
            throw KetteError.notFound(kind: FieldText.kind(.body), reference: reference)
        }
        let members = try members(body: id)
        let represented = Set(members.compactMap(\.sector))
        return BodyOverview(body: body, members: members, sectorsRepresented: Sector.allCases.filter(represented.contains),
                            sectorsMissing: Sector.steeringGroupSectors.filter { !represented.contains($0) })
    }
}
