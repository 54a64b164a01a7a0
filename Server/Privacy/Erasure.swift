import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// A person's name as `kette-server erase` looks for it: case-insensitively, anywhere inside a
/// text (also inside longer words: erasure errs on the side of removing), with any run of
/// whitespace, line breaks included, between the parts of the name.
public struct PersonName {
    /// What an erased name is replaced with, on the server and, by sync, on every client. One
    /// fixed text, so a reader of the minutes sees that something was removed.
    public static let marker = "[gelöscht]"

    private let expression: NSRegularExpression

    public init(_ name: String) throws(AdminError) {
        let parts = name.split(whereSeparator: \.isWhitespace).map(String.init)
        let letters = parts.joined().count
        guard letters >= 3, letters <= 200 else {
            throw AdminError.invalid(ServerText.personForm.with(["name": String(name.prefix(40))]))
        }
        let pattern = parts.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "\\s+")
        do {
            expression = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            throw AdminError.invalid(ServerText.personUnsearchable.with(["name": String(name.prefix(40))]))
        }
    }

    /// `text` with every occurrence of the name replaced by the marker; nil when there is none.
    public func redact(_ text: String) -> String? {
        let range = NSRange(text.startIndex..., in: text)
        guard expression.firstMatch(in: text, range: range) != nil else { return nil }
        return expression.stringByReplacingMatches(in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: Self.marker))
    }

    /// The value with the name replaced in every text it holds; nil when it holds none.
    public func redact(_ value: FieldValue) -> FieldValue? {
        switch value {
        case .string(let text): return redact(text).map(FieldValue.string)
        case .list(let items):
            let redacted = items.map { redact($0) }
            guard redacted.contains(where: { $0 != nil }) else { return nil }
            return .list(zip(items, redacted).map { $1 ?? $0 })
        default: return nil
        }
    }
}

/// What an erasure changed; no names, so it can be printed and logged.
public struct ErasureReport: Codable, Sendable, Equatable {
    /// Field versions whose value held the name (record fields and conflict entries).
    public var fieldVersions: Int
    /// Records those belong to.
    public var records: Int
    /// Field versions whose author was the name.
    public var authoredVersions: Int
    /// Applied change sets whose pushing user was the name.
    public var changeSets: Int
    /// User accounts whose name matches: not renamed (sign-in and the audit log refer to them).
    public var userAccounts: Int
    /// False when a reader kept the write-ahead log from being emptied; run the command again.
    public var walTruncated: Bool
}

extension ServerStore {
    /// Removes a person's name from every field version, conflict entry and change-set record on
    /// the server, and scrubs the old bytes from the database file and its WAL.
    ///
    /// Each rewritten field version keeps its hlc, base and replica, gets a new sequence number
    /// (so every client pulls it again, however far its cursor is) and is marked redacted (so a
    /// client holding that same version takes the new value although its hlc is not newer). The
    /// server keeps no copy of the name: it cannot recognize the name in a later push.
    /// - Parameter actor: who erased, for the audit log (default: the operating-system account).
    public func erase(person name: String, actor: String? = nil) throws -> ErasureReport {
        let person = try PersonName(name)
        // Old cells and pages are zeroed as they are freed, not left for VACUUM alone. (Debian's
        // SQLite is built with this on; other builds are not.) The connection's setting is restored.
        let secureDelete = try writer.read { db in try db.scalarInt("PRAGMA secure_delete") ?? 0 }
        try writer.read { db in try db.execute("PRAGMA secure_delete = ON") }
        defer { try? writer.read { db in try db.execute("PRAGMA secure_delete = \(secureDelete)") } }
        var report = try audited { db, events -> ErasureReport in
            var context = try WriteContext(db: db, now: now())
            struct Rewrite { let type: String, id: String, field: String, value: String, author: String?, valueChanged: Bool, authorChanged: Bool }
            var rewrites: [Rewrite] = []
            var recordKeys = Set<String>()
            try db.forEachRow("SELECT record_type, record_id, field, value, author FROM field_state") { row in
                let text = row.string(3) ?? "null"
                var value: String?
                // Only strings and lists can hold a name; other values are not decoded.
                if let first = text.utf8.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "[") {
                    var reader = JSONReader(Array(text.utf8))
                    value = try person.redact(reader.readFieldValue())?.jsonText
                }
                let author = row.string(4).flatMap { person.redact($0) }
                guard value != nil || author != nil else { return }
                let type = row.string(0) ?? "", id = row.string(1) ?? ""
                rewrites.append(Rewrite(type: type, id: id, field: row.string(2) ?? "", value: value ?? text,
                                        author: author ?? row.string(4), valueChanged: value != nil, authorChanged: author != nil))
                if value != nil { recordKeys.insert(type + "|" + id) }
            }
            for rewrite in rewrites {
                try db.execute("""
                    UPDATE field_state SET value = ?, author = ?, redacted = 1, seq = ?
                    WHERE record_type = ? AND record_id = ? AND field = ?
                    """, [rewrite.value, rewrite.author, context.nextSeq(), rewrite.type, rewrite.id, rewrite.field])
            }
            var changeSets = 0
            for user in try db.rows("SELECT DISTINCT user_name FROM change_sets").compactMap({ $0.string(0) }) {
                guard let redacted = person.redact(user) else { continue }
                try db.execute("UPDATE change_sets SET user_name = ? WHERE user_name = ?", [redacted, user])
                changeSets += db.changes
            }
            let accounts = try db.rows("SELECT name FROM users").compactMap { $0.string(0) }.filter { person.redact($0) != nil }.count
            try context.save()
            let report = ErasureReport(fieldVersions: rewrites.filter(\.valueChanged).count, records: recordKeys.count,
                                       authoredVersions: rewrites.filter(\.authorChanged).count,
                                       changeSets: changeSets, userAccounts: accounts, walTruncated: false)
            // The log says that an erasure happened and how much it changed, never whose name.
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "erase",
                                detail: "\(report.fieldVersions) field versions in \(report.records) records, \(report.authoredVersions) author entries, \(report.changeSets) change-set users"))
            return report
        }
        // Deleted and rewritten rows may still sit in free pages and in old WAL frames: VACUUM
        // rewrites the file from its live rows, the checkpoint empties the WAL into it.
        report.walTruncated = try writer.read { db -> Bool in
            try db.execute("VACUUM")
            let result = try db.firstRow("PRAGMA wal_checkpoint(TRUNCATE)")
            return result?.int(0) == 0
        }
        return report
    }
}
