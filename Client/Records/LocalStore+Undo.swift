import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// One field of one record, as `kette undo` reports it.
public struct FieldReference: Codable, Hashable, Sendable {
    public var recordType: RecordType
    public var recordID: String
    public var field: String
}

/// What `kette undo` did.
public struct UndoResult: Sendable {
    /// The action taken back, as it was written ("offer edit").
    public var summary: String
    /// When it was written, milliseconds since 1970.
    public var writtenAt: Int64
    /// The fields that got their previous value back (`deleted` for a record made or deleted).
    public var restored: [FieldReference]
    /// Fields left as they are because someone wrote them after the action (here or elsewhere):
    /// undo never overwrites a later change.
    public var kept: [FieldReference]
}

/// A record deleted on this laptop whose texts are kept (`kette trash`).
public struct TrashEntry: Codable, Hashable, Sendable {
    public var recordType: RecordType
    public var id: String
    /// Its title or name before the deletion.
    public var title: String
    /// When it was deleted (ISO 8601, UTC).
    public var deletedAt: String
    /// The fields whose values a restore brings back.
    public var keptFields: [String]
}

/// Taking back what was done on this laptop, from the local history (`LocalHistory`). Every undo
/// and restore is a new change set that writes the earlier values again, so it syncs like any
/// edit and also works after the action was synced.
extension LocalStore {
    /// A local action as the history holds it.
    private struct Action {
        let seq: Int
        let summary: String
        let at: Int64
        let forgotten: Bool
    }

    /// A field as an action found it.
    private struct PreviousField {
        let type: RecordType
        let id: String
        let field: String
        let value: FieldValue?
        let created: Bool
    }

    // MARK: Undo

    /// Takes back the newest action written here that is neither an undo nor undone yet.
    ///
    /// Each field the action wrote gets its previous value back, unless someone else wrote the
    /// field after the action (on another laptop, learnt by a sync, or the server): that later
    /// change is kept and reported, never overwritten. Later writes of this laptop do not count:
    /// undo takes the newest action first, so they were taken back already. A record the action
    /// made is deleted (its texts go to the trash), unless someone else wrote to it since. A
    /// record the action deleted comes back with its texts, as `restore` does.
    public func undo(language: Language) throws -> UndoResult {
        guard let action = try newestUndoableAction() else { throw KetteError.nothingToUndo }
        guard !action.forgotten else { throw KetteError.undoForgotten(summary: action.summary) }
        let fields = try previousFields(of: action.seq)
        var result = UndoResult(summary: action.summary, writtenAt: action.at, restored: [], kept: [])
        try record("undo \(action.summary)") { change in
            change.undoing = action.seq
            for (record, recordFields) in Self.byRecord(fields) {
                try undo(record, recordFields, into: &result, change)
            }
        }
        if try database.scalarInt("SELECT undone_by FROM local_actions WHERE seq = ?", [action.seq]) == nil {
            // Nothing was written back (every field changed since): mark the action anyway, so
            // the next undo goes further back instead of stopping here for ever.
            try database.execute("UPDATE local_actions SET undone_by = 0 WHERE seq = ?", [action.seq])
        }
        return result
    }

    private func newestUndoableAction() throws -> Action? {
        try database.firstRow("""
            SELECT seq, summary, at, forgotten FROM local_actions WHERE undone_by IS NULL AND undoes IS NULL ORDER BY seq DESC LIMIT 1
            """).map { row in
            Action(seq: row.int("seq") ?? 0, summary: row.string("summary") ?? "", at: Int64(row.int("at") ?? 0),
                   forgotten: row.int("forgotten") != 0)
        }
    }

    private func previousFields(of action: Int) throws -> [PreviousField] {
        try database.rows("""
            SELECT record_type, record_id, field, previous_value, created FROM local_action_fields WHERE action = ?
            ORDER BY record_type, record_id, field = 'deleted' DESC, field
            """, [action]).compactMap { row in
            guard let type = row.string("record_type").flatMap(RecordType.init(rawValue:)) else { return nil }
            return PreviousField(type: type, id: row.string("record_id") ?? "", field: row.string("field") ?? "",
                                 value: try row.string("previous_value").map { try FieldValue(jsonText: $0) },
                                 created: row.int("created") != 0)
        }
    }

    /// The fields grouped per record, in the order they came (the `deleted` field first).
    private static func byRecord(_ fields: [PreviousField]) -> [(record: FieldReference, fields: [PreviousField])] {
        var groups: [(record: FieldReference, fields: [PreviousField])] = []
        for field in fields {
            if let last = groups.last, last.record.recordType == field.type, last.record.recordID == field.id {
                groups[groups.count - 1].fields.append(field)
            } else {
                groups.append((FieldReference(recordType: field.type, recordID: field.id, field: ""), [field]))
            }
        }
        return groups
    }

    private func undo(_ record: FieldReference, _ fields: [PreviousField], into result: inout UndoResult, _ change: ChangeSetBuilder) throws {
        let type = record.recordType, id = record.recordID
        func reference(_ field: String) -> FieldReference { FieldReference(recordType: type, recordID: id, field: field) }
        // Gone from this laptop since (it left the user's scope, or the server never had it):
        // writing the old values would make a record the server places out of reach.
        guard try database.scalarInt("SELECT 1 FROM \(type.table) WHERE id = ?", [id]) != nil else {
            result.kept += fields.map { reference($0.field) }
            return
        }
        if fields.contains(where: \.created) {
            // Made by the action: it goes again, unless someone else wrote to it since.
            let versions = try database.rows("SELECT hlc FROM field_versions WHERE record_type = ? AND record_id = ?", [type.rawValue, id])
            if versions.contains(where: { !writtenHere($0.string("hlc")) }) { result.kept.append(reference(RecordType.deletedField)) } else {
                try change.delete(type, id)
                result.restored.append(reference(RecordType.deletedField))
            }
            return
        }
        let deletedByAction = fields.contains { $0.field == RecordType.deletedField && $0.value != .bool(true) }
        if deletedByAction, try isDeleted(type, id) {
            try restore(type, id, fields, change)
            result.restored += fields.map { reference($0.field) }
            return
        }
        for field in fields {
            let current = try RecordApplier.currentVersion(type: type, id: id, field: field.field, in: database)
            guard writtenHere(current?.hlc.encoded) else {
                result.kept.append(reference(field.field))
                continue
            }
            try change.set(type, id, field.field, Self.writable(field))
            result.restored.append(reference(field.field))
        }
    }

