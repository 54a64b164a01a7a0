/// One field-level change: `field` of record `recordID` became `value` at `hlc`, written by an
/// author who had seen version `base` of that field (nil: the author saw no value).
public struct Change: Hashable, Codable, Sendable {
    public var recordType: RecordType
    public var recordID: String
    public var field: String
    public var value: FieldValue
    public var hlc: HLCTimestamp
    public var base: HLCTimestamp?

    public init(recordType: RecordType, recordID: String, field: String, value: FieldValue, hlc: HLCTimestamp, base: HLCTimestamp?) {
        self.recordType = recordType
        self.recordID = recordID
        self.field = field
        self.value = value
        self.hlc = hlc
        self.base = base
    }

    enum CodingKeys: String, CodingKey {
        case recordType = "type", recordID = "id", field, value, hlc, base
    }
}

/// The changes of one user action, applied together or not at all, identified by a UUID made
/// where the action happened.
public struct ChangeSet: Hashable, Codable, Sendable {
    /// The version of the record schema the author wrote against; the server uses it to answer
    /// clients that are older or newer than itself.
    /// 2 added the planning cycle: needs, goals, targets, target figures, measures, measure notes,
    /// contacts, agreements, and a member's sector, person and contact, an attendee's and an
    /// action item's contact.
    public static let currentSchemaVersion = 2

    public var id: String
    public var replica: ReplicaID
    /// The name the author's store was set up with (`kette init --name`), for people reading an
    /// outbox. The server does not trust it: authors it records are the token's user names.
    public var author: String?
    public var schemaVersion: Int
    /// What the user did, for people reading the outbox ("offer add", "meeting edit").
    public var summary: String
    public var changes: [Change]

    public init(id: String, replica: ReplicaID, author: String?, schemaVersion: Int = ChangeSet.currentSchemaVersion, summary: String, changes: [Change]) {
        self.id = id
        self.replica = replica
        self.author = author
        self.schemaVersion = schemaVersion
        self.summary = summary
        self.changes = changes
    }
}
