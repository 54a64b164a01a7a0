import KetteProtocol
import KetteStore

/// Where a record belongs, which decides who may read and write it (DESIGN.md §4.8).
enum RecordScope: Equatable, Sendable {
    /// The county-wide register of organizations: every user reads and writes it.
    case register
    /// The list of districts: every user reads it; only the county office and admins write it.
    case districtList
    /// A county-wide record (a county body and its meetings): the county office and admins.
    case county
    /// A record of one district.
    case district(String)

    /// The value kept in `record_scope.district`.
    var storedDistrict: String? {
        if case .district(let id) = self { return id }
        return nil
    }

    /// Whether every user reads records of this scope (`record_scope.everyone`).
    var isReadableByEveryone: Bool { self == .register || self == .districtList }

    /// Rebuilds a scope from its stored district and the record's type.
    init(type: RecordType, storedDistrict: String?) {
        switch (type.placement, storedDistrict) {
        case (.register, _): self = .register
        case (.districtList, _): self = .districtList
        case (_, let district?): self = .district(district)
        case (_, nil): self = .county
        }
    }

    func isWritable(by identity: Identity) -> Bool {
        if identity.role.seesEverything { return true }
        switch self {
        case .register: return true
        case .districtList, .county: return false
        case .district(let id): return identity.districts.contains(id)
        }
    }

    var description: String {
        switch self {
        case .register: "the county-wide register of organizations"
        case .districtList: "the list of districts (county office and admins only)"
        case .county: "county-wide records (county office and admins only)"
        case .district(let id): "district '\(id)'"
        }
    }

    /// The field whose value decides a record's scope, and the type it points to.
    /// Nil for types whose scope does not come from a field. Declared per type in the protocol
    /// (`RecordType.placement`), which the client's write-time check reads too.
    static func parentField(of type: RecordType) -> (field: String, parent: RecordType?)? {
        type.placingField
    }
}

extension RecordScope {
    /// The scope the server stored for a record, nil when it has none.
    ///
    /// A conflict is placed where the record it concerns is: its stored district alone would read
    /// a conflict about an organization or a district as county-wide, and coordinators could then
    /// neither resolve it nor read it by id although they write the register and pull the
    /// conflict. So the type of the record it concerns (followed through legacy conflicts about
    /// conflicts) decides between the register, the district list and a district.
    static func stored(type: RecordType, id: String, in db: any ServerDatabase) throws -> RecordScope? {
        guard let row = try db.firstRow("SELECT district FROM record_scope WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) else {
            return nil
        }
        var placedAs = type, concernedID = id
        for _ in 0..<4 where placedAs == .conflict {
            guard let concerned = try conflictTarget(concernedID, in: db) else { break }
            (placedAs, concernedID) = concerned
        }
        return RecordScope(type: placedAs, storedDistrict: row.string(0))
    }

    /// The record a conflict is about, from the conflict's stored fields.
    private static func conflictTarget(_ id: String, in db: any ServerDatabase) throws -> (RecordType, String)? {
        func text(_ field: String) throws -> String? {
            guard let json = try db.scalarString("SELECT value FROM field_state WHERE record_type = 'conflict' AND record_id = ? AND field = ?",
                                                 [id, field]) else { return nil }
            var reader = JSONReader(Array(json.utf8))
            return try reader.readFieldValue().stringValue
        }
        guard let typeName = try text("recordType"), let type = RecordType(rawValue: typeName), let recordID = try text("recordID") else { return nil }
        return (type, recordID)
    }

    /// A `forbidden` refusal's facts: the record, where it belongs, and the pusher's role.
    func refusalDetails(_ key: RecordKey, _ identity: Identity) -> RefusalDetails {
        let scope = switch self {
        case .register: "register"
        case .districtList: "districts"
        case .county: "county"
        case .district: "district"
        }
        return RefusalDetails(recordType: key.type.rawValue, recordID: key.id, scope: scope, district: storedDistrict, role: identity.role.rawValue)
    }
}
