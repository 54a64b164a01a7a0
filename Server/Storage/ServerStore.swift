import Foundation
import KetteMessages
import KettePostgres
import KetteProtocol
import KetteStore

/// What the HTTP layer needs from storage; the SQLite store implements it, a PostgreSQL one can.
public protocol ServerStorage: AnyObject, Sendable {
    /// The identity a token belongs to, nil for an unknown or revoked token.
    func authenticate(token: String) throws -> Identity?
    func push(_ request: PushRequest, by identity: Identity) throws -> PushResponse
    /// The next page after `cursor` in the caller's scope, as the JSON body of a `PullPage`.
    func pullPage(after cursor: Int64, limit: Int, for identity: Identity, schema: Int) throws -> [UInt8]
    /// The database's identity, new after every restore (SPEC §16).
    func databaseID() throws -> String
    /// The digests of every scope the caller reads, summed per bucket (SPEC §16); the buckets are
    /// left out when `clientTotal` matches their sum.
    func digests(for identity: Identity, clientTotal: UInt64?) throws -> DigestAnswer
    /// The records the caller reads in the given buckets (valid, distinct bucket numbers), with their digests.
    func bucketListing(_ request: BucketListingRequest, for identity: Identity) throws -> BucketListing
    /// What the server holds of each record, and which of the caller's versions it lacks.
    func checkRecords(_ request: RecordCheckRequest, for identity: Identity) throws -> RecordCheck
    /// Takes back field versions the server lacks, by the merge rule, where `identity` may write.
    func repair(_ request: RepairRequest, by identity: Identity) throws -> RepairAnswer
    /// One record's current fields; `StorageError.outsideScope` outside the caller's scope,
    /// `.recordNotFound` when unknown.
    func record(type: RecordType, id: String, for identity: Identity) throws -> RecordSnapshot
    /// Every user, for the admin endpoints; the listing is audited as a read by `identity`.
    func users(readBy identity: Identity) throws -> [UserInfo]
    /// Revokes a user's token (`AdminError.unknownUser` when there is no such user); audited
    /// with `identity` as the one who did it.
    func revokeUser(name: String, by identity: Identity) throws
}

/// `GET /v1/records/TYPE/ID`: a record's current fields as the server holds them.
public struct RecordSnapshot: Codable, Sendable {
    public var type: RecordType
    public var id: String
    public var fields: [String: FieldValue]
}

/// A user as the admin commands list them.
public struct UserInfo: Codable, Hashable, Sendable {
    public var name: String
    public var role: Role
    public var districts: [String]
    public var createdAt: Int64
    public var revoked: Bool
}

/// Why an admin command was refused.
public enum AdminError: Error, Equatable, CustomStringConvertible {
    case invalid(LocalizedText)
    case userExists(String)
    case unknownUser(String)
    case unknownDistrict(String, known: [String])
    case districtExists(String)

    /// The English message, for API answers.
    public var description: String { text.english }

    /// The message in both languages, for the admin commands.
    public var text: LocalizedText {
        switch self {
        case .invalid(let message): message
        case .userExists(let name): ServerText.userExists.with(["name": name])
        case .unknownUser(let name): ServerText.unknownUser.with(["name": name])
        case .unknownDistrict(let id, let known):
            ServerText.unknownDistrict.with(["id": id, "known": known.isEmpty ? ServerText.noDistrictsYet.text : .verbatim(known.joined(separator: ", "))])
        case .districtExists(let id): ServerText.districtExists.with(["id": id])
        }
    }
}

/// The county server's storage: on an embedded SQLite file (the default; one writer, readers in
/// parallel in WAL mode) or on a PostgreSQL database, through the same code (`ServerDatabase`).
public final class ServerStore: ServerStorage, @unchecked Sendable {
    // @unchecked: the connections serialize writes and hand each reading connection to one
    // thread at a time; the remaining stored properties are immutable.
    let connections: any ServerConnections
    /// The SQLite database, nil on PostgreSQL: backups and the scrubbing of the file after an
    /// erasure are SQLite's own.
    let sqlite: SQLiteConnections?
    let now: @Sendable () -> Int64
    /// The SQLite file, or the PostgreSQL URL without its password.
    public let path: String
    /// Who changed, read, erased or administered what (never the content); see `AuditLog`.
    public let audit: AuditLog
    /// Writes the reads counted in memory about once a second (`AuditLog.noteRead`).
    private let auditFlushTimer: DispatchSourceTimer

