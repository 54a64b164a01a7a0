import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// A conflict entry as `kette conflicts` shows it.
public struct ConflictEntry: Codable, Hashable, Sendable {
    public struct Side: Codable, Hashable, Sendable {
        public var value: FieldValue
        public var author: String?
        public var time: String
        public var hlc: String
        /// True when this store wrote it.
        public var mine: Bool
    }
    public var id: String
    public var recordType: String
    public var recordID: String
    public var field: String
    /// The value every replica holds now.
    public var winner: Side
    /// The value that was overwritten without its author's knowledge (or that lost).
    public var loser: Side
    public var status: String
}

extension LocalStore {
    // MARK: Sync state

    /// Where the next pull starts: the server's sequence number of the last merged page.
    package func pullCursor() throws -> Int64 { Int64(try meta("cursor") ?? "0") ?? 0 }

    public func lastSuccessfulSync() throws -> String? { try meta("last_sync") }

    /// - Parameter startedAt: when the sync began (milliseconds since 1970): `kette log
    ///   --since-sync` lists what was received or written from then on.
    func recordSuccessfulSync(at time: Date, startedAt: Int64) throws {
        try database.inTransaction { db in
            try setMeta("last_sync", LocalFormat.isoTimestamp(milliseconds: Int64((time.timeIntervalSince1970 * 1000).rounded(.down))), in: db)
            try setMeta("last_sync_started", String(startedAt), in: db)
        }
    }

    /// Outbox entries after `seq`, oldest first, with their outbox sequence numbers.
    func outboxBatch(after seq: Int, limit: Int) throws -> [(seq: Int, changeSet: ChangeSet)] {
        let rows = try database.rows("SELECT seq, id FROM outbox_change_sets WHERE seq > ? ORDER BY seq LIMIT ?", [seq, limit])
        guard let first = rows.first?.int(0), let last = rows.last?.int(0) else { return [] }
        let sets = try Outbox.pending(in: database, replica: replica, seqRange: first...last)
        return zip(rows.compactMap { $0.int(0) }, sets).map { ($0, $1) }
    }

    // MARK: Clock trouble

    /// Recovers from a clock that runs ahead of the server's: learns the offset, and gives the
    /// change sets in the outbox that are stamped too far ahead new timestamps from the corrected
    /// clock. Nobody has seen these changes yet (the server refused them), so new stamps keep
    /// their meaning; bases that pointed at the old stamps follow.
    func restampAheadOfServer(serverTime: Int64, localTimeAtResponse: Int64) throws -> Int {
        let offset = serverTime - localTimeAtResponse
        let limit = serverTime + SyncLimits.maxClockAheadMilliseconds / 2
        var restamped = 0
        var clock = HybridLogicalClock(replica: replica)
        try database.inTransaction { db in
            // Clock correction, not a merge decision: "stamped before `limit`" and "at or after it"
            // as SQL text comparisons with a cut-off from the protocol; the canonical text order
            // is the clock order the merge rule uses (SPEC §5.1).
            let cutoff = HLCTimestamp.encodedStart(ofMillisecond: limit)
            // The corrected clock must still stay above every stamp the server has accepted.
            if let accepted = try db.scalarString("SELECT max(hlc) FROM field_versions WHERE hlc < ?", [cutoff]),
               let stamp = HLCTimestamp(encoded: accepted) {
                clock.observe(stamp, now: serverTime)
            }
            // One new stamp per change set (its changes share one), in outbox order; then every
            // use of an old stamp is rewritten in one pass per table, not once per change.
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS restamp (old TEXT PRIMARY KEY, new TEXT NOT NULL); DELETE FROM restamp;")
            let sets = try db.rows("""
                SELECT change_set_seq, hlc FROM outbox_changes WHERE hlc >= ? GROUP BY change_set_seq, hlc ORDER BY change_set_seq
                """, [cutoff])
            for row in sets {
                guard let seq = row.int(0), let old = row.string(1) else { continue }
                try db.execute("INSERT INTO restamp (old, new) VALUES (?, ?) ON CONFLICT (old) DO NOTHING", [old, clock.tick(now: serverTime).encoded])
                try db.execute("UPDATE outbox_change_sets SET refused_code = NULL, refused_reason = NULL, refused_at = NULL WHERE seq = ?", [seq])
                restamped += 1
            }
            // Each restamped version moves in the replica's digest from its old stamp to its new one.
            let digests = DigestDeltas()
            try db.forEachRow("SELECT f.record_type, f.record_id, f.field, f.hlc, r.new FROM field_versions f JOIN restamp r ON r.old = f.hlc") { row in
                digests.replace(type: row.string(0) ?? "", id: row.string(1) ?? "", field: row.string(2) ?? "", old: row.string(3), new: row.string(4))
            }
            try digests.write(into: db)
            try db.execute("""
                UPDATE outbox_changes SET hlc = restamp.new FROM restamp WHERE outbox_changes.hlc = restamp.old;
                UPDATE outbox_changes SET base = restamp.new FROM restamp WHERE outbox_changes.base = restamp.old;
                UPDATE field_versions SET hlc = restamp.new FROM restamp WHERE field_versions.hlc = restamp.old;
                UPDATE field_versions SET base = restamp.new FROM restamp WHERE field_versions.base = restamp.old;
                UPDATE local_actions SET hlc = restamp.new FROM restamp WHERE local_actions.hlc = restamp.old;
                UPDATE local_action_fields SET previous_hlc = restamp.new FROM restamp WHERE local_action_fields.previous_hlc = restamp.old;
                DELETE FROM restamp;
                """)
            try setMeta("clock", clock.last.encoded, in: db)
            try setMeta("clock_offset", String(offset), in: db)
        }
        self.clock = clock
        self.clockOffset = offset
        return restamped
    }

