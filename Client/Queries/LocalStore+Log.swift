import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// One record that changed, as `kette log` lists it.
public struct LogEntry: Codable, Hashable, Sendable {
    /// When the change was written (ISO 8601, UTC), wherever it was written.
    public var time: String
    /// `local`: written on this laptop; `server`: received from the server by a sync.
    public var origin: String
    public var author: String?
    public var recordType: RecordType
    public var recordID: String
    /// The record's title or name now, or for a record deleted here the one its deletion emptied;
    /// nil when it has none.
    public var title: String?
    /// `created`, `deleted`, `restored` (deleted set back to false), else `changed`; for a conflict
    /// entry `conflict` (the server opened it) or `conflictResolved`. Records received from the
    /// server are never `created`: the client keeps no earlier state to tell.
    public var event: String
    /// The fields that changed.
    public var fields: [String]
    /// For a local change: the action, as its change set's summary ("offer edit"); nil for received ones.
    public var action: String?
    /// For a local change: true when `kette undo` took it back.
    public var undone: Bool?
    /// Milliseconds since 1970, for ordering.
    var writtenAt: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case time, origin, author, recordType, recordID, title, event, fields, action, undone
    }
}

/// Which part of the history `kette log` shows.
public enum LogRange: Sendable {
    /// All that is kept (30 days).
    case all
    /// Changes written at or after this time (milliseconds since 1970).
    case writtenSince(Int64)
    /// What the last successful sync received, and what was written here since it began.
    case sinceLastSync
}

extension LocalStore {
    /// The changes the local history holds (`LocalHistory`), newest first: one entry per record
    /// and action (local) or per record and received version (server); at most `limit` of them,
    /// with how many there are in all. Only the entries returned get their time text and title:
    /// after a county's first sync the history holds 100,000 received versions, and `kette log
    /// --limit 20` looked up the title of every record they touched.
    public func log(_ range: LogRange, limit: Int = .max) throws -> (entries: [LogEntry], total: Int) {
        var from: Int64 = .min
        var byArrival = false
        switch range {
        case .all: break
        case .writtenSince(let time): from = time
        case .sinceLastSync:
            // Never synced: everything here is since.
            from = Int64(try meta("last_sync_started") ?? "") ?? .min
            byArrival = true
        }
        // One read transaction: one snapshot, and no file lock taken and released per title.
        return try database.inTransaction(.deferred) { _ in
            try log(since: from, byArrival: byArrival, limit: limit)
        }
    }

    private func log(since from: Int64, byArrival: Bool, limit: Int) throws -> (entries: [LogEntry], total: Int) {
        let local = try localLogEntries(since: from)
        let received = try receivedLogRows(since: from, byArrival: byArrival)
        // Sorted as places, not entries: newest first, local before received at the same
        // millisecond, and otherwise in the order read.
        var order = local.indices.map { LogPlace(writtenAt: local[$0].writtenAt, local: true, index: $0) }
            + received.indices.map { LogPlace(writtenAt: received[$0].at, local: false, index: $0) }
        order.sort { first, second in
            if first.writtenAt != second.writtenAt { return first.writtenAt > second.writtenAt }
            return first.local != second.local ? first.local : first.index < second.index
        }
        var titles: [String: String?] = [:]
        var formerTitles: [String: String]?
        let shown = try order.prefix(max(limit, 0)).map { place -> LogEntry in
            var entry = place.local ? local[place.index] : received[place.index].entry
            let key = entry.recordType.rawValue + "/" + entry.recordID
            if titles[key] == nil {
                var found = try recordTitle(entry.recordType, entry.recordID)
                if found == nil {
                    // Deleted here: the title its deletion emptied, as the trash shows it.
                    if formerTitles == nil { formerTitles = try keptTitles() }
                    found = formerTitles?[key]
                }
                titles[key] = .some(found)
            }
            entry.title = titles[key] ?? nil
            entry.time = LocalFormat.isoTimestamp(milliseconds: entry.writtenAt)
            if entry.recordType == .conflict {
                entry.event = entry.fields.contains("winnerValue") ? "conflict" : "conflictResolved"
            }
            return entry
        }
        return (shown, order.count)
    }

    /// An entry's place in the log, for sorting before any entry is made whole.
    private struct LogPlace {
        let writtenAt: Int64
        let local: Bool
        let index: Int
    }

    /// A `received_changes` row as read, made into an entry only when listed.
    private struct ReceivedLogRow {
        let type: RecordType
        let id: String
        let fields: String
        let deleted: Int?
        let author: String?
        let at: Int64

        var entry: LogEntry {
            LogEntry(time: "", origin: "server", author: author, recordType: type, recordID: id, title: nil,
                     event: deleted.map { $0 == 1 ? "deleted" : "restored" } ?? "changed",
                     fields: fields.split(separator: ",").map(String.init), action: nil, undone: nil, writtenAt: at)
        }
    }

