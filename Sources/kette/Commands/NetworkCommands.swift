import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

// MARK: - Contacts

private enum ContactField {
    static let all: [FieldOption] = [
        FieldOption("organization", value: "ORG", help: LocalizedText("where the person works (id or name)", "wo die Person arbeitet (ID oder Name)")),
        FieldOption("role", value: "TEXT", help: LocalizedText("their role, e.g. \"Kita-Fachberatung\"", "ihre Rolle, z. B. \"Kita-Fachberatung\"")),
        FieldOption("phone", value: "TEXT", help: LocalizedText("phone number", "Telefonnummer")),
        FieldOption("email", value: "ADDRESS", help: LocalizedText("e-mail address", "E-Mail-Adresse")),
        FieldOption("consent", PublicationConsent.self, note: LocalizedText("to being named in published documents; without: not published",
                                                                             "zur Nennung in veröffentlichten Unterlagen; ohne: nicht veröffentlicht")),
    ]
    static let name = FieldOption("name", value: "NAME", help: LocalizedText("the person's name", "Name der Person"))
}

private let contactID = Argument<String>("ID", help: LocalizedText("the contact's id, the start of it, or the name", "die ID des Kontakts, ihr Anfang oder der Name"))
private let contactName = Argument<String>("NAME", help: LocalizedText("the person's name", "Name der Person"))

let contactCommands: [KetteCommand] = [
    KetteCommand("contact add", abstract: LocalizedText("add a network contact (personal data: erasable, published only with consent); prints its id",
                                                        "einen Netzwerkkontakt anlegen (personenbezogen: löschbar, nur mit Einwilligung veröffentlicht); gibt seine ID aus"),
                 arguments: [contactName], options: ContactField.all.declarations) { args, context in
        context.say(try context.store().addContact(ContactField.all.input(args, ["name": args[contactName]]), language: context.language))
    },
    KetteCommand("contact edit", abstract: LocalizedText("change a contact; an empty value clears an optional field", "einen Kontakt ändern; ein leerer Wert leert ein optionales Feld"),
                 arguments: [contactID], options: (ContactField.all + [ContactField.name]).declarations) { args, context in
        context.say(try context.store().editContact(args[contactID], (ContactField.all + [ContactField.name]).input(args), language: context.language))
    },
    KetteCommand("contact show", abstract: LocalizedText("show one contact", "einen Kontakt anzeigen"), arguments: [contactID], options: [jsonFlag]) { args, context in
        let contact = try context.store().contact(args[contactID], language: context.language)
        if context.wantsJSON { return try context.printJSON(contact) }
        context.startPaging()
        context.printFields(id: contact.id, [
            (.name, contact.name), (.organization, contact.organizationName ?? contact.organization), (.role, contact.role),
            (.phone, contact.phone), (.email, contact.email), (.publication, (contact.consent ?? .withheld).label(context.language)),
        ])
    },
    KetteCommand("contact list", abstract: LocalizedText("list the contact register", "das Kontaktregister auflisten"),
                 options: [limitOption, jsonFlag]) { _, context in
        try context.printList(try context.store().contacts(), header: context.headers(.headerID, .headerName)
                                + [context.text(.headerOrganization), context.text(.headerRole), context.text(.headerPublished)], noun: .nounContacts) { contact in
            [shortID(contact.id), contact.name, contact.organizationName ?? "–", contact.role ?? "–",
             (contact.mayBePublished ? OutputText.yes : OutputText.no)(context.language)]
        }
    },
    deleteCommand(.contact, contactID, LocalizedText("a contact", "Kontakt")),
]

// MARK: - Agreements

