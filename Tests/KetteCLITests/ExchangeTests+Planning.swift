import Foundation
import KetteTestSupport
import XCTest

/// The planning records in the exports: OParl memberships and people only for body members and
/// attendees from the contact register who consented, validated against the official schemas;
/// nothing else of a contact.
extension ExchangeTests {
    func testOParlNamesOnlyTheMembersAndAttendeesWhoConsented() throws {
        let fixture = makeFixture()
        let petra = ok("contact", "add", "Petra Sommer", "--organization", fixture.jugendamt, "--role", "Kita-Fachberatung",
                       "--phone", "0201 4711", "--email", "petra@jugendamt.example", "--consent", "given")
        let jonas = ok("contact", "add", "Jonas Brandt", "--organization", fixture.jugendamt, "--consent", "withheld")
        let silent = ok("contact", "add", "Mara Quast", "--email", "mara@example.org")  // no answer: not published
        let withPetra = ok("body", "member", "add", fixture.steering, "--contact", petra, "--role", "Vorsitz")
        let withJonas = ok("body", "member", "add", fixture.steering, "--contact", jonas)
        let typed = ok("body", "member", "add", fixture.steering, "--person", "Karl Frei", "--sector", "health")
        ok("body", "member", "add", fixture.steering, "--contact", silent)
        let meeting = ok("meeting", "add", "--body", fixture.steering, "--date", "2026-03-14", "--attendee-contact", petra,
                         "--attendee-contact", jonas, "--attendee", "Gast Gustav")

        let hidden = directory("oparl-private")
        ok("export", "oparl", "--out", hidden.path)
        try assertValid("oparl", hidden)
        let privateText = try allText(hidden)
        for name in ["Petra", "Jonas", "Mara", "Karl Frei", "Gustav", "0201 4711", "petra@"] {
            XCTAssertFalse(privateText.contains(name), "\(name) left the store without --public-people")
        }

        let published = directory("oparl-planning")
        ok("export", "oparl", "--out", published.path, "--public-people")
        try assertValid("oparl", published)
        let memberships = try XCTUnwrap((try jsonFile(published, "memberships.json") as? [String: Any])?["data"] as? [[String: Any]])
        func membership(_ id: String) throws -> [String: Any] { try XCTUnwrap(memberships.first { ($0["id"] as? String)?.hasSuffix(id) == true }) }
        let persons = try XCTUnwrap((try jsonFile(published, "persons.json") as? [String: Any])?["data"] as? [[String: Any]])
        let petraPerson = try XCTUnwrap(persons.first { $0["name"] as? String == "Petra Sommer" })
        XCTAssertEqual(try membership(withPetra)["person"] as? String, petraPerson["id"] as? String)
        XCTAssertEqual(try membership(withPetra)["role"] as? String, "Vorsitz")
        XCTAssertNil(try membership(withJonas)["person"], "withheld consent: the seat without the person")
        XCTAssertNil(try membership(typed)["person"], "a member who is no contact has no consent to go by")
        XCTAssertEqual(Set(persons.compactMap { $0["name"] as? String }), ["Petra Sommer", "Gast Gustav"],
                       "the consenting contact, and the attendee typed by name on the exporter's word")
        XCTAssertEqual(persons.filter { $0["deleted"] as? Bool == true }.count, 2, "Jonas and Mara as deleted persons, without a name")
        let meetings = try XCTUnwrap((try jsonFile(published, "meetings.json") as? [String: Any])?["data"] as? [[String: Any]])
        let participants = try XCTUnwrap(meetings.first { ($0["id"] as? String)?.hasSuffix(meeting) == true }?["participant"] as? [String])
        XCTAssertEqual(participants.count, 2)
        XCTAssertTrue(participants.contains(petraPerson["id"] as! String), "an attendance and a seat of the same contact are one person")
        let text = try allText(published)
        for detail in ["0201 4711", "petra@jugendamt.example", "Kita-Fachberatung", "Jonas", "Mara", "Karl Frei"] {
            XCTAssertFalse(text.contains(detail), "\(detail) was exported")
        }

        // Petra withdraws her consent: the next export drops her as a deleted person.
        ok("contact", "edit", petra, "--consent", "withheld")
        let withdrawn = directory("oparl-withdrawn")
        ok("export", "oparl", "--out", withdrawn.path, "--public-people")
        try assertValid("oparl", withdrawn)
        let after = try XCTUnwrap((try jsonFile(withdrawn, "persons.json") as? [String: Any])?["data"] as? [[String: Any]])
        XCTAssertEqual(after.first { $0["id"] as? String == petraPerson["id"] as? String }?["deleted"] as? Bool, true)
        XCTAssertFalse(try allText(withdrawn).contains("Petra"))
    }

