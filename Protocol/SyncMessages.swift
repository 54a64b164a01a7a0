/// The bodies of the `/v1` endpoints. SPEC.md beside this file describes them in prose and
/// openapi.json formally; Examples/ holds instances that both sides' tests decode.

/// `POST /v1/changesets`: change sets from a replica's outbox, oldest first.
public struct PushRequest: Codable, Sendable {
    public var changeSets: [ChangeSet]
    public init(changeSets: [ChangeSet]) { self.changeSets = changeSets }
}

/// What became of one pushed change set.
public struct ChangeSetResult: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Every change was merged.
        case applied
        /// Merged, but some changes overwrote or lost against a value their author had not seen;
        /// the server opened conflict entries for them.
        case conflicts
        /// Nothing was applied; `code` and `reason` say why. The client keeps the change set.
        case refused
    }

    public var id: String
    public var status: Status
    /// Machine-readable refusal: `forbidden`, `clock_ahead`, `invalid`, `unsupported_schema`.
    public var code: String?
    public var reason: String?
    /// Ids of the conflict entries this change set opened.
    public var conflicts: [String]?
    /// What a refusal is about, so a client can explain it in its user's language instead of
    /// showing `reason`, the server's English (SPEC §7.3). Absent from older servers.
    public var details: RefusalDetails?

    public init(id: String, status: Status, code: String? = nil, reason: String? = nil, conflicts: [String]? = nil,
                details: RefusalDetails? = nil) {
        self.id = id
        self.status = status
        self.code = code
        self.reason = reason
        self.conflicts = conflicts
        self.details = details
    }
}

/// The facts behind a refusal, each present where it applies (SPEC §7.3).
public struct RefusalDetails: Codable, Hashable, Sendable {
    /// The record the refusal is about (`forbidden`, `invalid`).
    public var recordType: String?
    public var recordID: String?
    /// The field whose value is wrong (`invalid`, problem `value`).
    public var field: String?
    /// `forbidden`: where the record belongs: `district` (then `district` names it), `county`
    /// (county-wide records), `districts` (the list of districts), `register` (organizations).
    public var scope: String?
    public var district: String?
    /// `forbidden`: the role of the user who pushed.
    public var role: String?
    /// `invalid`: what is wrong: `value` (a field's value), `id` (a record or change-set id's
    /// length), `parent` (the record it belongs to is unknown), `schema` (schemaVersion below 1).
    public var problem: String?
    /// `clock_ahead`: how far the change set's newest stamp is ahead of the server's clock.
    public var aheadMilliseconds: Int64?
    /// `unsupported_schema`: the change set's record schema and the newest the server understands.
    public var schemaVersion: Int?
    public var supportedSchemaVersion: Int?

    public init(recordType: String? = nil, recordID: String? = nil, field: String? = nil, scope: String? = nil, district: String? = nil,
                role: String? = nil, problem: String? = nil, aheadMilliseconds: Int64? = nil, schemaVersion: Int? = nil,
                supportedSchemaVersion: Int? = nil) {
        self.recordType = recordType
        self.recordID = recordID
        self.field = field
        self.scope = scope
        self.district = district
        self.role = role
        self.problem = problem
        self.aheadMilliseconds = aheadMilliseconds
        self.schemaVersion = schemaVersion
        self.supportedSchemaVersion = supportedSchemaVersion
    }
}

public struct PushResponse: Codable, Sendable {
    public var results: [ChangeSetResult]
    /// The server's physical time in milliseconds, so a client can tell how far its clock is off.
    public var serverTime: Int64
    public init(results: [ChangeSetResult], serverTime: Int64) {
        self.results = results
        self.serverTime = serverTime
    }
}

/// One field's current version as the server holds it, numbered by the server's sequence.
public struct PulledChange: Codable, Hashable, Sendable {
    public var seq: Int64
    public var change: Change
    public var author: String?
    /// True when the server rewrote this version's value to erase a person's name (`kette-server
    /// erase`): a replica holding the same version (same hlc) takes the value anyway, although
    /// its timestamp is not newer. Absent on the wire when false.
    public var redacted: Bool
    /// The id of the change set that wrote this version; absent for the server's own writes.
    /// A replica keeps it, so a repair can bring the version back as it was written (SPEC §16).
    public var changeSet: String?

    public init(seq: Int64, change: Change, author: String?, redacted: Bool = false, changeSet: String? = nil) {
        self.seq = seq
        self.change = change
        self.author = author
        self.redacted = redacted
        self.changeSet = changeSet
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: VersionKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        change = try VersionKeys.decodeChange(c)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        redacted = try c.decodeIfPresent(Bool.self, forKey: .redacted) ?? false
        changeSet = try c.decodeIfPresent(String.self, forKey: .changeSet)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: VersionKeys.self)
        try c.encode(seq, forKey: .seq)
        try VersionKeys.encode(change, into: &c)
        try c.encodeIfPresent(author, forKey: .author)
        if redacted { try c.encode(true, forKey: .redacted) }
        try c.encodeIfPresent(changeSet, forKey: .changeSet)
    }
}

/// The keys of a field version as pulls, record checks and repairs carry it: a change's keys
/// (`type`, `id`, `field`, `value`, `hlc`, `base`) and where it came from.
enum VersionKeys: String, CodingKey {
    case seq, type, id, field, value, hlc, base, author, redacted, changeSet

    static func decodeChange(_ c: KeyedDecodingContainer<VersionKeys>) throws -> Change {
        Change(recordType: try c.decode(RecordType.self, forKey: .type), recordID: try c.decode(String.self, forKey: .id),
               field: try c.decode(String.self, forKey: .field), value: try c.decode(FieldValue.self, forKey: .value),
               hlc: try c.decode(HLCTimestamp.self, forKey: .hlc), base: try c.decodeIfPresent(HLCTimestamp.self, forKey: .base))
    }

