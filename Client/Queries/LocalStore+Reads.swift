import KetteMessages
import KetteProtocol
import KetteStore

/// Filters for `offer list`; nil means any.
public struct OfferFilter: Sendable {
    public var district: String?
    public var phase: String?
    public var category: String?
    public var status: String?
    public init() {}
}

/// One line of the `offer list` table.
public struct OfferListing: Sendable, Equatable {
    public var id: String
    public var title: String
    /// The district's name, or its id when the district is not (yet) known here.
    public var district: String?
    public var category: OfferCategory?
    public var status: OfferStatus?
}

/// What `kette status` reports about the store.
public struct StoreStatus: Codable, Sendable {
    public var store: String
    public var replica: String
    public var name: String?
    public var districts: Int
    public var organizations: Int
    public var offers: Int
    public var bodies: Int
    public var meetings: Int
    public var openTasks: Int
    public var pendingChangeSets: Int
    public var pendingChanges: Int
    public var lastSuccessfulSync: String?
    public var openConflicts: Int
    public var refusedChangeSets: [RefusedChangeSet]
    /// The server this store syncs with (set by the front from `remote.json`).
    public var remote: String?
}

extension LocalStore {
    public func districts() throws -> [District] {
        try database.rows("SELECT id, name, parent FROM districts WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id").map {
            District(id: $0.string("id") ?? "", name: $0.string("name") ?? "", parent: $0.string("parent"))
        }
    }

    public func organizations() throws -> [Organization] {
        try database.rows("SELECT id, name, kind, sector, contact FROM organizations WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id").map {
            Organization(id: $0.string("id") ?? "", name: $0.string("name") ?? "", kind: $0.string("kind"),
                         sector: $0.string("sector").flatMap(Sector.init(rawValue:)), contact: $0.string("contact"))
        }
    }

    private static let offerColumns = """
        o.id, o.title, o.district, d.name AS district_name, o.phases, o.category, o.sector, o.provider, p.name AS provider_name,
        o.description, o.status, o.contact, o.location, o.cost, o.languages, o.target_groups, o.schedule, o.accessibility,
        o.start_date, o.end_date
        FROM offers o LEFT JOIN districts d ON d.id = o.district LEFT JOIN organizations p ON p.id = o.provider
        """