    func testTheCSVExportHasTheCycleAndNamesOnlyContactsWhoConsented() throws {
        let fixture = makeFixture()
        let petra = ok("contact", "add", "Petra Sommer", "--organization", fixture.jugendamt, "--phone", "0201 4711", "--consent", "given")
        let jonas = ok("contact", "add", "Jonas Brandt", "--phone", "0201 0815", "--consent", "withheld")
        ok("body", "member", "add", fixture.steering, "--contact", petra, "--role", "Vorsitz")
        ok("body", "member", "add", fixture.steering, "--contact", jonas)
        let need = ok("need", "add", "Keine Elternberatung", "--district", "nordstadt", "--phase", "early-childhood,pregnancy", "--category", "counselling")
        let goal = ok("goal", "add", "Beratung für alle Familien", "--district", "nordstadt")
        let target = ok("goal", "target", "add", goal, "--indicator", "custom", "--name", "Beratene Familien", "--value", "40", "--due", "2027")
        ok("goal", "figure", target, "--period", "2026-Q1", "--value", "4")
        ok("goal", "add", "Ohne Zielwert")
        let measure = ok("measure", "add", "=Elterncafé", "--district", "nordstadt", "--need", need, "--goal", goal, "--gap", "nordstadt:pregnancy",
                         "--contact", jonas, "--owner", "Jonas Brandt")
        ok("measure", "note", measure, "Räume gefunden", "--date", "2026-04-02")
        ok("agreement", "add", "Geschäftsordnung", "--kind", "rules-of-procedure", "--party", fixture.jugendamt, "--review", "2027-01-31")

        let out = directory("csv-planning")
        ok(["export", "csv", "--out", out.path], env: ["LANG": "de_DE.UTF-8"])
        let needs = try spreadsheetText(out, "needs.csv")
        XCTAssertTrue(needs.hasPrefix("ID;Bedarf;Sozialraum;Lebensphasen;Kategorie;Quelle;Sitzung;Erkannt;Status\r\n"), needs)
        XCTAssertTrue(needs.contains(";Nordstadt;Schwangerschaft und Geburt, Frühe Kindheit;Beratung;"), needs)
        let goals = try spreadsheetText(out, "goals.csv").components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(goals.count, 3, "a header, the target's row and the goal without target: \(goals)")
        XCTAssertTrue(goals.contains { $0.contains("Beratene Familien") && $0.contains("eigene Kennzahl") && $0.contains("2026-Q1: 4") }, "\(goals)")
        let measures = try spreadsheetText(out, "measures.csv")
        XCTAssertTrue(measures.contains("'=Elterncafé"), "a formula-like title is neutralized: \(measures)")
        XCTAssertTrue(measures.contains("nordstadt:pregnancy") && measures.contains("Keine Elternberatung") && measures.contains("2026-04-02: Räume gefunden"))
        let members = try spreadsheetText(out, "members.csv")
        XCTAssertTrue(members.contains("Petra Sommer"), members)
        let contacts = try spreadsheetText(out, "contacts.csv")
        XCTAssertTrue(contacts.contains("Petra Sommer;Jugendamt Süd;;0201 4711"), contacts)
        let everything = try allText(out)
        for hidden in ["Jonas", "Brandt", "0201 0815"] { XCTAssertFalse(everything.contains(hidden), "\(hidden) was exported without consent") }
        XCTAssertTrue(try spreadsheetText(out, "agreements.csv").contains("Geschäftsordnung;Geschäftsordnung;Jugendamt Süd"))
    }
}
