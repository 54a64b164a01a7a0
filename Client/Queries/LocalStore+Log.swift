import Foundation
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
    /// and action (local) or per record and received version (server).
    public func log(_ range: LogRange) throws -> [LogEntry] {
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
        var titles: [String: String?] = [:]
        var formerTitles: [String: String]?
        func title(_ type: RecordType, _ id: String) throws -> String? {
            let key = type.rawValue + "/" + id
            if let known = titles[key] { return known }
            var found = try recordTitle(type, id)
            if found == nil {
                // Deleted here: the title its deletion emptied, as the trash shows it.
                if formerTitles == nil { formerTitles = try keptTitles() }
                found = formerTitles?[key]
            }
            titles[key] = found
            return found
        }
        var entries = try localLogEntries(since: from, title: title)
        entries += try receivedLogEntries(since: from, byArrival: byArrival, title: title)
        for index in entries.indices where entries[index].recordType == .conflict {
            entries[index].event = entries[index].fields.contains("winnerValue") ? "conflict" : "conflictResolved"
        }
        return entries.sorted { $0.writtenAt != $1.writtenAt ? $0.writtenAt > $1.writtenAt : $0.origin < $1.origin }
    }

    private func localLogEntries(since from: Int64, title: (RecordType, String) throws -> String?) throws -> [LogEntry] {
        var entries: [LogEntry] = []
        try database.forEachRow("""
            SELECT a.seq, a.summary, a.author, a.at, a.undone_by, f.record_type, f.record_id, f.field, f.created,
                   CASE WHEN f.field = 'deleted' THEN coalesce(f.previous_value, 'false') END AS deleted_before
            FROM local_actions a JOIN local_action_fields f ON f.action = a.seq WHERE a.at >= ?
            ORDER BY a.seq, f.record_type, f.record_id, f.field
            """, [from]) { row in
            guard let type = row.string("record_type").flatMap(RecordType.init(rawValue:)), let id = row.string("record_id") else { return }
            let field = row.string("field") ?? ""
            let event = row.int("created") == 1 ? "created" : row.string("deleted_before").map { $0 == "true" ? "restored" : "deleted" }
            if let last = entries.last, last.recordType == type, last.recordID == id, last.action == row.string("summary"),
               last.writtenAt == Int64(row.int("at") ?? 0) {
                entries[entries.count - 1].fields.append(field)
                if let event, entries[entries.count - 1].event != "created" { entries[entries.count - 1].event = event }
                return
            }
            let at = Int64(row.int("at") ?? 0)
            entries.append(LogEntry(time: Self.isoTime(at), origin: "local", author: row.string("author"), recordType: type, recordID: id,
                                    title: try title(type, id), event: event ?? "changed", fields: [field], action: row.string("summary"),
                                    undone: (row.int("undone_by") ?? 0) > 0, writtenAt: at))
        }
        return entries
    }

    private func receivedLogEntries(since from: Int64, byArrival: Bool, title: (RecordType, String) throws -> String?) throws -> [LogEntry] {
        let column = byArrival ? "received_at" : "at"
        return try database.rows("""
            SELECT record_type, record_id, fields, deleted, author, at FROM received_changes WHERE \(column) >= ? ORDER BY seq
            """, [from]).compactMap { row in
            guard let type = row.string("record_type").flatMap(RecordType.init(rawValue:)), let id = row.string("record_id") else { return nil }
            let at = Int64(row.int("at") ?? 0)
            let event = row.int("deleted").map { $0 == 1 ? "deleted" : "restored" } ?? "changed"
            return LogEntry(time: Self.isoTime(at), origin: "server", author: row.string("author"), recordType: type, recordID: id,
                            title: try title(type, id), event: event, fields: (row.string("fields") ?? "").split(separator: ",").map(String.init), action: nil, undone: nil,
                            writtenAt: at)
        }
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

    static func isoTime(_ milliseconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
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
