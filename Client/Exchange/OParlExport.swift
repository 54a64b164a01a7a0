import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// What `kette export oparl` needs besides the store.
public struct OParlExportOptions: Sendable {
    /// Where the files will be published; every object's id is a URL below it.
    public var baseURL: String
    /// The name of the OParl `Body`: the county or municipality whose chain this is.
    public var bodyName: String
    /// Whether attendees may appear as `Person` objects (see `oparlExport`).
    public var publicPeople: Bool

    public init(baseURL: String = OParlExportOptions.defaultBaseURL, bodyName: String = "Präventionskette", publicPeople: Bool = false) {
        self.baseURL = baseURL; self.bodyName = bodyName; self.publicPeople = publicPeople
    }

    /// A placeholder under the reserved `.invalid` domain: ids must be URLs, and an export made
    /// without saying where it goes must not pretend to live at a real address.
    public static let defaultBaseURL = "https://oparl.invalid/kette"
}

/// `kette export oparl`: the chain's bodies and meetings as OParl 1.1, the standard German council
/// information systems publish in, so a steering group's meetings can sit beside the council's.
///
/// - `body.json`: one OParl `Body` for the whole chain, pointing at the lists below.
/// - `organizations.json`: bodies ("Gremien") as `Organization` (organizationType "Gremium"), and
///   the organizations that sit in them as "Institution".
/// - `meetings.json`: meetings as `Meeting` with their `AgendaItem`s and place.
/// - `memberships.json`: an organization's seat in a body as `Membership` (`onBehalfOf` the
///   organization), with the `person` who sits there when they consented and `publicPeople` is given.
/// - `persons.json`: only with `publicPeople`, otherwise empty: body members and attendees from
///   the contact register who consented to publication, and attendees typed by name.
/// - `papers.json`: empty; a `Body` must point at a paper list, and the chain keeps no papers.
///
/// Each list is one OParl list page (`data`, `pagination`, `links`), so the directory can be
/// published as it is. Deleted bodies, meetings, memberships and organizations stay in the lists
/// as `deleted: true` with nothing but their id, type and time, so consumers remove their copies.
///
/// Names are personal data (GDPR/DSGVO), so people are exported only when the one exporting says
/// they may be (`publicPeople`), and then only as far as consent reaches. A contact of the
/// register (`kette contact`) says it: one who consented (`--consent given`) is a `Person` (named
/// after the contact, so their memberships and attendances are one person); one who did not, or
/// was deleted, is a deleted `Person` with no name, so consumers drop what an earlier export
/// published. A member who is no contact is exported without a person. An attendee typed by name
/// is published on the word of the one exporting, as before the register: every such attendee of
/// a meeting that is not deleted becomes a `Person`, and names only found on deleted attendance
/// records become deleted `Person`s, so a name erased here is erased by consumers too. Nothing else
/// of a contact (phone, e-mail, role) leaves the store.
/// (An attendance record deleted by itself keeps no name — deletion empties it, SPEC §8.6 — so its
/// person is no longer listed at all; attendees of a deleted meeting keep theirs.)
/// Minutes, agenda notes, decisions and action items stay internal: OParl could carry them only as
/// published documents (`File`), which is a decision for people, not for an export.
extension LocalStore {
    public func oparlExport(_ options: OParlExportOptions) throws -> [ExportFile] {
        let base = try OParl.validatedBase(options.baseURL)
        let reader = OParlReader(database: database, url: OParl.URLs(base: base), times: try OParl.RecordTimes(in: database))
        var people = try reader.people(salt: replica.rawValue, public: options.publicPeople)
        let seats = try reader.memberships(people: &people)
        let organizations = try reader.bodies(seats: seats) + (try reader.institutions(seated: seats.organizations))
        let meetings = try reader.meetings(agenda: try reader.agenda(), people: people)
        var body = OParl.Body(id: reader.url.body, type: OParl.type("Body"), name: options.bodyName)
        body.organization = reader.url.list("organizations")
        body.person = reader.url.list("persons")
        body.meeting = reader.url.list("meetings")
        body.paper = reader.url.list("papers")
        body.membership = reader.url.list("memberships")
        body.classification = "Präventionskette"

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func list<Item: Encodable>(_ name: String, _ items: [Item]) throws -> ExportFile {
            ExportFile(name: "\(name).json", data: try encoder.encode(OParl.ListPage(data: items)) + Data("\n".utf8), records: items.count)
        }
        return [
            ExportFile(name: "body.json", data: try encoder.encode(body) + Data("\n".utf8), records: 1),
            try list("organizations", organizations),
            try list("meetings", meetings),
            try list("memberships", seats.memberships),
            try list("persons", people.persons()),
            try list("papers", [String]()),  // no papers: the list exists because a Body must name one
        ]
    }
}

