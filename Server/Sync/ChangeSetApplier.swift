import Foundation
import KetteProtocol
import KetteStore

/// Applies one pushed change set inside the push's transaction: at most once (by id), all or
/// nothing, within the pusher's scope, by the merge rule, opening conflict entries where two
/// people wrote a field without seeing each other's value.
struct ChangeSetApplier {
    let identity: Identity
    let serverNow: Int64
    /// The transaction's cache (`WriteContext.cache`): versions and placements read from it where
    /// it holds them; nil reads each from the database.
    var cache: WriteCache? = nil

    private struct WrittenField: Hashable {
        let record: RecordKey
        let field: String
    }

    /// A conflict found while applying, written as a conflict record once scopes are known.
    struct PendingConflict {
        let record: RecordKey
        let field: String
        let winner: (value: FieldValue, hlc: HLCTimestamp, author: String?)
        let loser: (value: FieldValue, hlc: HLCTimestamp, author: String?)
    }

    /// - Parameter checked: what `plainCheck` found for the change set, when the caller asked it
    ///   before the write transaction; nil: asked here.
    func apply(_ changeSet: ChangeSet, checked: PlainCheck? = nil, into context: inout WriteContext) throws -> ChangeSetResult {
        let db = context.db
        if let stored = try context.storedOutcome(of: changeSet.id) {
            // Seen before: the same outcome again, nothing applied twice.
            return try JSONDecoder().decode(ChangeSetResult.self, from: Data(stored.utf8))
        }
        if let refusal = (checked ?? Self.plainCheck(changeSet, serverNow: serverNow)).refusal { return refusal }
        if let refusal = try refusal(for: changeSet, in: db) { return refusal }

        let merged = try merge(changeSet, into: &context)
        let (touched, conflicts, possiblyDeleted) = (merged.touched, merged.conflicts, merged.possiblyDeleted)

        // Scopes follow the fields that now hold; a record that moved is sent again whole, and the
        // records that belong to it follow (`WriteContext.place`). Only new records and writes to
        // a scoping field can change a scope: the rest keep theirs.
        let written = Set(changeSet.changes.map { WrittenField(record: RecordKey(type: $0.recordType, id: $0.recordID), field: $0.field) })
        for key in touched {
            try place(key, scopingFieldWritten: { written.contains(WrittenField(record: key, field: $0)) }, into: &context)
        }

        // A tombstone keeps no personal data (SPEC §8.6). Current clients empty the fields in
        // the deleting change set itself; for older clients, and for an edit that reaches a record
        // after its deletion, the server empties them with writes of its own.
        for key in touched where possiblyDeleted.contains(key) {
            try clearTombstone(key, into: &context)
        }

        var conflictIDs: [String] = []
        for conflict in conflicts {
            let id = try writeConflict(conflict, into: &context)
            if !conflictIDs.contains(id) { conflictIDs.append(id) }
        }
        let result = ChangeSetResult(id: changeSet.id, status: conflictIDs.isEmpty ? .applied : .conflicts,
                                     conflicts: conflictIDs.isEmpty ? nil : conflictIDs)
        try context.recordOutcome(changeSet, user: identity.user, outcome: Self.storedOutcome(result))
        return result
    }

    /// An applied change set's outcome as stored (JSON with sorted keys, as JSONEncoder wrote it),
    /// written by hand: JSONEncoder was a twentieth of the writer's time. Applied and conflicting
    /// outcomes are the only ones stored (refusals are not), and they hold no other keys.
    static func storedOutcome(_ result: ChangeSetResult) -> String {
        var json = "{"
        if let conflicts = result.conflicts {
            json += "\"conflicts\":[" + conflicts.map { FieldValue.string($0).jsonText }.joined(separator: ",") + "],"
        }
        return json + "\"id\":" + FieldValue.string(result.id).jsonText + ",\"status\":\"" + result.status.rawValue + "\"}"
    }

    /// What merging a change set's changes found: the records it writes (in order), the conflicts
    /// to open, and the records that may be deleted now.
    struct MergeResult {
        var touched: [RecordKey] = []
        var conflicts: [PendingConflict] = []
        var possiblyDeleted = Set<RecordKey>()
    }

