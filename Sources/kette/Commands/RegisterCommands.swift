import KetteClient
import KetteCommandLine
import KetteProtocol

private let districtName = Argument<String>("NAME", help: LocalizedText("the district's name, e.g. Nordstadt", "Name des Sozialraums, z. B. Nordstadt"))
private let districtID = Option<String>("id", value: "ID", help: LocalizedText("a fixed id (default: a new UUID)", "eine feste ID (Standard: eine neue UUID)"))
private let districtParent = Option<String>("parent", value: "D", help: LocalizedText(
    "the district it belongs to (id or name)", "der Sozialraum, zu dem er gehört (ID oder Name)"))

private let organizationName = Argument<String>("NAME", help: LocalizedText("the organization's name", "Name des Trägers"))
private let organizationKind = Option<String>("kind", value: "K", help: LocalizedText(
    "what it is, e.g. \"freier Träger\", \"Schule\", \"Kita\", \"Gesundheitsamt\"", "was er ist, z. B. \"freier Träger\", Schule, Kita, Gesundheitsamt"))
private let organizationSector = Option<String>("sector", value: "S", help: LocalizedText(
    "one of: " + Sector.slugs.joined(separator: ", "), "einer von: " + germanChoices(Sector.self)))
private let organizationContact = Option<String>("contact", value: "TEXT", help: LocalizedText(
    "a contact (phone, e-mail, person)", "ein Kontakt (Telefon, E-Mail, Person)"))

/// Districts ("Sozialräume") and organizations ("Träger"): the registers offers point to.
let registerCommands: [KetteCommand] = [
    KetteCommand(
        "district add", abstract: LocalizedText("add a district (Sozialraum)", "einen Sozialraum anlegen"),
        arguments: [districtName], options: [districtID, districtParent]
    ) { args, context in
        let id = try context.store().addDistrict(name: args[districtName], id: args[districtID], parent: args[districtParent],
                                                 language: context.language)
        context.say(id)
    },
    KetteCommand(
        "district list", abstract: LocalizedText("list districts", "Sozialräume auflisten"), options: [limitOption, jsonFlag]
    ) { _, context in
        let districts = try context.store().districts()
        if context.wantsJSON { return try context.printJSONList(districts) }
        let shown = context.limited(districts)
        for line in context.table(context.headers(.headerID, .headerName), shown.map { [$0.id, $0.name] }) { context.say(line) }
        context.sayTotal(shown: shown.count, of: districts.count, .districts)
    },
    KetteCommand(
        "org add", abstract: LocalizedText("add an organization (Träger): a provider, school, health office, day-care centre (Kita), …",
                                           "einen Träger anlegen (freier Träger, Schule, Gesundheitsamt, Kita, …)"),
        arguments: [organizationName], options: [organizationKind, organizationSector, organizationContact]
    ) { args, context in
        context.say(try context.store().addOrganization(name: args[organizationName], kind: args[organizationKind],
                                                        sector: args[organizationSector], contact: args[organizationContact],
                                                        language: context.language))
    },
    KetteCommand(
        "org list", abstract: LocalizedText("list organizations", "Träger auflisten"), options: [limitOption, jsonFlag]
    ) { _, context in
        let organizations = try context.store().organizations()
        if context.wantsJSON { return try context.printJSONList(organizations) }
        let shown = context.limited(organizations)
        let header = context.headers(.headerID, .headerName, .headerKind, .headerSector)
        for line in context.table(header, shown.map { [shortID($0.id), $0.name, $0.kind ?? "–", context.label($0.sector)] }) {
            context.say(line)
        }
        context.sayTotal(shown: shown.count, of: organizations.count, .organizations)
    },
]
