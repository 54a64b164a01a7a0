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

    /// Rebuilds the index rows of the given records; deleted records leave the index.
    static func reindex(offers: Set<String>, meetings: Set<String>, in db: Database) throws {
        for id in offers.sorted() {
            guard let row = try db.firstRow("""
                SELECT rowid, deleted, title, description, location, contact, schedule, accessibility, target_groups
                FROM offers WHERE id = ?
                """, [id]), let rowid = row.int(0) else { continue }
            try db.execute("DELETE FROM offers_fts WHERE rowid = ?", [rowid])
            guard row.int(1) == 0 else { continue }
            let targetGroups = RecordApplier.decodeList(row.string(8) ?? "[]").joined(separator: " ")
            let body = ([row.string(3), row.string(4), row.string(5), row.string(6), row.string(7)].compactMap { $0 } + [targetGroups])
                .joined(separator: "\n")
            try db.execute("INSERT INTO offers_fts (rowid, title, body) VALUES (?, ?, ?)", [rowid, row.string(2) ?? "", body])
        }
        for id in meetings.sorted() {
            guard let row = try db.firstRow("""
                SELECT m.rowid, m.deleted, b.name, m.meeting_date, m.place, m.minutes
                FROM meetings m LEFT JOIN bodies b ON b.id = m.body WHERE m.id = ?
                """, [id]), let rowid = row.int(0) else { continue }
            try db.execute("DELETE FROM meetings_fts WHERE rowid = ?", [rowid])
            guard row.int(1) == 0 else { continue }
            var parts = [row.string(4), row.string(5)].compactMap { $0 }
            for item in try db.rows("SELECT title, notes FROM agenda_items WHERE meeting = ? AND deleted = 0 ORDER BY position", [id]) {
                parts += [item.string(0), item.string(1)].compactMap { $0 }
            }
            for sql in ["SELECT decision_text FROM decisions WHERE meeting = ? AND deleted = 0",
                        "SELECT task_text FROM tasks WHERE meeting = ? AND deleted = 0",
                        "SELECT name FROM attendees WHERE meeting = ? AND deleted = 0"] {
                parts += try db.rows(sql, [id]).compactMap { $0.string(0) }
            }
            let title = [row.string(2), row.string(3)].compactMap { $0 }.joined(separator: " ")
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
    public static func search(_ text: String, limit: Int = 20, in db: Database) throws -> [Hit] {
        guard let query = ftsQuery(text) else { return [] }
        let rows = try db.rows("""
            SELECT kind, id, title, snippet, rank FROM (
                SELECT 'offer' AS kind, o.id AS id, o.title AS title,
                       snippet(offers_fts, -1, '[', ']', '…', 12) AS snippet, bm25(offers_fts, 5.0, 1.0) AS rank
                FROM offers_fts JOIN offers o ON o.rowid = offers_fts.rowid
                WHERE offers_fts MATCH ?1
                UNION ALL
                SELECT 'meeting', m.id, meetings_fts.title,
                       snippet(meetings_fts, -1, '[', ']', '…', 12), bm25(meetings_fts, 5.0, 1.0)
                FROM meetings_fts JOIN meetings m ON m.rowid = meetings_fts.rowid
                WHERE meetings_fts MATCH ?1
            ) ORDER BY rank LIMIT ?2
            """, [query, limit])
        return rows.map { row in
            let rank: Double
            if case .real(let value) = row[4] { rank = value } else { rank = Double(row.int(4) ?? 0) }
            return Hit(kind: row.string(0) ?? "", id: row.string(1) ?? "", title: row.string(2) ?? "",
                       snippet: row.string(3) ?? "", rank: rank)
        }
    }
}