/// Reads the store's records into OParl objects, list by list, for one export.
private struct OParlReader {
    let database: Database
    let url: OParl.URLs
    let times: OParl.RecordTimes

    /// Organizations' seats in bodies.
    struct Seats {
        var memberships: [OParl.Membership] = []
        /// Membership URLs per body id.
        var byBody: [String: [String]] = [:]
        /// The ids of organizations with a live seat: only those are exported as institutions.
        var organizations: Set<String> = []
    }

    /// Seats, each with its person when `people` may publish them (a contact who consented).
    func memberships(people: inout OParl.People) throws -> Seats {
        var seats = Seats()
        for row in try database.rows("SELECT id, body, organization, role, contact, deleted FROM members ORDER BY body, rowid") {
            guard let id = row.string("id") else { continue }
            if row.int("deleted") != 0 {
                seats.memberships.append(.init(tombstone: url.object("membership", id), times.of(.member, id)))
                if let contact = row.string("contact") { people.noteUse(ofContact: contact, live: false) }
                continue
            }
            var membership = OParl.Membership(id: url.object("membership", id), type: OParl.type("Membership"))
            membership.organization = row.string("body").map { url.object("organization", $0) }
            membership.onBehalfOf = row.string("organization").map { url.object("organization", $0) }
            membership.role = row.string("role")
            membership.person = row.string("contact").flatMap { people.noteUse(ofContact: $0, live: true) }
            membership.created = times.of(.member, id).created
            membership.modified = times.of(.member, id).modified
            seats.memberships.append(membership)
            if let body = row.string("body") { seats.byBody[body, default: []].append(membership.id) }
            if let organization = row.string("organization") { seats.organizations.insert(organization) }
        }
        return seats
    }

    /// Bodies ("Gremien") as organizations of type "Gremium", keyed by their district's name.
    func bodies(seats: Seats) throws -> [OParl.Organization] {
        var districtNames: [String: String] = [:]
        for row in try database.rows("SELECT id, name FROM districts WHERE deleted = 0") {
            if let id = row.string("id"), let name = row.string("name") { districtNames[id] = name }
        }
        var organizations: [OParl.Organization] = []
        for row in try database.rows("SELECT id, name, level, district, deleted FROM bodies ORDER BY name COLLATE NOCASE, id") {
            guard let id = row.string("id") else { continue }
            if row.int("deleted") != 0 {
                organizations.append(.init(tombstone: url.object("organization", id), times.of(.body, id)))
                continue
            }
            var organization = OParl.Organization(id: url.object("organization", id), type: OParl.type("Organization"))
            organization.body = url.body
            organization.name = row.string("name")
            organization.organizationType = "Gremium"
            organization.classification = row.string("level").flatMap(BodyLevel.init(rawValue:))?.germanLabel
            organization.membership = seats.byBody[id]
            organization.keyword = row.string("district").flatMap { districtNames[$0] }.map { [$0] }
            organization.created = times.of(.body, id).created
            organization.modified = times.of(.body, id).modified
            organizations.append(organization)
        }
        return organizations
    }

    /// The organizations that sit in bodies, as organizations of type "Institution".
    func institutions(seated: Set<String>) throws -> [OParl.Organization] {
        var organizations: [OParl.Organization] = []
        for row in try database.rows("SELECT id, name, kind, deleted FROM organizations ORDER BY name COLLATE NOCASE, id") {
            guard let id = row.string("id"), seated.contains(id) else { continue }
            if row.int("deleted") != 0 {
                organizations.append(.init(tombstone: url.object("organization", id), times.of(.organization, id)))
                continue
            }
            var organization = OParl.Organization(id: url.object("organization", id), type: OParl.type("Organization"))
            organization.body = url.body
            organization.name = row.string("name")
            organization.organizationType = "Institution"
            organization.classification = row.string("kind")
            organization.created = times.of(.organization, id).created
            organization.modified = times.of(.organization, id).modified
            organizations.append(organization)
        }
        return organizations
    }

