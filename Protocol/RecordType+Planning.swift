/// The record types of the planning cycle (record schema 2): needs found per district and life
/// phase, goals with targets on indicators, the figures of custom indicators, measures with their
/// progress notes, the contact register and agreements.
extension RecordType {
    /// The fields of the planning types.
    var planningFields: [Field] {
        switch self {
        case .need:
            return [.ref("district", .district), .list("phases"), .text("category"), .text("description"), .text("source"),
                    .ref("meeting", .meeting), .text("found"), .text("status")]
        case .goal:
            return [.text("statement"), .ref("body", .body), .ref("decision", .decision), .ref("district", .district), .list("phases")]
        case .target:
            // A target on an indicator: participants or sessions of the offers in a cell, the
            // number of active offers in a cell (district × phase), or a named custom indicator.
            return [.ref("goal", .goal), .text("indicator"), .ref("district", .district), .text("phase"), .text("name"), .text("unit"),
                    .int("baseline"), .text("baselinePeriod", column: "baseline_period"), .int("targetValue", column: "target_value"),
                    .text("due")]
        case .targetFigure:
            return [.ref("target", .target), .text("period"), .int("value")]
        case .measure:
            return [.text("title"), .text("description"), .ref("district", .district), .list("needs"), .list("gaps"), .list("goals"),
                    .ref("organization", .organization), .text("owner"), .ref("contact", .contact),
                    .text("start", column: "start_date"), .text("due"), .text("status"), .ref("decision", .decision), .ref("task", .task)]
        case .measureNote:
            return [.ref("measure", .measure), .text("date", column: "note_date"), .text("text", column: "note_text")]
        case .contact:
            return [.text("name"), .ref("organization", .organization), .text("role"), .text("phone"), .text("email"), .text("consent")]
        case .agreement:
            return [.text("title"), .text("kind"), .list("parties"), .ref("body", .body), .ref("district", .district),
                    .text("signed"), .text("review"), .text("summary"), .text("reference")]
        default:
            return []
        }
    }

    /// A contact's fields that reach the person besides the name: erased with it (SPEC §8.7).
    public static let contactDetailFields = ["phone", "email"]

    /// The record schema (SPEC §2) that introduced this type.
    public var schemaVersion: Int {
        switch self {
        case .need, .goal, .target, .targetFigure, .measure, .measureNote, .contact, .agreement: 2
        default: 1
        }
    }

    /// The record schema that introduced a field of this type: the type's own, or 2 for the
    /// fields schema 2 added to older types (a member's sector, person and contact; the contact
    /// an attendee or an action item's owner refers to).
    public func schemaVersion(field: String) -> Int {
        switch (self, field) {
        case (.member, "sector"), (.member, "person"), (.member, "contact"), (.attendee, "contact"), (.task, "contact"): 2
        default: schemaVersion
        }
    }

    /// The fields of this type that record schema `version` has: a replica's tables made for
    /// an older schema hold only those.
    public func fields(inSchema version: Int) -> [Field] {
        fields.filter { schemaVersion(field: $0.name) <= version }
    }
}

extension ChangeSet {
    /// The oldest record schema that has every type and field these changes write: what a
    /// change set says it was written with, so a server that does not know schema 2 yet still
    /// takes the change sets that need only schema 1.
    public static func schemaVersion(of changes: [Change]) -> Int {
        changes.reduce(1) { max($0, $1.recordType.schemaVersion(field: $1.field)) }
    }
}
