import Foundation
import KetteProtocol
import KetteTestSupport
import XCTest

/// The planning cycle's commands with the real `kette` binary on a local store: needs, goals with
/// targets and figures, measures with notes and their links to the minutes, contacts, body
/// members, agreements. Bad input is refused with what is accepted, and writes nothing.
final class PlanningCommandTests: KetteCLITestCase {
    var fixture: Fixture!

    override func setUpWithError() throws {
        try super.setUpWithError()
        fixture = makeFixture()
    }

    /// A meeting of a Nordstadt working group with a decision and an action item.
    func minutes() -> (body: String, meeting: String, decision: String, task: String) {
        let body = ok("body", "add", "Sozialraumgruppe Nordstadt", "--level", "working", "--district", "nordstadt")
        let meeting = ok("meeting", "add", "--body", body, "--date", "2026-03-10", "--minutes", "Bedarfe besprochen")
        let decision = ok("meeting", "decide", meeting, "Ein Elterncafé für Familien mit Kleinkindern wird eingerichtet")
        let task = ok("task", "add", meeting, "Räume für das Elterncafé suchen", "--owner", "Frau Öztürk", "--due", "2026-05-31")
        return (body, meeting, decision, task)
    }

    func testANeedIsRecordedShownListedEditedAndDeleted() throws {
        let meeting = minutes().meeting
        let id = ok("need", "add", "Keine Elternberatung für unter Dreijährige", "--district", "Nordstadt", "--phase", "Frühe Kindheit,pregnancy",
                    "--category", "counselling", "--source", "Sozialraumgruppe März", "--meeting", meeting, "--found", "2026-03-10")
        XCTAssertTrue(isUUID(id), id)
        let need = try jsonObject("need", "show", id, "--json")
        XCTAssertEqual(Set(need.keys), ["id", "description", "district", "districtName", "phases", "category", "source", "meeting", "found", "status"])
        XCTAssertEqual(need["district"] as? String, "nordstadt")
        XCTAssertEqual(need["phases"] as? [String], ["pregnancy", "early-childhood"], "stored in the order of growing up")
        XCTAssertEqual(need["status"] as? String, "open")
        XCTAssertEqual(need["meeting"] as? String, meeting)
        // A county-wide need: no district.
        ok("need", "add", "Zu wenig Sprachförderung im ganzen Kreis", "--phase", "preschool")
        XCTAssertEqual(try jsonArray("need", "list", "--json").count, 2)
        XCTAssertEqual(try jsonArray("need", "list", "--district", "nordstadt", "--json").map { $0["id"] as? String }, [id])
        XCTAssertEqual(try jsonArray("need", "list", "--phase", "preschool", "--json").count, 1)
        ok("need", "edit", RecordIdentifier.shortCode(id), "--status", "closed", "--source", "")
        let edited = try jsonObject("need", "show", id, "--json")
        XCTAssertEqual(edited["status"] as? String, "closed")
        XCTAssertTrue(edited["source"] is NSNull, "an empty value clears the field")
        XCTAssertEqual(try jsonArray("need", "list", "--status", "open", "--json").count, 1)
        // Without a terminal and without --yes nothing is deleted (as for offers, meetings, tasks).
        XCTAssertEqual(kette("need", "delete", id).exitCode, 1)
        XCTAssertEqual(try jsonArray("need", "list", "--json").count, 2)
        ok("need", "delete", id, "--yes")
        XCTAssertEqual(try jsonArray("need", "list", "--json").count, 1)
        XCTAssertEqual(kette("need", "show", id).exitCode, 1)
    }

    func testADeletedNeedOrGoalIsInTheTrashByItsTextAndComesBack() throws {
        let need = ok("need", "add", "Kein Treffpunkt für Eltern", "--district", "nordstadt", "--phase", "preschool")
        let goal = ok("goal", "add", "Eltern finden einen Treffpunkt", "--district", "nordstadt")
        ok("need", "delete", need, "--yes")
        ok("goal", "delete", goal, "--yes")
        let trash = ok("trash")
        XCTAssertTrue(trash.contains("Kein Treffpunkt für Eltern") && trash.contains("Eltern finden einen Treffpunkt"), trash)
        ok("restore", "Kein Treffpunkt")
        XCTAssertEqual(try jsonObject("need", "show", need, "--json")["description"] as? String, "Kein Treffpunkt für Eltern")
        XCTAssertTrue(ok("log").contains("Eltern finden einen Treffpunkt"), "the log names the deleted goal by its statement")
    }