private enum AgreementField {
    static let all: [FieldOption] = [
        FieldOption("kind", AgreementKind.self, note: LocalizedText("required", "Pflicht")),
        FieldOption("party", field: "parties", value: "ORG", help: LocalizedText("an organization that is party to it (id or name); repeatable",
                                                                                 "ein Träger, der Partei ist (ID oder Name); wiederholbar"), repeatable: true),
        FieldOption("body", value: "B", help: LocalizedText("the body it belongs to (id or name)", "das Gremium, zu dem sie gehört (ID oder Name)")),
        FieldOption("district", value: "D", help: LocalizedText("its district (id or name); default: the body's; none: county-wide",
                                                                "sein Sozialraum (ID oder Name); Standard: der des Gremiums; ohne: kreisweit")),
        FieldOption("signed", value: "DATE", help: LocalizedText("when it was signed", "wann sie unterzeichnet wurde")),
        FieldOption("review", value: "DATE", help: LocalizedText("when it is to be reviewed (`kette report tasks` lists it from then)",
                                                                       "wann sie zu überprüfen ist (`kette report tasks` führt sie ab dann auf)")),
        FieldOption("summary", value: "TEXT", help: LocalizedText("what it says", "was sie regelt")),
        FieldOption("reference", value: "LINK|FILE", help: LocalizedText("where the document is: a link or a file reference", "wo das Dokument liegt: Link oder Ablage")),
    ]
    static let title = FieldOption("title", value: "TEXT", help: LocalizedText("its title", "ihr Titel"))
}

private let agreementID = Argument<String>("ID", help: LocalizedText("the agreement's id, the start of it, or its title", "die ID der Vereinbarung, ihr Anfang oder ihr Titel"))
private let agreementTitle = Argument<String>("TITLE", help: LocalizedText("its title, e.g. \"Kooperationsvereinbarung Frühe Hilfen\"",
                                                                           "ihr Titel, z. B. \"Kooperationsvereinbarung Frühe Hilfen\""))

let agreementCommands: [KetteCommand] = [
    KetteCommand("agreement add", abstract: LocalizedText("record an agreement: cooperation agreement, rules of procedure, other; prints its id",
                                                          "eine Vereinbarung erfassen: Kooperationsvereinbarung, Geschäftsordnung, sonstige; gibt ihre ID aus"),
                 arguments: [agreementTitle], options: AgreementField.all.declarations) { args, context in
        context.say(try context.store().addAgreement(AgreementField.all.input(args, ["title": args[agreementTitle]]), language: context.language))
    },
    KetteCommand("agreement edit", abstract: LocalizedText("change an agreement; --party replaces the parties", "eine Vereinbarung ändern; --party ersetzt die Parteien"),
                 arguments: [agreementID], options: (AgreementField.all + [AgreementField.title]).declarations) { args, context in
        context.say(try context.store().editAgreement(args[agreementID], (AgreementField.all + [AgreementField.title]).input(args), language: context.language))
    },
    KetteCommand("agreement show", abstract: LocalizedText("show one agreement", "eine Vereinbarung anzeigen"), arguments: [agreementID], options: [jsonFlag]) { args, context in
        let agreement = try context.store().agreement(args[agreementID], language: context.language)
        if context.wantsJSON { return try context.printJSON(agreement) }
        context.startPaging()
        context.printFields(id: agreement.id, [
            (.title, agreement.title), (.kind, agreement.kind?.label(context.language)),
            (.parties, agreement.partyNames.isEmpty ? nil : agreement.partyNames.joined(separator: ", ")),
            (.body, agreement.bodyName ?? agreement.body), (.district, agreement.district ?? context.text(.countyWide)),
            (.signed, context.day(agreement.signed)), (.review, context.day(agreement.review)), (.summary, agreement.summary),
            (.document, agreement.reference),
        ])
    },
    KetteCommand("agreement list", abstract: LocalizedText("list agreements, soonest review first", "Vereinbarungen auflisten, nächste Überprüfung zuerst"),
                 options: [limitOption, jsonFlag]) { _, context in
        try context.printList(try context.store().agreements(), header: ["ID", context.text(.headerReview), context.text(.headerKind)]
                                + context.headers(.headerTitle), noun: .nounAgreements) { agreement in
            [shortID(agreement.id), context.day(agreement.review) ?? "–", context.label(agreement.kind), agreement.title]
        }
    },
    deleteCommand(.agreement, agreementID, LocalizedText("an agreement", "Vereinbarung")),
]

// MARK: - Body members