    public static func systemMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The store on the SQLite file `path`, made and migrated when needed; the audit key is the
    /// file `auditKey`, by default `PATH.audit-key`.
    /// - Parameter replica: the server's replica id when the database is new; random unless a
    ///   test needs to replay a run.
    public convenience init(path: String, auditKey: String? = nil, readerCount: Int = 4, replica: ReplicaID = .random(),
                            now: @escaping @Sendable () -> Int64 = ServerStore.systemMilliseconds) throws {
        var configuration = Database.Configuration()
        // An acknowledged push must survive power loss, as on the clients.
        configuration.durability = .full
        configuration.cacheKiB = 64 * 1024  // the writer walks the whole field index on big pushes
        let writer = try DatabaseQueue(path: path, configuration: configuration)
        try writer.read { db in try ServerSchema.migrator.migrate(db) }
        let sqlite = SQLiteConnections(writer: writer, readers: try ReaderPool(path: path, size: max(1, readerCount)),
                                       checkpointer: try WALCheckpointer(path: path, writer: writer))
        try self.init(connections: sqlite, sqlite: sqlite, path: path, auditKey: auditKey ?? AuditLog.keyPath(for: path), replica: replica, now: now)
    }

    /// The store on the PostgreSQL database `url` (`postgres://…`, `postgresql://…`, the `PG*`
    /// variables filling in), migrated when needed; `auditKey` is the audit log's key file (a
    /// database that is no file has nothing to put it beside).
    public convenience init(postgres url: String, auditKey: String, readerCount: Int = 4, replica: ReplicaID = .random(),
                            now: @escaping @Sendable () -> Int64 = ServerStore.systemMilliseconds) throws {
        try PostgresServerSchema.migrator.migrate(try PostgresConnection(url, applicationName: "kette-server"))
        try self.init(connections: try PostgresConnections(url, readerCount: readerCount), sqlite: nil, path: PostgresURL.withoutPassword(url),
                      auditKey: auditKey, replica: replica, now: now)
    }

