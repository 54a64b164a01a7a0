import Foundation
import KetteProtocol
import KetteStore

/// Where a record belongs, as the client can tell from the records it holds (SPEC §10).
public enum RecordPlace: Equatable, Sendable {
    /// The county-wide register of organizations, which every user writes.
    case register
    /// The list of districts, which the county office and admins write.
    case districtList
    /// County-wide records (a body without district and its meetings): the county office and admins.
    case countyWide
    case district(String)
}

/// Checks the records of one change set against the user's scope as the server last reported it
/// (`GET /v1/me`, stored at every sync), before the change set is committed: a write the server
/// would refuse is refused at once, with nothing written (SPEC §13).
final class WriteScope {
    let identity: Identity
    /// Where records were before this change set moved them (by writing their scoping field).
    private var placeBefore: [RecordApplier.RecordKey: RecordPlace] = [:]

    init(identity: Identity) {
        self.identity = identity
    }

    /// The scope `kette` checks writes against: nil before the first sync (nothing is known, so
    /// nothing is refused locally) and for roles that write everything.
    static func current(in db: Database) throws -> WriteScope? {
        guard let text = try db.scalarString("SELECT value FROM replica_meta WHERE key = 'user_scope'"),
              let identity = try? JSONDecoder().decode(Identity.self, from: Data(text.utf8)),
              !identity.role.seesEverything else { return nil }
        return WriteScope(identity: identity)
    }

    /// Called before a field is written with the change set's stamp: a write to the field that
    /// places a record written before (an offer's district, a meeting's body, …) moves it, and
    /// the place it leaves must be the user's too.
    func noteWrite(type: RecordType, id: String, field: String, stamp: HLCTimestamp, in db: Database) throws {
        let key = RecordApplier.RecordKey(type: type, id: id)
        guard placeBefore[key] == nil, Self.placingField(of: type)?.field == field,
              try db.scalarInt("SELECT 1 FROM field_versions WHERE record_type = ? AND record_id = ? AND hlc <> ? LIMIT 1",
                               [type.rawValue, id, stamp.encoded]) != nil,
              let place = try Self.place(of: type, id, in: db) else { return }
        placeBefore[key] = place
    }

    /// Refuses the change set when a record it writes is, or was, outside the user's scope.
    func check(_ changes: [Change], in db: Database) throws {
        var checked = Set<RecordApplier.RecordKey>()
        for change in changes {
            let key = RecordApplier.RecordKey(type: change.recordType, id: change.recordID)
            guard checked.insert(key).inserted else { continue }
            for place in [placeBefore[key], try Self.place(of: key.type, key.id, in: db)].compactMap({ $0 }) where !isWritable(place) {
                throw KetteError.outsideScope(type: key.type, name: try Self.name(of: key, in: db), place: try describe(place, in: db),
                                              yours: try identity.districts.map { try Self.districtLabel($0, in: db) })
            }
        }
    }

    private func isWritable(_ place: RecordPlace) -> Bool {
        switch place {
        case .register: true
        case .districtList, .countyWide: false
        case .district(let id): identity.districts.contains(id)
        }
    }

    private func describe(_ place: RecordPlace, in db: Database) throws -> RecordPlace {
        if case .district(let id) = place { return .district(try Self.districtLabel(id, in: db)) }
        return place
    }

    /// "Südstadt (suedstadt)", or the id alone for a district this store does not hold.
    static func districtLabel(_ id: String, in db: Database) throws -> String {
        guard let name = try db.scalarString("SELECT name FROM districts WHERE id = ?", [id]), name != id else { return id }
        return "\(name) (\(id))"
    }

    /// The field whose value places a record, and the type it points to (nil: a district id).
    static func placingField(of type: RecordType) -> (field: String, parent: RecordType?)? {
        type.placingField
    }

    /// Where a record belongs, from its own placing field or its parent's place; nil when the
    /// store cannot tell (a parent it does not hold): then the server decides.
    static func place(of type: RecordType, _ id: String, in db: Database, depth: Int = 0) throws -> RecordPlace? {
        guard depth < 4 else { return nil }
        guard let (field, parent) = placingField(of: type) else { return type.placement == .register ? .register : .districtList }
        guard let row = try db.firstRow("SELECT \(type.field(named: field)!.column) FROM \(type.table) WHERE id = ?", [id]) else { return nil }
        let value = row.string(0)
        switch type.placement {
        case .district(_, let required): return value.map(RecordPlace.district) ?? (required ? nil : .countyWide)
        case .concernedRecord:
            // A conflict is placed where the record it concerns is.
            guard let value, let concerned = try db.scalarString("SELECT record_type FROM conflicts WHERE id = ?", [id])
                .flatMap(RecordType.init(rawValue:)) else { return nil }
            return try place(of: concerned, value, in: db, depth: depth + 1)
        default:
            guard let value, let parent else { return nil }
            return try place(of: parent, value, in: db, depth: depth + 1)
        }
    }

    /// What people call the record in a message: an offer's title, a body's name.
    static func name(of key: RecordApplier.RecordKey, in db: Database) throws -> String {
        let column = key.type.nameField.flatMap { key.type.field(named: $0)?.column } ?? "NULL"
        return try db.scalarString("SELECT \(column) FROM \(key.type.table) WHERE id = ?", [key.id]) ?? RecordIdentifier.shortCode(key.id)
    }
}

extension LocalStore {
    /// Stores who the server says this user is, for checking writes until the next sync.
    func recordUserScope(_ identity: Identity) throws {
        var identity = identity
        identity.schemaVersion = nil  // the server's, not the user's
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(identity), as: UTF8.self)
        try database.inTransaction { db in try setMeta("user_scope", text, in: db) }
    }

    /// The user's role and districts as the server last reported them; nil before the first sync.
    public func userScope() throws -> Identity? {
        try meta("user_scope").flatMap { try? JSONDecoder().decode(Identity.self, from: Data($0.utf8)) }
    }
}
