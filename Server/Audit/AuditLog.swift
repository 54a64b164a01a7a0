import Foundation
import KetteMessages
import KetteStore

/// The server's append-only audit log: who changed, read, erased or administered what and when —
/// never the content of records.
///
/// Threat model: someone who can write the database file (a backup restored by hand, a stolen
/// admin shell on the database, the sqlite3 shell) but cannot read the key file. Each entry's
/// `mac` is the HMAC-SHA-256, under a key kept in a file next to the database (mode 0600), of the
/// previous entry's mac and the entry itself; a signed head (count and last mac) is kept in a
/// second file next to it. Changing, inserting, deleting or reordering entries breaks the chain;
/// removing the newest entries contradicts the head. SQLite triggers refuse UPDATE and DELETE, so
/// an honest mistake fails at once; an attacker who drops them is still caught by `verify`.
/// Whoever holds the key file can rewrite the log undetectably; keep it (and backups of it) away
/// from those who administer the database.
public final class AuditLog: @unchecked Sendable {
    // @unchecked: `key` and the paths are immutable; the read tallies and the published head are
    // guarded by `lock`.

    /// One entry as `kette-server audit list` shows it.
    public struct Entry: Codable, Hashable, Sendable {
        public var seq: Int64
        /// Milliseconds since 1970.
        public var at: Int64
        public var actor: String
        public var action: String
        public var detail: String
    }

    /// An action to record; the log gives it its number and time.
    struct Event {
        var actor: String
        var action: String
        var detail: String
    }

    /// The newest entry a committed transaction wrote.
    struct Head: Equatable {
        var seq: Int64
        var mac: String
    }

    /// What `verify` found.
    public enum Verdict: Equatable, Sendable {
        case intact(entries: Int64)
        /// `entry` is the first entry found wrong or missing (nil when no entry is to blame, e.g. a
        /// missing key file).
        case broken(entry: Int64?, reason: LocalizedText)
    }

    public enum Problem: Error, CustomStringConvertible {
        case keyMissing(path: String, entries: Int64)
        case keyUnreadable(path: String, reason: LocalizedText)
        case headUnwritable(path: String)
        /// An erasure found the log already altered: signing it anew would hide that.
        case alteredBeforeErasure(reason: LocalizedText)

        public var description: String { text.english }

        /// The message in both languages, for `kette-server`.
        public var text: LocalizedText {
            switch self {
            case .alteredBeforeErasure(let reason): AuditText.alteredBeforeErasure.with(["reason": reason])
            case .keyMissing(let path, let entries): AuditText.keyMissing.with(["path": path, "entries": entries])
            case .keyUnreadable(let path, let reason): AuditText.keyUnreadable.with(["path": path, "reason": reason])
            case .headUnwritable(let path): AuditText.headUnwritable.with(["path": path])
            }
        }
    }

    public let keyPath: String
    public let headPath: String
    private let key: [UInt8]
    private let lock = NSLock()
    private var publishedSeq: Int64 = 0
    /// Reads since the last flush, per user: pulls are counted in memory and written in batches,
    /// so a pull never waits for the single writer.
    private var reads: [String: ReadTally] = [:]

    struct ReadTally {
        var pages = 0
        var changes = 0
        var records = 0
    }

    static let genesis = String(repeating: "0", count: 64)

    /// Where the key and the head live for a database at `databasePath`.
    public static func keyPath(for databasePath: String) -> String { databasePath + ".audit-key" }
    public static func headPath(for databasePath: String) -> String { databasePath + ".audit-head" }

    /// The signed head's file beside a key file: `X.audit-head` for `X.audit-key` (as beside a
    /// SQLite database), else the key's path with `.head` added.
    public static func headPath(forKey keyPath: String) -> String {
        keyPath.hasSuffix(".audit-key") ? String(keyPath.dropLast(".audit-key".count)) + ".audit-head" : keyPath + ".head"
    }

    /// Opens the log of the database at `databasePath`, creating the key file on first use.
    convenience init(databasePath: String, db: any ServerDatabase) throws {
        try self.init(keyPath: Self.keyPath(for: databasePath), db: db)
    }

    /// Opens the log whose key is the file `keyPath` (its head beside it), creating the key on
    /// first use. A missing key for a log that already has entries is an error, not a new key.
    init(keyPath: String, db: any ServerDatabase) throws {
        self.keyPath = keyPath
        headPath = Self.headPath(forKey: keyPath)
        if let key = try Self.readKey(at: keyPath) {
            self.key = key
        } else {
            let entries = Int64(try db.scalarInt("SELECT count(*) FROM audit_log") ?? 0)
            guard entries == 0 else { throw Problem.keyMissing(path: keyPath, entries: entries) }
            key = try Self.createKey(at: keyPath)
        }
    }

    // MARK: Key and head files