    /// Merges every change by the merge rule and notes the conflicts: two writes made without
    /// seeing each other, and edits of a record someone else deleted.
    private func merge(_ changeSet: ChangeSet, into context: inout WriteContext) throws -> MergeResult {
        let db = context.db
        var result = MergeResult()
        var touchedSet = Set<RecordKey>()  // membership in O(1): a big import touches tens of thousands of records
        var deletionChecked = Set<RecordKey>()
        // A record's changes mostly come together: one insert into each set for them.
        var previous: RecordKey?, lastDeletionChecked: RecordKey?
        let author = identity.user
        for change in changeSet.changes {
            let key = RecordKey(type: change.recordType, id: change.recordID)
            if key != previous, touchedSet.insert(key).inserted { result.touched.append(key) }
            previous = key
            let current = try currentVersion(key, field: change.field, in: db)
            let incoming = MergeRule.Version(value: change.value, hlc: change.hlc, base: change.base)
            let outcome = MergeRule.merge(incoming: incoming, current: current?.version)
            if outcome.incomingWins {
                try context.writeState(change, replica: changeSet.replica, author: author, changeSet: changeSet.id, replacing: current?.version.hlc)
            }
            // A conflict record's status and resolution are bookkeeping, merged without conflicts
            // of their own: two people resolving one conflict differently race on the record's
            // field, which every resolution writes with the base its author saw (SPEC §8.5).
            if outcome.isConflict, let current, change.recordType != .conflict {
                let mine = (change.value, change.hlc, Optional(author))
                let theirs = (current.version.value, current.version.hlc, current.author)
                result.conflicts.append(PendingConflict(record: key, field: change.field,
                                                 winner: outcome.incomingWins ? mine : theirs, loser: outcome.incomingWins ? theirs : mine))
            }
            // Editing a record someone else deleted is a conflict too: the author could not have
            // edited it had they seen the deletion. Checked once per record and change set.
            if change.field != RecordType.deletedField, key != lastDeletionChecked, deletionChecked.insert(key).inserted,
               let deletion = try currentVersion(key, field: RecordType.deletedField, in: db),
               deletion.version.value == .bool(true) {
                result.possiblyDeleted.insert(key)
                if deletion.replica != changeSet.replica.rawValue {
                    result.conflicts.append(PendingConflict(record: key, field: RecordType.deletedField,
                                                     winner: (.bool(true), deletion.version.hlc, deletion.author),
                                                     loser: (.bool(false), change.hlc, author)))
                }
            }
            if change.field != RecordType.deletedField { lastDeletionChecked = key }
            if change.field == RecordType.deletedField, change.value == .bool(true) { result.possiblyDeleted.insert(key) }
            context.observe(change.hlc)
        }
        return result
    }

    /// Places a record that is new here, or moves it with the records that belong to it when one
    /// of its scoping fields was written; the others keep their scope.
    func place(_ key: RecordKey, scopingFieldWritten: (String) -> Bool, into context: inout WriteContext) throws {
        let scopingFields = key.type == .conflict ? ["recordType", "recordID"] : RecordScope.parentField(of: key.type).map { [$0.field] } ?? []
        if try context.placement(of: key) != nil, !scopingFields.contains(where: scopingFieldWritten) { return }
        guard let scope = try scope(of: key, overlay: [:], in: context.db) else { return }
        try context.place(key, in: StoredScope(scope), parent: try parent(of: key, in: context.db))
    }

    func clearTombstone(_ key: RecordKey, into context: inout WriteContext) throws {
        guard try currentVersion(key, field: RecordType.deletedField, in: context.db)?.version.value == .bool(true) else { return }
        for field in key.type.fieldsClearedOnDelete {
            guard let current = try currentVersion(key, field: field.name, in: context.db), current.version.value != .null else { continue }
            let clearing = Change(recordType: key.type, recordID: key.id, field: field.name, value: .null, hlc: context.tick(), base: current.version.hlc)
            try context.writeState(clearing, replica: context.replica, author: "kette-server", replacing: current.version.hlc)
        }
    }

    // MARK: - Refusals

    /// What `plainCheck` found: the refusal, nil when the change set passed.
    struct PlainCheck {
        let refusal: ChangeSetResult?
    }

