import Foundation
import KetteProtocol
import KetteTestSupport
import XCTest

/// Fixing the minutes after the meeting, through the real binary: the minutes in `$EDITOR` again,
/// action items, attendees, agenda items (with TOP numbers worked out from their order) and
/// decisions.
final class MinutesCorrectionTests: KetteCLITestCase {
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]

    private func meeting(minutes: String = "Begrüßung.\n# TOP 1\nHebammenmangel besprochen.") -> String {
        _ = makeFixture()
        return ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--minutes", minutes,
                  "--attendee", "Anna Schmidt; Jugendamt; Leitung")
    }

    private func show(_ meeting: String) throws -> [String: Any] { try jsonObject("meeting", "show", meeting, "--json") }

    /// An editor script that saves the file with `sed` applied, and keeps a copy of what it was given.
    private func editor(_ sedScript: String) throws -> String {
        let path = runner.root.appendingPathComponent("editor-\(UUID().uuidString.prefix(6)).sh")
        let seen = runner.root.appendingPathComponent("editor-saw.txt").path
        try "#!/bin/sh\ncp \"$1\" '\(seen)'\nsed -i '\(sedScript)' \"$1\"\n".write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        return path.path
    }

    private var editorSaw: String { (try? String(contentsOfFile: runner.root.appendingPathComponent("editor-saw.txt").path, encoding: .utf8)) ?? "" }

    func testMinutesOpenInTheEditorWithTheCurrentTextAndKeepTheirOwnHashLines() throws {
        let id = meeting()
        let pending = try pendingChangeSets()
        ok(["meeting", "edit", id, "--minutes"], env: ["EDITOR": try editor("s/Hebammenmangel/Fachkräftemangel/")])
        XCTAssertTrue(editorSaw.contains("Begrüßung.\n# TOP 1\nHebammenmangel besprochen."), "the editor got the current minutes: \(editorSaw)")
        XCTAssertTrue(editorSaw.hasPrefix(";"), "the instructions use a marker no line of the minutes starts with: \(editorSaw)")
        XCTAssertEqual(try show(id)["minutes"] as? String, "Begrüßung.\n# TOP 1\nFachkräftemangel besprochen.", "the heading line is kept")
        XCTAssertEqual(try pendingChangeSets(), pending + 1)

        // Saved unchanged, or emptied: nothing changes.
        XCTAssertEqual(ok(["meeting", "edit", id, "--minutes"], env: ["EDITOR": try editor("s/x/x/")]), "Minutes unchanged.")
        XCTAssertEqual(ok(["meeting", "edit", id, "--minutes"], env: ["EDITOR": try editor("/^[^;]/d"), "LANG": "de_DE.UTF-8"]), "Protokoll unverändert.")
        XCTAssertEqual(try pendingChangeSets(), pending + 1)
        // A failing editor saves nothing.
        let failed = runner.run(["meeting", "edit", id, "--minutes"], env: ["EDITOR": "false"])
        XCTAssertEqual(failed.exitCode, 1, "\(failed)")
        XCTAssertTrue(failed.stderr.contains("nothing was saved"), "\(failed)")
        // --minutes with a text and --minutes-file - still take the text as it is.
        ok("meeting", "edit", id, "--minutes", "Kurzprotokoll")
        XCTAssertEqual(try show(id)["minutes"] as? String, "Kurzprotokoll")
        ok(["meeting", "edit", id, "--minutes-file", "-"], stdin: "Aus der Standardeingabe")
        XCTAssertEqual(try show(id)["minutes"] as? String, "Aus der Standardeingabe")
        // --minutes alone before another option is the editor too.
        ok(["meeting", "edit", id, "--minutes", "--place", "Rathaus"], env: ["EDITOR": try editor("s/Standardeingabe/Datei/")])
        let edited = try show(id)
        XCTAssertEqual(edited["minutes"] as? String, "Aus der Datei")
        XCTAssertEqual(edited["place"] as? String, "Rathaus")
        try assertRejected(["meeting", "edit", id, "--minutes", "--minutes-file", "x"], mentions: ["--minutes", "--minutes-file"])
    }

    func testActionItemsCanBeEditedReopenedAndDeleted() throws {
        let id = meeting()
        let task = ok("task", "add", id, "Einladung verschicken", "--owner", "Anna", "--due", "2026-04-01")
        ok("task", "edit", RecordIdentifier.shortCode(task), "--text", "Einladung und Protokoll verschicken", "--owner", "Bert", "--due", "2026-04-15")
        var item = try XCTUnwrap(try jsonArray("task", "list", "--json").first)
        XCTAssertEqual(item["text"] as? String, "Einladung und Protokoll verschicken")
        XCTAssertEqual(item["owner"] as? String, "Bert")
        XCTAssertEqual(item["due"] as? String, "2026-04-15")
        ok("task", "edit", task, "--due", "")
        XCTAssertTrue(try XCTUnwrap(try jsonArray("task", "list", "--json").first)["due"] is NSNull, "an empty due date clears it")
        ok("task", "done", task)
        XCTAssertEqual(ok(["task", "reopen", task], env: german), "Arbeitsauftrag \(task) ist wieder offen.")
        item = try XCTUnwrap(try jsonArray("task", "list", "--open", "--json").first)
        XCTAssertEqual(item["status"] as? String, "open")

        try assertRejected(["task", "edit", task], mentions: ["nothing to change"])
        try assertRejected(["task", "edit", task, "--owner", " "], mentions: ["owner"])
        try assertRejected(["task", "edit", task, "--due", "2026-02-30"], mentions: ["due", "2026-02-30"])
        try assertRejected(["task", "delete", task], mentions: ["--yes"])
        XCTAssertEqual(ok("task", "delete", task, "--yes"), "Deleted action item \(task).")
        XCTAssertEqual(try jsonArray("task", "list", "--json").count, 0)
    }

    func testAttendeesAgendaItemsAndDecisionsCanBeCorrectedAndRemoved() throws {
        let id = meeting()
        let attendee = try XCTUnwrap((try show(id)["attendees"] as? [[String: Any]])?.first?["id"] as? String)
        let second = ok("meeting", "attendee", "add", id, "Bert Braun; Kita Sonnenschein")
        ok("meeting", "attendee", "edit", RecordIdentifier.shortCode(attendee), "--name", "Anna Schmitt", "--role", "")
        var attendees = try XCTUnwrap(try show(id)["attendees"] as? [[String: Any]])
        XCTAssertEqual(attendees.map { $0["name"] as? String }, ["Anna Schmitt", "Bert Braun"])
        XCTAssertTrue(attendees[0]["role"] is NSNull, "an empty role clears it")
        XCTAssertEqual(attendees[0]["organization"] as? String, "Jugendamt")
        ok("meeting", "attendee", "remove", second, "--yes")
        attendees = try XCTUnwrap(try show(id)["attendees"] as? [[String: Any]])
        XCTAssertEqual(attendees.map { $0["name"] as? String }, ["Anna Schmitt"])

        let decision = ok("meeting", "decide", id, "Die Kita wird erweitert.")
        ok("meeting", "decision", "edit", decision, "Die Kita wird 2027 erweitert.")
        XCTAssertEqual((try show(id)["decisions"] as? [[String: Any]])?.first?["text"] as? String, "Die Kita wird 2027 erweitert.")
        ok("meeting", "decision", "remove", decision, "--yes")
        XCTAssertEqual((try show(id)["decisions"] as? [[String: Any]])?.count, 0)

        let first = ok("meeting", "agenda", id, "Begrüßung")
        ok("meeting", "agenda", "edit", first, "--title", "Begrüßung und Protokoll", "--notes", "kurz")
        let agenda = try XCTUnwrap(try show(id)["agenda"] as? [[String: Any]])
        XCTAssertEqual(agenda.first?["title"] as? String, "Begrüßung und Protokoll")
        XCTAssertEqual(agenda.first?["notes"] as? String, "kurz")
        ok("meeting", "agenda", "remove", first, "--yes")
        XCTAssertEqual((try show(id)["agenda"] as? [[String: Any]])?.count, 0)

        let shown = ok(["meeting", "show", id], env: german)
        XCTAssertTrue(shown.contains("Anna Schmitt; Jugendamt  (\(RecordIdentifier.shortCode(attendee)))"), "each part shows the id to correct it by: \(shown)")
        try assertRejected(["meeting", "attendee", "edit", attendee], mentions: ["nothing to change"])
        try assertRejected(["meeting", "attendee", "edit", attendee, "--name", " "], mentions: ["name"])
        try assertRejected(["meeting", "agenda", "edit", first, "--title", "x"], mentions: ["'\(first)'"])
        try assertRejected(["meeting", "decision", "edit", decision, "x"], mentions: ["'\(decision)'"])
    }

    func testTOPNumbersFollowTheOrderAndAMoveChangesOnePosition() throws {
        let id = meeting()
        let items = ["Begrüßung", "Bericht", "Haushalt", "Verschiedenes"].map { ok("meeting", "agenda", id, $0) }
        func agenda() throws -> [String] {
            try XCTUnwrap(try show(id)["agenda"] as? [[String: Any]]).map { "\($0["number"] as? Int ?? 0) \($0["title"] as? String ?? "")" }
        }
        XCTAssertEqual(try agenda(), ["1 Begrüßung", "2 Bericht", "3 Haushalt", "4 Verschiedenes"])
        let pending = try pendingChangeSets()
        XCTAssertEqual(ok("meeting", "agenda", "move", items[3], "2"), "Agenda item \(items[3]) is now item 2.")
        XCTAssertEqual(ok(["meeting", "agenda", "move", items[3], "2"], env: german), "Tagesordnungspunkt \(items[3]) ist jetzt TOP 2.")
        XCTAssertEqual(try agenda(), ["1 Begrüßung", "2 Verschiedenes", "3 Bericht", "4 Haushalt"])
        let moved = try XCTUnwrap(try status()["pendingChanges"] as? Int)
        XCTAssertEqual(try pendingChangeSets(), pending + 1)
        ok("meeting", "agenda", "move", items[0], "4")
        XCTAssertEqual(try agenda(), ["1 Verschiedenes", "2 Bericht", "3 Haushalt", "4 Begrüßung"])
        XCTAssertEqual(try XCTUnwrap(try status()["pendingChanges"] as? Int), moved + 1, "a move is one change of one position")
        let shown = ok(["meeting", "show", id], env: german)
        XCTAssertTrue(shown.contains("TOP 1: Verschiedenes") && shown.contains("TOP 4: Begrüßung"), shown)
        let english = ok("meeting", "show", id)
        XCTAssertTrue(english.contains("Item 1: Verschiedenes") && english.contains("Item 4: Begrüßung"), english)
        ok("meeting", "agenda", "remove", items[1], "--yes")
        XCTAssertEqual(try agenda(), ["1 Verschiedenes", "2 Haushalt", "3 Begrüßung"], "the numbers close up")
        try assertRejected(["meeting", "agenda", "move", items[0], "4"], mentions: ["TOP", "1", "3"])
        try assertRejected(["meeting", "agenda", "move", items[0], "0"], mentions: ["TOP"])
    }
}