private enum MemberField {
    static let all: [FieldOption] = [
        FieldOption("organization", value: "ORG", help: LocalizedText("the member organization (id or name); default: the contact's",
                                                                      "der Mitgliedsträger (ID oder Name); Standard: der des Kontakts")),
        FieldOption("sector", Sector.self, note: LocalizedText("default: the organization's", "Standard: der des Trägers")),
        FieldOption("person", value: "NAME", help: LocalizedText("who sits in the body; default: the contact's name", "wer im Gremium sitzt; Standard: Name des Kontakts")),
        FieldOption("contact", value: "CONTACT", help: LocalizedText("the person in the contact register (id or name)", "die Person aus dem Kontaktregister (ID oder Name)")),
        FieldOption("role", value: "TEXT", help: LocalizedText("their role in the body, e.g. chair", "ihre Rolle im Gremium, z. B. Vorsitz")),
    ]
}

private let memberBody = Argument<String>("BODY", help: LocalizedText("the body (id or name)", "das Gremium (ID oder Name)"))
private let memberID = Argument<String>("MEMBER_ID", help: LocalizedText("the member's id or the start of it", "die ID des Mitglieds oder ihr Anfang"))

/// `body member …` and `body show`: who sits in a body, and which sectors it lacks.
let memberCommands: [KetteCommand] = [
    KetteCommand("body member add", abstract: LocalizedText("add a member to a body: organization, sector and person; prints its id",
                                                            "einem Gremium ein Mitglied hinzufügen: Träger, Bereich und Person; gibt seine ID aus"),
                 arguments: [memberBody], options: MemberField.all.declarations) { args, context in
        context.say(try context.store().addMember(body: args[memberBody], MemberField.all.input(args), language: context.language))
    },
    KetteCommand("body member remove", abstract: LocalizedText("remove a member from its body (a tombstone that syncs)",
                                                               "ein Mitglied aus seinem Gremium entfernen (als Grabstein, der synchronisiert wird)"),
                 arguments: [memberID]) { args, context in
        let id = try context.store().deleteRecord(.member, args[memberID], language: context.language)
        context.say(PlanningText.removedMember.with(["id": id]))
    },
    KetteCommand("body member list", abstract: LocalizedText("list a body's members", "die Mitglieder eines Gremiums auflisten"),
                 arguments: [memberBody], options: [limitOption, jsonFlag]) { args, context in
        let body = try context.store().bodyOverview(args[memberBody], language: context.language)
        try context.printList(body.members, header: memberHeader(context), noun: .nounMembers) { memberRow($0, context) }
    },
    KetteCommand("body show", abstract: LocalizedText("show a body with its members and the sectors represented and missing",
                                                      "ein Gremium mit Mitgliedern und vertretenen und fehlenden Bereichen anzeigen"),
                 arguments: [memberBody], options: [jsonFlag]) { args, context in
        let overview = try context.store().bodyOverview(args[memberBody], language: context.language)
        if context.wantsJSON { return try context.printJSON(overview) }
        context.startPaging()
        printBody(overview, context)
    },
]

private func memberHeader(_ context: CommandContext) -> [String] {
    ["ID", context.text(.headerSector), context.text(.headerOrganization), context.text(.headerPerson), context.text(.headerRole)]
}

private func memberRow(_ member: Member, _ context: CommandContext) -> [String] {
    [shortID(member.id), context.label(member.sector), member.organizationName ?? "–", member.person ?? "–", member.role ?? "–"]
}

private func printBody(_ overview: BodyOverview, _ context: CommandContext) {
    context.printFields(id: overview.body.id, [
        (.body, overview.body.name), (.level, context.label(overview.body.level)),
        (.district, overview.body.district ?? context.text(.countyWide)),
        (.sectorsRepresented, context.labels(overview.sectorsRepresented) ?? context.text(.none)),
        (.sectorsMissing, context.labels(overview.sectorsMissing) ?? context.text(.none)),
    ])
    guard !overview.members.isEmpty else { return }
    context.say("")
    for line in context.table(memberHeader(context), overview.members.map { memberRow($0, context) }) { context.say(line) }
}