    private static func offer(from row: Row) -> Offer {
        var offer = Offer(id: row.string("id") ?? "", title: row.string("title") ?? "")
        offer.district = row.string("district")
        offer.districtName = row.string("district_name")
        offer.phases = FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:))
        offer.category = row.string("category").flatMap(OfferCategory.init(rawValue:))
        offer.sector = row.string("sector").flatMap(Sector.init(rawValue:))
        offer.provider = row.string("provider")
        offer.providerName = row.string("provider_name")
        offer.description = row.string("description")
        offer.status = row.string("status").flatMap(OfferStatus.init(rawValue:))
        offer.contact = row.string("contact")
        offer.location = row.string("location")
        offer.cost = row.string("cost").flatMap(Cost.init(rawValue:))
        offer.languages = FieldValue.storedList(row.string("languages"))
        offer.targetGroups = FieldValue.storedList(row.string("target_groups"))
        offer.schedule = row.string("schedule")
        offer.accessibility = row.string("accessibility")
        offer.start = row.string("start_date")
        offer.end = row.string("end_date")
        return offer
    }

    public func offers(_ filter: OfferFilter, language: Language) throws -> [Offer] {
        let (conditions, arguments) = try offerConditions(filter, language: language)
        return try database.rows("SELECT \(Self.offerColumns) WHERE \(conditions) ORDER BY o.title COLLATE NOCASE, o.id",
                                 arguments).map(Self.offer(from:))
    }

    /// What the `offer list` table shows of each offer, in the order of `offers(_:language:)`:
    /// only these columns are read (not the descriptions, not the lists held as JSON), because
    /// listing a district is an everyday command that should answer at once.
    public func offerListing(_ filter: OfferFilter, language: Language) throws -> [OfferListing] {
        let (conditions, arguments) = try offerConditions(filter, language: language)
        var listing: [OfferListing] = []
        try database.forEachRow("""
            SELECT o.id, o.title, coalesce(d.name, o.district), o.category, o.status
            FROM offers o LEFT JOIN districts d ON d.id = o.district
            WHERE \(conditions) ORDER BY o.title COLLATE NOCASE, o.id
            """, arguments) { row in
            listing.append(OfferListing(id: row.string(0) ?? "", title: row.string(1) ?? "", district: row.string(2),
                                        category: row.string(3).flatMap(OfferCategory.init(rawValue:)),
                                        status: row.string(4).flatMap(OfferStatus.init(rawValue:))))
        }
        return listing
    }

    /// The WHERE clause of an offer filter over `offers o`, with its arguments.
    private func offerConditions(_ filter: OfferFilter, language: Language) throws -> (String, [DatabaseValueConvertible?]) {
        var conditions = ["o.deleted = 0"]
        var arguments: [DatabaseValueConvertible?] = []
        if let district = filter.district {
            conditions.append("o.district = ?")
            arguments.append(try Resolver.resolve(district, as: .district, in: database, language: language))
        }
        if let phase = try Input.vocabulary(filter.phase, LifePhase.self) {
            conditions.append("EXISTS (SELECT 1 FROM json_each(o.phases) WHERE json_each.value = ?)")
            arguments.append(phase.slug)
        }
        if let category = try Input.vocabulary(filter.category, OfferCategory.self) {
            conditions.append("o.category = ?")
            arguments.append(category.slug)
        }
        if let status = try Input.vocabulary(filter.status, OfferStatus.self) {
            conditions.append("o.status = ?")
            arguments.append(status.slug)
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    public func offer(_ reference: String, language: Language) throws -> Offer {
        let id = try Resolver.resolve(reference, as: .offer, in: database, language: language)
        guard let row = try database.firstRow("SELECT \(Self.offerColumns) WHERE o.id = ?", [id]) else {
            throw KetteError.notFound(kind: FieldText.kind(.offer), reference: reference)
        }
        return Self.offer(from: row)
    }

    public func bodies() throws -> [Body] {
        try database.rows("SELECT id, name, level, district FROM bodies WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id").map {
            Body(id: $0.string("id") ?? "", name: $0.string("name") ?? "", level: $0.string("level").flatMap(BodyLevel.init(rawValue:)),
                 district: $0.string("district"))
        }
    }

    private static let meetingColumns = """
        m.id, m.body, b.name AS body_name, m.meeting_date, m.meeting_time, m.place, m.minutes, m.linked_offers
        FROM meetings m LEFT JOIN bodies b ON b.id = m.body
        """

    private static func meeting(from row: Row) -> Meeting {
        Meeting(id: row.string("id") ?? "", body: row.string("body"), bodyName: row.string("body_name"), date: row.string("meeting_date") ?? "",
                time: row.string("meeting_time"), place: row.string("place"), minutes: row.string("minutes"),
                offers: FieldValue.storedList(row.string("linked_offers")))
    }

    /// Meetings, newest first, without their minutes' parts (see `meeting(_:)`).
    public func meetings(body: String?, language: Language) throws -> [Meeting] {
        var sql = "SELECT \(Self.meetingColumns) WHERE m.deleted = 0"
        var arguments: [DatabaseValueConvertible?] = []
        if let body {
            sql += " AND m.body = ?"
            arguments.append(try Resolver.resolve(body, as: .body, in: database, language: language))
        }
        return try database.rows(sql + " ORDER BY m.meeting_date DESC, m.meeting_time DESC, m.id", arguments).map(Self.meeting(from:))
    }

    /// A meeting with its whole minutes: attendees, agenda, decisions and action items.
    public func meeting(_ reference: String, language: Language) throws -> Meeting {
        let id = try Resolver.resolve(reference, as: .meeting, in: database, language: language)
        guard let row = try database.firstRow("SELECT \(Self.meetingColumns) WHERE m.id = ?", [id]) else {
            throw KetteError.notFound(kind: FieldText.kind(.meeting), reference: reference)
        }
        var meeting = Self.meeting(from: row)
        meeting.attendees = try database.rows("SELECT id, name, organization, role FROM attendees WHERE meeting = ? AND deleted = 0 ORDER BY rowid", [id]).map {
            Attendee(id: $0.string("id") ?? "", name: $0.string("name") ?? "", organization: $0.string("organization"), role: $0.string("role"))
        }
        // TOP numbers are the places in the agenda's order (`AgendaOrder`), not the stored positions.
        let agenda = try database.rows("SELECT id, position, title, notes FROM agenda_items WHERE meeting = ? AND deleted = 0 ORDER BY \(AgendaOrder.sql)", [id])
        meeting.agenda = agenda.enumerated().map { index, row in
            AgendaItem(id: row.string("id") ?? "", position: row.int("position") ?? 0, title: row.string("title") ?? "", notes: row.string("notes"),
                       number: index + 1)
        }
        meeting.decisions = try database.rows("SELECT id, decision_text FROM decisions WHERE meeting = ? AND deleted = 0 ORDER BY rowid", [id]).map {
            Decision(id: $0.string("id") ?? "", text: $0.string("decision_text") ?? "")
        }
        meeting.tasks = try tasks(meeting: id, openOnly: false, owner: nil)
        return meeting
    }

    public func tasks(meeting: String? = nil, openOnly: Bool, owner: String?) throws -> [ActionItem] {
        var conditions = ["deleted = 0"]
        var arguments: [DatabaseValueConvertible?] = []
        if let meeting { conditions.append("meeting = ?"); arguments.append(meeting) }
        // Anything not marked done is open, a task whose status never arrived included.
        if openOnly { conditions.append("status IS NOT 'done'") }
        var rows = try database.rows("SELECT id, meeting, task_text, owner, due, status FROM tasks WHERE \(conditions.joined(separator: " AND ")) ORDER BY due IS NULL, due, rowid", arguments).map {
            ActionItem(id: $0.string("id") ?? "", meeting: $0.string("meeting") ?? "", text: $0.string("task_text") ?? "", owner: $0.string("owner"),
                       due: $0.string("due"), status: $0.string("status").flatMap(TaskStatus.init(rawValue:)) ?? .open)
        }
        if let owner {
            // Owners are free text ("Frau Öztürk, Jugendamt"): match case-insensitively, umlauts included.
            let wanted = owner.folded
            rows = rows.filter { $0.owner?.folded.contains(wanted) == true }
        }
        return rows
    }

    public func search(_ text: String, limit: Int = 20) throws -> [SearchIndex.Hit] {
        try SearchIndex.search(text, limit: limit, in: database)
    }

    public func status() throws -> StoreStatus {
        func count(_ sql: String) throws -> Int { try database.scalarInt(sql) ?? 0 }
        return StoreStatus(
            store: path, replica: replica.rawValue, name: name,
            districts: try count("SELECT count(*) FROM districts WHERE deleted = 0"),
            organizations: try count("SELECT count(*) FROM organizations WHERE deleted = 0"),
            offers: try count("SELECT count(*) FROM offers WHERE deleted = 0"),
            bodies: try count("SELECT count(*) FROM bodies WHERE deleted = 0"),
            meetings: try count("SELECT count(*) FROM meetings WHERE deleted = 0"),
            openTasks: try count("SELECT count(*) FROM tasks WHERE deleted = 0 AND status IS NOT 'done'"),
            pendingChangeSets: try Outbox.pendingCount(in: database),
            pendingChanges: try Outbox.pendingChanges(in: database),
            lastSuccessfulSync: try lastSuccessfulSync(),
            openConflicts: try count("SELECT count(*) FROM conflicts WHERE deleted = 0 AND status = 'open'"),
            refusedChangeSets: try refusedChangeSets(),
            remote: nil)
    }
}