    /// Agenda items per meeting id, in their order.
    func agenda() throws -> [String: [OParl.AgendaItem]] {
        var agenda: [String: [OParl.AgendaItem]] = [:]
        for row in try database.rows("SELECT meeting, id, title FROM agenda_items WHERE deleted = 0 ORDER BY meeting, \(AgendaOrder.sql)") {
            guard let meeting = row.string("meeting"), let id = row.string("id") else { continue }
            let order = agenda[meeting]?.count ?? 0
            var item = OParl.AgendaItem(id: url.object("agendaitem", id), type: OParl.type("AgendaItem"), order: order)
            item.number = String(order + 1)  // the TOP number as `meeting show` prints it
            item.name = row.string("title")
            item.created = times.of(.agendaItem, id).created
            item.modified = times.of(.agendaItem, id).modified
            agenda[meeting, default: []].append(item)
        }
        return agenda
    }

    /// Who attended which meeting, and which contacts may be named, only when people may be
    /// published (see `oparlExport`).
    func people(salt: String, public publicPeople: Bool) throws -> OParl.People {
        var people = OParl.People(salt: salt, url: url)
        guard publicPeople else { return people }
        for row in try database.rows("SELECT id, name, consent, deleted FROM contacts ORDER BY rowid") {
            guard let id = row.string("id") else { continue }
            let consented = row.int("deleted") == 0 && row.string("consent") == PublicationConsent.given.slug
            people.noteContact(id, name: consented ? row.string("name") : nil)
        }
        for row in try database.rows("""
            SELECT a.meeting, a.name, a.contact, a.deleted OR coalesce(m.deleted, 1) AS gone FROM attendees a LEFT JOIN meetings m ON m.id = a.meeting
            ORDER BY a.rowid
            """) {
            guard let meeting = row.string("meeting") else { continue }
            if let contact = row.string("contact") {
                people.noteAttendance(ofContact: contact, meeting: meeting, attended: row.int("gone") == 0)
            } else if let name = row.string("name") {
                people.note(name, meeting: meeting, attended: row.int("gone") == 0)
            }
        }
        return people
    }

    func meetings(agenda: [String: [OParl.AgendaItem]], people: OParl.People) throws -> [OParl.Meeting] {
        var meetings: [OParl.Meeting] = []
        for row in try database.rows("""
            SELECT m.id, m.body, b.name AS body_name, m.meeting_date, m.meeting_time, m.place, m.deleted
            FROM meetings m LEFT JOIN bodies b ON b.id = m.body ORDER BY m.meeting_date, m.meeting_time, m.id
            """) {
            guard let id = row.string("id") else { continue }
            if row.int("deleted") != 0 {
                meetings.append(.init(tombstone: url.object("meeting", id), times.of(.meeting, id)))
                continue
            }
            var meeting = OParl.Meeting(id: url.object("meeting", id), type: OParl.type("Meeting"))
            let date = row.string("meeting_date") ?? ""
            meeting.name = OParl.meetingName(body: row.string("body_name"), date: date)
            meeting.start = OParl.GermanTime.dateTime(date: date, time: row.string("meeting_time"))
            meeting.location = row.string("place").map {
                OParl.Location(id: url.object("location", id), type: OParl.type("Location"), description: $0)
            }
            meeting.organization = row.string("body").map { [url.object("organization", $0)] }
            meeting.participant = people.participants(of: id)
            meeting.agendaItem = agenda[id]
            meeting.created = times.of(.meeting, id).created
            meeting.modified = times.of(.meeting, id).modified
            meetings.append(meeting)
        }
        return meetings
    }
}

/// OParl 1.1 objects with the properties Kette fills. Unset properties are left out: the schemas
/// allow no nulls.
enum OParl {
    static func type(_ name: String) -> String { "https://schema.oparl.org/1.1/\(name)" }

    /// The base without a trailing slash, or an error when it is no absolute http(s) URL.
    static func validatedBase(_ text: String) throws -> String {
        var base = text.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", components.host?.isEmpty == false,
              components.query == nil, components.fragment == nil
        else { throw ExchangeError.invalidBaseURL(text) }
        return base
    }

    /// "Steuerungsgruppe Präventionskette, Sitzung am 14.03.2026": OParl meetings are named.
    static func meetingName(body: String?, date: String) -> String {
        let parts = date.split(separator: "-")
        let day = parts.count == 3 ? "\(parts[2]).\(parts[1]).\(parts[0])" : date
        return [body, "Sitzung am \(day)"].compactMap { $0 }.joined(separator: ", ")
    }

    struct URLs {
        let base: String
        var body: String { "\(base)/body" }
        func list(_ name: String) -> String { "\(base)/\(name).json" }
        func object(_ kind: String, _ id: String) -> String {
            "\(base)/\(kind)/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id)"
        }
    }

    /// When each record was first and last written, as far as this replica knows: the earliest and
    /// latest field version (hybrid clock time, whose first part is milliseconds since 1970).
    struct RecordTimes {
        private var times: [String: (created: String, modified: String)] = [:]

