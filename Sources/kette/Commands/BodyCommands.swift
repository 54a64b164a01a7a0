import KetteClient
import KetteCommandLine
import KetteProtocol

private let bodyName = Argument<String>("NAME", help: LocalizedText(
    "the body's name, e.g. \"Steuerungsgruppe Präventionskette\"", "Name des Gremiums, z. B. \"Steuerungsgruppe Präventionskette\""))
private let bodyLevel = Option<String>("level", value: "L", help: LocalizedText(
    "one of: " + BodyLevel.slugs.joined(separator: ", ") + " (required)", "eine von: " + germanChoices(BodyLevel.self) + " (Pflicht)"))
private let bodyDistrict = Option<String>("district", value: "D", help: LocalizedText(
    "its district (id or name); none: county-wide", "sein Sozialraum (ID oder Name); ohne: kreisweit"))

let bodyCommands: [KetteCommand] = [
    KetteCommand(
        "body add", abstract: LocalizedText("add a body (Gremium): steering group, planning group, working group, network",
                                            "ein Gremium anlegen: Steuerungsgruppe, Planungsgruppe, Facharbeitsgruppe, Netzwerk"),
        arguments: [bodyName], options: [bodyLevel, bodyDistrict]
    ) { args, context in
        guard args[bodyLevel] != nil else { throw KetteError.missingValue(field: .verbatim("--level") + .verbatim(" (") + Input.accepted(BodyLevel.self) + .verbatim(")")) }
        context.say(try context.store().addBody(name: args[bodyName], level: args[bodyLevel], district: args[bodyDistrict],
                                                language: context.language))
    },
    KetteCommand(
        "body list", abstract: LocalizedText("list bodies", "Gremien auflisten"), options: [limitOption, jsonFlag]
    ) { _, context in
        let bodies = try context.store().bodies()
        if context.wantsJSON { return try context.printJSONList(bodies) }
        let shown = context.limited(bodies)
        let header = context.headers(.headerID, .headerName, .headerLevel)
        for line in context.table(header, shown.map { [shortID($0.id), $0.name, context.label($0.level)] }) { context.say(line) }
        context.sayTotal(shown: shown.count, of: bodies.count, .bodies)
    },
]