    private init(connections: any ServerConnections, sqlite: SQLiteConnections?, path: String, auditKey: String, replica: ReplicaID,
                 now: @escaping @Sendable () -> Int64) throws {
        try connections.write { db in
            try db.write("INSERT INTO server_meta (key, value) VALUES ('replica', ?) ON CONFLICT (key) DO NOTHING", [replica.rawValue])
            // The database's identity, new with every restore (`restore(from:to:)`): clients
            // that see another one pull again from 0 and repair.
            try db.write("INSERT INTO server_meta (key, value) VALUES ('database', ?) ON CONFLICT (key) DO NOTHING", [ReplicaID.random().rawValue])
        }
        audit = try connections.write { db in try AuditLog(keyPath: auditKey, db: db) }
        self.connections = connections
        self.sqlite = sqlite
        self.now = now
        self.path = path
        auditFlushTimer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        auditFlushTimer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(200))
        auditFlushTimer.setEventHandler { [weak self] in try? self?.flushAuditReads() }
        auditFlushTimer.resume()
    }

    deinit {
        auditFlushTimer.cancel()
    }

    // MARK: - Audit

    /// Runs `body` in a write transaction and appends the events it lists to the audit log in the
    /// same transaction; publishes the log's new signed head after the commit.
    func audited<T>(_ body: (any ServerDatabase, inout [AuditLog.Event]) throws -> T) throws -> T {
        var head: AuditLog.Head?
        let time = now()
        let result = try connections.write { db -> T in
            var events: [AuditLog.Event] = []
            let result = try body(db, &events)
            head = try audit.append(events, at: time, in: db)
            return result
        }
        if let head { audit.publish(head) }
        return result
    }

    /// Writes the reads counted since the last flush as audit entries (also called on shutdown).
    public func flushAuditReads() throws {
        guard audit.hasPendingReads else { return }
        let tallies = audit.takeReads()
        do {
            try audited { _, events in events = AuditLog.events(for: tallies) }
        } catch {
            audit.restoreReads(tallies)
            throw error
        }
    }

    public func auditEntries() throws -> [AuditLog.Entry] {
        try connections.read { db in try AuditLog.entries(in: db) }
    }

    public func verifyAudit() throws -> AuditLog.Verdict {
        try connections.read { db in try audit.verify(in: db) }
    }

    // MARK: - Users and tokens

    /// Creates a user and returns their token, which is shown once and stored only as a hash.
    /// `actor` is who did it, for the audit log: the admin's user name over HTTP; by default the
    /// operating-system account running the command.
    public func addUser(name: String, role: Role, districts: [String], actor: String? = nil) throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        // The name is the author of every field the user writes, in every pull page: bounded in bytes too.
        guard !name.isEmpty, name.count <= 200, name.utf8.count <= 800, !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw AdminError.invalid(ServerText.needsName.text)
        }
        if !role.seesEverything && districts.isEmpty {
            throw AdminError.invalid(ServerText.needsDistrict.with(["role": role.rawValue]))
        }
        let token = Secrets.newToken()
        try audited { db, events in
            let known = try Self.districtIDs(in: db)
            if let unknown = districts.first(where: { !known.contains($0) }) {
                throw AdminError.unknownDistrict(unknown, known: known.sorted())
            }
            if try db.scalarInt("SELECT 1 FROM users WHERE name = ?", [name]) != nil { throw AdminError.userExists(name) }
            try db.write("INSERT INTO users (name, role, districts, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           [name, role.rawValue, FieldValue.list(districts).jsonText, Secrets.sha256Hex(token), now()])
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "user-add",
                                detail: "\(name) (\(role.rawValue)\(districts.isEmpty ? "" : "; " + districts.joined(separator: ", ")))"))
        }
        return token
    }

    /// Gives a user a new set of districts: their next sync receives the records of districts
    /// given (they pull again from 0) and removes those of districts taken away (SPEC §16).
    public func setDistricts(user name: String, districts: [String], actor: String? = nil) throws {
        let districts = Array(Set(districts)).sorted()
        try audited { db, events in
            guard let row = try db.firstRow("SELECT role, districts FROM users WHERE name = ?", [name]) else { throw AdminError.unknownUser(name) }
            let role = row.string(0).flatMap(Role.init(rawValue:)) ?? .coordinator
            if !role.seesEverything && districts.isEmpty { throw AdminError.invalid(ServerText.needsDistrict.with(["role": role.rawValue])) }
            let known = try Self.districtIDs(in: db)
            if let unknown = districts.first(where: { !known.contains($0) }) { throw AdminError.unknownDistrict(unknown, known: known.sorted()) }
            try db.write("UPDATE users SET districts = ? WHERE name = ?", [FieldValue.list(districts).jsonText, name])
            let before = Self.decodeList(row.string(1)).joined(separator: ", ")
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "user-districts",
                                detail: "\(name): \(before.isEmpty ? "none" : before) → \(districts.isEmpty ? "none" : districts.joined(separator: ", "))"))
        }
    }

    public func users() throws -> [UserInfo] {
        try connections.read { db in
            try db.rows("SELECT name, role, districts, created_at, revoked_at FROM users ORDER BY name").map { row in
                UserInfo(name: row.string(0) ?? "", role: row.string(1).flatMap(Role.init(rawValue:)) ?? .coordinator,
                         districts: Self.decodeList(row.string(2)), createdAt: Int64(row.int(3) ?? 0), revoked: !row[4].isNull)
            }
        }
    }

    public func users(readBy identity: Identity) throws -> [UserInfo] {
        let users = try users()
        audit.noteRead(user: identity.user, records: users.count)
        return users
    }

    /// Revokes a user's token; the next request with it gets 401.
    public func revokeUser(name: String) throws {
        try revokeUser(name: name, actor: nil)
    }

    public func revokeUser(name: String, by identity: Identity) throws {
        try revokeUser(name: name, actor: identity.user)
    }

    /// Revokes a user's token; `actor` is who did it, for the audit log (nil: the OS account).
    public func revokeUser(name: String, actor: String?) throws {
        try audited { db, events in
            let revoked = try db.write("UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [now(), name])
            if revoked == 0, try db.scalarInt("SELECT 1 FROM users WHERE name = ?", [name]) == nil {
                throw AdminError.unknownUser(name)
            }
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "user-revoke", detail: name))
        }
    }

    public func authenticate(token: String) throws -> Identity? {
        // Looking up the hash, not the token, keeps the comparison's timing independent of the
        // token's content; the index makes it one lookup.
        try connections.read { db in
            let hash = Secrets.sha256Hex(token)
            guard let row = try db.firstRow("SELECT name, role, districts, token_hash FROM users WHERE token_hash = ? AND revoked_at IS NULL",
                                            [hash]),
                  // The index found the row; the stored hash is compared again in constant time
                  // so no step of the check depends on how much of a guess was right.
                  Secrets.constantTimeEquals(row.string(3) ?? "", hash),
                  let name = row.string(0), let role = row.string(1).flatMap(Role.init(rawValue:)) else { return nil }
            return Identity(user: name, role: role, districts: Self.decodeList(row.string(2)))
        }
    }

    // MARK: - Districts

    /// Defines a district; it reaches every client by pull like any other record.
    public func addDistrict(id: String, name: String, parent: String? = nil, actor: String? = nil) throws {
        let id = id.trimmingCharacters(in: .whitespaces), name = name.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.count <= 100, !id.contains(where: { $0.isWhitespace || $0 == "," }) else {
            throw AdminError.invalid(ServerText.districtIDForm.text)
        }
        guard !name.isEmpty else { throw AdminError.invalid(ServerText.districtNeedsName.text) }
        try audited { db, events in
            if try Self.districtIDs(in: db).contains(id) { throw AdminError.districtExists(id) }
            var context = try WriteContext(db: db, now: now())
            let hlc = context.tick()
            var changes = [Change(recordType: .district, recordID: id, field: "name", value: .string(name), hlc: hlc, base: nil)]
            if let parent { changes.append(Change(recordType: .district, recordID: id, field: "parent", value: .string(parent), hlc: hlc, base: nil)) }
            for change in changes {
                let held = try db.scalarString("SELECT hlc FROM field_state WHERE record_type = 'district' AND record_id = ? AND field = ?",
                                               [id, change.field]).flatMap(HLCTimestamp.init(encoded:))
                try context.writeState(change, replica: context.replica, author: "kette-server", replacing: held)
            }
            try context.place(RecordKey(type: .district, id: id), in: StoredScope(district: nil, everyone: true), parent: nil)
            try context.save()
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "district-add", detail: id))
        }
    }

    public func districts() throws -> [District] {
        try connections.read { db in
            try db.rows("""
                SELECT n.record_id, n.value, p.value FROM field_state n
                LEFT JOIN field_state p ON p.record_type = 'district' AND p.record_id = n.record_id AND p.field = 'parent'
                LEFT JOIN field_state d ON d.record_type = 'district' AND d.record_id = n.record_id AND d.field = 'deleted'
                WHERE n.record_type = 'district' AND n.field = 'name' AND (d.value IS NULL OR d.value = 'false')
                ORDER BY n.record_id
                """).map { row in
                District(id: row.string(0) ?? "", name: Self.decodeString(row.string(1)) ?? "", parent: Self.decodeString(row.string(2)))
            }
        }
    }

    static func districtIDs(in db: any ServerDatabase) throws -> Set<String> {
        Set(try db.rows("""
            SELECT record_id FROM field_state WHERE record_type = 'district' AND field = 'name'
            AND record_id NOT IN (SELECT record_id FROM field_state WHERE record_type = 'district' AND field = 'deleted' AND value = 'true')
            """).compactMap { $0.string(0) })
    }

    // MARK: - Push

    public func push(_ request: PushRequest, by identity: Identity) throws -> PushResponse {
        guard request.changeSets.count <= SyncLimits.maxChangeSetsPerPush else {
            throw StorageError.tooManyChangeSets(count: request.changeSets.count, limit: SyncLimits.maxChangeSetsPerPush)
        }
        let serverNow = now()
        let checked = request.changeSets.map { ChangeSetApplier.plainCheck($0, serverNow: serverNow) }
        // One transaction for the whole batch: an acknowledged push is durable as a whole, and
        // a crash before the commit leaves none of it.
        let results = try audited { db, events -> [ChangeSetResult] in
            let results = try Self.apply(request, checked: checked, by: identity, at: serverNow, in: db)
            events.append(.init(actor: identity.user, action: "push", detail: Self.pushSummary(request, results)))
            return results
        }
        return PushResponse(results: results, serverTime: serverNow)
    }

    /// Applies a push's change sets inside the caller's write transaction, on either backend.
    /// `checked`: `ChangeSetApplier.plainCheck` of each change set, made before the transaction.
    static func apply(_ request: PushRequest, checked: [ChangeSetApplier.PlainCheck]? = nil, by identity: Identity, at serverNow: Int64,
                      in db: any ServerDatabase) throws -> [ChangeSetResult] {
        var context = try WriteContext(db: db, now: serverNow, batching: true)
        // What the change sets compare with and check, in a few queries instead of some per change.
        try context.cache.load(for: request, from: context.db)
        let applier = ChangeSetApplier(identity: identity, serverNow: serverNow, cache: context.cache)
        var results: [ChangeSetResult] = []
        for (index, changeSet) in request.changeSets.enumerated() {
            results.append(try applier.apply(changeSet, checked: checked?[index], into: &context))
        }
        try context.save()
        return results
    }

    /// What a push changed, for the audit log: how many change sets with what outcome, and how
    /// many records of each type they wrote. No values.
    static func pushSummary(_ request: PushRequest, _ results: [ChangeSetResult]) -> String {
        var outcomes: [String: Int] = [:]
        for result in results { outcomes[result.status.rawValue, default: 0] += 1 }
        var records: [String: Set<String>] = [:]
        let refused = Set(results.filter { $0.status == .refused }.map(\.id))
        for changeSet in request.changeSets where !refused.contains(changeSet.id) {
            for change in changeSet.changes { records[change.recordType.rawValue, default: []].insert(change.recordID) }
        }
        let outcomeText = outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let recordText = records.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", ")
        return "\(request.changeSets.count) change set\(request.changeSets.count == 1 ? "" : "s") (\(outcomeText)); records: \(recordText.isEmpty ? "none" : recordText)"
    }

    // MARK: - Pull

    /// - Parameter schema: the newest record schema the caller reads; record types of a newer one
    ///   (and conflicts about them) are left out of its pages, since it could not decode them.
    public func pullPage(after cursor: Int64, limit: Int, for identity: Identity, schema: Int = ChangeSet.currentSchemaVersion) throws -> [UInt8] {
        guard cursor >= 0 else { throw StorageError.negativeCursor(cursor) }
        let limit = min(max(1, limit), SyncLimits.maxPageSize)
        let serverNow = now()
        let page = try connections.read { db in try Self.pullPage(after: cursor, limit: limit, for: identity, schema: schema, at: serverNow, in: db) }
        audit.noteRead(user: identity.user, pages: 1, changes: page.changes)
        return page.json
    }

    /// One pull page from one snapshot of the database (a read transaction on PostgreSQL, where
    /// the newest sequence number and the rows must come from the same snapshot: SPEC §12.1).
    static func pullPage(after cursor: Int64, limit: Int, for identity: Identity, schema: Int, at serverNow: Int64,
                         in db: any ServerDatabase) throws -> (json: [UInt8], changes: Int) {
        let newest = try db.newestPullSequence()
        guard cursor <= newest else { throw StorageError.cursorAhead(cursor: cursor, newest: newest) }
        // Records that left the caller's scope since the cursor; they count towards the page.
        let exits = try scopeExits(after: cursor, limit: limit + 1, for: identity, schema: schema, in: db)
        let (sql, arguments) = pullQuery(after: cursor, limit: limit, for: identity, schema: schema, in: db)
        var page = PullPageWriter(expectedChanges: limit)
        let (lastSeq, more) = try fill(&page, from: sql, arguments, exits: exits, limit: limit, after: cursor, in: db)
        let changes = page.count
        // With nothing more to read, the cursor moves to the newest change even when the
        // caller's scope held none of the last ones, so they are not scanned again.
        return (page.finish(cursor: more ? lastSeq : newest, more: more, serverTime: serverNow,
                            server: try databaseID(in: db), scope: DigestScope.keys(readBy: identity)), changes)
    }

    /// The field rows after `cursor` in the caller's scope and record schema, in sequence order.
    static func pullQuery(after cursor: Int64, limit: Int, for identity: Identity, schema: Int,
                          in db: any ServerDatabase) -> (String, [DatabaseValueConvertible?]) {
        var sql = "SELECT f.seq, f.record_type, f.record_id, f.field, f.value, f.hlc, f.base, f.author, f.redacted, f.change_set FROM field_state f "
        var arguments: [DatabaseValueConvertible?] = [cursor]
        if identity.role.seesEverything {
            sql += "WHERE f.seq > ? "
        } else {
            sql += """
                JOIN record_scope s ON s.record_type = f.record_type AND s.record_id = f.record_id
                WHERE f.seq > ? AND (s.everyone OR \(db.isListed("s.district")))
                """
            arguments.append(FieldValue.list(identity.districts).jsonText)
        }
        sql += newerSchemaCondition(readBy: schema)
        sql += " ORDER BY f.seq LIMIT ?"
        arguments.append(limit + 1)
        return (sql, arguments)
    }

    /// Fills a page with field rows and scope exits in sequence order, `limit` entries in all and
    /// within the page's byte budget. Rows go straight into the page's JSON: values are stored as
    /// JSON text already, so nothing is decoded and encoded again. An entry that does not fit
    /// starts the next page: the cursor (`lastSeq`) stays before it, so nothing is skipped.
    static func fill(_ page: inout PullPageWriter, from sql: String, _ arguments: [DatabaseValueConvertible?], exits: [ScopeExit],
                     limit: Int, after cursor: Int64, in db: any ServerDatabase) throws -> (lastSeq: Int64, more: Bool) {
        var pending = exits[...]
        var lastSeq = cursor
        var more = false
        // Takes the exits before `seq`; false when the page filled up first.
        func takeExits(before seq: Int64) -> Bool {
            while let exit = pending.first, exit.seq < seq {
                guard page.count + page.exitCount < limit, page.appendExit(exit) else { return false }
                lastSeq = exit.seq
                pending.removeFirst()
            }
            return true
        }
        try db.scanRows(sql, arguments) { row in
            let seq = Int64(row.int(0) ?? 0)
            guard takeExits(before: seq), page.count + page.exitCount < limit,
                  page.append(seq: seq, type: row.string(1) ?? "", id: row.string(2) ?? "", field: row.string(3) ?? "",
                              valueJSON: row.string(4) ?? "null", hlc: row.string(5) ?? "", base: row.string(6),
                              author: row.string(7), redacted: row.int(8) == 1, changeSet: row.string(9)) else {
                more = true
                return false
            }
            lastSeq = seq
            return true
        }
        if !more, !takeExits(before: .max) { more = true }
        return (lastSeq, more)
    }

    /// The SQL condition that leaves out what a client reading record schema `schema` cannot
    /// decode: records of newer types, and conflicts about them. Empty for the current schema.
    static func newerSchemaCondition(readBy schema: Int) -> String {
        let newer = RecordType.allCases.filter { $0.schemaVersion > schema }
        guard !newer.isEmpty else { return "" }
        let types = newer.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let asValues = newer.map { "'\"\($0.rawValue)\"'" }.joined(separator: ", ")
        return """
             AND f.record_type NOT IN (\(types)) AND NOT (f.record_type = 'conflict' AND EXISTS (SELECT 1 FROM field_state c
             WHERE c.record_type = 'conflict' AND c.record_id = f.record_id AND c.field = 'recordType' AND c.value IN (\(asValues))))
            """
    }

    // MARK: - One record

    public func record(type: RecordType, id: String, for identity: Identity) throws -> RecordSnapshot {
        try connections.read { db in
            guard let scope = try RecordScope.stored(type: type, id: id, in: db) else {
                throw StorageError.recordNotFound(type, id: id)
            }
            // Reading follows writing, except that everyone reads the list of districts. The
            // answer to a record outside one's scope says no more than that.
            guard scope.isReadableByEveryone || scope.isWritable(by: identity) else {
                throw StorageError.outsideScope(type, id: id, user: identity.user)
            }
            var fields: [String: FieldValue] = [:]
            for row in try db.rows("SELECT field, value FROM field_state WHERE record_type = ? AND record_id = ?", [type.rawValue, id]) {
                fields[row.string(0) ?? ""] = try FieldValue(jsonText: row.string(1) ?? "null")
            }
            audit.noteRead(user: identity.user, records: 1)
            return RecordSnapshot(type: type, id: id, fields: fields)
        }
    }

    // MARK: - Helpers

    static func decodeList(_ text: String?) -> [String] { FieldValue.storedList(text) }

    /// A field_state value (JSON text) as a string, nil when it is not one.
    static func decodeString(_ text: String?) -> String? {
        guard let text else { return nil }
        return (try? FieldValue(jsonText: text))?.stringValue
    }
}