    func testAGoalSetByADecisionTakesItsBodyAndDistrictAndHoldsItsTargets() throws {
        let meeting = minutes()
        let goal = ok("goal", "add", "Jede Familie mit Kleinkind findet Beratung im Sozialraum", "--decision", meeting.decision, "--phase", "early-childhood")
        var shown = try jsonObject("goal", "show", goal, "--json")
        XCTAssertEqual(shown["body"] as? String, meeting.body, "the body of the decision's meeting")
        XCTAssertEqual(shown["district"] as? String, "nordstadt", "the district of that body")
        let cell = ok("goal", "target", "add", goal, "--indicator", "active-offers", "--district", "nordstadt", "--phase", "early-childhood",
                      "--baseline", "0", "--baseline-period", "2026", "--value", "1", "--due", "2026-Q4")
        let custom = ok("goal", "target", "add", goal, "--indicator", "custom", "--name", "Beratene Familien", "--unit", "Familien",
                        "--value", "40", "--due", "2027")
        ok("goal", "figure", custom, "--period", "2026-Q2", "--value", "9")
        ok("goal", "figure", custom, "--period", "2026-Q1", "--value", "4")
        ok("goal", "figure", custom, "--period", "2026-Q2", "--value", "11")  // the same period again replaces it
        shown = try jsonObject("goal", "show", goal, "--json")
        let targets = try XCTUnwrap(shown["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.map { $0["id"] as? String }, [cell, custom])
        XCTAssertEqual(Set(targets[0].keys), ["id", "goal", "indicator", "district", "phase", "name", "unit", "baseline", "baselinePeriod",
                                              "targetValue", "due", "figures"])
        XCTAssertEqual(targets[0]["targetValue"] as? Int, 1)
        XCTAssertEqual(targets[0]["due"] as? String, "2026-Q4")
        let figures = try XCTUnwrap(targets[1]["figures"] as? [[String: Any]])
        XCTAssertEqual(figures.map { $0["period"] as? String }, ["2026-Q1", "2026-Q2"])
        XCTAssertEqual(figures.map { $0["value"] as? Int }, [4, 11])
        ok("goal", "target", "edit", custom, "--value", "50")
        ok("goal", "target", "delete", cell)
        shown = try jsonObject("goal", "show", goal, "--json")
        XCTAssertEqual((shown["targets"] as? [[String: Any]])?.map { $0["targetValue"] as? Int }, [50])
        XCTAssertTrue(ok("goal", "show", goal).contains("Beratene Familien (Familien)"))
    }

    func testTargetsAndFiguresRefuseWhatCannotBeCountedAndWriteNothing() throws {
        let goal = ok("goal", "add", "Mehr Angebote im Übergang Schule–Beruf", "--district", "nordstadt")
        let participants = ok("goal", "target", "add", goal, "--indicator", "participants", "--value", "200", "--due", "2027")
        try assertRejected(["goal", "target", "add", goal, "--indicator", "active-offers", "--value", "2"], mentions: ["--district and --phase"])
        try assertRejected(["goal", "target", "add", goal, "--indicator", "custom", "--value", "2"], mentions: ["--name"])
        try assertRejected(["goal", "target", "add", goal, "--indicator", "besucher", "--value", "2"],
                           mentions: ["besucher", "participants, sessions, active-offers, custom"])
        try assertRejected(["goal", "target", "add", goal, "--indicator", "participants"], mentions: ["--value"])
        try assertRejected(["goal", "target", "add", goal, "--indicator", "participants", "--value", "-3"], mentions: ["-3", "whole number"])
        try assertRejected(["goal", "target", "add", goal, "--indicator", "participants", "--value", "5", "--due", "Ende 2027"], mentions: ["YYYY-Qn"])
        try assertRejected(["goal", "target", "edit", participants, "--indicator", "active-offers"], mentions: ["--district and --phase"])
        try assertRejected(["goal", "figure", participants, "--period", "2026", "--value", "3"], mentions: ["computed", "kette offer indicator"])
        try assertRejected(["goal", "figure", participants, "--period", "2026"], mentions: ["--value"])
        try assertRejected(["goal", "target", "add", "kein-ziel", "--indicator", "participants", "--value", "1"], mentions: ["kein-ziel"])
        let german = try assertRejected(["goal", "target", "add", goal, "--indicator", "active-offers", "--value", "2"],
                                        mentions: ["--district und --phase"], env: ["LANG": "de_DE.UTF-8"])
        XCTAssertFalse(german.stderr.contains("missing"), german.stderr)
    }

    func testAMeasureTakenFromAnActionItemLinksItsNeedsAndGapsAndNotesItsProgress() throws {
        let meeting = minutes()
        let need = ok("need", "add", "Kein Treffpunkt für Eltern mit Kleinkindern", "--district", "nordstadt", "--phase", "early-childhood")
        let goal = ok("goal", "add", "Eltern mit Kleinkindern haben einen Treffpunkt", "--district", "nordstadt")
        let measure = ok("measure", "add", "--from-task", meeting.task, "--need", need, "--gap", "Nordstadt:Frühe Kindheit", "--goal", goal,
                         "--organization", "Jugendamt Süd")
        var shown = try jsonObject("measure", "show", measure, "--json")
        XCTAssertEqual(shown["title"] as? String, "Räume für das Elterncafé suchen")
        XCTAssertEqual(shown["owner"] as? String, "Frau Öztürk")
        XCTAssertEqual(shown["due"] as? String, "2026-05-31")
        XCTAssertEqual(shown["district"] as? String, "nordstadt", "the meeting's body's district")
        XCTAssertEqual(shown["task"] as? String, meeting.task)
        XCTAssertEqual(shown["status"] as? String, "planned")
        XCTAssertEqual(shown["gaps"] as? [String], ["nordstadt:early-childhood"])
        XCTAssertEqual(shown["needs"] as? [String], [need])
        XCTAssertEqual(shown["goals"] as? [String], [goal])
        XCTAssertEqual(try jsonObject("need", "show", need, "--json")["status"] as? String, "addressed", "an open need a measure serves is addressed")
        // The decision that assigned it is linked later; the title the measure has stays.
        ok("measure", "edit", measure, "--from-decision", meeting.decision)
        shown = try jsonObject("measure", "show", measure, "--json")
        XCTAssertEqual(shown["decision"] as? String, meeting.decision)
        XCTAssertEqual(shown["title"] as? String, "Räume für das Elterncafé suchen")
        ok("measure", "note", measure, "Zwei Räume im Familienzentrum besichtigt", "--date", "2026-04-02", "--status", "running")
        ok("measure", "note", measure, "Mietvertrag unterschrieben", "--date", "2026-04-20")
        shown = try jsonObject("measure", "show", measure, "--json")
        XCTAssertEqual(shown["status"] as? String, "running")
        XCTAssertEqual((shown["notes"] as? [[String: Any]])?.map { $0["date"] as? String }, ["2026-04-02", "2026-04-20"])
        let fromDecision = ok("measure", "add", "--from-decision", meeting.decision, "--status", "running")
        XCTAssertEqual(try jsonObject("measure", "show", fromDecision, "--json")["title"] as? String,
                       "Ein Elterncafé für Familien mit Kleinkindern wird eingerichtet")
        XCTAssertEqual(try jsonArray("measure", "list", "--status", "running", "--json").count, 2)
        XCTAssertTrue(ok("measure", "show", measure).contains("Mietvertrag unterschrieben"))
    }

    func testAMeasureRefusesLinksItCannotResolveAndWritesNothing() throws {
        try assertRejected(["measure", "add"], mentions: ["TITLE, --from-decision or --from-task"])
        try assertRejected(["measure", "add", "Elterncafé", "--gap", "nordstadt"], mentions: ["DISTRICT:PHASE"])
        try assertRejected(["measure", "add", "Elterncafé", "--gap", "nordstadt:baby"], mentions: ["baby", "early-childhood"])
        try assertRejected(["measure", "add", "Elterncafé", "--gap", "weststadt:preschool"], mentions: ["weststadt", "Nordstadt (nordstadt)"])
        try assertRejected(["measure", "add", "Elterncafé", "--need", "0000dead"], mentions: ["0000dead"])
        try assertRejected(["measure", "add", "Elterncafé", "--status", "started"], mentions: ["started", "planned, running, done, dropped"])
        try assertRejected(["measure", "add", "Elterncafé", "--due", "2026-02-30"], mentions: ["YYYY-MM-DD"])
        try assertRejected(["measure", "add", "--from-task", "0000beef"], mentions: ["0000beef"])
        let measure = ok("measure", "add", "Elterncafé", "--district", "nordstadt")
        try assertRejected(["measure", "note", measure, "Läuft", "--status", "halb"], mentions: ["halb"])
        try assertRejected(["measure", "edit", measure, "--title", ""], mentions: ["title"])
        try assertRejected(["measure", "edit", measure], mentions: ["nothing to change"])
    }

    func testContactsAreARegisterThatMinutesAndBodiesReferTo() throws {
        let petra = ok("contact", "add", "Petra Sommer", "--organization", "Jugendamt Süd", "--role", "Kita-Fachberatung",
                       "--email", "petra.sommer@jugendamt.example", "--phone", "0201 12345", "--consent", "given")
        let contact = try jsonObject("contact", "show", "Petra", "--json")
        XCTAssertEqual(Set(contact.keys), ["id", "name", "organization", "organizationName", "role", "phone", "email", "consent"])
        XCTAssertEqual(contact["organizationName"] as? String, "Jugendamt Süd")
        XCTAssertEqual(contact["consent"] as? String, "given")
        try assertRejected(["contact", "add", "Max Muster", "--email", "max at example"], mentions: ["e-mail address"])
        try assertRejected(["contact", "add", "Max Muster", "--consent", "vielleicht"], mentions: ["given, withheld"])
        try assertRejected(["contact", "add", " "], mentions: ["name"])

        let body = ok("body", "add", "Netzwerk Frühe Hilfen", "--level", "network", "--district", "nordstadt")
        let meeting = ok("meeting", "add", "--body", body, "--date", "2026-03-14", "--attendee-contact", "Petra Sommer", "--attendee", "Gast")
        let attendees = try XCTUnwrap(try jsonObject("meeting", "show", meeting, "--json")["attendees"] as? [[String: Any]])
        XCTAssertEqual(attendees.map { $0["name"] as? String }, ["Gast", "Petra Sommer"])
        XCTAssertEqual(attendees[1]["organization"] as? String, "Jugendamt Süd", "the contact's organization is copied into the minutes")
        XCTAssertEqual(attendees[1]["role"] as? String, "Kita-Fachberatung")
        let task = ok("task", "add", meeting, "Einladungen verschicken", "--contact", petra)
        XCTAssertEqual(try jsonArray("task", "list", "--json").first { $0["id"] as? String == task }?["owner"] as? String, "Petra Sommer")
        try assertRejected(["task", "add", meeting, "Protokoll schreiben"], mentions: ["owner"])
        try assertRejected(["meeting", "add", "--body", body, "--date", "2026-04-01", "--attendee-contact", "Niemand"], mentions: ["Niemand"])

        ok("contact", "edit", petra, "--role", "Leitung Kita-Fachberatung", "--consent", "withheld")
        XCTAssertEqual(try jsonObject("contact", "show", petra, "--json")["consent"] as? String, "withheld")
        XCTAssertEqual(try jsonArray("contact", "list", "--json").count, 1)
        ok("contact", "delete", petra, "--yes")
        XCTAssertEqual(try jsonArray("contact", "list", "--json").count, 0)
    }

    func testBodyShowNamesTheSectorsASteeringGroupLacks() throws {
        let health = ok("org", "add", "Gesundheitsamt", "--sector", "health")
        let petra = ok("contact", "add", "Petra Sommer", "--organization", "Jugendamt Süd")
        let viaContact = ok("body", "member", "add", fixture.steering, "--contact", petra, "--role", "Vorsitz")
        ok("body", "member", "add", "Steuerungsgruppe", "--organization", health, "--person", "Dr. Kurz")
        ok("body", "member", "add", "Steuerungsgruppe", "--person", "Herr Brandt", "--sector", "free-providers")
        let members = try jsonArray("body", "member", "list", "Steuerungsgruppe", "--json")
        XCTAssertEqual(members.count, 3)
        let fromContact = try XCTUnwrap(members.first { $0["id"] as? String == viaContact })
        XCTAssertEqual(fromContact["person"] as? String, "Petra Sommer", "the contact's name")
        XCTAssertEqual(fromContact["organization"] as? String, fixture.jugendamt, "the contact's organization")
        XCTAssertEqual(fromContact["sector"] as? String, "youth-welfare", "the organization's sector")
        var overview = try jsonObject("body", "show", "Steuerungsgruppe", "--json")
        XCTAssertEqual(overview["sectorsRepresented"] as? [String], ["youth-welfare", "health", "free-providers"])
        XCTAssertEqual(overview["sectorsMissing"] as? [String], ["education", "social"])
        let german = ok(["body", "show", "Steuerungsgruppe"], env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.contains("Fehlende Bereiche:") && german.contains("Bildung, Soziales"), german)
        ok("body", "member", "remove", viaContact)
        overview = try jsonObject("body", "show", "Steuerungsgruppe", "--json")
        XCTAssertEqual(overview["sectorsMissing"] as? [String], ["youth-welfare", "education", "social"])
        try assertRejected(["body", "member", "add", "Steuerungsgruppe", "--role", "Gast"], mentions: ["--organization, --person or --contact"])
        try assertRejected(["body", "member", "add", "Steuerungsgruppe", "--person", "X", "--sector", "polizei"], mentions: ["polizei", "youth-welfare"])
        try assertRejected(["body", "member", "add", "Kein Gremium", "--person", "X"], mentions: ["Kein Gremium", "Steuerungsgruppe Präventionskette"])
    }

    func testAnAgreementNamesItsPartiesAndItsReview() throws {
        let kita = ok("org", "add", "Kita Sonnenschein", "--sector", "education")
        let id = ok("agreement", "add", "Kooperationsvereinbarung Frühe Hilfen", "--kind", "cooperation", "--party", "Jugendamt Süd",
                    "--party", kita, "--body", fixture.steering, "--signed", "2025-02-01", "--review", "2027-02-01",
                    "--summary", "Gegenseitige Vermittlung", "--reference", "https://kreis.example/frühe-hilfen.pdf")
        let agreement = try jsonObject("agreement", "show", id, "--json")
        XCTAssertEqual(agreement["parties"] as? [String], [fixture.jugendamt, kita])
        XCTAssertEqual(agreement["partyNames"] as? [String], ["Jugendamt Süd", "Kita Sonnenschein"])
        XCTAssertTrue(agreement["district"] is NSNull, "a county body's agreement is county-wide")
        XCTAssertEqual(agreement["kind"] as? String, "cooperation")
        ok("agreement", "add", "Geschäftsordnung Steuerungsgruppe", "--kind", "rules-of-procedure", "--review", "2026-06-30")
        XCTAssertEqual(try jsonArray("agreement", "list", "--json").map { $0["review"] as? String }, ["2026-06-30", "2027-02-01"])
        try assertRejected(["agreement", "add", "Ohne Art"], mentions: ["kind"])
        try assertRejected(["agreement", "add", "Vertrag", "--kind", "vertrag"], mentions: ["cooperation, rules-of-procedure, other"])
        try assertRejected(["agreement", "add", "Vertrag", "--kind", "other", "--party", "Unbekannter Verein"], mentions: ["Unbekannter Verein"])
        ok("agreement", "edit", id, "--party", kita)
        XCTAssertEqual(try jsonObject("agreement", "show", id, "--json")["partyNames"] as? [String], ["Kita Sonnenschein"])
    }
}
