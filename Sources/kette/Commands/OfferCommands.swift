import KetteClient
import KetteCommandLine
import KetteProtocol

/// The options that set an offer's fields, shared by `offer add` and `offer edit`.
private enum OfferField {
    static let title = Option<String>("title", value: "T", help: LocalizedText("the offer's title", "Titel des Angebots"))
    static let district = Option<String>("district", value: "D", help: LocalizedText("its district (id or name)", "sein Sozialraum (ID oder Name)"))
    static let phase = Option<String>("phase", value: "P[,P…]", help: LocalizedText(
        "life phases: " + LifePhase.slugs.joined(separator: ", "), "Lebensphasen: " + germanChoices(LifePhase.self)))
    static let category = Option<String>("category", value: "C", help: LocalizedText(
        "one of: " + OfferCategory.slugs.joined(separator: ", "), "eine von: " + germanChoices(OfferCategory.self)))
    static let sector = Option<String>("sector", value: "S", help: LocalizedText(
        "one of: " + Sector.slugs.joined(separator: ", "), "einer von: " + germanChoices(Sector.self)))
    static let provider = Option<String>("provider", value: "ORG", help: LocalizedText(
        "the providing organization (id or name)", "der anbietende Träger (ID oder Name)"))
    static let description = Option<String>("description", value: "TEXT", help: LocalizedText("what the offer is", "was das Angebot ist"))
    static let status = Option<String>("status", value: "S", help: LocalizedText(
        "one of: " + OfferStatus.slugs.joined(separator: ", ") + " (default on add: active)",
        "einer von: " + germanChoices(OfferStatus.self) + " (Standard beim Anlegen: aktiv)"))
    static let contact = Option<String>("contact", value: "TEXT", help: LocalizedText("contact person", "Ansprechperson"))
    static let location = Option<String>("location", value: "TEXT", help: LocalizedText("where it takes place", "wo es stattfindet"))
    static let cost = Option<String>("cost", value: "free|paid", help: LocalizedText(
        "whether it costs something", "ob es etwas kostet: " + germanChoices(Cost.self)))
    static let languages = Option<String>("languages", value: "L[,L…]", help: LocalizedText(
        "languages offered, e.g. de,tr,ar", "angebotene Sprachen, z. B. de,tr,ar"))
    static let targetGroups = Option<String>("target-groups", value: "G[,G…]", help: LocalizedText(
        "target groups, e.g. \"Eltern,Alleinerziehende\"", "Zielgruppen, z. B. \"Eltern,Alleinerziehende\""))
    static let schedule = Option<String>("schedule", value: "TEXT", help: LocalizedText(
        "when, e.g. \"dienstags 9–11 Uhr\"", "wann, z. B. \"dienstags 9–11 Uhr\""))
    static let accessibility = Option<String>("accessibility", value: "TEXT", help: LocalizedText(
        "accessibility notes", "Hinweise zur Barrierefreiheit"))
    static let start = Option<String>("start", value: "DATE", help: LocalizedText(
        "first day (2026-03-14 or 14.03.2026)", "erster Tag (14.03.2026 oder 2026-03-14)"))
    static let end = Option<String>("end", value: "DATE", help: LocalizedText(
        "last day (2026-03-14 or 14.03.2026)", "letzter Tag (14.03.2026 oder 2026-03-14)"))

    static let all: [any OptionDeclaration] = [title, district, phase, category, sector, provider, description, status, contact,
                                               location, cost, languages, targetGroups, schedule, accessibility, start, end]

    static func input(_ args: ParsedInput) -> OfferInput {
        var input = OfferInput()
        input.title = args[title]
        input.district = args[district]
        input.phases = args[phase]
        input.category = args[category]
        input.sector = args[sector]
        input.provider = args[provider]
        input.description = args[description]
        input.status = args[status]
        input.contact = args[contact]
        input.location = args[location]
        input.cost = args[cost]
        input.languages = args[languages]
        input.targetGroups = args[targetGroups]
        input.schedule = args[schedule]
        input.accessibility = args[accessibility]
        input.start = args[start]
        input.end = args[end]
        return input
    }
}