    /// The checks that need nothing from the database: record schema, the protocol's bounds and
    /// the clock. A push makes them before it takes the writer (`ServerStore.push`), where they
    /// hold no one else up; they were a tenth of the writer's time.
    static func plainCheck(_ changeSet: ChangeSet, serverNow: Int64) -> PlainCheck {
        func refuse(_ code: String, _ reason: String, _ details: RefusalDetails? = nil) -> PlainCheck {
            PlainCheck(refusal: ChangeSetResult(id: changeSet.id, status: .refused, code: code, reason: reason, details: details))
        }
        if changeSet.schemaVersion > ChangeSet.currentSchemaVersion {
            return refuse("unsupported_schema", "written with record schema \(changeSet.schemaVersion); this server understands up to \(ChangeSet.currentSchemaVersion). Update the server; the change set waits on the client.",
                          RefusalDetails(schemaVersion: changeSet.schemaVersion, supportedSchemaVersion: ChangeSet.currentSchemaVersion))
        }
        if changeSet.schemaVersion < 1 { return refuse("invalid", "schemaVersion must be 1 or more", RefusalDetails(problem: "schema")) }
        // Ids, timestamps and values within the protocol's bounds (no NUL, no oversized row).
        if let (reason, details) = changeSet.boundsProblem { return refuse("invalid", reason, details) }
        let needed = ChangeSet.schemaVersion(of: changeSet.changes)
        if changeSet.schemaVersion < needed {
            return refuse("invalid", "schemaVersion \(changeSet.schemaVersion) does not have every record type and field written; they need record schema \(needed)",
                          RefusalDetails(problem: "schema", schemaVersion: changeSet.schemaVersion, supportedSchemaVersion: needed))
        }
        if let latest = changeSet.changes.map(\.hlc).max(), latest.physicalMilliseconds - serverNow > SyncLimits.maxClockAheadMilliseconds {
            let ahead = latest.physicalMilliseconds - serverNow
            return refuse("clock_ahead", "stamped \(Self.duration(ahead)) ahead of the server's clock; the device clock is wrong. Kette re-stamps such changes and pushes them again.",
                          RefusalDetails(aheadMilliseconds: ahead))
        }
        return PlainCheck(refusal: nil)
    }

    /// Why the change set cannot be applied as the database stands (`plainCheck` passed), nil
    /// when it can. Refusals are not stored: the client keeps the change set and may retry it
    /// once the reason is gone.
    private func refusal(for changeSet: ChangeSet, in db: any ServerDatabase) throws -> ChangeSetResult? {
        func refuse(_ code: String, _ reason: String, _ details: RefusalDetails? = nil) -> ChangeSetResult {
            ChangeSetResult(id: changeSet.id, status: .refused, code: code, reason: reason, details: details)
        }
        if let problem = try conflictWriteProblem(changeSet, in: db) { return refuse("forbidden", problem) }

        // Scope: every record written must be in the pusher's scope, before and after the write.
        // The overlay holds every record written and, of its fields, those `scope(of:)` reads:
        // copying every value was a twentieth of the writer's time.
        var overlay: [RecordKey: [String: FieldValue]] = [:]
        var previous: RecordKey?
        for change in changeSet.changes {
            let key = RecordKey(type: change.recordType, id: change.recordID)
            let placesRecord = change.field == change.recordType.placingField?.field || change.recordType.placement == .concernedRecord
            if placesRecord {
                overlay[key, default: [:]][change.field] = change.value
            } else if key != previous, overlay[key] == nil {
                overlay[key] = [:]
            }
            previous = key  // a record's changes mostly come together: one lookup for them
        }
        for key in overlay.keys.sorted(by: { ($0.type.rawValue, $0.id) < ($1.type.rawValue, $1.id) }) {
            guard let scope = try scope(of: key, overlay: overlay, in: db) else {
                return refuse("invalid", "\(key.type.rawValue) \(key.id) cannot be placed: \(Self.missingParent(key.type))",
                              RefusalDetails(recordType: key.type.rawValue, recordID: key.id, problem: "parent"))
            }
            if !scope.isWritable(by: identity) {
                return refuse("forbidden", "\(key.type.rawValue) \(key.id) belongs to \(scope.description), outside what \(identity.user) (\(identity.role.rawValue)) may write",
                              scope.refusalDetails(key, identity))
            }
            if let previous = try storedScope(key, in: db), previous != scope, !previous.isWritable(by: identity) {
                return refuse("forbidden", "\(key.type.rawValue) \(key.id) belongs to \(previous.description), outside what \(identity.user) may write",
                              previous.refusalDetails(key, identity))
            }
        }
        return nil
    }

