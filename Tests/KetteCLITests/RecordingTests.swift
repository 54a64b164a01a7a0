import Foundation
import KetteProtocol
import KetteStore
import KetteTestSupport
import XCTest

/// Recording, editing, listing, showing, searching and deleting through the real `kette` binary.
final class RecordingTests: KetteCLITestCase {
    /// The `Label: value` lines of `offer show`, as a dictionary.
    private func shownFields(_ output: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    private let allOfferFlags = [
        "--phase", "primary,preschool", "--category", "promotion", "--sector", "youth-welfare",
        "--provider", "jugendamt süd", "--description", "Spielerische Sprachförderung für Kinder mit Deutsch als Zweitsprache",
        "--status", "planned", "--contact", "Frau Öztürk, 0521 123", "--location", "Kita Sonnenschein, Lindenweg 3",
        "--cost", "free", "--languages", "de, TR,ar", "--target-groups", "Eltern,Alleinerziehende",
        "--schedule", "dienstags 9–11 Uhr", "--accessibility", "barrierefrei", "--start", "2026-03-01", "--end", "2026-12-31",
    ]

    func testOfferAddPrintsIdAndShowHasEveryFieldInTextAndJSON() throws {
        let fixture = makeFixture()
        let before = try pendingChangeSets()
        let id = addOffer(title: "Sprachförderung in der Kita", district: "südstadt", extra: allOfferFlags)
        XCTAssertTrue(isUUID(id), "offer add should print only the new id, got \(id)")
        XCTAssertEqual(try pendingChangeSets(), before + 1, "one user action is one change set")
        XCTAssertEqual(try status()["offers"] as? Int, 1)

        // --json: stable English keys and slugs; lists as lists; references as ids plus names.
        let offer = try jsonObject("offer", "show", id, "--json")
        XCTAssertEqual(offer["id"] as? String, id)
        XCTAssertEqual(offer["title"] as? String, "Sprachförderung in der Kita")
        XCTAssertEqual(offer["district"] as? String, fixture.suedstadt)
        XCTAssertEqual(offer["districtName"] as? String, "Südstadt")
        XCTAssertEqual(offer["phases"] as? [String], ["preschool", "primary"], "phases are stored in the order of growing up")
        XCTAssertEqual(offer["category"] as? String, "promotion")
        XCTAssertEqual(offer["sector"] as? String, "youth-welfare")
        XCTAssertEqual(offer["provider"] as? String, fixture.jugendamt)
        XCTAssertEqual(offer["providerName"] as? String, "Jugendamt Süd")
        XCTAssertEqual(offer["description"] as? String, "Spielerische Sprachförderung für Kinder mit Deutsch als Zweitsprache")
        XCTAssertEqual(offer["status"] as? String, "planned")
        XCTAssertEqual(offer["contact"] as? String, "Frau Öztürk, 0521 123")
        XCTAssertEqual(offer["location"] as? String, "Kita Sonnenschein, Lindenweg 3")
        XCTAssertEqual(offer["cost"] as? String, "free")
        XCTAssertEqual(offer["languages"] as? [String], ["de", "tr", "ar"], "languages are trimmed and lowercased")
        XCTAssertEqual(offer["targetGroups"] as? [String], ["Eltern", "Alleinerziehende"])
        XCTAssertEqual(offer["schedule"] as? String, "dienstags 9–11 Uhr")
        XCTAssertEqual(offer["accessibility"] as? String, "barrierefrei")
        XCTAssertEqual(offer["start"] as? String, "2026-03-01")
        XCTAssertEqual(offer["end"] as? String, "2026-12-31")

        // Human output: English labels and values.
        let shown = shownFields(ok("offer", "show", id))
        XCTAssertEqual(shown["ID"], id)
        XCTAssertEqual(shown["Title"], "Sprachförderung in der Kita")
        XCTAssertEqual(shown["District"], "Südstadt")
        XCTAssertEqual(shown["Life phases"], "Preschool age (3–6), Primary school age (6–10)")
        XCTAssertEqual(shown["Category"], "Early support")
        XCTAssertEqual(shown["Sector"], "Youth welfare")
        XCTAssertEqual(shown["Provider"], "Jugendamt Süd")
        XCTAssertEqual(shown["Status"], "planned")
        XCTAssertEqual(shown["Cost"], "free of charge")
        XCTAssertEqual(shown["Languages"], "de, tr, ar")
        XCTAssertEqual(shown["Contact"], "Frau Öztürk, 0521 123")
        XCTAssertEqual(shown["Location"], "Kita Sonnenschein, Lindenweg 3")
        XCTAssertEqual(shown["Start"], "2026-03-01")
        XCTAssertEqual(shown["Description"], "Spielerische Sprachförderung für Kinder mit Deutsch als Zweitsprache")
    }

    func testOfferJSONHasEveryKeyEvenWhenUnsetAndStatusDefaultsToActive() throws {
        _ = makeFixture()
        let id = addOffer(title: "Minimal")
        let offer = try jsonObject("offer", "show", id, "--json")
        for key in ["id", "title", "district", "phases", "category", "sector", "provider", "description", "status",
                    "contact", "location", "cost", "languages"] {
            XCTAssertTrue(offer.keys.contains(key), "offer --json lacks the key \(key): \(offer.keys.sorted())")
        }
        XCTAssertEqual(offer["phases"] as? [String], [], "phases is always a list")
        XCTAssertEqual(offer["languages"] as? [String], [], "languages is always a list")
        XCTAssertTrue(offer["category"] is NSNull, "an unset field is null, not missing")
        XCTAssertTrue(offer["provider"] is NSNull)
        XCTAssertEqual(offer["status"] as? String, "active")
        XCTAssertEqual(offer["district"] as? String, "nordstadt")
    }

    func testOfferEditChangesOnlyTheGivenFieldsAndAnEmptyValueClears() throws {
        _ = makeFixture()
        let id = addOffer(title: "Elterncafé", extra: allOfferFlags)
        let before = try jsonObject("offer", "show", id, "--json")
        let pending = try pendingChangeSets()

        // By the first eight characters of the id, as `offer list` shows it.
        XCTAssertEqual(ok("offer", "edit", RecordIdentifier.shortCode(id), "--title", "Elterncafé am Markt", "--status", "active",
                          "--description", "", "--phase", "adolescence"), id)
        let after = try jsonObject("offer", "show", id, "--json")
        XCTAssertEqual(after["title"] as? String, "Elterncafé am Markt")
        XCTAssertEqual(after["status"] as? String, "active")
        XCTAssertTrue(after["description"] is NSNull, "an empty value clears the field: \(after["description"] ?? "missing")")
        XCTAssertEqual(after["phases"] as? [String], ["adolescence"])
        for key in ["district", "category", "sector", "provider", "contact", "location", "cost", "languages", "targetGroups",
                    "schedule", "accessibility", "start", "end"] {
            XCTAssertEqual("\(after[key] ?? "missing")", "\(before[key] ?? "missing")", "edit touched \(key), which was not given")
        }
        XCTAssertEqual(try pendingChangeSets(), pending + 1)

        // The change set holds exactly the fields that changed.
        do {
            let database = try Database(path: runner.databasePath)
            let seq = try XCTUnwrap(try database.scalarInt("SELECT max(seq) FROM outbox_change_sets"))
            XCTAssertEqual(try database.scalarString("SELECT summary FROM outbox_change_sets WHERE seq = ?", [seq]), "offer edit")
            let fields = Set(try database.rows("SELECT record_type, record_id, field FROM outbox_changes WHERE change_set_seq = ?", [seq])
                .map { "\($0.string(0) ?? "")/\($0.string(1) ?? "")/\($0.string(2) ?? "")" })
            XCTAssertEqual(fields, Set(["title", "status", "description", "phases"].map { "offer/\(id)/\($0)" }))
        }

        // Writing the value a field already holds records nothing.
        XCTAssertEqual(ok("offer", "edit", id, "--title", "Elterncafé am Markt"), id)
        XCTAssertEqual(try pendingChangeSets(), pending + 1, "an edit that changes nothing must not queue a change set")
    }

    func testOfferListShowsAllAndFiltersByDistrictPhaseCategoryAndStatus() throws {
        _ = makeFixture()
        let a = addOffer(title: "Babylotsen", extra: ["--phase", "pregnancy,early-childhood", "--category", "support", "--status", "active"])
        let b = addOffer(title: "Ballschule", district: "Südstadt", extra: ["--phase", "primary", "--category", "sport", "--status", "planned"])
        let c = addOffer(title: "Jugendberatung", extra: ["--phase", "adolescence", "--category", "counselling", "--status", "ended"])

        func ids(_ args: String...) throws -> [String] {
            let output = ok(["offer", "list", "--json"] + args)
            let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output)
            return list.compactMap { $0["id"] as? String }
        }
        XCTAssertEqual(try ids(), [a, b, c], "all offers, by title")
        XCTAssertEqual(try ids("--district", "nordstadt"), [a, c])
        XCTAssertEqual(try ids("--district", "südstadt"), [b])
        XCTAssertEqual(try ids("--phase", "early-childhood"), [a])
        XCTAssertEqual(try ids("--phase", "Grundschulalter"), [b], "a German label is accepted for a phase")
        XCTAssertEqual(try ids("--category", "sport"), [b])
        XCTAssertEqual(try ids("--status", "ended"), [c])
        XCTAssertEqual(try ids("--district", "nordstadt", "--status", "active"), [a])
        XCTAssertEqual(try ids("--phase", "transition"), [])

        let table = ok("offer", "list")
        let lines = table.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.contains("TITLE") == true, table)
        XCTAssertEqual(lines.count, 5, "header, three offers and the count: \(table)")
        XCTAssertTrue(lines[1].hasPrefix(RecordIdentifier.shortCode(a)) && lines[1].contains("Babylotsen") && lines[1].contains("Support"), table)
        XCTAssertTrue(lines[2].contains("Ballschule") && lines[2].contains("Südstadt") && lines[2].contains("planned"), table)
        XCTAssertEqual(lines.last, "3 offers")
    }

    /// A hit's snippet with its marks (`snippetMarks`, Unicode scalar offsets) in brackets.
    private func markedSnippet(_ hit: [String: Any]) -> String {
        var scalars = Array((hit["snippet"] as? String ?? "").unicodeScalars)
        for mark in ((hit["snippetMarks"] as? [[String: Int]]) ?? []).reversed() {
            guard let offset = mark["offset"], let length = mark["length"], offset + length <= scalars.count else { return "marks out of range: \(hit)" }
            scalars.insert("]", at: offset + length)
            scalars.insert("[", at: offset)
        }
        return String(String.UnicodeScalarView(scalars))
    }

    func testSearchFindsOffersAndMinutesAndAgendaNotesRankedWithSnippets() throws {
        _ = makeFixture()
        let inTitle = addOffer(title: "Hebammensprechstunde im Familienzentrum")
        let inDescription = addOffer(title: "Elterncafé", extra: ["--description", "Einmal im Monat mit Besuch der Hebammensprechstunde"])
        let meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--place", "Rathaus",
                         "--minutes", "Die Ergebnisse der Schuleingangsuntersuchung wurden vorgestellt.")
        ok("meeting", "agenda", meeting, "Kita-Übergänge", "--notes", "Die Sprachstandserhebung soll früher stattfinden.")

        // Ranked: a match in the title beats one in the description; JSON ranks ascend (best first).
        let hits = try jsonArray("search", "hebammensprechstunde", "--json")
        XCTAssertEqual(hits.compactMap { $0["id"] as? String }, [inTitle, inDescription])
        XCTAssertEqual(hits.compactMap { $0["kind"] as? String }, ["offer", "offer"])
        XCTAssertEqual(hits.compactMap { $0["rank"] as? Int }, [1, 2], "results come best first")
        XCTAssertTrue(markedSnippet(hits[1]).contains("[Hebammensprechstunde]"), "\(hits[1])")

        // The start of a word finds it; every word must occur.
        XCTAssertEqual(try jsonArray("search", "Hebamm", "--json").count, 2)
        XCTAssertEqual(try jsonArray("search", "Elterncafé Monat", "--json").compactMap { $0["id"] as? String }, [inDescription])

        // Minutes text and agenda notes find their meeting, with the match marked in the snippet.
        let inMinutes = try jsonArray("search", "Schuleingangsuntersuchung", "--json")
        XCTAssertEqual(inMinutes.compactMap { $0["id"] as? String }, [meeting])
        XCTAssertEqual(inMinutes.first?["kind"] as? String, "meeting")
        XCTAssertTrue(inMinutes.first.map(markedSnippet)?.contains("[Schuleingangsuntersuchung]") == true, "\(inMinutes)")
        XCTAssertTrue((inMinutes.first?["title"] as? String)?.contains("Steuerungsgruppe Präventionskette") == true, "\(inMinutes)")
        let inNotes = try jsonArray("search", "sprachstandserhebung", "--json")
        XCTAssertEqual(inNotes.compactMap { $0["id"] as? String }, [meeting], "agenda notes are searchable")
        XCTAssertTrue(inNotes.first.map(markedSnippet)?.contains("[Sprachstandserhebung]") == true, "\(inNotes)")

        // Human output: short id, kind, title, then the snippet.
        let text = ok("search", "Schuleingangsuntersuchung")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, text)
        XCTAssertTrue(lines[0].hasPrefix(RecordIdentifier.shortCode(meeting)) && lines[0].contains("meeting:"), text)
        XCTAssertTrue(lines[1].contains("[Schuleingangsuntersuchung]"), text)

        // New minutes replace the old ones in the index.
        ok("meeting", "edit", meeting, "--minutes", "Das Familienpatenprojekt startet im Mai.")
        XCTAssertEqual(try jsonArray("search", "Schuleingangsuntersuchung", "--json").count, 0)
        XCTAssertEqual(try jsonArray("search", "Familienpatenprojekt", "--json").compactMap { $0["id"] as? String }, [meeting])
        XCTAssertEqual(ok("search", "Zauberwort"), "No matches.")
    }

    func testDeletedOfferAndMeetingAreGoneFromListShowAndSearch() throws {
        _ = makeFixture()
        let keep = addOffer(title: "Ballschule", extra: ["--description", "Bewegungsförderung im Sportverein"])
        let gone = addOffer(title: "Bewegungskita", extra: ["--description", "Bewegungsförderung im Kita-Alltag"])
        let meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-04-01", "--minutes", "Bewegungsförderung ausbauen")
        XCTAssertEqual(try jsonArray("search", "Bewegungsförderung", "--json").count, 3)
        let pending = try pendingChangeSets()

        // By its title, case-insensitively.
        XCTAssertEqual(ok("offer", "delete", "bewegungskita", "--yes"), "Deleted offer \(gone).")
        XCTAssertEqual(try pendingChangeSets(), pending + 1, "a delete is a tombstone change set that syncs")
        XCTAssertEqual(try jsonArray("offer", "list", "--json").compactMap { $0["id"] as? String }, [keep])
        XCTAssertFalse(ok("offer", "list").contains("Bewegungskita"))
        XCTAssertEqual(try status()["offers"] as? Int, 1)
        let show = kette("offer", "show", gone)
        XCTAssertEqual(show.exitCode, 1, "\(show)")
        XCTAssertTrue(show.stderr.contains("no offer"), "\(show)")
        let hits = try jsonArray("search", "Bewegungsförderung", "--json").compactMap { $0["id"] as? String }
        XCTAssertEqual(Set(hits), Set([keep, meeting]))

        XCTAssertEqual(ok("meeting", "delete", RecordIdentifier.shortCode(meeting), "--yes"), "Deleted meeting \(meeting).")
        XCTAssertEqual(try jsonArray("meeting", "list", "--json").count, 0)
        XCTAssertEqual(kette("meeting", "show", meeting).exitCode, 1)
        XCTAssertEqual(try jsonArray("search", "Bewegungsförderung", "--json").compactMap { $0["id"] as? String }, [keep])
        XCTAssertEqual(try status()["meetings"] as? Int, 0)

        // Deleting again finds nothing and writes nothing.
        try assertRejected(["offer", "delete", gone], mentions: ["offer", gone])
    }

    func testANewProcessSeesEverythingRecordedBefore() throws {
        let fixture = makeFixture()
        let offer = addOffer(title: "Familienpaten", district: "südstadt", extra: ["--provider", "Jugendamt Süd", "--phase", "early-childhood"])
        let meeting = ok("meeting", "add", "--body", "Steuerungsgruppe Präventionskette", "--date", "2026-05-06", "--time", "14:00",
                         "--place", "Rathaus, Raum 2", "--attendee", "Anna Müller; Jugendamt Süd; Leitung",
                         "--attendee", "Jörg Weiß; Gesundheitsamt", "--attendee", "Ayşe Yılmaz", "--offer", "familienpaten",
                         "--minutes-file", "-", stdin: "Protokoll: Bedarfe im Sozialraum Südstadt besprochen.\n")
        let agenda = ok("meeting", "agenda", meeting, "Bedarfsanalyse", "--notes", "Zahlen aus der Kita-Befragung")
        let decision = ok("meeting", "decide", meeting, "Die Familienpaten werden auf die Nordstadt ausgeweitet.")
        let task = ok("task", "add", RecordIdentifier.shortCode(meeting), "Finanzierung klären", "--owner", "Frau Öztürk", "--due", "2026-06-30")
        let pending = try pendingChangeSets()

        // A later process, pointed at the store with --home instead of KETTE_HOME, sees it all.
        let home = runner.home.path
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok(["status", "--json", "--home", home], env: ["KETTE_HOME": nil]).utf8)) as? [String: Any])
        XCTAssertEqual(status["districts"] as? Int, 2)
        XCTAssertEqual(status["organizations"] as? Int, 1)
        XCTAssertEqual(status["offers"] as? Int, 1)
        XCTAssertEqual(status["bodies"] as? Int, 1)
        XCTAssertEqual(status["meetings"] as? Int, 1)
        XCTAssertEqual(status["openTasks"] as? Int, 1)
        XCTAssertEqual(status["name"] as? String, "Koordination Kreis")
        XCTAssertEqual(status["pendingChangeSets"] as? Int, pending)

        let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ok(["meeting", "show", meeting, "--json", "--home", home],
                                                                                   env: ["KETTE_HOME": nil]).utf8)) as? [String: Any])
        XCTAssertEqual(shown["body"] as? String, fixture.steering)
        XCTAssertEqual(shown["date"] as? String, "2026-05-06")
        XCTAssertEqual(shown["time"] as? String, "14:00")
        XCTAssertEqual(shown["place"] as? String, "Rathaus, Raum 2")
        XCTAssertEqual(shown["minutes"] as? String, "Protokoll: Bedarfe im Sozialraum Südstadt besprochen.\n")
        XCTAssertEqual(shown["offers"] as? [String], [offer])
        let attendees = try XCTUnwrap(shown["attendees"] as? [[String: Any]])
        XCTAssertEqual(attendees.compactMap { $0["name"] as? String }, ["Anna Müller", "Jörg Weiß", "Ayşe Yılmaz"])
        XCTAssertEqual(attendees[0]["organization"] as? String, "Jugendamt Süd")
        XCTAssertEqual(attendees[0]["role"] as? String, "Leitung")
        XCTAssertEqual(attendees[1]["organization"] as? String, "Gesundheitsamt")
        XCTAssertTrue(attendees[1]["role"] == nil || attendees[1]["role"] is NSNull, "no role was given: \(attendees[1])")
        XCTAssertEqual((shown["agenda"] as? [[String: Any]])?.first?["id"] as? String, agenda)
        XCTAssertEqual((shown["agenda"] as? [[String: Any]])?.first?["notes"] as? String, "Zahlen aus der Kita-Befragung")
        XCTAssertEqual((shown["decisions"] as? [[String: Any]])?.first?["id"] as? String, decision)
        XCTAssertEqual((shown["tasks"] as? [[String: Any]])?.first?["id"] as? String, task)

        let text = ok("meeting", "show", meeting)
        XCTAssertTrue(text.hasPrefix("Steuerungsgruppe Präventionskette — 2026-05-06 14:00, Rathaus, Raum 2"), text)
        XCTAssertTrue(text.contains("  - Anna Müller; Jugendamt Süd; Leitung"), text)
        XCTAssertTrue(text.contains("Item 1: Bedarfsanalyse"), text)
        XCTAssertTrue(text.contains("[ ] Finanzierung klären — Frau Öztürk, due 2026-06-30"), text)

        // Done in one process, done in the next; the owner filter folds case and umlauts.
        XCTAssertEqual(try jsonArray("task", "list", "--open", "--owner", "ÖZTÜRK", "--json").compactMap { $0["id"] as? String }, [task])
        XCTAssertEqual(ok("task", "done", RecordIdentifier.shortCode(task)), "Action item \(task) done.")
        XCTAssertEqual(try jsonArray("task", "list", "--open", "--json").count, 0)
        XCTAssertEqual(try jsonArray("task", "list", "--json").first?["status"] as? String, "done")
        XCTAssertEqual(try self.status()["openTasks"] as? Int, 0)
        XCTAssertEqual(try jsonArray("meeting", "list", "--body", "steuerungsgruppe", "--json").compactMap { $0["id"] as? String }, [meeting])
    }

    func testNamesResolveCaseInsensitivelyWithUmlauts() throws {
        let fixture = makeFixture()
        let lower = addOffer(title: "Lesepaten", district: "südstadt", extra: ["--provider", "jugendamt süd"])
        let shown = try jsonObject("offer", "show", lower, "--json")
        XCTAssertEqual(shown["district"] as? String, fixture.suedstadt, "\"südstadt\" finds \"Südstadt\"")
        XCTAssertEqual(shown["provider"] as? String, fixture.jugendamt, "\"jugendamt süd\" finds \"Jugendamt Süd\"")

        let upper = addOffer(title: "Schwimmkurs", district: "SÜDSTADT", extra: ["--provider", "JUGENDAMT SÜD"])
        XCTAssertEqual(try jsonObject("offer", "show", upper, "--json")["district"] as? String, fixture.suedstadt)
        // The same name typed with a combining umlaut (NFD, as some keyboards and file systems produce it).
        let decomposed = addOffer(title: "Kochkurs", district: "su\u{0308}dstadt")
        XCTAssertEqual(try jsonObject("offer", "show", decomposed, "--json")["district"] as? String, fixture.suedstadt)

        // Offers by title, bodies by the start of their name.
        XCTAssertEqual(try jsonObject("offer", "show", "LESEPATEN", "--json")["id"] as? String, lower)
        let meeting = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-01-20")
        XCTAssertEqual(try jsonObject("meeting", "show", meeting, "--json")["body"] as? String, fixture.steering)
        XCTAssertEqual(try jsonArray("offer", "list", "--district", "Südstadt", "--json").count, 3)

        // Umlauts stay distinct from their base letters: "sudstadt" is not "Südstadt".
        try assertRejected(["offer", "add", "--title", "X", "--district", "sudstadt"], mentions: ["district", "sudstadt"])
    }

    func testAnAmbiguousNameExitsOneListsTheCandidatesAndWritesNothing() throws {
        _ = makeFixture()
        let ost = ok("district", "add", "Nordstadt Ost")
        // "nord" starts two district names.
        let result = try assertRejected(["offer", "add", "--title", "X", "--district", "nord"],
                                        mentions: ["district", "nord", "Nordstadt [nordstadt]", "Nordstadt Ost [\(ost)]", "id"])
        XCTAssertTrue(result.stderr.contains("more than one"), "\(result)")
        // A whole name wins over names that merely start with it.
        XCTAssertEqual(try jsonObject("offer", "show", addOffer(title: "Y", district: "NORDSTADT"), "--json")["district"] as? String, "nordstadt")

        // Two offers with the same title: show, edit and delete by that title refuse to guess.
        let first = addOffer(title: "Elterncafé")
        let second = addOffer(title: "elterncafé", district: "südstadt")
        for command in [["offer", "show", "Elterncafé"], ["offer", "delete", "ELTERNCAFÉ"], ["offer", "edit", "elterncafé", "--status", "ended"]] {
            try assertRejected(command, mentions: ["offer", first, second])
        }
        XCTAssertEqual(try jsonArray("offer", "list", "--json").count, 3)
    }

    func testGermanOutputWhenLANGIsGermanEnglishOtherwise() throws {
        _ = makeFixture()
        let id = addOffer(title: "Sprachförderung", extra: ["--phase", "preschool", "--category", "promotion", "--cost", "free",
                                                            "--status", "active", "--sector", "health"])
        let german: [String: String?] = ["LANG": "de_DE.UTF-8"]
        let shownGerman = shownFields(ok(["offer", "show", id], env: german))
        XCTAssertEqual(shownGerman["Titel"], "Sprachförderung")
        XCTAssertEqual(shownGerman["Sozialraum"], "Nordstadt")
        XCTAssertEqual(shownGerman["Lebensphasen"], "Kita-Alter")
        XCTAssertEqual(shownGerman["Kategorie"], "Förderung")
        XCTAssertEqual(shownGerman["Bereich"], "Gesundheit")
        XCTAssertEqual(shownGerman["Status"], "aktiv")
        XCTAssertEqual(shownGerman["Kosten"], "kostenfrei")
        XCTAssertNil(shownGerman["Life phases"])

        let listGerman = ok(["offer", "list"], env: german)
        XCTAssertTrue(listGerman.contains("TITEL") && listGerman.contains("Förderung") && listGerman.hasSuffix("1 Angebot"), listGerman)
        XCTAssertTrue(ok(["status"], env: german).contains("Änderungssätze, die auf Sync warten:"))

        // German errors, both for input and for usage.
        let badPhase = kette("offer", "add", "--title", "X", "--district", "nordstadt", "--phase", "baby", env: german)
        XCTAssertEqual(badPhase.exitCode, 1)
        XCTAssertTrue(badPhase.stderr.hasPrefix("kette: Fehler: Unbekannter Wert „baby“ für Lebensphase. Erlaubt: "), "\(badPhase)")
        let badOption = kette("offer", "add", "--farbe", "rot", env: german)
        XCTAssertEqual(badOption.exitCode, 1)
        XCTAssertTrue(badOption.stderr.contains("Unbekannte Option „--farbe“") && badOption.stderr.contains("siehe `kette offer add --help`"), "\(badOption)")
        let missing = kette("offer", "show", "Gibtsnicht", env: german)
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(missing.stderr.contains("Kein Eintrag (Angebot) „Gibtsnicht“ gefunden."), "\(missing)")

        // --json stays English slugs whatever the language.
        let json = ok(["offer", "show", id, "--json"], env: german)
        XCTAssertTrue(json.contains("\"promotion\"") && json.contains("\"preschool\"") && !json.contains("Förderung\""), json)

        // English for an English, a C, and no LANG at all; German LANG wins over an English LC_ALL.
        for env: [String: String?] in [["LANG": "en_GB.UTF-8"], ["LANG": "C.UTF-8"], ["LANG": nil]] {
            let shown = shownFields(ok(["offer", "show", id], env: env))
            XCTAssertEqual(shown["Life phases"], "Preschool age (3–6)", "\(env)")
            XCTAssertEqual(shown["Category"], "Early support", "\(env)")
            XCTAssertNil(shown["Kategorie"], "\(env)")
            let error = kette("offer", "show", "Gibtsnicht", env: env)
            XCTAssertEqual(error.stderr, "kette: error: no offer 'Gibtsnicht' found.\n", "\(env)")
        }
        XCTAssertEqual(shownFields(ok(["offer", "show", id], env: ["LANG": "de_DE.UTF-8", "LC_ALL": "C.UTF-8"]))["Kategorie"], "Förderung")
    }
}
