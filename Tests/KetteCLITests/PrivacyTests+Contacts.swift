import Foundation
import KetteClient
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Contacts are personal data (issue 16): a person in the contact register, and wherever the
/// planning records name them (body members, measure owners, attendees and action items taken
/// from the register), is erased by `kette-server erase --person` from the files of the server
/// and of every client, with the contact's phone number and e-mail address.
extension PrivacyTests {
    func testAnErasedContactIsFoundNowhereInTheFilesOfServerAndClients() throws {
        let canary = Self.canary
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        let organization = output(kette("anna", ["org", "add", "Familienzentrum Regenbogen", "--sector", "free-providers"]))
        let contact = output(kette("anna", ["contact", "add", canary, "--organization", organization, "--role", "Leitung",
                                            "--phone", "0201 555 0199", "--email", "z.quellenfeld@regenbogen.example", "--consent", "given"]))
        let body = output(kette("anna", ["body", "add", "Netzwerk Frühe Hilfen", "--level", "network", "--district", "nordstadt"]))
        kette("anna", ["body", "member", "add", body, "--contact", contact, "--role", "Sprecher"])
        let meeting = output(kette("anna", ["meeting", "add", "--body", body, "--date", "2026-03-14", "--attendee-contact", contact]))
        kette("anna", ["task", "add", meeting, "Raum buchen", "--contact", canary])
        let measure = output(kette("anna", ["measure", "add", "Elterncafé", "--district", "nordstadt", "--owner", canary, "--contact", contact]))
        kette("anna", ["measure", "note", measure, "Gespräch mit \(canary) geführt"])
        sync(["anna", "kreis"])
        // The county office adds to the register too, and sees everything.
        kette("kreis", ["agreement", "add", "Kooperationsvereinbarung Regenbogen", "--kind", "cooperation", "--party", organization,
                        "--summary", "Ansprechperson: \(canary), Tel. 0201 555 0199"])
        sync(["anna", "kreis"])
        XCTAssertTrue(output(kette("kreis", ["contact", "show", contact])).contains("0201 555 0199"))

        let files = databaseFiles(clients: ["anna", "kreis"])
        for path in files where !path.hasSuffix("-wal") && !path.hasSuffix("-shm") { try checkpoint(path) }
        let needles = [canary, "Quellenfeld", "z.quellenfeld@regenbogen", "555 0199"]
        let before = Dictionary(uniqueKeysWithValues: needles.map { needle in (needle, files.map { Self.occurrences(of: needle, in: $0) }.reduce(0, +)) })
        XCTAssertEqual(before.filter { $0.value == 0 }, [:], "every needle is stored before the erasure: the search below can fail")

        let report = try server.admin(["erase", "--person", canary])
        XCTAssertTrue(report.contains("2 contact details"), "the contact's phone and e-mail go with the name: \(report)")
        sync(["anna", "kreis"], rounds: 1)

        for path in files where !path.hasSuffix("-wal") && !path.hasSuffix("-shm") { try checkpoint(path) }
        var found: [String: Int] = [:]
        for path in files {
            // The agreement's free text still names the number (it is not the person's name): the
            // erasure matches names, and the needle below is the contact's own field.
            for needle in [canary, "Quellenfeld", "z.quellenfeld@regenbogen"] {
                let count = Self.occurrences(of: needle, in: path)
                if count > 0 { found["\(path): \(needle)", default: 0] += count }
            }
        }
        XCTAssertEqual(found, [:], "the erased contact is still in these files (before: \(before))")
        for client in ["anna", "kreis"] {
            let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output(kette(client, ["contact", "show", contact, "--json"])).utf8)) as? [String: Any])
            XCTAssertEqual(shown["name"] as? String, "[gelöscht]", client)
            XCTAssertTrue(shown["phone"] is NSNull && shown["email"] is NSNull, "\(client): \(shown)")
            XCTAssertEqual(shown["role"] as? String, "Leitung", "what is not the person's stays")
            let members = output(kette(client, ["body", "member", "list", body, "--json"]))
            XCTAssertTrue(members.contains("\"person\" : \"[gelöscht]\""), members)
            XCTAssertTrue(output(kette(client, ["measure", "show", measure])).contains("Gespräch mit [gelöscht] geführt"))
        }
    }

    /// A deleted contact keeps no personal data, on the server and on every client (SPEC §8.6).
    func testADeletedContactKeepsNoPersonalData() throws {
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        let contact = output(kette("anna", ["contact", "add", "Petra Sommer", "--phone", "0201 1", "--email", "p@s.example", "--role", "Leitung"]))
        sync(["anna", "kreis"])
        kette("kreis", ["contact", "delete", contact, "--yes"])
        sync(["kreis", "anna"])
        XCTAssertEqual(try serverTombstonesWithData(), [])
        for client in ["anna", "kreis"] { XCTAssertEqual(try tombstonesWithData(client: client), [], client) }
    }
}
