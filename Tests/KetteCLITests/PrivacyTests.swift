import Foundation
import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Personal data (DSGVO) with the real binaries: `kette-server erase` reaches the server's files
/// and every client's, and deleted records keep no personal data.
final class PrivacyTests: ServerTestCase {
    static let canary = "Zacharias Quellenfeld"

    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(users: [.county("kreis"), .coordinator("anna", "nordstadt")])
        try server.start()
    }

    func output(_ result: KetteResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Syncs until nothing moves (exit 2 only means open conflicts).
    func sync(_ names: [String], rounds: Int = 2) {
        for _ in 0..<rounds {
            for name in names {
                let result = kette(name, ["sync"], expect: nil)
                XCTAssertTrue([0, 2].contains(result.exitCode), "\(result)")
            }
        }
    }

    /// How often `needle` occurs in the raw bytes of `path`, ignoring ASCII case.
    static func occurrences(of needle: String, in path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let lower = { (byte: UInt8) -> UInt8 in (65...90).contains(byte) ? byte + 32 : byte }
        let haystack = data.map(lower), pattern = Array(needle.utf8).map(lower)
        guard haystack.count >= pattern.count, let first = pattern.first else { return 0 }
        var count = 0
        var index = 0
        while index <= haystack.count - pattern.count {
            if haystack[index] == first, Array(haystack[index..<index + pattern.count]) == pattern { count += 1 }
            index += 1
        }
        return count
    }

    /// The database, -wal and -shm files of the server and of each named client.
    func databaseFiles(clients: [String]) -> [String] {
        let bases = [server.database] + clients.map { (home($0) as NSString).appendingPathComponent(LocalStore.fileName) }
        return bases.flatMap { [$0, $0 + "-wal", $0 + "-shm"] }
    }

    func checkpoint(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, "PRAGMA wal_checkpoint(TRUNCATE);"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "checkpoint of \(path)")
    }

    /// Runs SQL through the sqlite3 shell, as someone with a shell on the database would.
    @discardableResult
    func sqlite(_ path: String, _ sql: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Deleted records whose text or list fields still hold a value, in the given client store.
    func tombstonesWithData(client: String) throws -> [String] {
        let store = try LocalStore(directory: home(client))
        var found: [String] = []
        for type in RecordType.allCases where !type.fieldsClearedOnDelete.isEmpty {
            let columns = type.fieldsClearedOnDelete.map { field in
                field.kind == .list ? "(\(field.column) != '[]')" : "(\(field.column) IS NOT NULL)"
            }
            for row in try store.database.rows("SELECT id FROM \(type.table) WHERE deleted = 1 AND (\(columns.joined(separator: " OR ")))") {
                found.append("\(type.rawValue) \(row.string(0) ?? "")")
            }
        }
        return found
    }

    /// Deleted records whose text or list fields still hold a value on the server.
    func serverTombstonesWithData() throws -> [String] {
        let database = try Database(path: server.database)
        var found: [String] = []
        for type in RecordType.allCases where !type.fieldsClearedOnDelete.isEmpty {
            let names = type.fieldsClearedOnDelete.map { "'\($0.name)'" }.joined(separator: ", ")
            for row in try database.rows("""
                SELECT f.record_id, f.field FROM field_state f JOIN field_state d
                ON d.record_type = f.record_type AND d.record_id = f.record_id AND d.field = 'deleted' AND d.value = 'true'
                WHERE f.record_type = ? AND f.field IN (\(names)) AND f.value NOT IN ('null', '[]')
                """, [type.rawValue]) {
                found.append("\(type.rawValue) \(row.string(0) ?? "").\(row.string(1) ?? "")")
            }
        }
        return found
    }

    // MARK: - Erasure

    /// Also the spellings a name really arrives in (issue 12, point 10): decomposed umlauts as
    /// pasted from a PDF, the Turkish dotted capital İ, and a line break or tab between the names
    /// in minutes that then stand, as the two characters `\n`, in a conflict's JSON text.
    func testAnErasedNameIsFoundNowhereInTheFilesOfServerAndClients() throws {
        let canary = Self.canary
        let juergenPasted = "Ju\u{308}rgen Mu\u{308}ller"  // NFD, as copied from a PDF
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        kette("anna", ["body", "add", "Netzwerk Frühe Hilfen", "--level", "network", "--district", "nordstadt"])
        // Client one: attendee, minutes, agenda notes, a decision and a task owner.
        let first = output(kette("anna", ["meeting", "add", "--body", "netzwerk", "--date", "2026-03-14",
                                          "--attendee", "\(canary); Jugendamt; Leitung", "--attendee", "Petra Sommer; Kita Sonnenschein",
                                          "--minutes", "\(canary) berichtet über die Elternarbeit.\nAlle stimmen zu."]))
        kette("anna", ["meeting", "agenda", first, "Bericht", "--notes", "Vortrag von ZACHARIAS   QUELLENFELD, danach Fragen"])
        kette("anna", ["meeting", "decide", first, "Die Koordination übernimmt \(canary.lowercased())."])
        kette("anna", ["meeting", "agenda", first, "Gäste", "--notes", "Zu Gast: \(juergenPasted) und Zacharias\u{A0}Quellenfeld"])
        kette("anna", ["meeting", "decide", first, "ALİ ÖZTÜRK schreibt das Protokoll."])
        let task = output(kette("anna", ["task", "add", first, "Einladung verschicken", "--owner", canary]))
        kette("anna", ["task", "add", first, "Raum buchen", "--owner", "Petra Sommer"])
        sync(["anna", "kreis"])

        // Client two: a second meeting, a member record (no command writes members: the store API
        // does, as the app would) and an edit of the first meeting's minutes.
        let second = output(kette("kreis", ["meeting", "add", "--body", "netzwerk", "--date", "2026-04-02",
                                            "--attendee", canary, "--minutes", "Kurz: \(canary) fehlt entschuldigt."]))
        do {
            let store = try LocalStore(directory: home("kreis"))
            let body = try XCTUnwrap(store.database.scalarString("SELECT id FROM bodies"))
            try store.record("member add") { change in
                try change.create(.member, store.newID(), [("body", .string(body)), ("role", .string("Vertretung: \(canary)"))])
            }
        }
        // A concurrent edit of the minutes on both clients: a conflict entry holds both texts.
        kette("anna", ["meeting", "edit", first, "--minutes", "Neu: Zacharias\nQuellenfeld leitet die Sitzung,\nALİ\nÖZTÜRK schreibt mit."])
        kette("kreis", ["meeting", "edit", first, "--minutes", "Korrektur: Zacharias\tQuellenfeld war Gast, mit Ju\u{308}rgen\nMu\u{308}ller."])
        sync(["anna", "kreis"])
        XCTAssertFalse(output(kette("kreis", ["conflicts"], expect: nil)).isEmpty, "the concurrent minutes should have opened a conflict")
        let conflictValues = try Database(path: server.database).rows(
            "SELECT value FROM field_state WHERE record_type = 'conflict' AND field IN ('winnerValue', 'loserValue')").compactMap { $0.string(0) }
        XCTAssertTrue(conflictValues.contains { $0.contains(#"Zacharias\\nQuellenfeld"#) }, "the line break is \\n in the conflict's JSON text: \(conflictValues)")

        // Partly deleted: a whole meeting, a task (current client: the delete empties its fields)
        // and an attendee deleted as a client before schema 3 does it (the tombstone alone): the
        // server empties that one.
        kette("kreis", ["meeting", "delete", second, "--yes"])
        do {
            let store = try LocalStore(directory: home("anna"))
            _ = try store.deleteRecord(.task, task, language: .english)
            let attendee = try XCTUnwrap(store.database.scalarString("SELECT id FROM attendees WHERE name = ?", [canary]))
            try store.record("attendee delete (old client)") { change in try change.set(.attendee, attendee, RecordType.deletedField, .bool(true)) }
        }
        sync(["anna", "kreis"])

        XCTAssertEqual(try serverTombstonesWithData(), [], "server tombstones keep personal data")
        for client in ["anna", "kreis"] {
            XCTAssertEqual(try tombstonesWithData(client: client), [], "tombstones in \(client) keep personal data")
        }
        // Before the erasure the name is there to find: the search below can fail.
        for path in databaseFiles(clients: ["anna", "kreis"]) where !path.hasSuffix("-wal") && !path.hasSuffix("-shm") { try checkpoint(path) }
        let needles = [canary, "Quellenfeld", "Zacharias", "Mu\u{308}ller", "ALİ", "ÖZTÜRK"]
        let before = Dictionary(uniqueKeysWithValues: needles.map { needle in
            (needle, databaseFiles(clients: ["anna", "kreis"]).map { Self.occurrences(of: needle, in: $0) }.reduce(0, +))
        })
        XCTAssertEqual(before.filter { $0.value == 0 }, [:], "every spelling is stored before the erasure")

        // Each name as an operator types it: lower case, precomposed umlauts, a plain dotted i.
        for name in ["zacharias quellenfeld", "Jürgen Müller", "Ali Öztürk"] {
            let report = try server.admin(["erase", "--person", name])
            XCTAssertTrue(report.hasPrefix("erased: "), report)
            XCTAssertFalse(report.lowercased().contains("quellenfeld") || report.contains("Müller") || report.contains("Öztürk"),
                           "the report repeats the name: \(report)")
        }
        sync(["anna", "kreis"], rounds: 1)

        for path in databaseFiles(clients: ["anna", "kreis"]) where !path.hasSuffix("-wal") && !path.hasSuffix("-shm") { try checkpoint(path) }
        var found: [String: Int] = [:]
        for path in databaseFiles(clients: ["anna", "kreis"]) {
            // "qullenfeld", "muller", "ozturk": the names as the search index folds them (ue reads as ü, then u).
            for needle in needles + ["Müller", "Öztürk", "qullenfeld", "muller", "ozturk"] {
                let count = Self.occurrences(of: needle, in: path)
                if count > 0 { found["\((path as NSString).lastPathComponent) in \(path): \(needle)", default: 0] += count }
            }
        }
        XCTAssertEqual(found, [:], "the erased name is still in these files (before the erasure: \(before) times)")

        // What replaced it, on both clients; the rest of the minutes stays.
        let shown = output(kette("kreis", ["meeting", "show", first]))
        XCTAssertTrue(shown.contains("Vortrag von [gelöscht], danach Fragen"), shown)
        XCTAssertTrue(shown.contains("Die Koordination übernimmt [gelöscht]."), shown)
        XCTAssertTrue(shown.contains("Petra Sommer"), shown)
        XCTAssertTrue(output(kette("anna", ["task", "list"])).contains("Petra Sommer"))
        for client in ["anna", "kreis"] {
            // The attendee of the deleted second meeting (not deleted itself) and the member.
            let store = try LocalStore(directory: home(client))
            XCTAssertEqual(try store.database.scalarInt("SELECT count(*) FROM attendees WHERE name = '[gelöscht]'"), 1, client)
            XCTAssertEqual(try store.database.scalarString("SELECT role FROM members"), "Vertretung: [gelöscht]", client)
        }
        XCTAssertEqual(output(kette("anna", ["search", "Quellenfeld"], expect: nil)).contains(RecordIdentifier.shortCode(first)), false)

        // The audit log says that an erasure happened, not whose name.
        let audit = try server.admin(["audit", "list"])
        XCTAssertTrue(audit.contains("\terase\t"), audit)
        XCTAssertFalse(audit.lowercased().contains("quellenfeld"))
        try server.admin(["audit", "verify"])
    }

    /// The documented limit (SPEC §8.7): the server keeps no copy of the name, so a change
    /// written offline before the erasure and pushed after it brings the name back; erasing
    /// again removes it.
    func testAChangeWrittenOfflineBeforeTheErasureBringsTheNameBackUntilErasedAgain() throws {
        let canary = Self.canary
        connect("anna", as: "anna")
        kette("anna", ["body", "add", "Netzwerk", "--level", "network", "--district", "nordstadt"])
        let meeting = output(kette("anna", ["meeting", "add", "--body", "netzwerk", "--date", "2026-03-14", "--attendee", canary]))
        kette("anna", ["sync"])
        // Written, not yet pushed.
        kette("anna", ["meeting", "decide", meeting, "\(canary) lädt ein."])
        XCTAssertTrue(try server.admin(["erase", "--person", canary]).hasPrefix("erased: 1 field versions"))
        kette("anna", ["sync"])
        try checkpoint(server.database)
        XCTAssertGreaterThan(Self.occurrences(of: canary, in: server.database), 0, "the offline change brought the name back")
        try server.admin(["erase", "--person", canary])
        kette("anna", ["sync"])
        try checkpoint(server.database)
        try checkpoint((home("anna") as NSString).appendingPathComponent(LocalStore.fileName))
        for path in databaseFiles(clients: ["anna"]) {
            XCTAssertEqual(Self.occurrences(of: canary, in: path), 0, path)
        }
    }

    func testEraseRefusesAMissingOrTooShortName() throws {
        try server.admin(["erase"], expectExit: 1)
        try server.admin(["erase", "--person", " a "], expectExit: 1)
        // Nothing was logged for the refused commands.
        XCTAssertFalse(try server.admin(["audit", "list"]).contains("\terase\t"))
    }

    // MARK: - Audit log

    /// Runs `kette-server` on another database path (a tampered copy) and returns its exit code
    /// and stderr.
    func serverCommand(_ arguments: [String], database: String) throws -> (status: Int32, errors: String, output: String) {
        try server.run(arguments + ["--db", database])
    }

    /// Produces one entry of every kind, with the real server and client.
    func auditEveryKindOfAction() throws -> [[String: Any]] {
        connect("anna", as: "anna")
        kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt", "--phase", "early-childhood"])
        kette("anna", ["sync"])
        let offer = try XCTUnwrap(LocalStore(directory: home("anna")).database.scalarString("SELECT id FROM offers"))
        XCTAssertEqual(try curl(["-H", "Authorization: Bearer \(tokens["kreis"]!)", "\(server.url)/v1/records/offer/\(offer)"]).status, 200)
        try server.admin(["user", "revoke", "kreis"])
        try server.admin(["erase", "--person", "Niemand Bekannt"])
        // Reads are written about once a second; SIGTERM writes the rest.
        server.kill(SIGTERM)
        let listed = try server.admin(["audit", "list", "--json"])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
    }

    func testEveryKindOfActionIsAuditedWithoutContent() throws {
        let entries = try auditEveryKindOfAction()
        let lines = entries.map { "\($0["actor"] ?? "") \($0["action"] ?? "") \($0["detail"] ?? "")" }
        func has(_ actor: String?, _ action: String, _ detail: String, line: UInt = #line) {
            XCTAssertTrue(entries.contains { entry in
                (actor == nil || (entry["actor"] as? String) == actor) && entry["action"] as? String == action
                    && (entry["detail"] as? String ?? "").contains(detail)
            }, "no \(action) entry with '\(detail)' in:\n\(lines.joined(separator: "\n"))", line: line)
        }
        has(nil, "district-add", "nordstadt")
        has(nil, "user-add", "anna (coordinator; nordstadt)")
        has("anna", "push", "1 change set (1 applied); records: offer 1")
        has("anna", "read", "pull page")
        has("kreis", "read", "1 record read")
        has(nil, "user-revoke", "kreis")
        has(nil, "erase", "0 field versions in 0 records")
        XCTAssertEqual(entries.map { $0["seq"] as? Int }, Array(1...entries.count).map { Optional($0) })
        // Who and how many, never what: the offer's title is in no entry.
        XCTAssertFalse(lines.joined().contains("Elterncafé"))
        XCTAssertTrue(try server.admin(["audit", "verify"]).hasPrefix("audit log intact: \(entries.count) entries"))
        // The key file is the owner's alone.
        let mode = try FileManager.default.attributesOfItem(atPath: server.database + ".audit-key")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testTamperingWithTheAuditLogIsDetected() throws {
        let count = try auditEveryKindOfAction().count
        XCTAssertGreaterThanOrEqual(count, 8)
        try checkpoint(server.database)
        // The triggers stop a plain UPDATE or DELETE.
        let refused = try sqlite(server.database, "UPDATE audit_log SET detail = 'x' WHERE seq = 2;")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("append-only"), refused.output)
        XCTAssertNotEqual(try sqlite(server.database, "DELETE FROM audit_log WHERE seq = 2;").status, 0)

        let dropTriggers = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
        let recreate = """
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """
        let cases: [(name: String, sql: String, removeHead: Bool, expected: String)] = [
            ("changed", dropTriggers + "UPDATE audit_log SET detail = '0 change sets' WHERE seq = 4;" + recreate, false, "at entry 4: entry 4 does not match"),
            ("changed actor", dropTriggers + "UPDATE audit_log SET actor = 'bert' WHERE seq = 3;" + recreate, false, "at entry 3:"),
            ("deleted", dropTriggers + "DELETE FROM audit_log WHERE seq = 3;" + recreate, false, "at entry 3: entry 3 is missing"),
            ("reordered", dropTriggers + "UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1;" + recreate,
             false, "at entry 3:"),
            ("tail truncated", dropTriggers + "DELETE FROM audit_log WHERE seq >= \(count - 1);" + recreate, false,
             "at entry \(count - 1): the log ends at entry \(count - 2), but its signed head says \(count)"),
            ("emptied", dropTriggers + "DELETE FROM audit_log;" + recreate, false, "at entry 1: the log ends at entry 0"),
            ("triggers dropped", dropTriggers, false, "triggers that keep audit_log append-only were dropped"),
            ("head removed", "SELECT 1;", true, "signed head"),
        ]
        for (index, tamper) in cases.enumerated() {
            // Each case on its own copy of the database with its key and head beside it.
            let copy = runner.root.appendingPathComponent("tampered-\(index).db").path
            for suffix in ["", ".audit-key", ".audit-head"] {
                try FileManager.default.copyItem(atPath: server.database + suffix, toPath: copy + suffix)
            }
            XCTAssertEqual(try serverCommand(["audit", "verify"], database: copy).status, 0, "the untouched copy for \(tamper.name)")
            let edit = try sqlite(copy, tamper.sql)
            XCTAssertEqual(edit.status, 0, "\(tamper.name): \(edit.output)")
            if tamper.removeHead { try FileManager.default.removeItem(atPath: copy + ".audit-head") }
            let verdict = try serverCommand(["audit", "verify"], database: copy)
            XCTAssertEqual(verdict.status, 6, "\(tamper.name) went unnoticed: \(verdict)")
            XCTAssertTrue(verdict.errors.contains(tamper.expected), "\(tamper.name): \(verdict.errors)")
        }
        // Without the key nothing can be verified, and the server does not start a new chain.
        let keyless = runner.root.appendingPathComponent("keyless.db").path
        for suffix in ["", ".audit-head"] { try FileManager.default.copyItem(atPath: server.database + suffix, toPath: keyless + suffix) }
        let noKey = try serverCommand(["audit", "verify"], database: keyless)
        XCTAssertEqual(noKey.status, 6)
        XCTAssertTrue(noKey.errors.contains("the audit key file \(keyless).audit-key is missing, but the audit log holds \(count) entries"), noKey.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyless + ".audit-key"), "no new key was made")
        // The original is still intact.
        XCTAssertTrue(try server.admin(["audit", "verify"]).hasPrefix("audit log intact"))
    }
}