    /// Why a change set may not write the conflict records it touches, nil when it may. Only the
    /// server opens conflicts and says what they are about; a client settles an open one by
    /// writing its `status` and `resolution`. Anything else would let a client invent conflicts
    /// with any text and forged authors, or rewrite what someone else's conflict says.
    private func conflictWriteProblem(_ changeSet: ChangeSet, in db: any ServerDatabase) throws -> String? {
        var known = Set<String>()
        for change in changeSet.changes where change.recordType == .conflict {
            if !known.contains(change.recordID) {
                guard try isPlaced(RecordKey(type: .conflict, id: change.recordID), in: db) else {
                    return "conflict \(change.recordID) was not opened by the server; only the server creates conflict records"
                }
                known.insert(change.recordID)
            }
            guard Self.clientConflictFields.contains(change.field) else {
                return "conflict \(change.recordID) field '\(change.field)' is written only by the server; a client may set only the status and resolution of a conflict the server opened"
            }
        }
        return nil
    }

    /// The fields of a conflict record a client may write.
    static let clientConflictFields: Set<String> = ["status", "resolution"]

    static func missingParent(_ type: RecordType) -> String {
        type.unplaceableReason
    }

    static func duration(_ milliseconds: Int64) -> String {
        let minutes = milliseconds / 60_000
        if minutes >= 60 * 24 { return "\(minutes / (60 * 24)) d \(minutes % (60 * 24) / 60) h" }
        if minutes >= 60 { return "\(minutes / 60) h \(minutes % 60) min" }
        return minutes > 0 ? "\(minutes) min" : "\(milliseconds / 1000) s"
    }

    // MARK: - State

    func currentVersion(_ key: RecordKey, field: String, in db: any ServerDatabase) throws
        -> (version: MergeRule.Version, replica: String, author: String?)? {
        if let loaded = cache?.version(of: key, field: field) {
            return loaded.map { ($0.version, $0.replica, $0.author) }
        }
        guard let row = try db.firstRow("SELECT value, hlc, base, replica, author FROM field_state WHERE record_type = ? AND record_id = ? AND field = ?",
                                        [key.type.rawValue, key.id, field]),
              let hlc = row.string(1).flatMap(HLCTimestamp.init(encoded:)) else { return nil }
        let value = try FieldValue(jsonText: row.string(0) ?? "null")
        return (MergeRule.Version(value: value, hlc: hlc, base: row.string(2).flatMap(HLCTimestamp.init(encoded:))),
                row.string(3) ?? "", row.string(4))
    }

    /// The record `key` belongs to, by its stored fields (its parent, or the record a conflict
    /// is about): moving that record moves this one.
    func parent(of key: RecordKey, in db: any ServerDatabase) throws -> RecordKey? {
        if key.type == .conflict {
            guard case .string(let typeName)? = try fieldValue(key, "recordType", overlay: [:], in: db),
                  let type = RecordType(rawValue: typeName),
                  case .string(let id)? = try fieldValue(key, "recordID", overlay: [:], in: db) else { return nil }
            return RecordKey(type: type, id: id)
        }
        guard let (field, parentType) = RecordScope.parentField(of: key.type), let parentType,
              case .string(let id)? = try fieldValue(key, field, overlay: [:], in: db) else { return nil }
        return RecordKey(type: parentType, id: id)
    }

    func storedScope(_ key: RecordKey, in db: any ServerDatabase) throws -> RecordScope? {
        // A conflict's scope follows the record it concerns (`RecordScope.stored`); the others' is their row's.
        if key.type != .conflict, let known = cache?.placements[key] {
            return known.map { RecordScope(type: key.type, storedDistrict: $0.scope.district) }
        }
        return try RecordScope.stored(type: key.type, id: key.id, in: db)
    }

    /// Whether the server placed `key` (every record it holds is placed).
    private func isPlaced(_ key: RecordKey, in db: any ServerDatabase) throws -> Bool {
        if let known = cache?.placements[key] { return known != nil }
        return try db.firstRow("SELECT 1 FROM record_scope WHERE record_type = ? AND record_id = ?", [key.type.rawValue, key.id]) != nil
    }

    /// The value a record's field has: from the change set being checked, else from the state.
    private func fieldValue(_ key: RecordKey, _ field: String, overlay: [RecordKey: [String: FieldValue]], in db: any ServerDatabase) throws -> FieldValue? {
        if let value = overlay[key]?[field] { return value }
        return try currentVersion(key, field: field, in: db)?.version.value
    }