/// The offer a command works on.
let offerID = Argument<String>("ID", help: LocalizedText("the offer's id, the start of it, or its title",
                                                         "die ID des Angebots, ihr Anfang oder sein Titel"))

private func printOffer(_ offer: Offer, _ context: CommandContext) {
    let language = context.language
    let rows: [(String, String?)] = [
        ("ID", offer.id),
        (RecordText.title(language), offer.title),
        (RecordText.district(language), offer.districtName ?? offer.district),
        (RecordText.phases(language), offer.phases.isEmpty ? nil : offer.phases.map { $0.label(language) }.joined(separator: ", ")),
        (RecordText.category(language), offer.category?.label(language)),
        (RecordText.sector(language), offer.sector?.label(language)),
        (RecordText.provider(language), offer.providerName ?? offer.provider),
        (RecordText.status(language), offer.status?.label(language)),
        (RecordText.cost(language), offer.cost?.label(language)),
        (RecordText.languages(language), offer.languages.isEmpty ? nil : offer.languages.joined(separator: ", ")),
        (RecordText.targetGroups(language), offer.targetGroups.isEmpty ? nil : offer.targetGroups.joined(separator: ", ")),
        (RecordText.location(language), offer.location),
        (RecordText.schedule(language), offer.schedule),
        (RecordText.contact(language), offer.contact),
        (RecordText.accessibility(language), offer.accessibility),
        (RecordText.start(language), offer.start.map { Day($0).text(language) }),
        (RecordText.end(language), offer.end.map { Day($0).text(language) }),
        (RecordText.description(language), offer.description),
    ]
    let shown = rows.compactMap { label, value in value.map { (label, $0) } }
    let width = shown.map(\.0.count).max() ?? 0
    for (label, value) in shown { context.say(label + ":" + String(repeating: " ", count: width - label.count + 1) + value) }
}

/// The filters of `offer list`.
private enum OfferListFilter {
    static let district = Option<String>("district", value: "D", help: LocalizedText("only this district (id or name)", "nur dieser Sozialraum (ID oder Name)"))
    static let phase = Option<String>("phase", value: "P", help: LocalizedText(
        "only offers for this life phase: " + LifePhase.slugs.joined(separator: ", "),
        "nur Angebote für diese Lebensphase: " + germanChoices(LifePhase.self)))
    static let category = Option<String>("category", value: "C", help: LocalizedText(
        "only this category: " + OfferCategory.slugs.joined(separator: ", "), "nur diese Kategorie: " + germanChoices(OfferCategory.self)))
    static let status = Option<String>("status", value: "S", help: LocalizedText(
        "only this status: " + OfferStatus.slugs.joined(separator: ", "), "nur dieser Status: " + germanChoices(OfferStatus.self)))
}