        init(in db: Database) throws {
            func text(_ hlc: String?) -> String? {
                guard let hlc, let millis = Int64(hlc.prefix(15)) else { return nil }
                return LocalFormat.isoTimestamp(milliseconds: millis)
            }
            // First and newest write times: the timestamps' millisecond part, not a merge decision.
            for row in try db.rows("""
                SELECT record_type, record_id, min(substr(hlc, 1, 15)) AS first, max(substr(hlc, 1, 15)) AS last FROM field_versions
                WHERE record_type IN ('body', 'member', 'organization', 'meeting', 'agenda-item') GROUP BY record_type, record_id
                """) {
                guard let type = row.string("record_type"), let id = row.string("record_id"), let created = text(row.string("first")),
                      let modified = text(row.string("last")) else { continue }
                times["\(type)/\(id)"] = (created, modified)
            }
        }

        func of(_ type: RecordType, _ id: String) -> (created: String?, modified: String?) {
            let known = times["\(type.rawValue)/\(id)"]
            return (known?.created, known?.modified)
        }
    }

    /// Meetings take place in Germany, and OParl wants their start with its UTC offset; the EU
    /// rule is computed here rather than read from the system's time zone data, which slim
    /// Debian images do not ship.
    enum GermanTime {
        /// "2026-03-14T09:30:00+01:00"; a meeting without a time starts at midnight.
        static func dateTime(date: String, time: String?) -> String? {
            let parts = date.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { return nil }
            let clock = time ?? "00:00"
            let hour = Int(clock.prefix(2)) ?? 0
            let summer = isSummerTime(year: parts[0], month: parts[1], day: parts[2], hour: hour)
            return "\(date)T\(clock):00\(summer ? "+02:00" : "+01:00")"
        }

        /// Central European Summer Time: from 02:00 on the last Sunday of March to 03:00 on the last
        /// Sunday of October (local time), as in the EU since 1996.
        static func isSummerTime(year: Int, month: Int, day: Int, hour: Int) -> Bool {
            switch month {
            case 4...9: return true
            case 3:
                let change = lastSunday(year: year, month: 3)
                return day > change || (day == change && hour >= 2)
            case 10:
                let change = lastSunday(year: year, month: 10)
                return day < change || (day == change && hour < 3)
            default: return false
            }
        }

        /// The day of the month of the last Sunday in March or October (both have 31 days).
        static func lastSunday(year: Int, month: Int) -> Int {
            31 - (weekday(year: year, month: month, day: 31) + 7) % 7
        }

        /// 0 for Sunday … 6 for Saturday (Sakamoto's method).
        static func weekday(year: Int, month: Int, day: Int) -> Int {
            let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
            let y = month < 3 ? year - 1 : year
            return (y + y / 4 - y / 100 + y / 400 + offsets[month - 1] + day) % 7
        }
    }

    /// Attendees as OParl people: one `Person` per name (folded, so "Ali Öztürk" in two meetings
    /// is one person), with an id derived from the name and this store's replica id. The salt keeps
    /// the id from being a plain function of the name that anyone could compute and look up.
    struct People {
        let salt: String
        let url: URLs
        private var names: [String: String] = [:]  // folded → as first written
        private var order: [String] = []
        private var attended: [String: [String]] = [:]  // meeting → person URLs
        private var present: Set<String> = []
        /// Contacts of the register by id: their name when they may be published, else nil.
        private var contacts: [String: String?] = [:]
        /// Contacts a membership or attendance refers to, in order, and whether a live one does.
        private var contactsInUse: [String] = []
        private var liveUse: Set<String> = []

        init(salt: String, url: URLs) { self.salt = salt; self.url = url }

        /// A contact's person: named after the contact's id, not its name, so an erased or changed
        /// name keeps the person.
        func contactURL(_ id: String) -> String {
            url.object("person", NameBasedID.uuid("oparl/contact/\(salt)/\(id)"))
        }

        mutating func noteContact(_ id: String, name: String?) {
            contacts[id] = .some(name)
        }

        /// Notes that a membership or attendance (`live`: not deleted) refers to a contact, and
        /// returns the contact's person when it may be published and the use is live.
        @discardableResult
        mutating func noteUse(ofContact id: String, live: Bool) -> String? {
            guard contacts[id] != nil else { return nil }  // not listed: people are not published
            if !contactsInUse.contains(id) { contactsInUse.append(id) }
            guard live, case .some(.some) = contacts[id] else { return nil }
            liveUse.insert(id)
            return contactURL(id)
        }

