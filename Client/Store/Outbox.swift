import Foundation
import KetteProtocol
import KetteStore

/// The change sets written on this replica and not yet confirmed by the server.
public enum Outbox {
    static func append(_ changeSet: ChangeSet, createdAt: Int64, in db: Database) throws {
        let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(createdAt) / 1000))
        try db.execute("INSERT INTO outbox_change_sets (id, summary, author, schema_version, created_at) VALUES (?, ?, ?, ?, ?)",
                       [changeSet.id, changeSet.summary, changeSet.author, changeSet.schemaVersion, created])
        let seq = db.lastInsertRowID
        for (ordinal, change) in changeSet.changes.enumerated() {
            try db.execute("""
                INSERT INTO outbox_changes (change_set_seq, ordinal, record_type, record_id, field, value, hlc, base)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [seq, ordinal, change.recordType.rawValue, change.recordID, change.field,
                      change.value.jsonText, change.hlc.encoded, change.base?.encoded])
        }
    }

    /// How many change sets wait to be pushed.
    public static func pendingCount(in db: Database) throws -> Int {
        try db.scalarInt("SELECT count(*) FROM outbox_change_sets") ?? 0
    }

    /// How many field changes wait to be pushed.
    public static func pendingChanges(in db: Database) throws -> Int {
        try db.scalarInt("SELECT count(*) FROM outbox_changes") ?? 0
    }

    /// The waiting change sets, oldest first, decoded as they will go on the wire.
    public static func pending(in db: Database, replica: ReplicaID, seqRange: ClosedRange<Int> = 0...Int.max) throws -> [ChangeSet] {
        var sets: [ChangeSet] = []
        for row in try db.rows("SELECT seq, id, summary, author, schema_version FROM outbox_change_sets WHERE seq BETWEEN ? AND ? ORDER BY seq",
                               [seqRange.lowerBound, seqRange.upperBound]) {
            guard let seq = row.int(0), let id = row.string(1) else { continue }
            var changes: [Change] = []
            for change in try db.rows("""
                SELECT record_type, record_id, field, value, hlc, base FROM outbox_changes
                WHERE change_set_seq = ? ORDER BY ordinal
                """, [seq]) {
                guard let type = change.string(0).flatMap(RecordType.init(rawValue:)),
                      let hlc = change.string(4).flatMap(HLCTimestamp.init(encoded:)) else {
                    throw KetteError.storeDamaged(path: db.path, reason: "change set \(id) holds an unreadable change")
                }
                var reader = JSONReader(Array((change.string(3) ?? "null").utf8))
                let value = try reader.readFieldValue()
                changes.append(Change(recordType: type, recordID: change.string(1) ?? "", field: change.string(2) ?? "",
                                      value: value, hlc: hlc, base: change.string(5).flatMap(HLCTimestamp.init(encoded:))))
            }
            sets.append(ChangeSet(id: id, replica: replica, author: row.string(3), schemaVersion: row.int(4) ?? 1,
                                  summary: row.string(2) ?? "", changes: changes))
        }
        return sets
    }
}
