import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// A change set the server refused (SPEC §9, §13).
public struct RefusedChangeSet: Codable, Hashable, Sendable {
    public var id: String
    public var summary: String
    public var code: String
    public var reason: String
    /// When the server refused it (ISO 8601).
    public var refusedAt: String
    /// True when it waits in the outbox and is pushed again at every sync, because only the server
    /// has to change (`unsupported_schema`: the server is older) or Kette corrects it itself
    /// (`clock_ahead`); false when it was taken back and is kept for `kette refused`.
    public var waiting: Bool
    /// The facts behind the refusal as the server sent them (SPEC §7.3), for the message in the
    /// user's language; known to the sync that received it, not kept in the store.
    public var details: RefusalDetails? = nil
}

/// A refused change set with what it would have written, for `kette refused show`.
public struct RefusalDetail: Codable, Sendable {
    public var refusal: RefusedChangeSet
    /// The changes as they were pushed.
    public var changes: [Change]
}

extension LocalStore {
    /// Refusal codes after which a change set stays in the outbox: it is right as it is, and the
    /// next push may be accepted without anyone touching it.
    static func waitsInOutbox(_ code: String) -> Bool { code == "unsupported_schema" || code == "clock_ahead" }

    // MARK: Push results

    /// Applies a push answer to the outbox, in one transaction: confirmed change sets leave it;
    /// refused ones are taken back and kept (or, for `waitsInOutbox` codes, marked and pushed
    /// again). Returns the change sets newly marked waiting; those taken back are reported by
    /// `takeUnreportedRefusals` at the end of the sync.
    func applyPushResults(_ results: [ChangeSetResult]) throws -> [RefusedChangeSet] {
        // Confirmed change sets leave the outbox as copies of versions the store keeps, so the
        // pages they free need not be zeroed: with Debian's SQLite (secure_delete on) zeroing them
        // was a third of the pages a large push's confirmations wrote. A refusal takes its changes
        // back and may remove a record, whose freed pages are zeroed as before.
        let secureDelete = try database.secureDelete()
        if secureDelete == .on, !results.contains(where: { $0.status == .refused }) {
            try database.setSecureDelete(.fast)
        }
        defer { try? database.setSecureDelete(secureDelete) }
        return try database.inTransaction { db in
            let now = LocalFormat.isoTimestamp(milliseconds: LocalStore.systemMilliseconds())
            var newlyWaiting: [RefusedChangeSet] = []
            var search = SearchIndex.Affected()
            let digests = DigestDeltas()
            // Confirmed change sets leave the outbox together, a run of them at a time: the run
            // is settled before a refusal, so each answer is applied in the order it lists them.
            var confirmed: [Int] = [], inRun = Set<Int>()
            func settleConfirmed() throws {
                try ServerVersions.noteConfirmed(changeSetSeqs: confirmed, in: db)
                try Outbox.removeConfirmed(confirmed, in: db)
                confirmed.removeAll()
                inRun.removeAll()
            }
            for result in results {
                // A change set listed twice in one answer was settled at its first mention.
                guard let entry = try db.firstRow("SELECT seq, summary, refused_code FROM outbox_change_sets WHERE id = ?", [result.id]),
                      let seq = entry.int(0), !inRun.contains(seq) else { continue }
                switch result.status {
                case .applied, .conflicts:
                    // Only now, after the server confirmed it, does the change set leave the outbox.
                    confirmed.append(seq)
                    inRun.insert(seq)
                case .refused:
                    if !confirmed.isEmpty { try settleConfirmed() }
                    let code = result.code ?? "refused"
                    let refusal = RefusedChangeSet(id: result.id, summary: entry.string(1) ?? "", code: code, reason: result.reason ?? "",
                                                   refusedAt: now, waiting: Self.waitsInOutbox(code), details: result.details)
                    if refusal.waiting {
                        try db.execute("UPDATE outbox_change_sets SET refused_code = ?, refused_reason = ?, refused_at = ? WHERE seq = ?",
                                       [code, refusal.reason, now, seq])
                        if entry[2].isNull { newlyWaiting.append(refusal) }
                    } else {
                        try takeBack(outboxSeq: seq, as: refusal, in: db, search: &search, digests: digests)
                    }
                }
            }
            if !confirmed.isEmpty { try settleConfirmed() }
            try SearchIndex.reindex(offers: search.offers, meetings: search.meetings, in: db)
            try digests.write(into: db)
            return newlyWaiting
        }
    }

    /// The kept refusals no finished sync has reported yet, marked reported now: a sync that
    /// stopped early (the connection dropped after the refusal came back) leaves them to the next.
    func takeUnreportedRefusals() throws -> [RefusedChangeSet] {
        try database.inTransaction { db in
            let unreported = try db.rows("SELECT id, summary, code, reason, refused_at FROM refusals WHERE reported = 0 ORDER BY seq").map(Self.keptRefusal)
            try db.execute("UPDATE refusals SET reported = 1 WHERE reported = 0")
            return unreported
        }
    }

