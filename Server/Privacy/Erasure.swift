import Foundation
import KetteProtocol
import KetteStore

/// What an erasure changed; no names, so it can be printed and logged.
public struct ErasureReport: Codable, Sendable, Equatable {
    /// Field versions whose value held the name (record fields and conflict entries).
    public var fieldVersions: Int
    /// Records those belong to.
    public var records: Int
    /// Field versions whose author was the name.
    public var authoredVersions: Int
    /// Applied change sets whose pushing user was the name.
    public var changeSets: Int = 0
    /// Applied change sets whose stored outcome (the answer to their push) held the name.
    public var changeSetOutcomes: Int = 0
    /// Audit log entries whose detail held the name (their signatures are renewed).
    public var auditDetails: Int = 0
    /// User accounts whose name matches: not renamed (sign-in and the audit log refer to them).
    public var userAccounts: Int = 0
    /// The phone numbers and e-mail addresses of the contacts whose name it was, emptied.
    public var contactDetails: Int = 0
    /// False when a reader kept the write-ahead log from being emptied; run the command again.
    public var walTruncated: Bool = false
    /// The contacts whose name was erased (ids; not printed).
    var erasedContacts: [String] = []

    enum CodingKeys: String, CodingKey {
        case fieldVersions, records, authoredVersions, changeSets, changeSetOutcomes, auditDetails, userAccounts, contactDetails, walTruncated
    }

    /// One line for the audit log and the command's output.
    public var summary: String {
        "\(fieldVersions) field versions in \(records) records, \(contactDetails) contact details, \(authoredVersions) author entries, "
            + "\(changeSets) change-set users, \(changeSetOutcomes) change-set outcomes, \(auditDetails) audit details"
    }
}

extension ServerStore {
    /// Removes a person's name, in any of its spellings (see `PersonName`), from every field
    /// version, conflict entry and change-set record on the server and from the details of the
    /// audit log, and scrubs the old bytes from the database file and its WAL.
    ///
    /// Each rewritten field version keeps its hlc, base and replica, gets a new sequence number
    /// (so every client pulls it again, however far its cursor is) and is marked redacted (so a
    /// client holding that same version takes the new value although its hlc is not newer). The
    /// server keeps no copy of the name: it cannot recognize the name in a later push.
    /// - Parameter actor: who erased, for the audit log (default: the operating-system account).
    public func erase(person name: String, actor: String? = nil) throws -> ErasureReport {
        let person = try PersonName(name)
        // On PostgreSQL the rewritten rows' old versions stay in the table's pages until
        // (auto)vacuum reclaims them; the operator's VACUUM FULL rewrites the tables (SPEC §8.7).
        guard let sqlite else {
            var report = try erase(person, actor: actor)
            report.walTruncated = true
            return report
        }
        // Old cells and pages are zeroed as they are freed, not left for VACUUM alone. (Debian's
        // SQLite is built with this on; other builds are not.) The connection's setting is restored.
        let writer = sqlite.writer
        let secureDelete = try writer.read { db in try db.secureDelete() }
        try writer.read { db in try db.setSecureDelete(.on) }
        defer { try? writer.read { db in try db.setSecureDelete(secureDelete) } }
        var report = try erase(person, actor: actor)
        // Deleted and rewritten rows may still sit in free pages and in old WAL frames: VACUUM
        // rewrites the file from its live rows, the checkpoint empties the WAL into it.
        // With the background checkpoints held: a truncating checkpoint fails at once while
        // another connection checkpoints.
        report.walTruncated = try sqlite.checkpointer.holding {
            try writer.read { db -> Bool in
                try db.execute("VACUUM")
                let result = try db.firstRow("PRAGMA wal_checkpoint(TRUNCATE)")
                return result?.int(0) == 0
            }
        }
        return report
    }

