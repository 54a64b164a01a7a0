/// The kinds of records that replicate, each a set of independently merged fields.
///
/// Parts of a meeting's minutes (attendees, agenda items, decisions, action items) are records of
/// their own that point to their meeting: two coordinators adding agenda items to the same
/// minutes then both keep theirs, where one list-valued field would lose one of them.
public enum RecordType: String, CaseIterable, Codable, Sendable {
    case district
    case organization
    case offer
    case indicator
    case body
    case member
    case meeting
    case attendee
    case agendaItem = "agenda-item"
    case decision
    case task
    /// A conflict entry: two concurrent writes of one field, kept visible until a person resolves it.
    case conflict
    // The planning cycle (record schema 2): needs, goals with their targets and the figures of
    // custom indicators, measures with their progress notes, the contact register, agreements.
    // Parts that several people add to (targets, figures, notes) are records of their own that
    // point to their parent, as the parts of the minutes are.
    case need
    case goal
    case target
    case targetFigure = "target-figure"
    case measure
    case measureNote = "measure-note"
    case contact
    case agreement

    /// The kind of value a field holds; the wire carries it as a `FieldValue`.
    public enum FieldKind: Sendable, Equatable {
        case text
        case list
        case integer
        case bool
        /// The id of another record.
        case reference(RecordType)
    }

    public struct Field: Sendable, Equatable {
        public let name: String
        public let kind: FieldKind
        /// The column that stores it in the replicas' SQLite tables.
        public let column: String

        static func text(_ name: String, column: String? = nil) -> Field { Field(name: name, kind: .text, column: column ?? name) }
        static func list(_ name: String, column: String? = nil) -> Field { Field(name: name, kind: .list, column: column ?? name) }
        static func ref(_ name: String, _ type: RecordType, column: String? = nil) -> Field {
            Field(name: name, kind: .reference(type), column: column ?? name)
        }
        static func int(_ name: String, column: String? = nil) -> Field { Field(name: name, kind: .integer, column: column ?? name) }
    }

    /// The tombstone: a record is deleted when this field is true.
    public static let deletedField = "deleted"

    /// The table that holds records of this type in a replica's database.
    public var table: String {
        switch self {
        case .district: "districts"
        case .organization: "organizations"
        case .offer: "offers"
        case .indicator: "indicators"
        case .body: "bodies"
        case .member: "members"
        case .meeting: "meetings"
        case .attendee: "attendees"
        case .agendaItem: "agenda_items"
        case .decision: "decisions"
        case .task: "tasks"
        case .conflict: "conflicts"
        case .need: "needs"
        case .goal: "goals"
        case .target: "targets"
        case .targetFigure: "target_figures"
        case .measure: "measures"
        case .measureNote: "measure_notes"
        case .contact: "contacts"
        case .agreement: "agreements"
        }
    }

    /// The fields of this record type, excluding the tombstone.
    public var fields: [Field] { Self.fieldTable[self]! }

    /// Built once: field lookups sit on the merge path, once per change.
    private static let fieldTable: [RecordType: [Field]] = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.declaredFields) })
    private static let fieldIndex: [RecordType: [String: Field]] = fieldTable.mapValues { fields in
        Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
    }

    private var declaredFields: [Field] {
        switch self {
        case .need, .goal, .target, .targetFigure, .measure, .measureNote, .contact, .agreement: planningFields
        default: chainFields
        }
    }

    /// The fields of the types of record schema 1 (offers, bodies, minutes, conflicts), with the
    /// fields schema 2 added to them (see `schemaVersion(field:)`).
    private var chainFields: [Field] {
        switch self {
        case .district:
            return [.text("name"), .ref("parent", .district)]
        case .organization:
            return [.text("name"), .text("kind"), .text("sector"), .text("contact")]
        case .offer:
            return [.text("title"), .text("description"), .ref("provider", .organization),
                    .ref("district", .district), .list("phases"), .text("category"), .text("sector"),
                    .list("targetGroups", column: "target_groups"), .text("location"), .text("schedule"), .text("cost"),
                    .list("languages"), .text("accessibility"), .text("status"),
                    .text("start", column: "start_date"), .text("end", column: "end_date"), .text("contact")]
        case .indicator:
            return [.ref("offer", .offer), .text("period"), .int("participants"), .int("sessions")]
        case .body:
            return [.text("name"), .text("level"), .ref("district", .district)]
        case .member:
            return [.ref("body", .body), .ref("organization", .organization), .text("role"),
                    .text("sector"), .text("person"), .ref("contact", .contact)]
        case .meeting:
            return [.ref("body", .body), .text("date", column: "meeting_date"), .text("time", column: "meeting_time"),
                    .text("place"), .text("minutes"), .list("offers", column: "linked_offers")]
        case .attendee:
            return [.ref("meeting", .meeting), .text("name"), .text("organization"), .text("role"),
                    .ref("contact", .contact)]
        case .agendaItem:
            return [.ref("meeting", .meeting), .int("position"), .text("title"), .text("notes")]
        case .decision:
            return [.ref("meeting", .meeting), .text("text", column: "decision_text")]
        case .task:
            return [.ref("meeting", .meeting), .text("text", column: "task_text"), .text("owner"), .text("due"),
                    .text("status"), .ref("contact", .contact)]
        case .conflict:
            // Values are kept as their JSON text, so any field kind fits; hlc and replica tell
            // whose write each side was.
            return [.text("recordType", column: "record_type"), .text("recordID", column: "record_id"), .text("field"),
                    .text("winnerValue", column: "winner_value"), .text("winnerHLC", column: "winner_hlc"),
                    .text("winnerAuthor", column: "winner_author"),
                    .text("loserValue", column: "loser_value"), .text("loserHLC", column: "loser_hlc"),
                    .text("loserAuthor", column: "loser_author"),
                    .text("status"), .text("resolution")]
        default:
            return []
        }
    }

    /// The fields a deletion empties, so that a tombstone holds no personal data: every text and
    /// list field. References stay (they place the record in its district), and so do districts
    /// (a district's name is no person's) and conflict entries (they must still say what they
    /// are about; `kette-server erase` reaches them).
    public var fieldsClearedOnDelete: [Field] {
        switch self {
        case .district, .conflict: []
        default: fields.filter { $0.kind == .text || $0.kind == .list }
        }
    }

    /// The field people call a record by (a name, a title, a statement), if they do.
    public var nameField: String? {
        switch self {
        case .district, .organization, .body, .contact: "name"
        case .offer, .measure, .agreement: "title"
        case .goal: "statement"
        case .need: "description"
        default: nil
        }
    }

    public func field(named name: String) -> Field? {
        Self.fieldIndex[self]![name]
    }
}
