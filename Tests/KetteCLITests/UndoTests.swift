import Foundation
import KetteProtocol
import KetteClient
import KetteStore
import KetteTestSupport
import XCTest

/// A mistake is not permanent, on one laptop: deletions ask first, `kette undo` takes the last
/// action back, and the trash brings deleted records back with their texts. What reaches other
/// laptops is tested in TwoLaptopsTests.
final class UndoTests: KetteCLITestCase {
    private let german: [String: String?] = ["LANG": "de_DE.UTF-8"]

    /// Runs kette on a pseudo-terminal (util-linux `script`) with `answer` typed in.
    private func onTerminal(_ arguments: [String], answer: String) throws -> (status: Int32, output: String) {
        let command = ([runner.binary.path, "--home", runner.home.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = runner.environment()
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Typed once the question is there: script passes it on to the terminal.
        usleep(300_000)
        input.fileHandleForWriting.write(Data(answer.utf8))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func testADeletionAsksOnATerminalAndIsRefusedWithoutOneUnlessConfirmed() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is not installed")
        _ = makeFixture()
        let offer = addOffer(title: "Elterncafé", extra: ["--description", "Austausch für Eltern"])
        // No terminal, no --yes: nothing is deleted, and the message says how to confirm.
        let refused = try assertRejected(["offer", "delete", offer], mentions: ["Elterncafé", "--yes"])
        XCTAssertTrue(refused.stderr.contains("no terminal"), "\(refused)")
        try assertRejected(["offer", "delete", offer], mentions: ["ohne Terminal", "--yes"], env: german)

        let declined = try onTerminal(["offer", "delete", offer], answer: "n\n")
        XCTAssertEqual(declined.status, 1, declined.output)
        XCTAssertTrue(declined.output.contains("Delete offer 'Elterncafé'"), declined.output)
        XCTAssertTrue(declined.output.contains("not deleted"), declined.output)
        XCTAssertEqual(try jsonArray("offer", "list", "--json").count, 1)

        let agreed = try onTerminal(["offer", "delete", offer], answer: "y\n")
        XCTAssertEqual(agreed.status, 0, agreed.output)
        XCTAssertTrue(agreed.output.contains("Deleted offer \(offer)."), agreed.output)
        XCTAssertEqual(try jsonArray("offer", "list", "--json").count, 0)
    }

    func testUndoTakesBackEditsAdditionsAndDeletionsOneAfterTheOther() throws {
        _ = makeFixture()
        let offer = addOffer(title: "Elterncafé", extra: ["--description", "Austausch für Eltern", "--status", "planned"])
        ok("offer", "edit", offer, "--title", "Elterncafe Nord", "--status", "active", "--contact", "Frau Öztürk")
        let added = addOffer(title: "Versehentlich")
        ok("offer", "delete", offer, "--yes")
        let pending = try pendingChangeSets()

        // Last first: the deletion, with every text back.
        let first = ok(["undo"], env: german)
        XCTAssertTrue(first.contains("`offer delete`") && first.contains("zurückgenommen"), first)
        var shown = try jsonObject("offer", "show", offer, "--json")
        XCTAssertEqual(shown["title"] as? String, "Elterncafe Nord")
        XCTAssertEqual(shown["description"] as? String, "Austausch für Eltern")
        XCTAssertEqual(shown["contact"] as? String, "Frau Öztürk")
        XCTAssertEqual(try pendingChangeSets(), pending + 1, "an undo is a new change set that syncs")

        // Then the addition: the offer goes (to the trash).
        let second = ok("undo")
        XCTAssertTrue(second.contains("Took back `offer add`"), second)
        XCTAssertEqual(try jsonArray("offer", "list", "--json").compactMap { $0["id"] as? String }, [offer])
        XCTAssertEqual(try jsonArray("trash", "--json").compactMap { $0["id"] as? String }, [added])

        // Then the edit: each field as it was before it; a field never set before is empty again.
        ok("undo")
        shown = try jsonObject("offer", "show", offer, "--json")
        XCTAssertEqual(shown["title"] as? String, "Elterncafé")
        XCTAssertEqual(shown["status"] as? String, "planned")
        XCTAssertTrue(shown["contact"] is NSNull, "\(shown)")

        // Then the first addition, then the fixture's, until nothing is left within 30 days.
        for _ in 0..<5 { ok("undo") }
        let none = kette("undo")
        XCTAssertEqual(none.exitCode, 1, "\(none)")
        XCTAssertTrue(none.stderr.contains("nothing to undo"), "\(none)")
    }

    func testADeletedOfferComesBackFromTheTrashWithItsDescription() throws {
        _ = makeFixture()
        let offer = addOffer(title: "Hebammensprechstunde", extra: ["--description", "Beratung durch Frau Müller", "--phase", "pregnancy",
                                                                    "--target-groups", "Schwangere,Eltern"])
        let meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--minutes", "Bericht", "--place", "Rathaus")
        ok("offer", "delete", offer, "--yes")
        ok("meeting", "delete", meeting, "--yes")
        XCTAssertTrue(try XCTUnwrap(LocalStore(directory: runner.home.path).database.scalarString(
            "SELECT coalesce(description, 'null') FROM offers WHERE id = ?", [offer])) == "null", "the tombstone itself holds no text")

        let trash = try jsonArray("trash", "list", "--json")
        XCTAssertEqual(trash.compactMap { $0["id"] as? String }, [meeting, offer], "newest deletion first")
        XCTAssertEqual(trash.last?["title"] as? String, "Hebammensprechstunde")
        let listed = ok(["trash"], env: german)
        XCTAssertTrue(listed.contains("Hebammensprechstunde") && listed.contains("Angebot") && listed.contains("kette restore"), listed)

        XCTAssertEqual(ok(["restore", "hebammensprechstunde"], env: german), "Angebot „Hebammensprechstunde“ (\(offer)) wiederhergestellt.")
        let shown = try jsonObject("offer", "show", offer, "--json")
        XCTAssertEqual(shown["description"] as? String, "Beratung durch Frau Müller")
        XCTAssertEqual(shown["phases"] as? [String], ["pregnancy"])
        XCTAssertEqual(shown["targetGroups"] as? [String], ["Schwangere", "Eltern"])
        XCTAssertTrue(ok("search", "Mueller").contains("Hebammensprechstunde"), "back in the search index too")
        ok("restore", RecordIdentifier.shortCode(meeting))
        XCTAssertEqual(try jsonObject("meeting", "show", meeting, "--json")["place"] as? String, "Rathaus")
        XCTAssertEqual(ok("trash"), "The trash is empty.")
        try assertRejected(["restore", offer], mentions: ["trash", offer])
        try assertRejected(["restore", "nichts"], mentions: ["nichts"])
    }

    func testTheTrashForgetsAfterThirtyDays() throws {
        _ = makeFixture()
        let offer = addOffer(title: "Hebammensprechstunde", extra: ["--description", "Beratung durch Frau Müller"])
        ok("offer", "delete", offer, "--yes")
        XCTAssertEqual(try jsonArray("trash", "--json").count, 1)
        let database = try Database(path: runner.databasePath)
        try database.execute("UPDATE local_actions SET at = at - 31 * 86400000")
        XCTAssertEqual(try jsonArray("trash", "--json").count, 0, "any command start purges what is older than 30 days")
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM local_action_fields WHERE previous_value LIKE '%Müller%'"), 0)
    }
}