    /// The erasure's one write transaction, on either backend.
    private func erase(_ person: PersonName, actor: String?) throws -> ErasureReport {
        try audited { db, events -> ErasureReport in
            var context = try WriteContext(db: db, now: now())
            var report = try Self.eraseFromFieldVersions(person, in: db, context: &context)
            report.contactDetails = try Self.eraseContactDetails(of: report.erasedContacts, in: db, context: &context)
            (report.changeSets, report.changeSetOutcomes) = try Self.eraseFromChangeSets(person, in: db)
            report.auditDetails = try audit.rewriteDetails(in: db) { person.redact($0) }
            report.userAccounts = try db.rows("SELECT name FROM users").compactMap { $0.string(0) }.filter { person.redact($0) != nil }.count
            try context.save()
            // The log says that an erasure happened and how much it changed, never whose name.
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "erase", detail: report.summary))
            return report
        }
    }

    /// Rewrites the field versions whose value or author holds the name: the value and author
    /// redacted, a new sequence number, marked redacted. Counts what it changed.
    private static func eraseFromFieldVersions(_ person: PersonName, in db: any ServerDatabase, context: inout WriteContext) throws -> ErasureReport {
        struct Rewrite { let type: String, id: String, field: String, value: String, author: String?, valueChanged: Bool, authorChanged: Bool }
        var rewrites: [Rewrite] = []
        try db.forEachRow("SELECT record_type, record_id, field, value, author FROM field_state") { row in
            let text = row.string(3) ?? "null"
            var value: String?
            // Only strings and lists can hold a name; other values are not decoded. A string may
            // itself be JSON text (a conflict's values): the name is matched in it as written there.
            if let first = text.utf8.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "[") {
                var reader = JSONReader(Array(text.utf8))
                value = try person.redact(reader.readFieldValue())?.jsonText
            }
            let author = row.string(4).flatMap { person.redact($0) }
            guard value != nil || author != nil else { return }
            rewrites.append(Rewrite(type: row.string(0) ?? "", id: row.string(1) ?? "", field: row.string(2) ?? "", value: value ?? text,
                                    author: author ?? row.string(4), valueChanged: value != nil, authorChanged: author != nil))
        }
        for rewrite in rewrites {
            try db.write("""
                UPDATE field_state SET value = ?, author = ?, redacted = TRUE, seq = ?
                WHERE record_type = ? AND record_id = ? AND field = ?
                """, [rewrite.value, rewrite.author, context.nextSeq(), rewrite.type, rewrite.id, rewrite.field])
        }
        let values = rewrites.filter(\.valueChanged)
        var report = ErasureReport(fieldVersions: values.count, records: Set(values.map { $0.type + "|" + $0.id }).count,
                                   authoredVersions: rewrites.filter(\.authorChanged).count)
        report.erasedContacts = values.filter { $0.type == RecordType.contact.rawValue && $0.field == "name" }.map(\.id)
        return report
    }

    /// Empties the phone number and e-mail address of contacts whose name was erased: they
    /// reach the person as surely as the name (an address is often made of it), and without the
    /// name they serve nobody. Rewritten like the names: same hlc, a new sequence number, redacted.
    private static func eraseContactDetails(of contacts: [String], in db: any ServerDatabase, context: inout WriteContext) throws -> Int {
        var emptied = 0
        for id in contacts {
            for field in RecordType.contactDetailFields where try db.scalarString(
                "SELECT value FROM field_state WHERE record_type = 'contact' AND record_id = ? AND field = ?", [id, field]).map({ $0 != "null" }) == true {
                try db.write("UPDATE field_state SET value = 'null', redacted = TRUE, seq = ? WHERE record_type = 'contact' AND record_id = ? AND field = ?",
                               [context.nextSeq(), id, field])
                emptied += 1
            }
        }
        return emptied
    }

    /// Redacts the pushing user's name and the stored outcome (JSON text) of applied change sets.
    /// Returns how many user names and how many outcomes it changed.
    private static func eraseFromChangeSets(_ person: PersonName, in db: any ServerDatabase) throws -> (users: Int, outcomes: Int) {
        var users = 0
        for user in try db.rows("SELECT DISTINCT user_name FROM change_sets").compactMap({ $0.string(0) }) {
            guard let redacted = person.redact(user) else { continue }
            users += try db.write("UPDATE change_sets SET user_name = ? WHERE user_name = ?", [redacted, user])
        }
        var outcomes: [(id: String, outcome: String)] = []
        try db.forEachRow("SELECT id, outcome FROM change_sets") { row in
            // The matched characters lie inside JSON strings (a name holds no quote or brace), and
            // the marker needs no escaping: the outcome stays valid JSON.
            if let id = row.string(0), let redacted = row.string(1).flatMap({ person.redact($0) }) { outcomes.append((id, redacted)) }
        }
        for (id, outcome) in outcomes { try db.write("UPDATE change_sets SET outcome = ? WHERE id = ?", [outcome, id]) }
        return (users, outcomes.count)
    }
}
