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
            try setMeta("last_sync", ISO8601DateFormatter().string(from: time), in: db)
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
            let cutoff = HLCTimestamp(physicalMilliseconds: limit, counter: 0, replica: ReplicaID(rawValue: "")).encoded
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

    /// Merges one pulled page by the merge rule and stores the cursor with it, in one
    /// transaction: a pull cut off after this page resumes after it, never before or beyond.
    func mergePulledPage(_ page: PullPage) throws -> Int {
        var clock = self.clock
        var merged = 0
        var erased = false
        try database.inTransaction { db in
            var offers = Set<String>(), meetings = Set<String>()
            // Pages list a record's fields together (they were written together), so the page is
            // merged a record at a time: one read of its versions, one row update.
            var start = 0
            let changes = page.changes.map(\.change)
            let redacted = page.changes.map(\.redacted)
            let statements = try RecordApplier.MergeStatements(db)
            defer { statements.reset() }
            let authors = Dictionary(page.changes.compactMap { pulled in pulled.author.map { (pulled.change.hlc.encoded, $0) } },
                                     uniquingKeysWith: { first, _ in first })
            let receivedAt = physicalNow()
            // Fields with unconfirmed local writes remember the server's newest version (for
            // taking a refused write back); most pulls find none and skip that bookkeeping.
            let tracking = try ServerVersions.anyTracked(in: db)
            while start < changes.count {
                var end = start + 1
                while end < changes.count, changes[end].recordType == changes[start].recordType, changes[end].recordID == changes[start].recordID {
                    end += 1
                }
                let type = changes[start].recordType, id = changes[start].recordID
                // A field this version does not know (a newer server) is skipped, not fatal.
                let known = changes[start..<end].filter { $0.field == RecordType.deletedField || type.field(named: $0.field) != nil }
                let redactedFields = Set((start..<end).filter { redacted[$0] }.map { changes[$0].field })
                let (won, scrub) = try RecordApplier.mergeRecord(type: type, id: id, changes: known, redacted: redactedFields, in: db, statements: statements)
                if scrub { erased = true }
                if tracking {
                    for change in known { try ServerVersions.notePulled(change, redacted: redactedFields.contains(change.field), in: db) }
                }
                if !won.isEmpty {
                    merged += won.count
                    try LocalHistory.recordReceived(won, authors: authors, receivedAt: receivedAt, in: db)
                    let affected = try SearchIndex.affectedRecords(type: type, id: id, fields: won.lazy.map(\.field), in: db)
                    offers.formUnion(affected.offers)
                    meetings.formUnion(affected.meetings)
                }
                if let newest = changes[start..<end].map(\.hlc).max() { clock.observe(newest, now: physicalNow()) }
                start = end
            }
            try SearchIndex.reindex(offers: offers, meetings: meetings, in: db)
            try setMeta("cursor", String(page.cursor), in: db)
            try setMeta("clock", clock.last.encoded, in: db)
            // Kept with the page: a crash before the scrub below leaves it to the next sync.
            if erased {
                try setMeta("scrub_pending", "1", in: db)
                try LocalHistory.forgetPreviousValues(in: db)
            }
        }
        self.clock = clock
        if erased { try scrubErasedData() }
        return merged
    }

    /// Removes the bytes of erased names that merging left behind: old full-text segments (FTS5
    /// keeps deleted tokens until its segments are merged), freed cells and pages, and WAL frames.
    /// Runs after a page with redacted changes was merged, and at the next sync after a crash.
    func scrubErasedData() throws {
        let secureDelete = try database.scalarInt("PRAGMA secure_delete") ?? 0
        try database.execute("PRAGMA secure_delete = ON")
        defer { try? database.execute("PRAGMA secure_delete = \(secureDelete)") }
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
    func resetPullCursor() throws {
        try database.inTransaction { db in try setMeta("cursor", nil, in: db) }
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
        let formatter = ISO8601DateFormatter()
        return try database.rows(sql).map { row in
            func side(_ value: Int, _ hlc: Int, _ author: Int) -> ConflictEntry.Side {
                let stamp = row.string(hlc).flatMap(HLCTimestamp.init(encoded:))
                let decoded = (try? FieldValue(jsonText: row.string(value) ?? "null")) ?? .null
                return ConflictEntry.Side(value: decoded, author: row.string(author),
                                          time: stamp.map { formatter.string(from: Date(timeIntervalSince1970: Double($0.physicalMilliseconds) / 1000)) } ?? "",
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