    // MARK: Taking back

    /// Takes a refused change set back: moves it from the outbox to the kept refusals and returns
    /// every field it wrote to the newest version that still stands (the server's, or an older
    /// unconfirmed write of this replica), so the replica holds what the server holds. A record
    /// the server never had disappears.
    private func takeBack(outboxSeq seq: Int, as refusal: RefusedChangeSet, in db: Database, search: inout SearchIndex.Affected,
                          digests: DigestDeltas) throws {
        guard let changeSet = try Outbox.pending(in: db, replica: replica, seqRange: seq...seq).first else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.execute("""
            INSERT INTO refusals (id, summary, created_at, code, reason, refused_at, change_set)
            SELECT id, summary, created_at, ?, ?, ?, ? FROM outbox_change_sets WHERE seq = ?
            """, [refusal.code, refusal.reason, refusal.refusedAt, String(decoding: try encoder.encode(changeSet), as: UTF8.self), seq])
        var records: [RecordApplier.RecordKey] = [], seen = Set<RecordApplier.RecordKey>()
        for change in changeSet.changes where seen.insert(RecordApplier.RecordKey(type: change.recordType, id: change.recordID)).inserted {
            records.append(RecordApplier.RecordKey(type: change.recordType, id: change.recordID))
        }
        // Search text of the records as they are now (an attendee still names its meeting), and after.
        for record in records { search.formUnion(try SearchIndex.affectedRecords(type: record.type, id: record.id, in: db)) }
        for change in changeSet.changes { try restore(change, excluding: seq, in: db, digests: digests) }
        try rebaseWritesOnTop(of: seq, in: db)
        try ServerVersions.forgetSettled(changeSetSeqs: Outbox.listed([seq]), in: db)
        try db.execute("DELETE FROM outbox_change_sets WHERE seq = ?", [seq])
        for record in records {
            search.formUnion(try SearchIndex.affectedRecords(type: record.type, id: record.id, in: db))
            try RecordApplier.removeIfUnwritten(type: record.type, id: record.id, in: db)
        }
    }

    /// Later writes made on top of a refused one saw what it had seen, not the refused version,
    /// which nobody else ever sees: their base moves down to its base, so the server still finds
    /// a conflict with a version it got from someone else in between.
    private func rebaseWritesOnTop(of seq: Int, in db: Database) throws {
        for table in ["outbox_changes", "field_versions"] {
            try db.execute("""
                UPDATE \(table) SET base = refused.base FROM (SELECT record_type, record_id, field, hlc, base FROM outbox_changes WHERE change_set_seq = ?1) refused
                WHERE \(table).record_type = refused.record_type AND \(table).record_id = refused.record_id AND \(table).field = refused.field
                  AND \(table).base = refused.hlc\(table == "outbox_changes" ? " AND outbox_changes.change_set_seq <> ?1" : "")
                """, [seq])
        }
    }

    /// Returns one field to the newest version that stands without the change set `seq`. A field
    /// that a later version overwrote already keeps that version.
    private func restore(_ written: Change, excluding seq: Int, in db: Database, digests: DigestDeltas) throws {
        let key: [DatabaseValueConvertible?] = [written.recordType.rawValue, written.recordID, written.field]
        guard try db.scalarString("SELECT hlc FROM field_versions WHERE record_type = ? AND record_id = ? AND field = ?", key) == written.hlc.encoded else {
            return
        }
        // The newest other unconfirmed write of the field, by the merge rule.
        var standing: MergeRule.Version?
        for row in try db.rows("""
            SELECT value, hlc, base FROM outbox_changes WHERE record_type = ? AND record_id = ? AND field = ? AND change_set_seq <> ?
            """, key + [seq]) {
            guard let hlc = row.string(1).flatMap(HLCTimestamp.init(encoded:)), MergeRule.incomingWins(hlc, over: standing?.hlc) else { continue }
            var reader = JSONReader(Array((row.string(0) ?? "null").utf8))
            standing = MergeRule.Version(value: try reader.readFieldValue(), hlc: hlc, base: row.string(2).flatMap(HLCTimestamp.init(encoded:)))
        }
        switch try ServerVersions.version(type: written.recordType, id: written.recordID, field: written.field, in: db) {
        case .some(let server?):
            if MergeRule.incomingWins(server.hlc, over: standing?.hlc) { standing = server }
        case .some(nil):
            break  // the server holds no version of the field
        case nil:
            // Written before this replica remembered the server's versions: only a write made on
            // an empty field is known to replace nothing; anything else stays as it is.
            if standing == nil && written.base != nil { return }
        }
        if let standing {
            // The standing version's author and change set are not kept here (the server's, or an
            // older write of this replica): it is recorded as this replica's.
            try RecordApplier.apply(Change(recordType: written.recordType, recordID: written.recordID, field: written.field,
                                           value: standing.value, hlc: standing.hlc, base: standing.base),
                                    changeSet: nil, replacing: written.hlc, digests: digests, in: db)
        } else {
            try RecordApplier.removeVersion(type: written.recordType, id: written.recordID, field: written.field, digests: digests, in: db)
        }
    }

