import Foundation
import KetteCommandLine
import KetteProtocol
import KetteServer

private let districtID = Argument<String>("ID", help: LocalizedText("the district's id, e.g. nordstadt", "die ID des Sozialraums, z. B. nordstadt"))
private let districtName = Argument<String>("NAME", help: LocalizedText("the district's name, e.g. Nordstadt", "Name des Sozialraums, z. B. Nordstadt"))
private let parent = Option<String>("parent", value: "ID", help: LocalizedText("the district it belongs to", "der Sozialraum, zu dem er gehört"))
private let userName = Argument<String>("NAME", help: LocalizedText("the user's name", "Name der Person"))
private let role = Option<Role>.choice("role", value: Role.allCases.map(\.rawValue).joined(separator: "|"), help: LocalizedText(
    "what the user may do (required)", "was die Person darf (Pflicht)"))
private let userDistricts = Option<String>("district", value: "ID", help: LocalizedText(
    "a district the user works in (coordinators and district offices); repeat for several",
    "ein Sozialraum, in dem die Person arbeitet (Koordination und Bezirksbüros); für mehrere wiederholen"), repeatable: true)
private let person = Option<String>("person", value: "NAME", help: LocalizedText(
    "the name to remove (quoted if it has spaces; required)", "der zu entfernende Name (mit Leerzeichen in Anführungszeichen; Pflicht)"))

let adminCommands: [ServerCommand] = [
    ServerCommand(
        "district add", abstract: LocalizedText("add a district", "einen Sozialraum anlegen"),
        arguments: [districtID, districtName], options: [parent]
    ) { args, context in
        try context.openStore().addDistrict(id: args[districtID], name: args[districtName], parent: args[parent])
        context.say(ServerText.districtAdded.with(["id": args[districtID]]))
    },
    ServerCommand(
        "district list", abstract: LocalizedText("list the districts", "die Sozialräume auflisten"), options: [limitOption, jsonFlag]
    ) { _, context in
        let districts = context.limited(try context.openStore().districts())
        if context.wantsJSON { return try context.printJSON(districts) }
        for district in districts { context.say("\(district.id)\t\(district.name)") }
    },
    ServerCommand(
        "user add", abstract: LocalizedText("add a user; prints the new user's token once (only its hash is stored)",
                                            "eine Person anlegen; gibt ihr Token einmal aus (gespeichert wird nur sein Hash)"),
        arguments: [userName], options: [role, userDistricts],
        validate: { _ = try $0.require(role) }
    ) { args, context in
        let name = args[userName]
        let token = try context.openStore().addUser(name: name, role: try args.require(role), districts: args.all(userDistricts))
        // The token on stdout alone, so scripts can capture it; the advice on stderr.
        print(token)
        complain(ServerText.tokenShownOnce.with(["name": name])(context.language))
    },
    ServerCommand(
        "user token", abstract: LocalizedText("give an existing user a new token; the old one stops working at once; prints it once",
                                              "einer bestehenden Person einen neuen Token geben; der alte gilt sofort nicht mehr; gibt ihn einmal aus"),
        arguments: [userName],
        discussion: LocalizedText("""
            For a lost laptop or a leaked token: the user keeps name, role and districts, a revoked user is active again.
            The change is audited (`user-token`). Give the new token to the person; they run `kette remote URL --token TOKEN`.
            """, """
            Für einen verlorenen Laptop oder einen bekannt gewordenen Token: Name, Rolle und Sozialräume bleiben, ein
            widerrufener Zugang gilt wieder. Die Änderung wird protokolliert (`user-token`). Den neuen Token der Person geben;
            sie führt `kette remote URL --token TOKEN` aus.
            """)
    ) { args, context in
        let name = args[userName]
        let token = try context.openStore().issueToken(forUser: name)
        print(token)
        complain(ServerText.newTokenShownOnce.with(["name": name])(context.language))
    },
    ServerCommand(
        "user districts", abstract: LocalizedText("set a user's districts (giving or taking a district); counts from the user's next request",
                                                  "die Sozialräume einer Person festlegen (einen geben oder nehmen); gilt ab ihrer nächsten Anfrage"),
        arguments: [userName], options: [userDistricts]
    ) { args, context in
        let districts = args.all(userDistricts)
        try context.openStore().setDistricts(user: args[userName], districts: districts)
        context.say(districts.isEmpty ? ServerText.userNoDistricts.with(["name": args[userName]])
                                      : ServerText.userDistricts.with(["name": args[userName], "districts": districts.joined(separator: ", ")]))
    },
    ServerCommand(
        "user list", abstract: LocalizedText("list the users with role, districts and whether they are revoked",
                                             "die Personen mit Rolle, Sozialräumen und Widerruf auflisten"),
        options: [limitOption, jsonFlag]
    ) { _, context in
        let users = context.limited(try context.openStore().users())
        if context.wantsJSON { return try context.printJSON(users) }
        for user in users {
            let revoked = user.revoked ? "\t" + ServerText.revokedMark(context.language) : ""
            context.say("\(user.name)\t\(ServerText.role(user.role)(context.language))\t\(user.districts.joined(separator: ","))" + revoked)
        }
    },
    ServerCommand(
        "user revoke", abstract: LocalizedText("revoke a user's token; it stops working on the next request",
                                               "das Token einer Person widerrufen; es gilt ab der nächsten Anfrage nicht mehr"),
        arguments: [userName]
    ) { args, context in
        try context.openStore().revokeUser(name: args[userName])
        context.say(ServerText.userRevoked.with(["name": args[userName]]))
    },
    eraseCommand,
    ServerCommand(
        "audit list", abstract: LocalizedText("who changed, read, erased or administered what, and when (no content)",
                                              "wer was geändert, gelesen, gelöscht oder verwaltet hat, und wann (ohne Inhalte)"),
        options: [limitOption, jsonFlag]
    ) { _, context in
        let entries = context.limited(try context.openStore().auditEntries())
        if context.wantsJSON { return try context.printJSON(entries) }
        for entry in entries {
            let time = Moment(milliseconds: entry.at).text(context.language)
            context.say("\(entry.seq)\t\(time)\t\(entry.actor)\t\(ServerText.auditAction(entry.action)(context.language))\t\(entry.detail)")
        }
    },
    ServerCommand(
        "audit verify", abstract: LocalizedText("check the audit log's signature chain and signed head",
                                                "die Signaturkette und den signierten Kopf des Audit-Protokolls prüfen"),
        discussion: LocalizedText("The key is in PATH.audit-key, the head in PATH.audit-head, both next to the database.",
                                  "Der Schlüssel liegt in PATH.audit-key, der Kopf in PATH.audit-head, beide neben der Datenbank.")
    ) { _, context in
        switch try context.openStore().verifyAudit() {
        case .intact(let entries):
            context.say(ServerText.auditIntact.with(["count": entries]))
        case .broken(let entry, let reason):
            fail(entry.map { ServerText.auditAlteredAt.with(["entry": $0, "reason": reason]) } ?? ServerText.auditAltered.with(["reason": reason]), code: 6)
        }
    },
]