        mutating func noteAttendance(ofContact id: String, meeting: String, attended isAttendance: Bool) {
            guard let person = noteUse(ofContact: id, live: isAttendance) else { return }
            if attended[meeting]?.contains(person) != true { attended[meeting, default: []].append(person) }
        }

        func personURL(_ folded: String) -> String {
            url.object("person", NameBasedID.uuid("oparl/person/\(salt)/\(folded)"))
        }

        mutating func note(_ name: String, meeting: String, attended isAttendance: Bool) {
            let folded = name.trimmingCharacters(in: .whitespaces).folded
            if names[folded] == nil { names[folded] = name; order.append(folded) }
            guard isAttendance else { return }
            present.insert(folded)
            let person = personURL(folded)
            if attended[meeting]?.contains(person) != true { attended[meeting, default: []].append(person) }
        }

        func participants(of meeting: String) -> [String]? { attended[meeting] }

        func persons() -> [Person] {
            let typed = order.map { folded in
                guard present.contains(folded) else { return Person(tombstone: personURL(folded)) }
                var person = Person(id: personURL(folded), type: OParl.type("Person"))
                person.body = url.body
                person.name = names[folded]
                return person
            }
            // A contact no live membership or attendance names, who withheld consent or was deleted,
            // is a deleted person: consumers drop what an earlier export published.
            let registered = contactsInUse.map { id -> Person in
                guard liveUse.contains(id), case .some(.some(let name)) = contacts[id] else { return Person(tombstone: contactURL(id)) }
                var person = Person(id: contactURL(id), type: OParl.type("Person"))
                person.body = url.body
                person.name = name
                return person
            }
            return typed + registered
        }
    }

    struct ListPage<Item: Encodable>: Encodable {
        struct Pagination: Encodable {
            var totalElements: Int
            var elementsPerPage: Int
            var currentPage = 1
            var totalPages = 1
        }
        struct Links: Encodable {}
        var data: [Item]
        var pagination: Pagination
        var links = Links()
        init(data: [Item]) {
            self.data = data
            pagination = Pagination(totalElements: data.count, elementsPerPage: max(data.count, 1))
        }
    }

    struct Body: Encodable {
        var id: String
        var type: String
        var name: String
        var classification: String?
        var organization: String?
        var person: String?
        var meeting: String?
        var paper: String?
        var membership: String?
        var legislativeTerm: [String] = []
    }

    struct Organization: Encodable {
        var id: String
        var type: String
        var body: String?
        var name: String?
        var organizationType: String?
        var classification: String?
        var membership: [String]?
        var keyword: [String]?
        var created: String?
        var modified: String?
        var deleted: Bool?
        init(id: String, type: String) { self.id = id; self.type = type }
        init(tombstone id: String, _ times: (created: String?, modified: String?)) {
            self.init(id: id, type: OParl.type("Organization"))
            deleted = true; created = times.created; modified = times.modified
        }
    }

    struct Membership: Encodable {
        var id: String
        var type: String
        var organization: String?
        var onBehalfOf: String?
        var person: String?
        var role: String?
        var created: String?
        var modified: String?
        var deleted: Bool?
        init(id: String, type: String) { self.id = id; self.type = type }
        init(tombstone id: String, _ times: (created: String?, modified: String?)) {
            self.init(id: id, type: OParl.type("Membership"))
            deleted = true; created = times.created; modified = times.modified
        }
    }

    struct Location: Encodable {
        var id: String
        var type: String
        var description: String
    }

    struct AgendaItem: Encodable {
        var id: String
        var type: String
        var order: Int
        var number: String?
        var name: String?
        var created: String?
        var modified: String?
    }

    struct Meeting: Encodable {
        var id: String
        var type: String
        var name: String?
        var start: String?
        var location: Location?
        var organization: [String]?
        var participant: [String]?
        var agendaItem: [AgendaItem]?
        var created: String?
        var modified: String?
        var deleted: Bool?
        init(id: String, type: String) { self.id = id; self.type = type }
        init(tombstone id: String, _ times: (created: String?, modified: String?)) {
            self.init(id: id, type: OParl.type("Meeting"))
            deleted = true; created = times.created; modified = times.modified
        }
    }

    struct Person: Encodable {
        var id: String
        var type: String
        var body: String?
        var name: String?
        var deleted: Bool?
        init(id: String, type: String) { self.id = id; self.type = type }
        init(tombstone id: String) {
            self.init(id: id, type: OParl.type("Person"))
            deleted = true
        }
    }
}