    // MARK: Pull

    /// What merging one page did.
    struct PageOutcome {
        /// Field versions that became a field's value.
        var merged = 0
        /// Records removed because they left the user's scope.
        var left = 0
        /// Records announced as gone from the user's scope but kept: this replica holds versions
        /// of them the server's copy lacks; the digest check settles them.
        var keptAfterLeaving = 0
    }

    /// Merges one pulled page by the merge rule, removes the records that left the user's scope,
    /// and stores the cursor, the server's id and the user's scope with it, in one transaction:
    /// a pull cut off after this page resumes after it, never before or beyond.
    func mergePulledPage(_ page: PullPage) throws -> PageOutcome {
        try mergePulledPage(page, keepingOpen: false)
    }

    /// Merges a pulled page in the pull's transaction, begun here when none is open; committed
    /// unless `keepingOpen` (more pages follow in it: `commitPulledPages()` ends it). The cursor
    /// is stored with every page, so a pull cut off resumes after the last committed page. A page
    /// that erased a name is committed at once, for the scrub that follows it.
    func mergePulledPage(_ page: PullPage, keepingOpen: Bool) throws -> PageOutcome {
        if !database.isInTransaction { try database.begin() }
        var clock = self.clock
        let outcome: PageOutcome
        let erased: Bool
        do {
            (outcome, erased) = try mergePage(page, clock: &clock, in: database)
        } catch {
            database.rollback()
            throw error
        }
        self.clock = clock
        if erased || !keepingOpen { try commitPulledPages() }
        if erased { try scrubErasedData() }
        return outcome
    }

    /// Commits the pages merged since the last commit; nothing when none are open.
    func commitPulledPages() throws {
        guard database.isInTransaction else { return }
        try database.commit()
    }

    private func mergePage(_ page: PullPage, clock: inout HybridLogicalClock, in db: Database) throws -> (PageOutcome, erased: Bool) {
        var outcome = PageOutcome()
        var erased = false
        let statements = try RecordApplier.MergeStatements(db)
        defer { statements.reset() }
        (outcome.merged, erased) = try mergeVersions(page.changes[...], clock: &clock, in: db, statements: statements)
        (outcome.left, outcome.keptAfterLeaving) = try leaveScope(page.left, digests: statements.digests, in: db)
        try statements.digests.write(into: db)
        try setMeta("cursor", String(page.cursor), in: db)
        try setMeta("clock", clock.last.encoded, in: db)
        if let server = page.server {
            if let known = try meta("server"), known != server { try setMeta("repair_pending", "1", in: db) }
            try setMeta("server", server, in: db)
        }
        if let scope = page.scope { try setMeta("scope", FieldValue.list(scope).jsonText, in: db) }
        // Kept with the page: a crash before the scrub leaves it to the next sync.
        if erased {
            try setMeta("scrub_pending", "1", in: db)
            try LocalHistory.forgetPreviousValues(in: db)
        }
        return (outcome, erased)
    }