    /// Whether a version was written on this laptop (its timestamp carries this replica's id); a
    /// field without a version counts as this laptop's.
    private func writtenHere(_ hlc: String?) -> Bool {
        guard let hlc else { return true }
        return HLCTimestamp(encoded: hlc)?.replica == replica
    }

    /// The value to write back: the previous one; a tombstone that had none was "not deleted".
    private static func writable(_ field: PreviousField) -> FieldValue {
        if field.field == RecordType.deletedField, field.value == nil || field.value == .null { return .bool(false) }
        return field.value ?? .null
    }

    private func isDeleted(_ type: RecordType, _ id: String) throws -> Bool {
        try database.scalarInt("SELECT deleted FROM \(type.table) WHERE id = ?", [id]) == 1
    }

    /// Brings a deleted record back with the texts its deletion emptied: `deleted = false` first,
    /// then every kept value, whatever was written since (a deleted record's texts can only have
    /// been emptied again).
    private func restore(_ type: RecordType, _ id: String, _ fields: [PreviousField], _ change: ChangeSetBuilder) throws {
        try change.set(type, id, RecordType.deletedField, .bool(false))
        for field in fields where field.field != RecordType.deletedField {
            if let value = field.value, value != .null { try change.set(type, id, field.field, value) }
        }
    }

    // MARK: Trash

    /// The records deleted on this laptop within the retention period that are still deleted,
    /// newest deletion first.
    public func trash() throws -> [TrashEntry] {
        try trashDeletions().map(\.entry)
    }

    /// Brings back a record from the trash (by id, the start of it, or its former title or
    /// name) with the texts its deletion emptied, as a new change set. Returns what came back.
    public func restore(_ reference: String, language: Language) throws -> TrashEntry {
        let deletion = try trashDeletion(reference, language: language)
        let type = deletion.entry.recordType, id = deletion.entry.id
        let fields = try previousFields(of: deletion.action).filter { $0.type == type && $0.id == id }
        try record("\(type.rawValue) restore") { change in try restore(type, id, fields, change) }
        return deletion.entry
    }

    private func trashDeletions() throws -> [(entry: TrashEntry, action: Int)] {
        var seen = Set<String>()
        var result: [(entry: TrashEntry, action: Int)] = []
        let rows = try database.rows("""
            SELECT a.seq, a.at, f.record_type, f.record_id FROM local_action_fields f JOIN local_actions a ON a.seq = f.action
            WHERE f.field = 'deleted' AND coalesce(f.previous_value, 'false') != 'true' AND a.forgotten = 0 ORDER BY a.seq DESC
            """)
        for row in rows {
            guard let type = row.string("record_type").flatMap(RecordType.init(rawValue:)), let id = row.string("record_id"),
                  let action = row.int("seq"), seen.insert(type.rawValue + "/" + id).inserted, try isDeleted(type, id) else { continue }
            let fields = try previousFields(of: action).filter { $0.type == type && $0.id == id }
            let kept = fields.filter { $0.field != RecordType.deletedField && $0.value != nil && $0.value != .null }
            // A deletion empties the texts people may be named in, not every name (a district's
            // stays): what it did not empty is read from the record.
            let title = try ["title", "name", "text", "description", "statement", "date"].lazy.compactMap { name in kept.first { $0.field == name }?.value?.stringValue }.first
                ?? recordTitle(type, id)
            let deletedAt = LocalFormat.isoTimestamp(milliseconds: Int64(row.int("at") ?? 0))
            result.append((TrashEntry(recordType: type, id: id, title: title ?? "", deletedAt: deletedAt, keptFields: kept.map(\.field)), action))
        }
        return result
    }

    /// The trash entry `reference` names: an id, the start of one (4 or more characters), or a
    /// former title or name (folded, whole or its start).
    private func trashDeletion(_ reference: String, language: Language) throws -> (entry: TrashEntry, action: Int) {
        let wanted = reference.trimmingCharacters(in: .whitespaces)
        let kind = HistoryText.trashEntry.text
        guard !wanted.isEmpty else { throw KetteError.missingValue(field: FieldText.id.text) }
        let deletions = try trashDeletions()
        var matches = deletions.filter { $0.entry.id == wanted }
        if matches.isEmpty, wanted.count >= 4 { matches = deletions.filter { RecordIdentifier.matches($0.entry.id, typed: wanted.lowercased()) } }
        if matches.isEmpty {
            let folded = wanted.folded
            matches = deletions.filter { $0.entry.title.folded == folded }
            if matches.isEmpty { matches = deletions.filter { !folded.isEmpty && $0.entry.title.folded.hasPrefix(folded) } }
        }
        switch matches.count {
        case 0: throw KetteError.notFound(kind: kind, reference: wanted)
        case 1: return matches[0]
        default: throw KetteError.ambiguous(kind: kind, reference: wanted, candidates: matches.prefix(10).map { "\($0.entry.title) [\($0.entry.id)]" })
        }
    }
}