    /// Where a record belongs, from its own scoping field or its parent's scope; nil when that
    /// cannot be known (an offer without district, a meeting of an unknown body).
    func scope(of key: RecordKey, overlay: [RecordKey: [String: FieldValue]], in db: any ServerDatabase, depth: Int = 0) throws -> RecordScope? {
        guard depth < 4 else { return nil }
        guard let (field, parentType) = RecordScope.parentField(of: key.type) else {
            return RecordScope(type: key.type, storedDistrict: nil)
        }
        let value = try fieldValue(key, field, overlay: overlay, in: db)
        switch key.type.placement {
        case .district(_, let required):
            if case .string(let district)? = value { return .district(district) }
            return required ? nil : .county
        case .concernedRecord:
            // A conflict stays where the server placed it when it opened it (clients may write
            // only its status and resolution, never what it is about).
            if let stored = try storedScope(key, in: db) { return stored }
            guard case .string(let id)? = value,
                  case .string(let typeName)? = try fieldValue(key, "recordType", overlay: overlay, in: db),
                  let type = RecordType(rawValue: typeName) else { return nil }
            // The record it concerns is placed already (the server opened the conflict about
            // it); its stored scope also ends a chain of conflicts about conflicts.
            let target = RecordKey(type: type, id: id)
            if overlay[target] == nil, let stored = try storedScope(target, in: db) { return stored }
            return try scope(of: target, overlay: overlay, in: db, depth: depth + 1)
        default:
            guard case .string(let parentID)? = value, let parentType else { return nil }
            let parent = RecordKey(type: parentType, id: parentID)
            // A parent neither written in this change set nor known to the server cannot place
            // its child (without this, a parent whose own district is optional read as county-wide).
            if overlay[parent] == nil { return try storedScope(parent, in: db) }
            return try scope(of: parent, overlay: overlay, in: db, depth: depth + 1)
        }
    }

    // MARK: - Conflicts

    /// Writes a conflict entry as a record of the server's own, in the scope of the record it
    /// concerns, so it reaches everyone who sees that record.
    /// - Parameter stamp: the timestamp of the conflict's fields; a new one from the server's
    ///   clock unless a repair re-opens a conflict the lost database had opened (`RepairApplier`).
    func writeConflict(_ conflict: PendingConflict, into context: inout WriteContext, stamp: HLCTimestamp? = nil) throws -> String {
        // Named after what it is about, so the same conflict always gets the same id.
        let digest = Secrets.sha256Hex("\(conflict.record.type.rawValue)|\(conflict.record.id)|\(conflict.field)|\(conflict.winner.hlc.encoded)|\(conflict.loser.hlc.encoded)")
        let hex = Array(digest.prefix(32))
        let id = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        // The same two versions met before (a change repeated under another change set id, or
        // twice with one stamp): the conflict is on record already, perhaps resolved since, and
        // is reported again as it is. Writing it anew would reopen it (and its scope row exists).
        if try context.storedPlacement(of: RecordKey(type: .conflict, id: id)) != nil {
            return id
        }
        let hlc = stamp ?? context.tick()
        let fields: [(String, FieldValue)] = [
            ("recordType", .string(conflict.record.type.rawValue)), ("recordID", .string(conflict.record.id)),
            ("field", .string(conflict.field)),
            ("winnerValue", .string(conflict.winner.value.jsonText)), ("winnerHLC", .string(conflict.winner.hlc.encoded)),
            ("winnerAuthor", conflict.winner.author.map(FieldValue.string) ?? .null),
            ("loserValue", .string(conflict.loser.value.jsonText)), ("loserHLC", .string(conflict.loser.hlc.encoded)),
            ("loserAuthor", conflict.loser.author.map(FieldValue.string) ?? .null),
            ("status", .string("open")),
        ]
        for (field, value) in fields {
            try context.writeState(Change(recordType: .conflict, recordID: id, field: field, value: value, hlc: hlc, base: nil),
                                   replica: context.replica, author: "kette-server", replacing: nil)
        }
        // A conflict is seen by whoever sees its record, the register of organizations included.
        let scope = try context.placement(of: conflict.record) ?? StoredScope(district: nil, everyone: false)
        try context.place(RecordKey(type: .conflict, id: id), in: scope, parent: conflict.record)
        return id
    }
}
