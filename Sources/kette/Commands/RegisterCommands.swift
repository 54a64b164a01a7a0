import KetteClient
import KetteProtocol

/// Districts ("Sozialräume") and organizations ("Träger"): the registers offers point to.
let registerCommands: [CommandSpec] = [
    CommandSpec(
        path: ["district", "add"], abstract: "add a district (Sozialraum)",
        arguments: [ArgumentSpec(name: "NAME", help: "the district's name, e.g. Nordstadt")],
        options: [.value("id", "ID", "a fixed id (default: a new UUID)"),
                  .value("parent", "D", "the district it belongs to (id or name)")],
        run: { args, context in
            let id = try context.store().addDistrict(name: args.positional(0)!, id: args.value("id"), parent: args.value("parent"),
                                                     language: context.language)
            context.say(id)
        }),
    CommandSpec(
        path: ["district", "list"], abstract: "list districts", options: [jsonFlag],
        run: { _, context in
            let districts = try context.store().districts()
            if context.wantsJSON { return try context.printJSON(districts) }
            for line in context.table([context.pick("ID", "ID"), context.pick("NAME", "NAME")], districts.map { [$0.id, $0.name] }) {
                context.say(line)
            }
        }),
    CommandSpec(
        path: ["org", "add"], abstract: "add an organization (Träger, school, health office, Kita, …)",
        arguments: [ArgumentSpec(name: "NAME", help: "the organization's name")],
        options: [.value("kind", "K", "what it is, e.g. \"freier Träger\", school, Kita, health office"),
                  .value("sector", "S", "one of: " + Sector.slugs.joined(separator: ", ")),
                  .value("contact", "TEXT", "a contact (phone, e-mail, person)")],
        run: { args, context in
            context.say(try context.store().addOrganization(name: args.positional(0)!, kind: args.value("kind"), sector: args.value("sector"),
                                                            contact: args.value("contact"), language: context.language))
        }),
    CommandSpec(
        path: ["org", "list"], abstract: "list organizations", options: [jsonFlag],
        run: { _, context in
            let organizations = try context.store().organizations()
            if context.wantsJSON { return try context.printJSON(organizations) }
            let header = [context.pick("ID", "ID"), context.pick("NAME", "NAME"), context.pick("KIND", "ART"), context.pick("SECTOR", "BEREICH")]
            for line in context.table(header, organizations.map { [shortID($0.id), $0.name, $0.kind ?? "–", context.label($0.sector)] }) {
                context.say(line)
            }
        }),
]