let offerCommands: [KetteCommand] = [
    KetteCommand(
        "offer add", abstract: LocalizedText("record an offer (Angebot); prints its id", "ein Angebot erfassen; gibt seine ID aus"),
        options: OfferField.all,
        discussion: LocalizedText("--title and --district are required. Names are accepted wherever an id is.",
                                  "--title und --district sind Pflicht. Wo eine ID erwartet wird, geht auch ein Name.")
    ) { args, context in
        context.say(try context.store().addOffer(OfferField.input(args), language: context.language))
    },
    KetteCommand(
        "offer edit", abstract: LocalizedText("change an offer's fields; an empty value clears an optional field",
                                              "Felder eines Angebots ändern; ein leerer Wert leert ein optionales Feld"),
        arguments: [offerID], options: OfferField.all
    ) { args, context in
        context.say(try context.store().editOffer(args[offerID], OfferField.input(args), language: context.language))
    },
    KetteCommand(
        "offer show", abstract: LocalizedText("show one offer", "ein Angebot anzeigen"),
        arguments: [offerID], options: [jsonFlag]
    ) { args, context in
        let offer = try context.store().offer(args[offerID], language: context.language)
        if context.wantsJSON { return try context.printJSON(offer) }
        context.startPaging()
        printOffer(offer, context)
    },
    deletionCommand(
        "offer delete", .offer, argument: offerID,
        abstract: LocalizedText("delete an offer (a tombstone that syncs); asks first", "ein Angebot löschen (als Grabstein, der synchronisiert wird); fragt vorher"),
        discussion: LocalizedText("Its texts stay in this laptop's trash for 30 days: `kette restore ID` brings it back, `kette undo` too.",
                                  "Die Texte bleiben 30 Tage im Papierkorb dieses Rechners: `kette restore ID` holt es zurück, `kette undo` ebenso.")
    ) { id in
        RecordText.deletedOffer.with(["id": id])
    },
    KetteCommand(
        "offer list", abstract: LocalizedText("list offers, optionally filtered", "Angebote auflisten, wahlweise gefiltert"),
        options: [OfferListFilter.district, OfferListFilter.phase, OfferListFilter.category, OfferListFilter.status, limitOption, jsonFlag]
    ) { args, context in
        var filter = OfferFilter()
        filter.district = args[OfferListFilter.district]
        filter.phase = args[OfferListFilter.phase]
        filter.category = args[OfferListFilter.category]
        filter.status = args[OfferListFilter.status]
        if context.wantsJSON { return try context.printJSONList(try context.store().offers(filter, language: context.language)) }
        let offers = try context.store().offerListing(filter, language: context.language)
        let shown = context.limited(offers)
        let header = context.headers(.headerID, .headerTitle, .headerDistrict, .headerCategory, .headerStatus)
        let rows = shown.map { [shortID($0.id), $0.title, $0.district ?? "–", context.label($0.category), context.label($0.status)] }
        for line in context.table(header, rows) { context.say(line) }
        context.sayTotal(shown: shown.count, of: offers.count, .offers)
    },
    KetteCommand(
        "offer duplicates", abstract: LocalizedText("list likely duplicate offers, each group with its reason",
                                                    "wahrscheinlich doppelt erfasste Angebote auflisten, jede Gruppe mit Begründung"),
        options: [OfferListFilter.district, jsonFlag],
        discussion: LocalizedText("""
            Offers are likely one when they have the same provider and district, titles that are the same or similar
            (80 % or more) after German folding (case, accents, ä/ae, ß/ss and punctuation do not count), and a life
            phase in common. Deleted offers are left out. Merging is left to you: keep one, complete it with
            `kette offer edit`, and remove the others with `kette offer delete`.
            """, """
            Angebote sind wahrscheinlich eines, wenn sie denselben Träger und Sozialraum haben, Titel, die nach
            Vereinheitlichung der Schreibung (Groß-/Kleinschreibung, Akzente, ä/ae, ß/ss und Satzzeichen zählen nicht)
            gleich oder ähnlich sind (80 % oder mehr), und eine gemeinsame Lebensphase. Gelöschte Angebote fehlen. Das
            Zusammenführen bleibt Ihnen: eines behalten, mit `kette offer edit` ergänzen, die anderen mit
            `kette offer delete` entfernen.
            """)
    ) { args, context in
        let report = try context.store().duplicateOffers(district: args[OfferListFilter.district], language: context.language)
        if context.wantsJSON { return try context.printJSON(report) }
        context.say(report.scope.label(context.language))
        context.say(ReportLines.likelyDuplicates.with(["count": report.groups.count]))
        for (number, group) in report.groups.enumerated() {
            context.say("")
            context.say("\(number + 1). " + group.reason)
            for offer in group.offers {
                let dates = "\(offer.start ?? "…") – \(offer.end ?? "…")"
                context.say("   [\(shortID(offer.id))] \(offer.title) (\(context.label(offer.status)), \(dates))")
            }
        }
    },
]