    /// Merges versions a record at a time (pages list a record's fields together: they were
    /// written together): one read of its versions, one row update; then reindexes what changed.
    /// Returns how many versions won, and whether a redacted one replaced a held value.
    func mergeVersions(_ changes: ArraySlice<PulledChange>, clock: inout HybridLogicalClock, in db: Database,
                       statements: RecordApplier.MergeStatements) throws -> (merged: Int, scrub: Bool) {
        var affected = SearchIndex.Affected()
        var merged = 0, scrub = false
        let authors = Dictionary(changes.lazy.compactMap { pulled in pulled.author.map { (pulled.change.hlc.encoded, $0) } },
                                 uniquingKeysWith: { first, _ in first })
        let receivedAt = physicalNow()
        // Fields with unconfirmed local writes remember the server's newest version (for taking
        // a refused write back); most merges find none and skip that bookkeeping.
        let tracking = try ServerVersions.anyTracked(in: db)
        var start = changes.startIndex
        while start < changes.endIndex {
            var end = start + 1
            let type = changes[start].change.recordType, id = changes[start].change.recordID
            while end < changes.endIndex, changes[end].change.recordType == type, changes[end].change.recordID == id { end += 1 }
            // A field this version does not know (a newer server) is skipped, not fatal.
            let known = changes[start..<end].filter { $0.change.field == RecordType.deletedField || type.field(named: $0.change.field) != nil }
            let (won, erased) = try RecordApplier.mergeRecord(type: type, id: id, changes: known[...], in: db, statements: statements)
            scrub = scrub || erased
            if tracking {
                for pulled in known { try ServerVersions.notePulled(pulled.change, redacted: pulled.redacted, in: db) }
            }
            if !won.isEmpty {
                merged += won.count
                try LocalHistory.recordReceived(won, authors: authors, receivedAt: receivedAt, in: db)
                affected.formUnion(try SearchIndex.affectedRecords(type: type, id: id, fields: won.lazy.map(\.field), in: db))
            }
            clock.observe(newestOf: changes[start..<end].lazy.map(\.change.hlc), now: physicalNow())
            start = end
        }
        try SearchIndex.reindex(offers: affected.offers, meetings: affected.meetings, in: db)
        return (merged, scrub)
    }

    /// Removes the records that left the user's scope, when no version this replica holds of
    /// them is newer than the server's (by the merge rule): nothing is lost. A copy with a newer
    /// version (the server was restored from a backup) stays, and the digest check at the end of
    /// the sync brings that version back, or leaves the copy for a person to settle.
    func leaveScope(_ exits: [ScopeExit], digests: DigestDeltas, in db: Database) throws -> (left: Int, kept: Int) {
        var left = 0, kept = 0
        for exit in exits {
            let held = try db.rows("SELECT field, hlc FROM field_versions WHERE record_type = ? AND record_id = ?", [exit.type.rawValue, exit.id])
            guard !held.isEmpty else { continue }
            if !held.contains(where: { MergeRule.incomingWins(encoded: $0.string(1) ?? "", over: exit.versions[$0.string(0) ?? ""]) }) {
                try RecordApplier.drop(type: exit.type, id: exit.id, digests: digests, in: db)
                left += 1
            } else {
                kept += 1
            }
        }
        return (left, kept)
    }