private let eraseCommand = ServerCommand(
    "erase", abstract: LocalizedText("remove a person's name from every record, conflict and change-set record",
                                     "den Namen einer Person aus allen Datensätzen, Konflikten und Änderungssätzen entfernen"),
    options: [person, jsonFlag],
    discussion: LocalizedText("""
        The name is matched ignoring case and how accents are encoded, across any white space (also written as
        \\n in the JSON text of conflicts), also inside texts; audit details that hold it are rewritten and signed
        anew. Clients receive the erasure on their next sync.
        """, """
        Der Name wird ohne Rücksicht auf Groß- und Kleinschreibung und auf die Kodierung von Umlauten gefunden, über
        jeden Leerraum hinweg (auch als \\n im JSON-Text von Konflikten), auch in Texten; Audit-Details mit dem Namen
        werden umgeschrieben und neu signiert. Clients erhalten die Löschung beim nächsten Sync.
        """),
    validate: { _ = try $0.require(person) }
) { args, context in
    let report = try context.openStore().erase(person: try args.require(person))
    if context.wantsJSON { try context.printJSON(report) } else {
        context.say(ServerText.erased.with(["versions": report.fieldVersions, "records": report.records, "contactDetails": report.contactDetails,
                                            "authored": report.authoredVersions, "changeSets": report.changeSets]))
        if report.userAccounts > 0 { context.say(ServerText.erasedAccounts.with(["count": report.userAccounts])) }
    }
    // The limits an operator must know (SPEC §8.7): the server keeps no copy of the name.
    complain(ServerText.erasureLimits(context.language))
    if !report.walTruncated {
        fail(ServerText.erasureWAL.with(["path": context.databasePath]), code: 4)
    }
}