    /// Entries of actions on this laptop, without time text and title (`log` adds them).
    private func localLogEntries(since from: Int64) throws -> [LogEntry] {
        var entries: [LogEntry] = []
        try database.forEachRow("""
            SELECT a.seq, a.summary, a.author, a.at, a.undone_by, f.record_type, f.record_id, f.field, f.created,
                   CASE WHEN f.field = 'deleted' THEN coalesce(f.previous_value, 'false') END AS deleted_before
            FROM local_actions a JOIN local_action_fields f ON f.action = a.seq WHERE a.at >= ?
            ORDER BY a.seq, f.record_type, f.record_id, f.field
            """, [from]) { row in
            // By position: a coordinator's own store holds hundreds of thousands of these rows.
            guard let type = row.string(5).flatMap(RecordType.init(rawValue:)), let id = row.string(6) else { return }
            let field = row.string(7) ?? ""
            let event = row.int(8) == 1 ? "created" : row.string(9).map { $0 == "true" ? "restored" : "deleted" }
            let summary = row.string(1), at = Int64(row.int(3) ?? 0)
            if let last = entries.last, last.recordType == type, last.recordID == id, last.action == summary, last.writtenAt == at {
                entries[entries.count - 1].fields.append(field)
                if let event, entries[entries.count - 1].event != "created" { entries[entries.count - 1].event = event }
                return
            }
            entries.append(LogEntry(time: "", origin: "local", author: row.string(2), recordType: type, recordID: id,
                                    title: nil, event: event ?? "changed", fields: [field], action: summary,
                                    undone: (row.int(4) ?? 0) > 0, writtenAt: at))
        }
        return entries
    }

    /// The versions received from the server, as rows (`log` makes entries of those it lists).
    private func receivedLogRows(since from: Int64, byArrival: Bool) throws -> [ReceivedLogRow] {
        let column = byArrival ? "received_at" : "at"
        var rows: [ReceivedLogRow] = []
        try database.forEachRow("""
            SELECT record_type, record_id, fields, deleted, author, at FROM received_changes WHERE \(column) >= ? ORDER BY seq
            """, [from]) { row in
            guard let type = row.string(0).flatMap(RecordType.init(rawValue:)), let id = row.string(1) else { return }
            rows.append(ReceivedLogRow(type: type, id: id, fields: row.string(2) ?? "", deleted: row.int(3), author: row.string(4),
                                       at: Int64(row.int(5) ?? 0)))
        }
        return rows
    }

    /// The newest title or name this laptop's history keeps for each record (by "type/id"): what
    /// a deletion here emptied. One pass, read only when a listed record has no title now.
    private func keptTitles() throws -> [String: String] {
        var titles: [String: String] = [:]
        try database.forEachRow("""
            SELECT record_type, record_id, previous_value FROM local_action_fields
            WHERE field IN ('title', 'name', 'text', 'description', 'statement') AND previous_value IS NOT NULL ORDER BY action
            """) { row in
            guard let type = row.string("record_type"), let id = row.string("record_id"),
                  let text = try row.string("previous_value").map({ try FieldValue(jsonText: $0) })?.stringValue, !text.isEmpty else { return }
            titles[type + "/" + id] = text
        }
        return titles
    }

    /// The live record `reference` names (id, start of an id, or name), with its title.
    public func describeRecord(_ type: RecordType, _ reference: String, language: Language) throws -> (id: String, title: String?) {
        let id = try Resolver.resolve(reference, as: type, in: database, language: language)
        return (id, try recordTitle(type, id))
    }

    /// What people call a record now: its title, name or text; a meeting by its body and date.
    func recordTitle(_ type: RecordType, _ id: String) throws -> String? {
        let sql: String
        switch type {
        case .offer, .agendaItem: sql = "SELECT title AS label FROM \(type.table) WHERE id = ?"
        case .district, .organization, .body, .attendee: sql = "SELECT name AS label FROM \(type.table) WHERE id = ?"
        case .decision: sql = "SELECT decision_text AS label FROM decisions WHERE id = ?"
        case .task: sql = "SELECT task_text AS label FROM tasks WHERE id = ?"
        case .meeting:
            sql = "SELECT trim(coalesce(b.name, '') || ' ' || coalesce(m.meeting_date, '')) AS label FROM meetings m LEFT JOIN bodies b ON b.id = m.body WHERE m.id = ?"
        case .indicator: sql = "SELECT coalesce(o.title, '') || ' ' || coalesce(i.period, '') AS label FROM indicators i LEFT JOIN offers o ON o.id = i.offer WHERE i.id = ?"
        case .member: sql = "SELECT role AS label FROM members WHERE id = ?"
        case .need: sql = "SELECT description AS label FROM needs WHERE id = ?"
        case .goal: sql = "SELECT statement AS label FROM goals WHERE id = ?"
        case .measure, .agreement: sql = "SELECT title AS label FROM \(type.table) WHERE id = ?"
        case .contact: sql = "SELECT name AS label FROM contacts WHERE id = ?"
        case .target: sql = "SELECT coalesce(name, indicator) AS label FROM targets WHERE id = ?"
        case .targetFigure: sql = "SELECT period AS label FROM \(type.table) WHERE id = ?"
        case .measureNote: sql = "SELECT note_text AS label FROM \(type.table) WHERE id = ?"
        case .conflict:
            // A conflict is about a field of another record: that record's title.
            guard let row = try database.firstRow("SELECT record_type, record_id FROM conflicts WHERE id = ?", [id]),
                  let type = row.string("record_type").flatMap(RecordType.init(rawValue:)), type != .conflict,
                  let about = row.string("record_id") else { return nil }
            return try recordTitle(type, about)
        }
        guard let label = try database.firstRow(sql, [id])?.string("label")?.trimmingCharacters(in: .whitespaces), !label.isEmpty else { return nil }
        return label
    }
}
