import KetteProtocol
import KetteStore

/// Full-text search over offers and minutes, made for German (SQLite FTS5 with the trigram
/// tokenizer over folded text; see `SearchQuery` for what a query means and `SearchText` for the
/// folding). Ranked by `SearchRanking`; the matching words are marked.
///
/// The index holds, per offer and meeting, five columns of folded text: `title`, `body` (every
/// other text, the minutes' parts included), `provider` (the offer's provider's name), `district`
/// (the district's name) and `phase` (the offer's life phases' slugs; `phase:Kita` is turned into
/// the slugs whose labels hold it before the index is asked). Rowids are
/// those of `offers` and `meetings`, so reindexing one record is a lookup, not a scan. It is
/// rebuilt for the records each write or pulled page touches (`affectedRecords`), including the
/// offers of a renamed organization or district.
public enum SearchIndex {
    public struct Hit: Codable, Hashable, Sendable {
        /// `offer` or `meeting`.
        public var kind: String
        public var id: String
        public var title: String
        /// A stretch of the text that matched, on one line; the title's text when only it matched.
        public var snippet: String
        /// Where the snippet comes from: `description`, `minutes`, `provider`, `agenda`, …
        public var field: String
        /// The matching words in `title` and `snippet`: Unicode scalar offsets and lengths.
        public var titleMarks: [Mark]
        public var snippetMarks: [Mark]
        /// The place in the results, from 1.
        public var rank: Int

        /// `text` with each marked stretch put between `open` and `close`.
        public static func marked(_ text: String, _ marks: [Mark], open: String = "[", close: String = "]") -> String {
            var scalars = Array(text.unicodeScalars)
            for mark in marks.sorted(by: { $0.offset > $1.offset }) where mark.offset + mark.length <= scalars.count {
                scalars.insert(contentsOf: close.unicodeScalars, at: mark.offset + mark.length)
                scalars.insert(contentsOf: open.unicodeScalars, at: mark.offset)
            }
            var result = String.UnicodeScalarView()
            result.append(contentsOf: scalars)
            return String(result)
        }
    }

    public struct Mark: Codable, Hashable, Sendable {
        public var offset: Int
        public var length: Int
    }

    /// The index's table for each kind of record.
    static let tables = [(kind: "offer", table: "offers_fts", records: "offers"), (kind: "meeting", table: "meetings_fts", records: "meetings")]

