import KetteClient
import KetteProtocol

private let offerFieldOptions: [OptionSpec] = [
    .value("title", "T", "the offer's title"),
    .value("district", "D", "its district (id or name)"),
    .value("phase", "P[,P…]", "life phases: " + LifePhase.slugs.joined(separator: ", ")),
    .value("category", "C", "one of: " + OfferCategory.slugs.joined(separator: ", ")),
    .value("sector", "S", "one of: " + Sector.slugs.joined(separator: ", ")),
    .value("provider", "ORG", "the providing organization (id or name)"),
    .value("description", "TEXT", "what the offer is"),
    .value("status", "S", "one of: " + OfferStatus.slugs.joined(separator: ", ") + " (default on add: active)"),
    .value("contact", "TEXT", "contact person"),
    .value("location", "TEXT", "where it takes place"),
    .value("cost", "free|paid", "whether it costs something"),
    .value("languages", "L[,L…]", "languages offered, e.g. de,tr,ar"),
    .value("target-groups", "G[,G…]", "target groups, e.g. \"Eltern,Alleinerziehende\""),
    .value("schedule", "TEXT", "when, e.g. \"dienstags 9–11 Uhr\""),
    .value("accessibility", "TEXT", "accessibility notes"),
    .value("start", "YYYY-MM-DD", "first day"),
    .value("end", "YYYY-MM-DD", "last day"),
]

private func offerInput(_ args: ParsedArguments) -> OfferInput {
    var input = OfferInput()
    input.title = args.value("title")
    input.district = args.value("district")
    input.phases = args.value("phase")
    input.category = args.value("category")
    input.sector = args.value("sector")
    input.provider = args.value("provider")
    input.description = args.value("description")
    input.status = args.value("status")
    input.contact = args.value("contact")
    input.location = args.value("location")
    input.cost = args.value("cost")
    input.languages = args.value("languages")
    input.targetGroups = args.value("target-groups")
    input.schedule = args.value("schedule")
    input.accessibility = args.value("accessibility")
    input.start = args.value("start")
    input.end = args.value("end")
    return input
}

private func printOffer(_ offer: Offer, _ context: CommandContext) {
    let rows: [(String, String?)] = [
        ("ID", offer.id),
        (context.pick("Title", "Titel"), offer.title),
        (context.pick("District", "Sozialraum"), offer.districtName ?? offer.district),
        (context.pick("Life phases", "Lebensphasen"), offer.phases.isEmpty ? nil : offer.phases.map { $0.label(context.language) }.joined(separator: ", ")),
        (context.pick("Category", "Kategorie"), offer.category?.label(context.language)),
        (context.pick("Sector", "Bereich"), offer.sector?.label(context.language)),
        (context.pick("Provider", "Träger"), offer.providerName ?? offer.provider),
        (context.pick("Status", "Status"), offer.status?.label(context.language)),
        (context.pick("Cost", "Kosten"), offer.cost?.label(context.language)),
        (context.pick("Languages", "Sprachen"), offer.languages.isEmpty ? nil : offer.languages.joined(separator: ", ")),
        (context.pick("Target groups", "Zielgruppen"), offer.targetGroups.isEmpty ? nil : offer.targetGroups.joined(separator: ", ")),
        (context.pick("Location", "Ort"), offer.location),
        (context.pick("Schedule", "Zeiten"), offer.schedule),
        (context.pick("Contact", "Ansprechperson"), offer.contact),
        (context.pick("Accessibility", "Barrierefreiheit"), offer.accessibility),
        (context.pick("Start", "Beginn"), offer.start),
        (context.pick("End", "Ende"), offer.end),
        (context.pick("Description", "Beschreibung"), offer.description),
    ]
    let shown = rows.compactMap { label, value in value.map { (label, $0) } }
    let width = shown.map(\.0.count).max() ?? 0
    for (label, value) in shown { context.say(label + ":" + String(repeating: " ", count: width - label.count + 1) + value) }
}

let offerCommands: [CommandSpec] = [
    CommandSpec(
        path: ["offer", "add"], abstract: "record an offer (Angebot); prints its id",
        options: offerFieldOptions,
        discussion: "--title and --district are required. Names are accepted wherever an id is.",
        run: { args, context in
            context.say(try context.store().addOffer(offerInput(args), language: context.language))
        }),
    CommandSpec(
        path: ["offer", "edit"], abstract: "change an offer's fields; an empty value clears an optional field",
        arguments: [ArgumentSpec(name: "ID", help: "the offer's id, the start of it, or its title")],
        options: offerFieldOptions,
        run: { args, context in
            context.say(try context.store().editOffer(args.positional(0)!, offerInput(args), language: context.language))
        }),
    CommandSpec(
        path: ["offer", "show"], abstract: "show one offer",
        arguments: [ArgumentSpec(name: "ID", help: "the offer's id, the start of it, or its title")],
        options: [jsonFlag],
        run: { args, context in
            let offer = try context.store().offer(args.positional(0)!, language: context.language)
            if context.wantsJSON { return try context.printJSON(offer) }
            printOffer(offer, context)
        }),
    CommandSpec(
        path: ["offer", "delete"], abstract: "delete an offer (a tombstone that syncs)",
        arguments: [ArgumentSpec(name: "ID", help: "the offer's id, the start of it, or its title")],
        run: { args, context in
            let id = try context.store().deleteRecord(.offer, args.positional(0)!, language: context.language)
            context.say(context.pick("Deleted offer \(id).", "Angebot \(id) gelöscht."))
        }),
    CommandSpec(
        path: ["offer", "list"], abstract: "list offers, optionally filtered",
        options: [.value("district", "D", "only this district (id or name)"),
                  .value("phase", "P", "only offers for this life phase: " + LifePhase.slugs.joined(separator: ", ")),
                  .value("category", "C", "only this category: " + OfferCategory.slugs.joined(separator: ", ")),
                  .value("status", "S", "only this status: " + OfferStatus.slugs.joined(separator: ", ")),
                  jsonFlag],
        run: { args, context in
            var filter = OfferFilter()
            filter.district = args.value("district")
            filter.phase = args.value("phase")
            filter.category = args.value("category")
            filter.status = args.value("status")
            let offers = try context.store().offers(filter, language: context.language)
            if context.wantsJSON { return try context.printJSON(offers) }
            let header = ["ID", context.pick("TITLE", "TITEL"), context.pick("DISTRICT", "SOZIALRAUM"),
                          context.pick("CATEGORY", "KATEGORIE"), context.pick("STATUS", "STATUS")]
            let rows = offers.map { [shortID($0.id), $0.title, $0.districtName ?? $0.district ?? "–", context.label($0.category), context.label($0.status)] }
            for line in context.table(header, rows) { context.say(line) }
            context.say(context.pick("Offers: \(offers.count)", "Angebote: \(offers.count)"))
        }),
]
