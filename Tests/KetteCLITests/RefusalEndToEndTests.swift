import Foundation
import KetteProtocol
import KetteClient
import KetteStore
import KetteTestSupport
import XCTest

/// Issue 11's refusal and conflict bullets from a user's point of view, with the real `kette` and
/// `kette-server` binaries: refusals that resolve, the write-time scope check, two people
/// resolving one conflict, organization conflicts, and forged conflict records.
extension SyncEndToEndTests {
    func trimmed(_ result: KetteResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    func offerTitles(_ store: String) -> [String] {
        ((json(kette(store, ["offer", "list", "--json"])) as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }.sorted()
    }

    /// Active offers in one cell of `kette report coverage`.
    func coverageCount(_ store: String, district: String, phase: String) throws -> Int {
        let report = try XCTUnwrap(json(kette(store, ["report", "coverage", "--format", "json"])) as? [String: Any])
        let cells = try XCTUnwrap(report["cells"] as? [[String: Any]])
        return cells.first { $0["district"] as? String == district && $0["phase"] as? String == phase }?["activeOffers"] as? Int ?? -1
    }

    /// A coordinator whose store knows her districts refuses an offer in a foreign district as she
    /// writes it: exit 1, a message naming the district and hers, nothing written.
    func testAnOfferInAForeignDistrictIsRefusedAsItIsWrittenOnceTheScopeIsKnown() throws {
        connect("anna", as: "anna")
        let before = try storeSnapshot(path: home("anna") + "/kette.db")
        let refused = kette("anna", ["offer", "add", "--title", "Sprachcafé Süd", "--district", "südstadt"], expect: 1)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertTrue(refused.stderr.contains("Südstadt (suedstadt)") && refused.stderr.contains("Nordstadt (nordstadt)"), refused.stderr)
        XCTAssertEqual(try storeSnapshot(path: home("anna") + "/kette.db"), before, "nothing was written")
        let german = kette("anna", ["offer", "add", "--title", "Sprachcafé Süd", "--district", "südstadt"], env: ["LANG": "de_DE.UTF-8"], expect: 1)
        XCTAssertTrue(german.stderr.contains("außerhalb Ihrer Sozialräume") && german.stderr.contains("Nordstadt (nordstadt)"), german.stderr)
        kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"])
        kette("anna", ["sync"])
    }

    /// Carla's districts changed after her last sync, so her store lets her write in Südstadt; the
    /// server refuses. The offer is taken back, kept in `kette refused`, fails that one sync only,
    /// and goes through with `kette refused retry` once the admin gives her the district.
    func testARefusalAtSyncIsTakenBackFailsOneSyncAndIsAppliedOnRetry() throws {
        tokens["carla"] = try server.admin(["user", "add", "carla", "--role", "coordinator", "--district", "nordstadt", "--district", "suedstadt"])
        connect("carla", as: "carla")
        connect("kreis", as: "kreis")
        try server.admin(["user", "districts", "carla", "--district", "nordstadt"])
        kette("carla", ["offer", "add", "--title", "Sprachcafé Süd", "--district", "südstadt", "--phase", "preschool",
                        "--description", "Deutsch lernen beim Kaffee"])
        XCTAssertEqual(try coverageCount("carla", district: "suedstadt", phase: "preschool"), 1)
        let own = trimmed(kette("carla", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"]))

        let refusedSync = kette("carla", ["sync"], expect: 2)
        XCTAssertTrue(refusedSync.stdout.contains("refused") && refusedSync.stdout.contains("suedstadt"), refusedSync.stdout)
        XCTAssertEqual(offerTitles("carla"), ["Elterncafé"], "taken back: the server never had it")
        XCTAssertFalse(kette("carla", ["search", "Kaffee"]).stdout.contains("Sprachcafé"), "and gone from search")
        // The sync told her store she no longer has Südstadt: the report covers her districts only
        // (issue 15), so the district is no longer in it at all, nor the offer.
        XCTAssertEqual(try coverageCount("carla", district: "suedstadt", phase: "preschool"), -1, "and from the coverage report")
        let kept = try XCTUnwrap(json(kette("carla", ["refused", "--json"])) as? [[String: Any]])
        XCTAssertEqual(kept.count, 1)
        XCTAssertEqual(kept.first?["code"] as? String, "forbidden")
        let refusalID = try XCTUnwrap(kept.first?["id"] as? String)
        XCTAssertTrue(kette("carla", ["refused", "show", RecordIdentifier.shortCode(refusalID)]).stdout.contains("Sprachcafé Süd"), "the content stays visible")
        XCTAssertTrue(kette("carla", ["refused"]).stdout.contains(RecordIdentifier.shortCode(refusalID)))
        let status = try XCTUnwrap(json(kette("carla", ["status", "--json"])) as? [String: Any])
        XCTAssertEqual((status["refusedChangeSets"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [refusalID])
        XCTAssertEqual(status["pendingChangeSets"] as? Int, 0)

        // The next nights' unattended syncs succeed; moving on with other work syncs normally.
        kette("carla", ["sync"])
        kette("carla", ["offer", "edit", own, "--location", "Rathaus"])
        let next = try XCTUnwrap(json(kette("carla", ["sync", "--json"])) as? [String: Any])
        XCTAssertEqual((next["refusedChangeSets"] as? [Any])?.count, 0)
        XCTAssertEqual(next["keptRefusals"] as? Int, 1)
        kette("carla", ["offer", "delete", own, "--yes"])
        kette("carla", ["sync"])

        // Still outside her districts: the retry is refused at once and the refusal stays.
        let early = kette("carla", ["refused", "retry", refusalID], expect: 1)
        XCTAssertTrue(early.stderr.contains("kette sync"), early.stderr)
        try server.admin(["user", "districts", "carla", "--district", "nordstadt", "--district", "suedstadt"])
        kette("carla", ["sync"])
        kette("carla", ["refused", "retry", RecordIdentifier.shortCode(refusalID)])
        XCTAssertEqual(offerTitles("carla"), ["Sprachcafé Süd"])
        kette("carla", ["sync"])
        XCTAssertEqual((json(kette("carla", ["refused", "--json"])) as? [Any])?.count, 0)
        kette("kreis", ["sync"])
        XCTAssertEqual(offerTitles("kreis"), ["Sprachcafé Süd"], "the county has it")
    }

    /// Before a store's first sync its scope is unknown: nothing is refused as it is written; the
    /// server's refusals are taken back, and `kette refused drop` forgets them.
    func testBeforeTheFirstSyncRefusalsComeFromTheServerAndCanBeDropped() throws {
        kette("anna", ["init", "--name", "anna"])
        kette("anna", ["remote", server.url, "--token", tokens["anna"]!])
        kette("anna", ["district", "add", "Weststadt", "--id", "weststadt"])
        kette("anna", ["offer", "add", "--title", "Angebot West", "--district", "weststadt"])
        let sync = try XCTUnwrap(json(kette("anna", ["sync", "--json"], expect: 2)) as? [String: Any])
        XCTAssertEqual((sync["refusedChangeSets"] as? [[String: Any]])?.compactMap { $0["code"] as? String }, ["forbidden", "forbidden"])
        XCTAssertEqual(offerTitles("anna"), [])
        XCTAssertFalse(kette("anna", ["district", "list"]).stdout.contains("Weststadt"))
        let first = try XCTUnwrap((json(kette("anna", ["refused", "--json"])) as? [[String: Any]])?.first?["id"] as? String)
        // Dropping loses the content for good: it asks, and without a terminal to ask on only --yes drops.
        let unconfirmed = kette("anna", ["refused", "drop", RecordIdentifier.shortCode(first)], expect: 1)
        XCTAssertTrue(unconfirmed.stderr.contains("--yes") && unconfirmed.stderr.contains("refused change set"), "\(unconfirmed)")
        let german = kette("anna", ["refused", "drop", "--all"], env: ["LANG": "de_DE.UTF-8"], expect: 1)
        XCTAssertTrue(german.stderr.contains("alle hier aufbewahrten abgelehnten Änderungssätze (2)"), "\(german)")
        XCTAssertEqual((json(kette("anna", ["refused", "--json"])) as? [Any])?.count, 2, "nothing dropped unasked")
        kette("anna", ["refused", "drop", RecordIdentifier.shortCode(first), "--yes"])
        XCTAssertEqual((json(kette("anna", ["refused", "--json"])) as? [Any])?.count, 1)
        kette("anna", ["refused", "drop", "--all", "--yes"])
        XCTAssertEqual((json(kette("anna", ["refused", "--json"])) as? [Any])?.count, 0)
        kette("anna", ["sync"])
    }

    /// Anna and the county office resolve the same conflict differently before either syncs: a
    /// new conflict, shown to both, instead of one resolution silently winning.
    func testTwoPeopleResolvingTheSameConflictGetANewConflictBothSee() throws {
        connect("anna", as: "anna")
        connect("kreis", as: "kreis")
        let offer = trimmed(kette("anna", ["offer", "add", "--title", "Elterncafé", "--district", "nordstadt"]))
        kette("anna", ["sync"]); kette("kreis", ["sync"])
        kette("anna", ["offer", "edit", offer, "--title", "Elterncafé Nord"])
        kette("kreis", ["offer", "edit", offer, "--title", "Familiencafé"])
        kette("anna", ["sync"]); kette("kreis", ["sync"], expect: 2); kette("anna", ["sync"], expect: 2)
        let first = try XCTUnwrap((json(kette("anna", ["conflicts", "--json"])) as? [[String: Any]])?.first?["id"] as? String)

        // Each keeps their own title, offline.
        kette("anna", ["conflicts", "resolve", RecordIdentifier.shortCode(first), "--keep", "mine"])
        kette("kreis", ["conflicts", "resolve", RecordIdentifier.shortCode(first), "--keep", "mine"])
        kette("anna", ["sync"]); kette("kreis", ["sync"], expect: 2); kette("anna", ["sync"], expect: 2)
        var seen: [String] = []
        for store in ["anna", "kreis"] {
            let open = try XCTUnwrap(json(kette(store, ["conflicts", "--json"])) as? [[String: Any]])
            XCTAssertEqual(open.count, 1, "\(store) sees the new conflict")
            XCTAssertEqual(open.first?["field"] as? String, "title")
            seen += open.compactMap { $0["id"] as? String }
        }
        XCTAssertEqual(Set(seen).count, 1, "the same conflict on both sides")
        XCTAssertNotEqual(seen.first, first)
    }

    /// A coordinator resolves a conflict about an organization (the register everyone writes) and
    /// reads it by id; the resolution is not refused.
    func testACoordinatorResolvesAnOrganizationConflictAndReadsItById() throws {
        connect("anna", as: "anna")
        connect("bert", as: "bert")
        let org = trimmed(kette("anna", ["org", "add", "Jugendamt"]))
        kette("anna", ["sync"]); kette("bert", ["sync"])
        // `kette` has no command to rename an organization; the stores' own write path does it.
        for (store, name) in [("anna", "Jugendamt Nord"), ("bert", "Kreisjugendamt")] {
            try LocalStore(directory: home(store)).record("org edit") { change in try change.set(.organization, org, "name", .string(name)) }
        }
        kette("anna", ["sync"]); kette("bert", ["sync"], expect: 2)
        let conflict = try XCTUnwrap((json(kette("bert", ["conflicts", "--json"])) as? [[String: Any]])?.first?["id"] as? String)
        let byID = try curl(["-H", "Authorization: Bearer \(tokens["bert"]!)", "\(server.url)/v1/records/conflict/\(conflict)"])
        XCTAssertEqual(byID.status, 200, byID.body)

        kette("bert", ["conflicts", "resolve", RecordIdentifier.shortCode(conflict), "--keep", "mine"])
        let resolved = try XCTUnwrap(json(kette("bert", ["sync", "--json"])) as? [String: Any])
        XCTAssertEqual((resolved["refusedChangeSets"] as? [Any])?.count, 0, "the resolution is not refused")
        kette("anna", ["sync"])
        for store in ["anna", "bert"] {
            XCTAssertEqual((json(kette(store, ["conflicts", "--json"])) as? [Any])?.count, 0, store)
        }
    }

    /// A conflict record a client makes up is refused, and nobody pulls it.
    func testAForgedConflictRecordIsRefused() throws {
        connect("anna", as: "anna")
        let stamp = "\(String(format: "%015lld", Int64(Date().timeIntervalSince1970 * 1000)))-0000-aaaa"
        let fields = ["recordType": "offer", "recordID": "x", "field": "title", "winnerValue": "\"Gefälscht\"", "winnerAuthor": "kreis", "status": "open"]
        let changes = fields.map { #"{"type":"conflict","id":"forged-1","field":"\#($0.key)","value":\#(String(decoding: try! JSONEncoder().encode($0.value), as: UTF8.self)),"hlc":"\#(stamp)"}"# }
        let body = #"{"changeSets":[{"id":"forged-set","replica":"aaaa","schemaVersion":1,"summary":"conflict","changes":[\#(changes.joined(separator: ","))]}]}"#
        let push = try curl(["-H", "Authorization: Bearer \(tokens["anna"]!)", "-H", "Content-Type: application/json", "--data-binary", body,
                             "\(server.url)/v1/changesets"])
        XCTAssertEqual(push.status, 200, push.body)
        XCTAssertTrue(push.body.contains(#""code":"forbidden""#) && push.body.contains("only the server creates conflict records"), push.body)
        let pulled = try curl(["-H", "Authorization: Bearer \(tokens["kreis"]!)", "\(server.url)/v1/changes?after=0&limit=5000"])
        XCTAssertFalse(pulled.body.contains("forged-1") || pulled.body.contains("Gefälscht"), pulled.body)
    }
}
