/// Where a record belongs (SPEC §10), declared once per type: the server places records and moves
/// children with their parent by it, and the client checks writes against the user's scope by it.
public enum RecordPlacement: Sendable, Equatable {
    /// The county-wide register every user reads and writes (organizations, contacts).
    case register
    /// The list of districts: every user reads it, the county office and admins write it.
    case districtList
    /// The district that `field` names. Without one the record is county-wide, or cannot be
    /// placed at all when `required` (an offer needs a district).
    case district(field: String, required: Bool)
    /// Where the record that `field` points to is: a child follows its parent (a meeting its
    /// body, a target its goal).
    case parent(field: String, type: RecordType)
    /// Where the record it concerns is (`recordType` + `recordID`): conflict entries.
    case concernedRecord
}

extension RecordType {
    /// Where records of this type belong. Every type's rule is here, so a new type cannot be
    /// forgotten by the scope rules, the write-time check or the sync of children.
    public var placement: RecordPlacement {
        switch self {
        case .organization, .contact: .register
        case .district: .districtList
        case .offer: .district(field: "district", required: true)
        case .body, .need, .goal, .measure, .agreement: .district(field: "district", required: false)
        case .meeting, .member: .parent(field: "body", type: .body)
        case .indicator: .parent(field: "offer", type: .offer)
        case .attendee, .agendaItem, .decision, .task: .parent(field: "meeting", type: .meeting)
        case .target: .parent(field: "goal", type: .goal)
        case .targetFigure: .parent(field: "target", type: .target)
        case .measureNote: .parent(field: "measure", type: .measure)
        case .conflict: .concernedRecord
        }
    }

    /// The field whose value places a record, and the type it points to (nil: the field holds a
    /// district id, or the id of the record a conflict concerns). Nil for the register and the
    /// list of districts, which no field decides.
    public var placingField: (field: String, parent: RecordType?)? {
        switch placement {
        case .register, .districtList: nil
        case .district(let field, _): (field, nil)
        case .parent(let field, let type): (field, type)
        case .concernedRecord: ("recordID", nil)
        }
    }

    /// Why a record of this type cannot be placed when its placing field is empty or points to a
    /// record the placer does not know.
    public var unplaceableReason: String {
        switch placement {
        case .district: "\(rawValue == "offer" ? "an" : "a") \(rawValue) needs a district"
        case .parent(_, let type): "its \(type.rawValue) is unknown to the server"
        case .concernedRecord: "the conflicting record is unknown to the server"
        case .register, .districtList: "it has no place"
        }
    }
}