    /// Why a pull must start again from 0: the page comes from another server database (restored
    /// from a backup, or replaced: the cursor means nothing there), or the user reads a scope they
    /// did not read before (records below the cursor are new to them). Nil when neither.
    func pullRestartReason(for page: PullPage) throws -> PullRestart? {
        if let server = page.server, let known = try meta("server"), known != server { return .serverChanged }
        if let scope = page.scope, let text = try meta("scope") {
            var reader = JSONReader(Array(text.utf8))
            if case .list(let known)? = try? reader.readFieldValue(), !Set(scope).isSubset(of: known) { return .scopeGained }
        }
        return nil
    }

    /// Why a pull started again from 0.
    public enum PullRestart: String, Codable, Sendable {
        /// The server database has another id: it was restored from a backup or replaced.
        case serverChanged
        /// The user was given a district.
        case scopeGained
        /// The cursor was ahead of the server (`cursor_ahead`).
        case cursorAhead
    }

    /// Removes the bytes of erased names that merging left behind: old full-text segments (FTS5
    /// keeps deleted tokens until its segments are merged), freed cells and pages, and WAL frames.
    /// Runs after a page with redacted changes was merged, and at the next sync after a crash.
    func scrubErasedData() throws {
        let secureDelete = try database.secureDelete()
        try database.setSecureDelete(.on)
        defer { try? database.setSecureDelete(secureDelete) }
        try database.inTransaction { db in
            try db.execute("""
                INSERT INTO offers_fts (offers_fts) VALUES ('optimize');
                INSERT INTO meetings_fts (meetings_fts) VALUES ('optimize');
                """)
            // Also here, for a scrub cut off before the page that asked for it forgot them.
            try LocalHistory.forgetPreviousValues(in: db)
        }
        // VACUUM rewrites the file from its live rows; the checkpoint then empties the WAL.
        try database.execute("VACUUM")
        try database.inTransaction { db in try setMeta("scrub_pending", nil, in: db) }
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// True when an erasure was merged but its scrub did not finish (the process ended first).
    func scrubPending() throws -> Bool { try meta("scrub_pending") != nil }

    /// Forgets the pull cursor, so the next pull starts from the beginning (after the server
    /// said the cursor is ahead of it, e.g. restored from a backup). Merging is idempotent.
    /// - Parameter repair: the server lost writes (restored from a backup): until a check has
    ///   brought back what it lacks, the outbox waits (`repairPending`).
    func resetPullCursor(repair: Bool = false) throws {
        try database.inTransaction { db in
            try setMeta("cursor", nil, in: db)
            if repair { try setMeta("repair_pending", "1", in: db) }
        }
    }

    /// True from the moment the replica learns the server lost writes (another database id, a
    /// cursor ahead of it) until a check has brought back what it lacks: pushing before that could
    /// send edits of records the server no longer has, which it would refuse.
    func repairPending() throws -> Bool { try meta("repair_pending") != nil }

    func settleRepair() throws {
        try database.inTransaction { db in try setMeta("repair_pending", nil, in: db) }
    }

    /// The record schema this store's cursor was pulled with: 1 for a store that pulled before
    /// schema 2 (the server then left out the newer record types; set by the migration that added
    /// them), the current one for every other.
    func pulledSchema() throws -> Int { Int(try meta("pulled_schema") ?? "") ?? ChangeSet.currentSchemaVersion }

    /// Starts pulling again from 0 with record schema `schema`, in one transaction: every page
    /// from here on is pulled with it, so a pull cut off later resumes rather than starts over.
    func resetPullCursor(schema: Int) throws {
        try database.inTransaction { db in
            try setMeta("cursor", nil, in: db)
            try setMeta("pulled_schema", String(schema), in: db)
        }
    }

    // MARK: Conflicts

    public func conflicts(includeResolved: Bool = false) throws -> [ConflictEntry] {
        let sql = """
            SELECT id, record_type, record_id, field, winner_value, winner_hlc, winner_author, loser_value, loser_hlc, loser_author, status
            FROM conflicts WHERE deleted = 0 \(includeResolved ? "" : "AND status = 'open'") ORDER BY winner_hlc, id
            """
        return try database.rows(sql).map { row in
            func side(_ value: Int, _ hlc: Int, _ author: Int) -> ConflictEntry.Side {
                let stamp = row.string(hlc).flatMap(HLCTimestamp.init(encoded:))
                let decoded = (try? FieldValue(jsonText: row.string(value) ?? "null")) ?? .null
                return ConflictEntry.Side(value: decoded, author: row.string(author),
                                          time: stamp.map { LocalFormat.isoTimestamp(milliseconds: $0.physicalMilliseconds) } ?? "",
                                          hlc: row.string(hlc) ?? "", mine: stamp?.replica == replica)
            }
            return ConflictEntry(id: row.string(0) ?? "", recordType: row.string(1) ?? "", recordID: row.string(2) ?? "",
                                 field: row.string(3) ?? "", winner: side(4, 5, 6), loser: side(7, 8, 9), status: row.string(10) ?? "open")
        }
    }

    /// How a person settles a conflict.
    public enum Resolution: Sendable {
        case mine, theirs, winner, loser
        case value(String)
    }

    /// Settles a conflict with a change that syncs like any other: the field gets the chosen
    /// value and the conflict entry is marked resolved.
    public func resolveConflict(_ reference: String, _ resolution: Resolution, language: Language) throws -> ConflictEntry {
        let id = try Resolver.resolve(reference, as: .conflict, in: database, language: language)
        guard let entry = try conflicts(includeResolved: true).first(where: { $0.id == id }) else {
            throw KetteError.notFound(kind: FieldText.kind(.conflict), reference: reference)
        }
        guard entry.status == "open" else {
            throw KetteError.malformedValue(field: FieldText.conflict.text, value: reference, expected: InputText.expectedOpenConflict.text)
        }
        guard let type = RecordType(rawValue: entry.recordType) else { throw KetteError.unknownField(type: entry.recordType, field: entry.field) }
        let chosen: FieldValue
        let label: String
        switch resolution {
        case .winner: chosen = entry.winner.value; label = "winner"
        case .loser: chosen = entry.loser.value; label = "loser"
        case .mine, .theirs:
            let wantMine = { if case .mine = resolution { return true } else { return false } }()
            guard entry.winner.mine != entry.loser.mine else {
                let authors = [entry.winner.author, entry.loser.author].compactMap { $0 }.joined(separator: ", ")
                throw KetteError.malformedValue(field: .verbatim("--keep"), value: wantMine ? "mine" : "theirs",
                                                expected: InputText.expectedWinnerOrLoser.with(["authors": authors]))
            }
            chosen = (entry.winner.mine == wantMine) ? entry.winner.value : entry.loser.value
            label = wantMine ? "mine" : "theirs"
        case .value(let text):
            chosen = try Self.fieldValue(text, type: type, field: entry.field)
            label = "value"
        }
        try record("conflict resolve") { change in
            // Written even when it keeps the value that holds: the write carries the base its
            // author saw, so a resolution made without seeing another one of the same field
            // becomes a new conflict on the server instead of losing silently (SPEC §8.5).
            try change.set(type, entry.recordID, entry.field, chosen, evenIfUnchanged: true)
            try change.set(.conflict, id, "status", .string("resolved"))
            try change.set(.conflict, id, "resolution", .string(label))
        }
        return entry
    }

    /// Turns typed text into a value of the field's kind, checked like the server checks it.
    static func fieldValue(_ text: String, type: RecordType, field: String) throws -> FieldValue {
        let value: FieldValue
        if field == RecordType.deletedField {
            guard let flag = ["true": true, "false": false][text.lowercased()] else {
                throw KetteError.invalidValue(field: FieldText.named(field), value: text, accepted: ["true", "false"])
            }
            value = .bool(flag)
        } else {
            switch type.field(named: field)?.kind {
            case .list?: value = .list(Input.wordList(text) ?? [])
            case .integer?:
                guard let number = Int64(text) else { throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: InputText.expectedWholeNumber.text) }
                value = .integer(number)
            default: value = text.isEmpty ? .null : .string(text)
            }
        }
        if let problem = type.problem(field: field, value: value) {
            throw KetteError.invalidValue(field: FieldText.named(field), value: text, accepted: type.acceptedValues(field: field) ?? [problem])
        }
        return value
    }
}
