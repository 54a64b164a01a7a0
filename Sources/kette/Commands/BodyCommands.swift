import KetteClient
import KetteProtocol

let bodyCommands: [CommandSpec] = [
    CommandSpec(
        path: ["body", "add"], abstract: "add a body (Gremium): steering group, planning group, working group, network",
        arguments: [ArgumentSpec(name: "NAME", help: "the body's name, e.g. \"Steuerungsgruppe Präventionskette\"")],
        options: [.value("level", "L", "one of: " + BodyLevel.slugs.joined(separator: ", ") + " (required)"),
                  .value("district", "D", "its district (id or name); none: county-wide")],
        run: { args, context in
            guard args.value("level") != nil else { throw KetteError.missingValue(field: "--level (" + BodyLevel.slugs.joined(separator: "|") + ")") }
            context.say(try context.store().addBody(name: args.positional(0)!, level: args.value("level"), district: args.value("district"),
                                                    language: context.language))
        }),
    CommandSpec(
        path: ["body", "list"], abstract: "list bodies", options: [jsonFlag],
        run: { _, context in
            let bodies = try context.store().bodies()
            if context.wantsJSON { return try context.printJSON(bodies) }
            let header = ["ID", context.pick("NAME", "NAME"), context.pick("LEVEL", "EBENE")]
            for line in context.table(header, bodies.map { [shortID($0.id), $0.name, context.label($0.level)] }) { context.say(line) }
        }),
]