    /// Creates the index tables (empty).
    static func createTables(in db: Database) throws {
        for (_, table, _) in tables {
            // No column sizes: they serve only bm25, which the ranking does not use (`SearchRanking`).
            try db.execute("CREATE VIRTUAL TABLE \(table) USING fts5 (title, body, provider, district, phase, tokenize = 'trigram', columnsize = 0)")
        }
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

    /// The fields whose values are part of some record's search text (the tombstone too: a
    /// deleted record leaves the index, and a deletion empties names).
    private static let indexedFields: [RecordType: Set<String>] = [
        .offer: ["title", "description", "location", "contact", "schedule", "accessibility", "targetGroups", "provider", "district", "phases"],
        .meeting: ["body", "date", "place", "minutes"],
        .attendee: ["meeting", "name"], .agendaItem: ["meeting", "title", "notes"],
        .decision: ["meeting", "text"], .task: ["meeting", "text"],
        .body: ["name", "district"], .organization: ["name"], .district: ["name"],
    ]

    /// The offers and meetings whose search text a write of `fields` of `(type, id)` changes;
    /// none when no field is part of a search text (an offer's status, an indicator).
    static func affectedRecords(type: RecordType, id: String, fields: some Sequence<String>,
                                in db: Database) throws -> (offers: Set<String>, meetings: Set<String>) {
        guard let indexed = indexedFields[type], fields.contains(where: { $0 == RecordType.deletedField || indexed.contains($0) }) else {
            return ([], [])
        }
        return try affectedRecords(type: type, id: id, in: db)
    }

    /// The offers and meetings whose search text a write to `(type, id)` changes, whatever field.
    static func affectedRecords(type: RecordType, id: String, in db: Database) throws -> (offers: Set<String>, meetings: Set<String>) {
        func ids(_ sql: String) throws -> Set<String> { Set(try db.rows(sql, [id]).compactMap { $0.string("id") }) }
        switch type {
        case .offer: return ([id], [])
        case .meeting: return ([], [id])
        case .attendee, .agendaItem, .decision, .task:
            let meeting = try db.scalarString("SELECT meeting FROM \(type.table) WHERE id = ?", [id])
            return ([], meeting.map { [$0] } ?? [])
        case .body:
            // A body's name and district are part of its meetings' search text.
            return ([], try ids("SELECT id FROM meetings WHERE body = ?"))
        case .organization:
            return (try ids("SELECT id FROM offers WHERE provider = ? AND deleted = 0"), [])
        case .district:
            return (try ids("SELECT id FROM offers WHERE district = ? AND deleted = 0"),
                    try ids("SELECT m.id FROM bodies b JOIN meetings m ON m.body = b.id WHERE b.district = ?"))
        case .indicator, .member, .conflict, .need, .goal, .target, .targetFigure, .measure, .measureNote, .contact, .agreement:
            return ([], [])
        }
    }

    /// Rebuilds the index rows of the given records; deleted records leave the index.
    ///
    /// In rowid order: FTS5 keeps a transaction's new entries in memory only while rowids rise,
    /// and writes them out as a segment (and merges segments) whenever a smaller one comes, which
    /// made a pulled page's reindexing in id order ten times as expensive.
    static func reindex(offers: Set<String>, meetings: Set<String>, in db: Database) throws {
        for source in try offers.compactMap({ try SearchSource.offer($0, in: db) }).sorted(by: { $0.rowid < $1.rowid }) {
            try reindex(source, table: "offers_fts", in: db)
        }
        for source in try meetings.compactMap({ try SearchSource.meeting($0, in: db) }).sorted(by: { $0.rowid < $1.rowid }) {
            try reindex(source, table: "meetings_fts", in: db)
        }
    }

    private static func reindex(_ source: SearchSource, table: String, in db: Database) throws {
        try db.execute("DELETE FROM \(table) WHERE rowid = ?", [source.rowid])
        guard !source.deleted else { return }
        try db.execute("INSERT INTO \(table) (rowid, title, body, provider, district, phase) VALUES (?, ?, ?, ?, ?, ?)",
                       [source.rowid, SearchText.indexed([source.title]), SearchText.indexed(source.parts.map(\.text)),
                        SearchText.indexed([source.provider]), SearchText.indexed([source.district]),
                        SearchText.indexed(source.phases.map(\.slug))])
    }

    /// Indexes every record again: after a migration changed what the index holds.
    static func rebuild(in db: Database) throws {
        for (_, table, records) in tables {
            try db.execute("DELETE FROM \(table)")
            let ids = Set(try db.rows("SELECT id FROM \(records) WHERE deleted = 0").compactMap { $0.string("id") })
            try reindex(offers: records == "offers" ? ids : [], meetings: records == "meetings" ? ids : [], in: db)
        }
    }

    // MARK: Searching

    /// The best matches for `text` among offers and meetings, best first (`SearchRanking`).
    /// Snippets, the expensive part, are made only for the hits returned.
    static func search(_ text: String, limit: Int = 20, in db: Database) throws -> [Hit] {
        let query = try SearchQuery(text)
        guard query.ftsExpression != nil else { return [] }
        var candidates: [SearchRanking.Candidate] = []
        for (kind, table, _) in tables {
            candidates += try SearchRanking.candidates(kind: kind, table: table, query: query, limit: limit, in: db)
        }
        let best = candidates.sorted(by: SearchRanking.ranksBefore).prefix(limit)
        return try best.enumerated().compactMap { place, match in
            let source = match.kind == "offer" ? try SearchSource.offer(rowid: match.rowid, in: db)
                                               : try SearchSource.meeting(rowid: match.rowid, in: db)
            return source.map { hit(kind: match.kind, source: $0, query: query, rank: place + 1) }
        }
    }

    /// A hit with its marked title and snippet.
    private static func hit(kind: String, source: SearchSource, query: SearchQuery, rank: Int) -> Hit {
        let titleMarks = query.marks(in: source.title, scopes: [.text, .title])
        var candidates = source.parts.map { (field: $0.field, text: $0.text, scopes: Set([SearchQuery.Scope.text])) }
        if let provider = source.provider { candidates.append(("provider", provider, [.text, .provider])) }
        let found = candidates.lazy.map { ($0.field, $0.text, query.marks(in: $0.text, scopes: $0.scopes)) }.first { !$0.2.isEmpty }
        let (field, text, marks) = found ?? source.parts.first.map { ($0.field, $0.text, []) } ?? ("title", source.title, titleMarks)
        let snippet = Snippet(text, marks: marks)
        return Hit(kind: kind, id: source.id, title: source.title, snippet: snippet.text, field: field,
                   titleMarks: titleMarks.map { Mark(offset: $0.lowerBound, length: $0.count) },
                   snippetMarks: snippet.marks.map { Mark(offset: $0.lowerBound, length: $0.count) }, rank: rank)
    }
}

/// A stretch of a text around its first mark, on one line: a few words before it, up to about a
/// dozen after, "…" where the text was cut.
struct Snippet {
    let text: String
    let marks: [Range<Int>]

    static let wordsBefore = 4
    static let words = 16

    init(_ full: String, marks: [Range<Int>]) {
        let scalars = Array(full.unicodeScalars)
        let words = SearchText.words(full)
        let firstMarked = marks.first.flatMap { mark in words.firstIndex { $0.end > mark.lowerBound } } ?? 0
        let from = max(0, firstMarked - Self.wordsBefore)
        let to = min(words.count, from + Self.words)
        guard from < to else {
            self.text = ""
            self.marks = []
            return
        }
        let start = from == 0 ? 0 : words[from].start
        let end = to == words.count ? scalars.count : words[to - 1].end
        let prefix = start > 0 ? "…" : ""
        var line = String.UnicodeScalarView()
        line.append(contentsOf: prefix.unicodeScalars)
        // Line breaks become spaces one for one, so offsets stay valid.
        line.append(contentsOf: scalars[start..<end].map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        if end < scalars.count { line.append("…") }
        self.text = String(line)
        let shift = prefix.unicodeScalars.count - start
        self.marks = marks.filter { $0.lowerBound >= start && $0.upperBound <= end }.map { ($0.lowerBound + shift)..<($0.upperBound + shift) }
    }
}