    static func encode(_ change: Change, into c: inout KeyedEncodingContainer<VersionKeys>) throws {
        try c.encode(change.recordType, forKey: .type)
        try c.encode(change.recordID, forKey: .id)
        try c.encode(change.field, forKey: .field)
        try c.encode(change.value, forKey: .value)
        try c.encode(change.hlc, forKey: .hlc)
        try c.encodeIfPresent(change.base, forKey: .base)
    }
}

/// A record that left the caller's scope (moved to another district, or its parent did): the
/// replica removes its copy, which is not a deletion of the record (SPEC §12, §16).
public struct ScopeExit: Codable, Hashable, Sendable {
    public var seq: Int64
    public var type: RecordType
    public var id: String
    /// The server's version (hlc) of each of the record's fields: a replica none of whose versions
    /// of the record is newer loses nothing by removing its copy; one holding a newer version
    /// (the server was restored from a backup) keeps it for the digest check to settle.
    public var versions: [String: String]

    public init(seq: Int64, type: RecordType, id: String, versions: [String: String]) {
        self.seq = seq
        self.type = type
        self.id = id
        self.versions = versions
    }
}

/// `GET /v1/changes?after=N&limit=L`: the next page of field versions in the caller's scope.
public struct PullPage: Codable, Sendable {
    public var changes: [PulledChange]
    /// Records that left the caller's scope since the cursor; absent on the wire when none.
    public var left: [ScopeExit]
    /// Where the next pull starts; store it with the merged page.
    public var cursor: Int64
    /// True when more pages follow.
    public var more: Bool
    public var serverTime: Int64
    /// The server database's id, made when it was created and new after every restore: a client
    /// that sees another id than last time pulls again from 0 (its cursor means nothing there).
    public var server: String?
    /// The scopes the caller reads (`DigestScope` keys); a client that sees one it did not read
    /// before (a district it was given) pulls again from 0.
    public var scope: [String]?

    public init(changes: [PulledChange], left: [ScopeExit] = [], cursor: Int64, more: Bool, serverTime: Int64,
                server: String? = nil, scope: [String]? = nil) {
        self.changes = changes
        self.left = left
        self.cursor = cursor
        self.more = more
        self.serverTime = serverTime
        self.server = server
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey { case changes, left, cursor, more, serverTime, server, scope }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        changes = try c.decode([PulledChange].self, forKey: .changes)
        left = try c.decodeIfPresent([ScopeExit].self, forKey: .left) ?? []
        cursor = try c.decode(Int64.self, forKey: .cursor)
        more = try c.decode(Bool.self, forKey: .more)
        serverTime = try c.decode(Int64.self, forKey: .serverTime)
        server = try c.decodeIfPresent(String.self, forKey: .server)
        scope = try c.decodeIfPresent([String].self, forKey: .scope)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(changes, forKey: .changes)
        if !left.isEmpty { try c.encode(left, forKey: .left) }
        try c.encode(cursor, forKey: .cursor)
        try c.encode(more, forKey: .more)
        try c.encode(serverTime, forKey: .serverTime)
        try c.encodeIfPresent(server, forKey: .server)
        try c.encodeIfPresent(scope, forKey: .scope)
    }
}

/// `GET /v1/me`: who the token belongs to.
public struct Identity: Codable, Hashable, Sendable {
    public var user: String
    public var role: Role
    public var districts: [String]
    /// In the answer to `GET /v1/me` only: the newest record schema the server understands
    /// (SPEC §2). A server that leaves it out understands schema 1.
    public var schemaVersion: Int?
    public init(user: String, role: Role, districts: [String], schemaVersion: Int? = nil) {
        self.user = user
        self.role = role
        self.districts = districts
        self.schemaVersion = schemaVersion
    }
}

/// What a user may do (DESIGN.md §4.8).
public enum Role: String, Codable, CaseIterable, Sendable {
    /// Reads and writes the records of their districts and the county-wide organizations.
    case coordinator
    /// A district office: the same scope as a coordinator, synced unattended.
    case district
    /// The county office: reads and writes everything.
    case county
    /// Manages districts, users and tokens; reads and writes everything.
    case admin

    public var seesEverything: Bool { self == .county || self == .admin }
}

/// The body of every error answer: `{"error":{"code":…,"message":…}}`.
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
    }
    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// Limits both sides agree on.
public enum SyncLimits {
    /// Change sets stamped further than this in the server's future are refused (`clock_ahead`).
    public static let maxClockAheadMilliseconds: Int64 = 5 * 60 * 1000
    public static let defaultPageSize = 1000
    public static let maxPageSize = 5000
    public static let maxChangeSetsPerPush = 500
    /// A pull page stops taking changes at this size (a single larger change travels alone).
    /// With the protocol's bounds no change exceeds `maxChangeBytes`, so a page is at most 4 MiB
    /// and a few hundred bytes, far below the reference client's 64 MiB response limit.
    public static let maxPageBytes = 4 << 20
    /// The largest a pulled change can be in JSON (SPEC §14 has the sum): a conflict record's
    /// value holding the JSON text of a 256 KiB text of control characters, escaped twice.
    public static let maxChangeBytes = 1_900_000
    /// What a client reads of one pull page, counted after any gzip is inflated (while
    /// inflating): twice a page's largest size. More is the server's fault, not a page.
    public static let maxPageAnswerBytes = 2 * maxPageBytes
}
