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
        context.say("district \(args[districtID]) added")
    },
    ServerCommand(
        "district list", abstract: LocalizedText("list the districts", "die Sozialräume auflisten"), options: [jsonFlag]
    ) { _, context in
        let districts = try context.openStore().districts()
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
        complain("token for \(name) shown once; only its hash is stored")
    },
    ServerCommand(
        "user districts", abstract: LocalizedText("set a user's districts (giving or taking a district); counts from the user's next request",
                                                  "die Sozialräume einer Person festlegen (einen geben oder nehmen); gilt ab ihrer nächsten Anfrage"),
        arguments: [userName], options: [userDistricts]
    ) { args, context in
        let districts = args.all(userDistricts)
        try context.openStore().setDistricts(user: args[userName], districts: districts)
        context.say("user \(args[userName]) now has \(districts.isEmpty ? "no districts" : "districts " + districts.joined(separator: ", "))")
    },
    ServerCommand(
        "user list", abstract: LocalizedText("list the users with role, districts and whether they are revoked",
                                             "die Personen mit Rolle, Sozialräumen und Widerruf auflisten"),
        options: [jsonFlag]
    ) { _, context in
        let users = try context.openStore().users()
        if context.wantsJSON { return try context.printJSON(users) }
        for user in users {
            context.say("\(user.name)\t\(user.role.rawValue)\t\(user.districts.joined(separator: ","))\(user.revoked ? "\trevoked" : "")")
        }
    },
    ServerCommand(
        "user revoke", abstract: LocalizedText("revoke a user's token; it stops working on the next request",
                                               "das Token einer Person widerrufen; es gilt ab der nächsten Anfrage nicht mehr"),
        arguments: [userName]
    ) { args, context in
        try context.openStore().revokeUser(name: args[userName])
        context.say("user \(args[userName]) revoked")
    },
    eraseCommand,
    ServerCommand(
        "audit list", abstract: LocalizedText("who changed, read, erased or administered what, and when (no content)",
                                              "wer was geändert, gelesen, gelöscht oder verwaltet hat, und wann (ohne Inhalte)"),
        options: [jsonFlag]
    ) { _, context in
        let entries = try context.openStore().auditEntries()
        if context.wantsJSON { return try context.printJSON(entries) }
        let formatter = ISO8601DateFormatter()
        for entry in entries {
            let time = formatter.string(from: Date(timeIntervalSince1970: Double(entry.at) / 1000))
            context.say("\(entry.seq)\t\(time)\t\(entry.actor)\t\(entry.action)\t\(entry.detail)")
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
            context.say("audit log intact: \(entries) entries")
        case .broken(let entry, let reason):
            fail("audit log altered\(entry.map { " at entry \($0)" } ?? ""): \(reason)", code: 6)
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
        context.say("erased: \(report.summary)")
        if report.userAccounts > 0 {
            context.say("note: \(report.userAccounts) user account(s) carry this name; accounts are not renamed (revoke them with `kette-server user revoke`)")
        }
    }
    // The limits an operator must know (SPEC §8.7): the server keeps no copy of the name.
    complain("""
        clients receive the erasure on their next sync. A change written offline before the erasure
        and pushed after it can bring the name back: run the erasure again once every client has synced.

        """)
    if !report.walTruncated {
        fail("the erasure is done, but a reader kept the write-ahead log \(context.databasePath)-wal from being emptied; run the command again", code: 4)
    }
}
