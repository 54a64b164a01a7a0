import Foundation
import KetteProtocol
import KetteStore

/// Collects the field changes of one user action and applies each to the replica as it goes,
/// inside the transaction `LocalStore.record` opened.
package final class ChangeSetBuilder {
    let database: Database
    let hlc: HLCTimestamp
    let replica: ReplicaID
    /// The id the change set will have; each version written records it.
    let changeSetID: String
    /// The action's digest changes, written with it.
    let digests = DigestDeltas()
    private(set) var changes: [Change] = []
    /// Where each written field's change sits in `changes`: a bulk action (an import of thousands
    /// of offers) must not search the whole list on every write.
    private var changeIndex: [FieldKey: Int] = [:]
    private(set) var touchedOffers: Set<String> = []
    private(set) var touchedMeetings: Set<String> = []
    /// Each written field as it was before this action, in the order first written: the local
    /// history keeps it for `kette undo`, `kette trash` and `kette restore`.
    private(set) var previousVersions: [LocalHistory.PreviousVersion] = []
    /// The records this action makes.
    private var createdRecords: Set<RecordKey> = []
    /// The local action this one takes back (`kette undo`).
    var undoing: Int?
    /// The user's scope, when known: writes outside it are refused before they are committed.
    let scope: WriteScope?

    init(database: Database, hlc: HLCTimestamp, replica: ReplicaID, changeSetID: String, scope: WriteScope? = nil) {
        self.database = database
        self.hlc = hlc
        self.replica = replica
        self.changeSetID = changeSetID
        self.scope = scope
    }

    /// Writes one field. A value equal to the current one records nothing: a change set holds
    /// only what the user actually changed, so it cannot overwrite someone else's edit of a field
    /// this user did not touch. `evenIfUnchanged` writes it anyway, for a choice that must travel
    /// with the base its author saw (a conflict resolved by keeping the value that holds).
    /// A value the protocol refuses (SPEC §6.2) is refused here, before it is stored or queued:
    /// the input checks in front of this should have caught it with a friendlier message.
    package func set(_ type: RecordType, _ id: String, _ field: String, _ value: FieldValue, evenIfUnchanged: Bool = false) throws {
        if let problem = type.problem(field: field, value: value) { throw KetteError.refusedWrite(reason: problem) }
        let current = try RecordApplier.currentVersion(type: type, id: id, field: field, in: database)
        if !evenIfUnchanged {
            if let current, current.value == value { return }
            if current == nil, value == .null { return }
        }
        let key = FieldKey(type: type, id: id, field: field)
        // The same action may write a field twice: the last value counts, and the base stays the
        // version seen before the action (not the action's own first write).
        let earlier = changeIndex[key]
        let base = earlier.map { changes[$0].base } ?? current?.hlc
        let change = Change(recordType: type, recordID: id, field: field, value: value, hlc: hlc, base: base)
        if let index = earlier {
            changes[index] = change
        } else {
            changeIndex[key] = changes.count
            changes.append(change)
            previousVersions.append(LocalHistory.PreviousVersion(type: type, id: id, field: field, version: current,
                                                                 created: createdRecords.contains(RecordKey(type: type, id: id))))
        }
        try scope?.noteWrite(type: type, id: id, field: field, stamp: hlc, in: database)
        // What the server holds, kept until the server confirms or refuses this write.
        try ServerVersions.noteLocalWrite(type: type, id: id, field: field, replacing: current, in: database)
        try RecordApplier.apply(change, changeSet: changeSetID, replacing: current?.hlc, digests: digests, in: database)
        try noteTouched(type: type, id: id, field: field)
    }

    /// Creates a record with the given fields (nil values are left unset).
    package func create(_ type: RecordType, _ id: String, _ fields: [(String, FieldValue?)]) throws {
        if try database.scalarInt("SELECT 1 FROM \(type.table) WHERE id = ?", [id]) == nil {
            createdRecords.insert(RecordKey(type: type, id: id))
        }
        try RecordApplier.ensureRow(type: type, id: id, in: database)
        for (field, value) in fields {
            if let value { try set(type, id, field, value) }
        }
    }

    /// Deletes a record: a tombstone change, in the same change set as the emptying of its text
    /// and list fields, so the tombstone keeps no personal data (names in attendees, owners,
    /// minutes). References stay: they place the record in its district.
    package func delete(_ type: RecordType, _ id: String) throws {
        try set(type, id, RecordType.deletedField, .bool(true))
        for field in type.fieldsClearedOnDelete { try set(type, id, field.name, .null) }
    }

    private struct RecordKey: Hashable {
        let type: RecordType
        let id: String
    }

    private struct FieldKey: Hashable {
        let type: RecordType
        let id: String
        let field: String
    }

    private func noteTouched(type: RecordType, id: String, field: String) throws {
        let affected = try SearchIndex.affectedRecords(type: type, id: id, fields: CollectionOfOne(field), in: database)
        touchedOffers.formUnion(affected.offers)
        touchedMeetings.formUnion(affected.meetings)
    }
}

@available(*, unavailable)
extension ChangeSetBuilder: Sendable {}
