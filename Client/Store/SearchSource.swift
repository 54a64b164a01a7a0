import KetteProtocol
import KetteStore

/// The texts of one offer or meeting as the search sees them: what the index folds and what a
/// hit's snippet is cut from, read in one place so the two cannot disagree.
struct SearchSource {
    var rowid: Int
    var id: String
    var deleted: Bool
    var title: String
    /// The other texts, in the order a snippet is looked for: the description before the
    /// location, the minutes before their agenda items.
    var parts: [(field: String, text: String)]
    var provider: String?
    var district: String?
    var phases: [LifePhase] = []

    private static let offerSQL = """
        SELECT o.rowid AS index_rowid, o.id, o.deleted, o.title, o.description, o.location, o.contact, o.schedule,
               o.accessibility, o.target_groups, o.phases, p.name AS provider_name, d.name AS district_name
        FROM offers o LEFT JOIN organizations p ON p.id = o.provider LEFT JOIN districts d ON d.id = o.district
        """

    static func offer(_ id: String, in db: Database) throws -> SearchSource? {
        try db.firstRow(offerSQL + " WHERE o.id = ?", [id]).map(offer(from:))
    }

    static func offer(rowid: Int, in db: Database) throws -> SearchSource? {
        try db.firstRow(offerSQL + " WHERE o.rowid = ?", [rowid]).map(offer(from:))
    }

    private static func offer(from row: Row) -> SearchSource {
        var parts = ["description", "location", "contact", "schedule", "accessibility"].compactMap { field in row.string(field).map { (field, $0) } }
        let targetGroups = FieldValue.storedList(row.string("target_groups"))
        if !targetGroups.isEmpty { parts.append(("targetGroups", targetGroups.joined(separator: ", "))) }
        return SearchSource(rowid: row.int("index_rowid") ?? 0, id: row.string("id") ?? "", deleted: row.int("deleted") != 0,
                            title: row.string("title") ?? "", parts: parts, provider: row.string("provider_name"),
                            district: row.string("district_name"),
                            phases: FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:)))
    }

    private static let meetingSQL = """
        SELECT m.rowid AS index_rowid, m.id, m.deleted, b.name AS body_name, m.meeting_date, m.place, m.minutes,
               d.name AS district_name
        FROM meetings m LEFT JOIN bodies b ON b.id = m.body LEFT JOIN districts d ON d.id = b.district
        """

    static func meeting(_ id: String, in db: Database) throws -> SearchSource? {
        try db.firstRow(meetingSQL + " WHERE m.id = ?", [id]).map { try meeting(from: $0, in: db) }
    }

    static func meeting(rowid: Int, in db: Database) throws -> SearchSource? {
        try db.firstRow(meetingSQL + " WHERE m.rowid = ?", [rowid]).map { try meeting(from: $0, in: db) }
    }

    /// A meeting's title is its body's name and date; its parts are the place, the minutes and
    /// the texts of its live agenda items, decisions, action items and attendees.
    private static func meeting(from row: Row, in db: Database) throws -> SearchSource {
        let id = row.string("id") ?? ""
        var parts = ["place", "minutes"].compactMap { field in row.string(field).map { (field, $0) } }
        for item in try db.rows("SELECT title, notes FROM agenda_items WHERE meeting = ? AND deleted = 0 ORDER BY \(AgendaOrder.sql)", [id]) {
            parts += [item.string("title"), item.string("notes")].compactMap { $0.map { ("agenda", $0) } }
        }
        for (field, sql) in [("decision", "SELECT decision_text AS text FROM decisions WHERE meeting = ? AND deleted = 0 ORDER BY rowid"),
                             ("task", "SELECT task_text AS text FROM tasks WHERE meeting = ? AND deleted = 0 ORDER BY rowid"),
                             ("attendee", "SELECT name AS text FROM attendees WHERE meeting = ? AND deleted = 0 ORDER BY rowid")] {
            parts += try db.rows(sql, [id]).compactMap { $0.string("text").map { (field, $0) } }
        }
        let title = [row.string("body_name"), row.string("meeting_date")].compactMap { $0 }.joined(separator: " ")
        return SearchSource(rowid: row.int("index_rowid") ?? 0, id: id, deleted: row.int("deleted") != 0, title: title, parts: parts,
                            provider: nil, district: row.string("district_name"))
    }
}