    static func readKey(at path: String) throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw Problem.keyUnreadable(path: path, reason: AuditText.keyNotReadable.text) }
            return nil
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = decodeHex(text), key.count == 32 else { throw Problem.keyUnreadable(path: path, reason: AuditText.keyNotHex.text) }
        return key
    }

    /// Writes a new random key readable by the owner only; if another process created one first,
    /// that one is used.
    private static func createKey(at path: String) throws -> [UInt8] {
        let key = Secrets.randomBytes(32)
        let descriptor = PrivateFile.create(path)
        if descriptor < 0 {
            if errno == EEXIST, let existing = try readKey(at: path) { return existing }
            throw Problem.keyUnreadable(path: path, reason: AuditText.keyNotCreated.with(["error": String(cString: strerror(errno))]))
        }
        defer { close(descriptor) }
        let text = Array((Secrets.hex(key) + "\n").utf8)
        guard write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
            throw Problem.keyUnreadable(path: path, reason: AuditText.keyNotWritten.with(["error": String(cString: strerror(errno))]))
        }
        return key
    }

    private func headMAC(_ head: Head) -> String {
        Secrets.hex(Secrets.hmacSHA256(key: key, Array("kette-audit-head-v1\n\(head.seq)\n\(head.mac)".utf8)))
    }

    /// The signed head in the head file: nil when there is none, `.failure` when it is altered.
    private func readHead() -> Result<Head, AuditHeadError>? {
        guard let data = FileManager.default.contents(atPath: headPath) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        guard parts.count == 3, let seq = Int64(parts[0]) else { return .failure(AuditHeadError()) }
        let head = Head(seq: seq, mac: parts[1])
        guard Secrets.constantTimeEquals(headMAC(head), parts[2]) else { return .failure(AuditHeadError()) }
        return .success(head)
    }

    struct AuditHeadError: Error {}

    /// Records `head` as the newest committed entry (after the commit: a head ahead of the log
    /// would read as truncation). Never moves the head back, also across processes.
    func publish(_ head: Head) {
        lock.lock()
        defer { lock.unlock() }
        guard head.seq > publishedSeq else { return }
        if case .success(let existing)? = readHead(), existing.seq >= head.seq { publishedSeq = existing.seq; return }
        if writeHead(head) { publishedSeq = head.seq }
    }

    /// Makes `head` the signed head even though it is behind the current one: only for a restore
    /// from a backup, whose log legitimately ends earlier (its own entry says so).
    func replaceHead(_ head: Head) throws {
        lock.lock()
        defer { lock.unlock() }
        guard writeHead(head) else { throw Problem.headUnwritable(path: headPath) }
        publishedSeq = head.seq
    }

    private func writeHead(_ head: Head) -> Bool {
        let temporary = headPath + ".tmp-\(getpid())"
        let text = "\(head.seq) \(head.mac) \(headMAC(head))\n"
        // Rename is atomic: a reader sees the old head or the new one, never half of one.
        return PrivateFile.write(Array(text.utf8), to: temporary, exclusive: false) == 0 && rename(temporary, headPath) == 0
    }

    // MARK: Appending

    private func mac(previous: String, seq: Int64, at: Int64, actor: String, action: String, detail: String) -> String {
        // Length-prefixed fields: no choice of texts can make two different entries sign alike.
        var message = "kette-audit-v1\n\(seq)\n\(at)\n"
        for part in [actor, action, detail] { message += "\(part.utf8.count):\(part)\n" }
        message += previous
        return Secrets.hex(Secrets.hmacSHA256(key: key, Array(message.utf8)))
    }

    /// Appends `events` inside the caller's write transaction, so they commit (or not) with the
    /// action they describe. Returns the new head to `publish` after the commit.
    func append(_ events: [Event], at time: Int64, in db: any ServerDatabase) throws -> Head? {
        guard !events.isEmpty else { return nil }
        // Held to the commit: another process appending waits and then chains to these entries.
        try db.holdAuditSequence()
        let last = try db.firstRow("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
        var seq = Int64(last?.int(0) ?? 0)
        var previous = last?.string(1) ?? Self.genesis
        for event in events {
            seq += 1
            previous = mac(previous: previous, seq: seq, at: time, actor: event.actor, action: event.action, detail: event.detail)
            try db.write("INSERT INTO audit_log (seq, at, actor, action, detail, mac) VALUES (?, ?, ?, ?, ?, ?)",
                         [seq, time, event.actor, event.action, event.detail, previous])
        }
        try db.saveAuditSequence(seq)
        return Head(seq: seq, mac: previous)
    }

    // MARK: Erasure

    /// Rewrites the details that `rewrite` changes (an erasure, the one change the log allows) and
    /// signs every entry from the first changed one on anew, inside the caller's write
    /// transaction. The triggers that refuse UPDATE are lifted for this transaction alone. The
    /// log must verify first: re-signing an altered log would hide the alteration. The head
    /// published after the commit (with the erasure's own entry) follows the new chain.
    /// Returns how many details changed.
    func rewriteDetails(in db: any ServerDatabase, _ rewrite: (String) -> String?) throws -> Int {
        var changed: [Int64: String] = [:]
        try db.forEachRow("SELECT seq, detail FROM audit_log") { row in
            if let detail = row.string(1), let redacted = rewrite(detail) { changed[Int64(row.int(0) ?? 0)] = redacted }
        }
        guard let first = changed.keys.min() else { return 0 }
        if case .broken(_, let reason) = try verify(in: db) { throw Problem.alteredBeforeErasure(reason: reason) }
        // The log's counter before its table: appenders take them in this order too, so an
        // appender of another process waits here instead of deadlocking with the erasure.
        try db.holdAuditSequence()
        try db.withoutAuditTriggers {
            var previous = try db.scalarString("SELECT mac FROM audit_log WHERE seq = ?", [first - 1]) ?? Self.genesis
            for entry in try Self.entries(in: db) where entry.seq >= first {
                let detail = changed[entry.seq] ?? entry.detail
                previous = mac(previous: previous, seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, detail: detail)
                try db.write("UPDATE audit_log SET detail = ?, mac = ? WHERE seq = ?", [detail, previous, entry.seq])
            }
        }
        return changed.count
    }

    // MARK: Reads

    /// Counts a bulk read by `user`; written with the next flush.
    func noteRead(user: String, pages: Int = 0, changes: Int = 0, records: Int = 0) {
        lock.lock()
        defer { lock.unlock() }
        reads[user, default: ReadTally()].pages += pages
        reads[user, default: ReadTally()].changes += changes
        reads[user, default: ReadTally()].records += records
    }

    /// The counted reads, emptying the tally.
    func takeReads() -> [String: ReadTally] {
        lock.lock()
        defer { lock.unlock() }
        let taken = reads
        reads = [:]
        return taken
    }

    /// One `read` event per user.
    static func events(for tallies: [String: ReadTally]) -> [Event] {
        tallies.sorted { $0.key < $1.key }.map { user, tally in
            var parts: [String] = []
            if tally.pages > 0 { parts.append("\(tally.pages) pull page\(tally.pages == 1 ? "" : "s") (\(tally.changes) field versions)") }
            if tally.records > 0 { parts.append("\(tally.records) record read\(tally.records == 1 ? "" : "s")") }
            return Event(actor: user, action: "read", detail: parts.joined(separator: ", "))
        }
    }

    /// Puts back reads whose flush failed, so the next flush records them.
    func restoreReads(_ tallies: [String: ReadTally]) {
        for (user, tally) in tallies { noteRead(user: user, pages: tally.pages, changes: tally.changes, records: tally.records) }
    }

    var hasPendingReads: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !reads.isEmpty
    }

    // MARK: Listing and verifying

    static func entries(in db: any ServerDatabase) throws -> [Entry] {
        try db.rows("SELECT seq, at, actor, action, detail FROM audit_log ORDER BY seq").map { row in
            Entry(seq: Int64(row.int(0) ?? 0), at: Int64(row.int(1) ?? 0), actor: row.string(2) ?? "", action: row.string(3) ?? "",
                  detail: row.string(4) ?? "")
        }
    }

    /// Checks the chain entry by entry, then the signed head, then that the triggers are in place.
    func verify(in db: any ServerDatabase) throws -> Verdict {
        var expected: Int64 = 1
        var previous = Self.genesis
        var macs: [String] = []
        var verdict: Verdict?
        try db.forEachRow("SELECT seq, at, actor, action, detail, mac FROM audit_log ORDER BY seq") { row in
            guard verdict == nil else { return }
            let seq = Int64(row.int(0) ?? 0)
            guard seq == expected else {
                verdict = .broken(entry: expected, reason: seq > expected
                    ? AuditText.entryMissing.with(["entry": String(expected), "before": String(expected - 1), "after": String(seq)])
                    : AuditText.entryMisplaced.with(["entry": String(seq), "expected": String(expected)]))
                return
            }
            let computed = mac(previous: previous, seq: seq, at: Int64(row.int(1) ?? 0), actor: row.string(2) ?? "",
                               action: row.string(3) ?? "", detail: row.string(4) ?? "")
            guard Secrets.constantTimeEquals(computed, row.string(5) ?? "") else {
                verdict = .broken(entry: seq, reason: AuditText.entryUnsigned.with(["entry": String(seq)]))
                return
            }
            previous = computed
            macs.append(computed)
            expected += 1
        }
        if let verdict { return verdict }
        let count = Int64(macs.count)
        switch readHead() {
        case nil where count > 0:
            return .broken(entry: nil, reason: AuditText.headMissing.with(["path": headPath]))
        case nil:
            break
        case .failure?:
            return .broken(entry: nil, reason: AuditText.headAltered.with(["path": headPath]))
        case .success(let head)?:
            if head.seq > count {
                return .broken(entry: count + 1, reason: AuditText.entriesRemoved.with(["last": String(count), "head": String(head.seq),
                                                                                         "first": String(count + 1)]))
            }
            if head.seq > 0, !Secrets.constantTimeEquals(macs[Int(head.seq - 1)], head.mac) {
                return .broken(entry: head.seq, reason: AuditText.headEntryDiffers.with(["entry": String(head.seq)]))
            }
        }
        if try !db.auditTriggersInPlace() {
            return .broken(entry: nil, reason: AuditText.triggersDropped.text)
        }
        return .intact(entries: count)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Who runs an admin command on this machine, for the log: the operating-system account.
    static var localActor: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return "admin:" + String(cString: name) }
        return "admin:uid\(getuid())"
    }
}
