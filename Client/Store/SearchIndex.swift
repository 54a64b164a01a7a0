import KetteProtocol
import KetteStore

/// Full-text search over offers and minutes (SQLite FTS5), ranked by bm25.
public enum SearchIndex {
    public struct Hit: Codable, Hashable, Sendable {
        /// `offer` or `meeting`.
        public var kind: String
        public var id: String
        public var title: String
        public var snippet: String
        public var rank: Double
    }

    /// Offers and meetings whose search text must be rebuilt, collected over several writes.
    struct Affected {
        var offers = Set<String>()
        var meetings = Set<String>()

        mutating func formUnion(_ records: (offers: Set<String>, meetings: Set<String>)) {
            offers.formUnion(records.offers)
            meetings.formUnion(records.meetings)
        }
    }

    /// The offers and meetings whose search text a write to `(type, id)` changes.
    static func affectedRecords(type: RecordType, id: String, in db: Database) throws -> (offers: Set<String>, meetings: Set<String>) {
        switch type {
        case .offer: return ([id], [])
        case .meeting: return ([], [id])
        case .attendee, .agendaItem, .decision, .task:
            let meeting = try db.scalarString("SELECT meeting FROM \(type.table) WHERE id = ?", [id])
            return ([], meeting.map { [$0] } ?? [])
        case .body:
            // A body's name is part of its meetings' search text.
            return ([], Set(try db.rows("SELECT id FROM meetings WHERE body = ?", [id]).compactMap { $0.string("id") }))
        case .district, .organization, .indicator, .member, .conflict:
            return ([], [])
        }
    }

    /// Rebuilds the index rows of the given records; deleted records leave the index.
    static func reindex(offers: Set<String>, meetings: Set<String>, in db: Database) throws {
        for id in offers.sorted() {
            guard let row = try db.firstRow("""
                SELECT rowid AS fts_rowid, deleted, title, description, location, contact, schedule, accessibility, target_groups
                FROM offers WHERE id = ?
                """, [id]), let rowid = row.int("fts_rowid") else { continue }
            try db.execute("DELETE FROM offers_fts WHERE rowid = ?", [rowid])
            guard row.int("deleted") == 0 else { continue }
            let targetGroups = FieldValue.storedList(row.string("target_groups")).joined(separator: " ")
            let texts = ["description", "location", "contact", "schedule", "accessibility"].compactMap { row.string($0) }
            let body = (texts + [targetGroups]).joined(separator: "\n")
            try db.execute("INSERT INTO offers_fts (rowid, title, body) VALUES (?, ?, ?)", [rowid, row.string("title") ?? "", body])
        }
        for id in meetings.sorted() {
            guard let row = try db.firstRow("""
                SELECT m.rowid AS fts_rowid, m.deleted, b.name AS body_name, m.meeting_date, m.place, m.minutes
                FROM meetings m LEFT JOIN bodies b ON b.id = m.body WHERE m.id = ?
                """, [id]), let rowid = row.int("fts_rowid") else { continue }
            try db.execute("DELETE FROM meetings_fts WHERE rowid = ?", [rowid])
            guard row.int("deleted") == 0 else { continue }
            var parts = [row.string("place"), row.string("minutes")].compactMap { $0 }
            for item in try db.rows("SELECT title, notes FROM agenda_items WHERE meeting = ? AND deleted = 0 ORDER BY position", [id]) {
                parts += [item.string("title"), item.string("notes")].compactMap { $0 }
            }
            for sql in ["SELECT decision_text AS text FROM decisions WHERE meeting = ? AND deleted = 0",
                        "SELECT task_text AS text FROM tasks WHERE meeting = ? AND deleted = 0",
                        "SELECT name AS text FROM attendees WHERE meeting = ? AND deleted = 0"] {
                parts += try db.rows(sql, [id]).compactMap { $0.string("text") }
            }
            let title = [row.string("body_name"), row.string("meeting_date")].compactMap { $0 }.joined(separator: " ")
            try db.execute("INSERT INTO meetings_fts (rowid, title, body) VALUES (?, ?, ?)", [rowid, title, parts.joined(separator: "\n")])
        }
    }

    /// Turns what a person typed into an FTS5 query: every word must occur, as a word or the
    /// start of one ("Sprach" finds "Sprachförderung"). Quoting each word keeps FTS5's own
    /// syntax (AND, NEAR, *, quotes) from turning input into a syntax error.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split { !($0.isLetter || $0.isNumber) }
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// The best matches for `text` among offers and meetings, best first.
    ///
    /// Ranking runs over every match; snippets, the expensive part, only for the hits returned.
    static func search(_ text: String, limit: Int = 20, in db: Database) throws -> [Hit] {
        guard let query = ftsQuery(text) else { return [] }
        var ranked: [(kind: String, rowid: Int, rank: Double)] = []
        for (kind, table) in [("offer", "offers_fts"), ("meeting", "meetings_fts")] {
            for row in try db.rows("SELECT rowid AS fts_rowid, bm25(\(table), 5.0, 1.0) AS rank FROM \(table) WHERE \(table) MATCH ? ORDER BY 2 LIMIT ?",
                                   [query, limit]) {
                guard let rowid = row.int("fts_rowid"), case .real(let rank)? = row["rank"] else { continue }
                ranked.append((kind, rowid, rank))
            }
        }
        ranked.sort { $0.rank < $1.rank }
        var hits: [Hit] = []
        for match in ranked.prefix(limit) {
            let sql = match.kind == "offer"
                ? "SELECT o.id, o.title, snippet(offers_fts, -1, '[', ']', '…', 12) AS snippet FROM offers_fts JOIN offers o ON o.rowid = offers_fts.rowid WHERE offers_fts MATCH ? AND offers_fts.rowid = ?"
                : "SELECT m.id, meetings_fts.title, snippet(meetings_fts, -1, '[', ']', '…', 12) AS snippet FROM meetings_fts JOIN meetings m ON m.rowid = meetings_fts.rowid WHERE meetings_fts MATCH ? AND meetings_fts.rowid = ?"
            guard let row = try db.firstRow(sql, [query, match.rowid]) else { continue }
            hits.append(Hit(kind: match.kind, id: row.string("id") ?? "", title: row.string("title") ?? "", snippet: row.string("snippet") ?? "",
                            rank: match.rank))
        }
        return hits
    }
}