    // MARK: Kept refusals

    /// Every refused change set: those taken back and kept (oldest first), then those waiting in
    /// the outbox to be pushed again.
    public func refusedChangeSets() throws -> [RefusedChangeSet] {
        let waiting = try database.rows("""
            SELECT id, summary, refused_code, refused_reason, refused_at FROM outbox_change_sets WHERE refused_code IS NOT NULL ORDER BY seq
            """).map { row in
            RefusedChangeSet(id: row.string(0) ?? "", summary: row.string(1) ?? "", code: row.string(2) ?? "", reason: row.string(3) ?? "",
                             refusedAt: row.string(4) ?? "", waiting: true)
        }
        return try keptRefusals() + waiting
    }

    /// The refused change sets taken back and kept, oldest first (`kette refused`).
    public func keptRefusals() throws -> [RefusedChangeSet] {
        try database.rows("SELECT id, summary, code, reason, refused_at FROM refusals ORDER BY seq").map(Self.keptRefusal)
    }

    /// A kept refusal from a row of `id, summary, code, reason, refused_at`.
    private static func keptRefusal(_ row: Row) -> RefusedChangeSet {
        RefusedChangeSet(id: row.string(0) ?? "", summary: row.string(1) ?? "", code: row.string(2) ?? "", reason: row.string(3) ?? "",
                         refusedAt: row.string(4) ?? "", waiting: false)
    }

    /// One kept refusal with its changes, by id or the start of it.
    public func refusal(_ reference: String, language: Language) throws -> RefusalDetail {
        let (seq, refusal) = try findRefusal(reference, language: language)
        return RefusalDetail(refusal: refusal, changes: try refusedChanges(seq))
    }

    /// Writes a kept refusal's content again as a new change set, pushed at the next sync (after
    /// its cause was fixed, e.g. the user was given the district), and forgets the refusal. Like
    /// any write, it is refused here if it is still outside the user's scope, and then kept.
    @discardableResult
    public func retryRefusal(_ reference: String, language: Language) throws -> RefusedChangeSet {
        let (seq, refusal) = try findRefusal(reference, language: language)
        let changes = try refusedChanges(seq)
        try record(refusal.summary) { change in
            // Values that equal what the replica holds now record nothing, as in any write.
            for written in changes { try change.set(written.recordType, written.recordID, written.field, written.value) }
            try database.execute("DELETE FROM refusals WHERE seq = ?", [seq])
        }
        return refusal
    }

    /// Forgets a kept refusal; what it would have written is gone for good.
    @discardableResult
    public func dropRefusal(_ reference: String, language: Language) throws -> RefusedChangeSet {
        let (seq, refusal) = try findRefusal(reference, language: language)
        try database.inTransaction { db in try db.execute("DELETE FROM refusals WHERE seq = ?", [seq]) }
        return refusal
    }

    /// Forgets every kept refusal; returns how many there were.
    public func dropAllRefusals() throws -> Int {
        try database.inTransaction { db in
            try db.execute("DELETE FROM refusals")
            return db.changes
        }
    }

    /// A kept refusal by its change set id or the start of it; ambiguity is an error, not a guess.
    private func findRefusal(_ reference: String, language: Language) throws -> (seq: Int, refusal: RefusedChangeSet) {
        let kind = FieldText.refusal.text
        let wanted = reference.trimmingCharacters(in: .whitespaces).lowercased()
        guard !wanted.isEmpty else { throw KetteError.missingValue(field: FieldText.id.text) }
        let rows = try database.rows("SELECT seq, id, summary, code, reason, refused_at FROM refusals WHERE \(RecordIdentifier.sqlMatch("id")) ORDER BY seq",
                                     [wanted])
        let matches = rows.filter { $0.string(1) == wanted }.isEmpty ? rows : rows.filter { $0.string(1) == wanted }
        guard let row = matches.first, let seq = row.int(0) else {
            throw KetteError.notFoundAmong(kind: kind, reference: reference, known: try keptRefusals().map { RecordIdentifier.shortCode($0.id) })
        }
        guard matches.count == 1 else {
            throw KetteError.ambiguous(kind: kind, reference: reference, candidates: matches.compactMap { $0.string(1) })
        }
        return (seq, RefusedChangeSet(id: row.string(1) ?? "", summary: row.string(2) ?? "", code: row.string(3) ?? "",
                                      reason: row.string(4) ?? "", refusedAt: row.string(5) ?? "", waiting: false))
    }

    private func refusedChanges(_ seq: Int) throws -> [Change] {
        guard let text = try database.scalarString("SELECT change_set FROM refusals WHERE seq = ?", [seq]),
              let changeSet = try? JSONDecoder().decode(ChangeSet.self, from: Data(text.utf8)) else {
            throw KetteError.storeDamaged(path: database.path, reason: StoreText.unreadableRefusal.text)
        }
        return changeSet.changes
    }
}
