import KetteStore

/// The order of search results: records whose title holds every plain word first, then the
/// others; within each, records where more of the words stand as whole words in the title, then
/// shorter titles, then the newest.
///
/// Why not bm25: FTS5 works out bm25's statistics by reading every match of every trigram of the
/// query; on the 20,000-offer benchmark store that tripled the instructions of `kette search`
/// (bm25 over 2,800 matches of a common word, for offers and minutes). This order needs only the
/// matches' rowids, which the index yields newest first and stops after a window, and their
/// folded titles. The cost of the window: of more matches in one table than the window (300, or
/// `--limit` when larger) only the newest are ranked, and the older ones are not found, a title
/// match among them neither (a county store rarely has that many records with one word; narrow
/// the search with a prefix).
enum SearchRanking {
    static let smallestWindow = 300

    struct Candidate {
        let kind: String
        let rowid: Int
        /// 0: the title holds every plain word; 1: some are elsewhere.
        let tier: Int
        let wholeWords: Int
        /// The folded title's length.
        let length: Int
    }

    static func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.tier != b.tier { return a.tier < b.tier }
        if a.wholeWords != b.wholeWords { return a.wholeWords > b.wholeWords }
        if a.length != b.length { return a.length < b.length }
        if a.kind != b.kind { return a.kind == "offer" }
        return a.rowid > b.rowid
    }

    /// The newest matches of the query in one table: as many as `limit`, and at least `smallestWindow`.
    static func candidates(kind: String, table: String, query: SearchQuery, limit: Int, in db: Database) throws -> [Candidate] {
        guard let expression = query.ftsExpression else { return [] }
        let sql = "SELECT rowid AS index_rowid, title FROM \(table) WHERE \(table) MATCH ? ORDER BY rowid DESC LIMIT ?"
        return try db.rows(sql, [expression, max(limit, smallestWindow)]).compactMap { row in
            guard let rowid = row.int("index_rowid") else { return nil }
            let title = row.string("title") ?? ""
            return Candidate(kind: kind, rowid: rowid, tier: query.plainWordsMatch(title) ? 0 : 1,
                             wholeWords: query.wholeWordMatches(in: title), length: title.utf8.count)
        }
    }
}
