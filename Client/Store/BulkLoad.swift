import Foundation
import KetteProtocol
import KetteStore

/// The bulk-load limit of a first full sync (issue 13, target 2): the versions a first sync
/// delivers, written into an empty store's tables as fast as this schema allows, for
/// `kette-bench sync` to measure next to the real first sync. It fills what a first sync fills
/// (record rows, field versions, received changes, the search index, the replica digests) in
/// one transaction with prepared statements, one row write per run of a record's fields, the
/// search index and the digests built once at the end. Nothing in the client calls it: it
/// compares no versions, so it is only right for an empty store.
package enum BulkLoad {
    /// Loads `changes` (a record's fields next to each other, as pull pages list them) into
    /// `store`, which must hold no records yet. Fields this version does not know are skipped,
    /// as a pull skips them.
    package static func load(_ changes: [PulledChange], into store: LocalStore) throws {
        let receivedAt = LocalStore.systemMilliseconds()
        try store.database.inTransaction { db in
            // The merge's own version upsert (only its insert half runs: the store is empty).
            let statements = try RecordApplier.MergeStatements(db)
            defer { statements.reset() }
            var start = changes.startIndex
            while start < changes.endIndex {
                let type = changes[start].change.recordType, id = changes[start].change.recordID
                var end = start + 1
                while end < changes.endIndex, changes[end].change.recordType == type, changes[end].change.recordID == id { end += 1 }
                let known = changes[start..<end].filter { $0.change.field == RecordType.deletedField || type.field(named: $0.change.field) != nil }
                try writeRecord(type: type, id: id, known, versions: statements.upsertVersion, receivedAt: receivedAt, in: db)
                start = end
            }
            try SearchIndex.rebuild(in: db)
            try ReplicaDigest.rebuild(in: db)
        }
    }

    /// One run of a record's fields: one row upsert, its versions, its received-changes entry.
    private static func writeRecord(type: RecordType, id: String, _ run: [PulledChange], versions: Statement,
                                    receivedAt: Int64, in db: Database) throws {
        guard !run.isEmpty else { return }
        let columns = try run.map { try RecordApplier.column(type: type, field: $0.change.field) }
        let names = columns.map(\.name)
        // The statement cache keeps one prepared upsert per table and column set.
        let upsert = try db.cachedStatement("""
            INSERT INTO \(type.table) (id, \(names.joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: names.count)))
            ON CONFLICT (id) DO UPDATE SET \(names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            """)
        try upsert.run([.text(id)] + zip(run, columns).map { RecordApplier.databaseValue($0.change.value, kind: $1.kind) })
        upsert.reset()
        for pulled in run {
            let change = pulled.change
            try versions.run([.text(type.rawValue), .text(id), .text(change.field), .text(change.hlc.encoded),
                              change.base.map { .text($0.encoded) } ?? .null, pulled.author.map(DatabaseValue.text) ?? .null,
                              pulled.changeSet.map(DatabaseValue.text) ?? .null])
        }
        let authors = Dictionary(run.lazy.compactMap { pulled in pulled.author.map { (pulled.change.hlc.encoded, $0) } },
                                 uniquingKeysWith: { first, _ in first })
        try LocalHistory.recordReceived(run.map(\.change), authors: authors, receivedAt: receivedAt, in: db)
    }
}
