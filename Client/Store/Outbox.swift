import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// The change sets written on this replica and not yet confirmed by the server.
package enum Outbox {
    static func append(_ changeSet: ChangeSet, createdAt: Int64, in db: Database) throws {
        let created = LocalFormat.isoTimestamp(milliseconds: createdAt)
        try db.execute("""
            INSERT INTO outbox_change_sets (id, summary, author, schema_version, created_at, change_count) VALUES (?, ?, ?, ?, ?, ?)
            """, [changeSet.id, changeSet.summary, changeSet.author, changeSet.schemaVersion, created, changeSet.changes.count])
        let seq = db.lastInsertRowID
        for (ordinal, change) in changeSet.changes.enumerated() {
            try db.execute("""
                INSERT INTO outbox_changes (change_set_seq, ordinal, record_type, record_id, field, value, hlc, base)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, ordinal, change.recordType.rawValue, change.recordID, change.field,
                      change.value.jsonText, change.hlc.encoded, change.base?.encoded])
        }
    }

    /// Removes change sets the server confirmed (`seqs`) with their changes, after
    /// `ServerVersions.noteConfirmed`: two statements for a whole push answer. The changes go
    /// first and by their key; letting each change set's delete cascade to them cost twice as much.
    static func removeConfirmed(_ seqs: [Int], in db: Database) throws {
        guard !seqs.isEmpty else { return }
        let listed = listed(seqs)
        try db.execute("DELETE FROM outbox_changes WHERE change_set_seq IN (SELECT value FROM json_each(?))", [listed])
        try db.execute("DELETE FROM outbox_change_sets WHERE seq IN (SELECT value FROM json_each(?))", [listed])
    }

    /// Change-set numbers as one JSON list, for `IN (SELECT value FROM json_each(?))`: one
    /// statement for any number of them.
    static func listed(_ seqs: [Int]) -> String {
        "[" + seqs.map(String.init).joined(separator: ",") + "]"
    }

    /// How many change sets wait to be pushed (kept by triggers, see `ClientSchema.addStatusCounts`).
    package static func pendingCount(in db: Database) throws -> Int {
        try db.scalarInt("SELECT change_sets FROM outbox_totals") ?? 0
    }

    /// How many field changes wait to be pushed (kept by triggers, not counted row by row).
    package static func pendingChanges(in db: Database) throws -> Int {
        try db.scalarInt("SELECT changes FROM outbox_totals") ?? 0
    }

    /// The waiting change sets, oldest first, decoded as they will go on the wire.
    package static func pending(in db: Database, replica: ReplicaID, seqRange: ClosedRange<Int> = 0...Int.max) throws -> [ChangeSet] {
        // Two queries for the whole range, not one per change set: a push reads hundreds at once.
        var changesBySet: [Int: [Change]] = [:]
        try db.forEachRow("""
            SELECT change_set_seq, record_type, record_id, field, value, hlc, base FROM outbox_changes
            WHERE change_set_seq BETWEEN ? AND ? ORDER BY change_set_seq, ordinal
            """, [seqRange.lowerBound, seqRange.upperBound]) { row in
            guard let seq = row.int(0), let type = row.string(1).flatMap(RecordType.init(rawValue:)),
                  let hlc = row.string(5).flatMap(HLCTimestamp.init(encoded:)) else {
                throw KetteError.storeDamaged(path: db.path, reason: StoreText.unreadableOutbox.text)
            }
            let value = try FieldValue(jsonText: row.string(4) ?? "null")
            changesBySet[seq, default: []].append(Change(recordType: type, recordID: row.string(2) ?? "", field: row.string(3) ?? "",
                                                         value: value, hlc: hlc, base: row.string(6).flatMap(HLCTimestamp.init(encoded:))))
        }
        return try db.rows("SELECT seq, id, summary, author, schema_version FROM outbox_change_sets WHERE seq BETWEEN ? AND ? ORDER BY seq",
                           [seqRange.lowerBound, seqRange.upperBound]).compactMap { row in
            guard let seq = row.int(0), let id = row.string(1) else { return nil }
            return ChangeSet(id: id, replica: replica, author: row.string(3), schemaVersion: row.int(4) ?? 1,
                             summary: row.string(2) ?? "", changes: changesBySet[seq] ?? [])
        }
    }
}
