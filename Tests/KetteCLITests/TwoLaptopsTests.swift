import Foundation
import KetteStore
import KetteTestSupport
import XCTest

/// Two coordinators of one district, each with a `kette` store, and a real `kette-server` on
/// loopback: what the minutes' order, undo, restore and the log look like on the other laptop
/// after a sync.
final class TwoLaptopsTests: ServerTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try makeServer(users: [.coordinator("anna", "nordstadt"), .coordinator("carl", "nordstadt")])
        try server.start()
        connect("anna", as: "anna")
        connect("carl", as: "carl")
    }

    /// Runs kette in `user`'s store and asserts it succeeds; returns stdout without the last newline.
    @discardableResult
    private func on(_ user: String, _ arguments: String..., env: [String: String?] = [:],
                    file: StaticString = #filePath, line: UInt = #line) -> String {
        kette(user, arguments, env: env, file: file, line: line).stdout.trimmingCharacters(in: .newlines)
    }

    private func jsonOn(_ user: String, _ arguments: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        let output = kette(user, arguments + ["--json"], file: file, line: line).stdout
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)), output, file: file, line: line)
    }

    private func sync(_ users: String...) {
        for user in users { on(user, "sync") }
    }

    /// A body and a meeting both laptops hold.
    private func sharedMeeting() -> String {
        on("anna", "body", "add", "Netzwerk Frühe Hilfen", "--level", "network", "--district", "nordstadt")
        let meeting = on("anna", "meeting", "add", "--body", "netzwerk", "--date", "2026-03-14", "--minutes", "Protokoll")
        sync("anna", "carl")
        return meeting
    }

    private func agenda(_ user: String, _ meeting: String) throws -> [String] {
        let shown = try XCTUnwrap(try jsonOn(user, "meeting", "show", meeting) as? [String: Any])
        return try XCTUnwrap(shown["agenda"] as? [[String: Any]]).map { "TOP \($0["number"] as? Int ?? 0): \($0["title"] as? String ?? "")" }
    }

    func testTwoAgendaItemsAddedOfflineBecomeTOP1AndTOP2OnBothLaptops() throws {
        let meeting = sharedMeeting()
        // Both offline: each adds the first item of the agenda.
        on("anna", "meeting", "agenda", meeting, "Begrüßung")
        on("carl", "meeting", "agenda", meeting, "Bericht aus den Kitas")
        XCTAssertEqual(try agenda("anna", meeting), ["TOP 1: Begrüßung"])
        XCTAssertEqual(try agenda("carl", meeting), ["TOP 1: Bericht aus den Kitas"])
        sync("anna", "carl", "anna")
        // The item written first is TOP 1 on both laptops (same position: the position's
        // timestamp decides), and the numbers are the same on both.
        XCTAssertEqual(try agenda("anna", meeting), ["TOP 1: Begrüßung", "TOP 2: Bericht aus den Kitas"])
        XCTAssertEqual(try agenda("carl", meeting), ["TOP 1: Begrüßung", "TOP 2: Bericht aus den Kitas"])
        for user in ["anna", "carl"] {
            let shown = on(user, "meeting", "show", meeting, env: ["LANG": "de_DE.UTF-8"])
            XCTAssertTrue(shown.contains("TOP 1: Begrüßung") && shown.contains("TOP 2: Bericht aus den Kitas"), shown)
        }

        // Moving on one laptop, adding on the other: one order after sync.
        let items = try XCTUnwrap((try jsonOn("carl", "meeting", "show", meeting) as? [String: Any])?["agenda"] as? [[String: Any]])
        on("carl", "meeting", "agenda", "move", try XCTUnwrap(items[1]["id"] as? String), "1")
        on("anna", "meeting", "agenda", meeting, "Verschiedenes")
        sync("anna", "carl", "anna")
        let expected = ["TOP 1: Bericht aus den Kitas", "TOP 2: Begrüßung", "TOP 3: Verschiedenes"]
        XCTAssertEqual(try agenda("anna", meeting), expected)
        XCTAssertEqual(try agenda("carl", meeting), expected)
    }

    func testUndoAfterSyncRestoresTheValuesOnTheOtherLaptop() throws {
        on("anna", "org", "add", "AWO Kreisverband")
        let offer = on("anna", "offer", "add", "--title", "Elterncafé", "--district", "nordstadt", "--description", "Austausch für Eltern",
                       "--status", "planned")
        sync("anna", "carl")
        on("anna", "offer", "edit", offer, "--title", "Elterncafé Nord", "--status", "active", "--provider", "AWO Kreisverband")
        sync("anna", "carl")
        XCTAssertEqual((try jsonOn("carl", "offer", "show", offer) as? [String: Any])?["title"] as? String, "Elterncafé Nord")

        let undone = on("anna", "undo", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(undone.contains("`offer edit`") && undone.contains("zurückgenommen"), undone)
        sync("anna", "carl")
        let shown = try XCTUnwrap(try jsonOn("carl", "offer", "show", offer) as? [String: Any])
        XCTAssertEqual(shown["title"] as? String, "Elterncafé")
        XCTAssertEqual(shown["status"] as? String, "planned")
        XCTAssertTrue(shown["provider"] is NSNull, "a field the edit set first is empty again: \(shown)")
        XCTAssertEqual((try jsonOn("carl", "search", "anbieter:AWO") as? [Any])?.count, 0, "the other laptop's index follows")

        // What someone else wrote after the action stays: Carl changes the status, Anna undoes
        // her next edit of title and status; the title goes back, Carl's status is kept.
        on("anna", "offer", "edit", offer, "--title", "Elterncafé am Markt", "--status", "ended")
        sync("anna", "carl")
        on("carl", "offer", "edit", offer, "--status", "active")
        sync("carl", "anna")
        let kept = on("anna", "undo")
        XCTAssertTrue(kept.contains("Kept, because someone else wrote them after it:") && kept.contains("status"), kept)
        sync("anna", "carl")
        for user in ["anna", "carl"] {
            let now = try XCTUnwrap(try jsonOn(user, "offer", "show", offer) as? [String: Any])
            XCTAssertEqual(now["title"] as? String, "Elterncafé", user)
            XCTAssertEqual(now["status"] as? String, "active", "\(user): the later change of someone else is not overwritten")
        }

        // When someone else wrote every field since, nothing is taken back, and the next undo
        // goes further back.
        on("anna", "offer", "edit", offer, "--status", "planned")
        sync("anna", "carl")
        on("carl", "offer", "edit", offer, "--status", "ended")
        sync("carl", "anna")
        let nothing = on("anna", "undo", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(nothing.contains("nichts zurückgenommen") && nothing.contains("jemand anderes"), nothing)
        XCTAssertEqual((try jsonOn("anna", "offer", "show", offer) as? [String: Any])?["status"] as? String, "ended")
        // Further back (the two edits before were taken back already): the offer's making; it
        // stays too, since Carl wrote to the offer.
        let further = on("anna", "undo")
        XCTAssertTrue(further.contains("Nothing taken back of `offer add`"), further)
        XCTAssertEqual(try XCTUnwrap(try jsonOn("carl", "offer", "list") as? [Any]).count, 1)
    }

    func testARestoredOfferHasItsDescriptionBackEverywhereAndTheTombstoneHeldNoText() throws {
        let offer = on("anna", "offer", "add", "--title", "Hebammensprechstunde", "--district", "nordstadt",
                       "--description", "Beratung durch Frau Müller", "--contact", "Frau Müller")
        sync("anna", "carl")
        on("anna", "offer", "delete", offer, "--yes")
        sync("anna", "carl")
        // The tombstone that travelled holds no text: the server's and Carl's records are empty.
        let serverValues = try Database(path: server.database).rows(
            "SELECT field, value FROM field_state WHERE record_id = ? AND field IN ('description', 'contact', 'deleted') ORDER BY field", [offer])
        XCTAssertEqual(serverValues.map { "\($0.string("field") ?? "")=\($0.string("value") ?? "")" }, ["contact=null", "deleted=true", "description=null"])
        let carlRow = try Database(path: runner.root.appendingPathComponent("carl/kette.db").path).firstRow(
            "SELECT description, contact, deleted FROM offers WHERE id = ?", [offer])
        XCTAssertEqual(carlRow?.values.map { String(describing: $0) }, [String(describing: DatabaseValue.null), String(describing: DatabaseValue.null),
                                                                        String(describing: DatabaseValue.integer(1))])
        XCTAssertEqual((try jsonOn("carl", "trash") as? [Any])?.count, 0, "only the laptop that deleted keeps the texts")
        XCTAssertEqual((try jsonOn("anna", "trash") as? [[String: Any]])?.first?["id"] as? String, offer)

        on("anna", "restore", offer)
        XCTAssertEqual((try jsonOn("anna", "offer", "show", offer) as? [String: Any])?["description"] as? String, "Beratung durch Frau Müller")
        sync("anna", "carl")
        let shown = try XCTUnwrap(try jsonOn("carl", "offer", "show", offer) as? [String: Any])
        XCTAssertEqual(shown["description"] as? String, "Beratung durch Frau Müller")
        XCTAssertEqual(shown["contact"] as? String, "Frau Müller")
        XCTAssertEqual(try XCTUnwrap(try jsonOn("carl", "conflicts") as? [Any]).count, 0, "a restore on the laptop that deleted is no conflict")
    }

    func testTheLogShowsWhatChangedHereAndWhatCameFromTheServer() throws {
        let offer = on("anna", "offer", "add", "--title", "Elterncafé", "--district", "nordstadt")
        sync("anna", "carl")
        on("carl", "offer", "edit", offer, "--description", "Austausch", "--contact", "Frau Öztürk")
        sync("carl", "anna")
        on("anna", "offer", "edit", offer, "--title", "Elterncafé Nord")

        let log = try XCTUnwrap(try jsonOn("anna", "log") as? [[String: Any]])
        let local = try XCTUnwrap(log.first, "newest first")
        XCTAssertEqual(local["origin"] as? String, "local")
        XCTAssertEqual(local["author"] as? String, "anna", "the name given at kette init")
        XCTAssertEqual(local["fields"] as? [String], ["title"])
        XCTAssertEqual(local["title"] as? String, "Elterncafé Nord")
        XCTAssertEqual(local["action"] as? String, "offer edit")
        let received = try XCTUnwrap(log.first { $0["origin"] as? String == "server" && $0["recordID"] as? String == offer
                                                  && ($0["fields"] as? [String])?.contains("description") == true }, "\(log)")
        XCTAssertEqual(received["author"] as? String, "carl", "the server names the token's user")
        XCTAssertEqual(received["fields"] as? [String], ["contact", "description"])
        XCTAssertEqual(received["recordType"] as? String, "offer")
        XCTAssertNotNil(received["time"] as? String)
        XCTAssertTrue(log.contains { $0["event"] as? String == "created" && $0["origin"] as? String == "local" }, "\(log)")

        // --since-sync: what the last sync brought and what was written here since it began.
        let sinceSync = try XCTUnwrap(try jsonOn("anna", "log", "--since-sync") as? [[String: Any]])
        XCTAssertEqual(Set(sinceSync.compactMap { $0["fields"] as? [String] }.map { $0.joined(separator: ",") }), ["contact,description", "title"])
        XCTAssertEqual(try XCTUnwrap(try jsonOn("anna", "log", "--since", "2999-01-01") as? [Any]).count, 0)

        let human = on("anna", "log", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(human.contains("hier") && human.contains("Server") && human.contains("carl") && human.contains("Kontakt, Beschreibung"), human)
        XCTAssertTrue(human.contains("angelegt"), human)
        let english = on("anna", "log", "--limit", "1", env: ["LANG": "C"])
        XCTAssertTrue(english.contains("here") && english.contains("Elterncafé Nord") && !english.contains("server"), english)
        kette("anna", ["log", "--since-sync", "--since", "2026-01-01"], expect: 1)
        let badDate = kette("anna", ["log", "--since", "gestern"], expect: 1)
        XCTAssertTrue(badDate.stderr.contains("gestern"), "\(badDate)")
    }
}
