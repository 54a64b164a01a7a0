import KetteClient
import KetteProtocol

let findCommands: [CommandSpec] = [
    CommandSpec(
        path: ["search"], abstract: "full-text search over offers and minutes, best matches first",
        arguments: [ArgumentSpec(name: "TEXT", help: "words to find; each must occur (as a word or its start)")],
        options: [.value("limit", "N", "at most N results (default 20)"), jsonFlag],
        run: { args, context in
            var limit = 20
            if let text = args.value("limit") {
                guard let number = Int(text), number > 0 else {
                    throw KetteError.malformedValue(field: "limit", value: text, expected: "a whole number above 0")
                }
                limit = number
            }
            let hits = try context.store().search(args.positional(0)!, limit: limit)
            if context.wantsJSON { return try context.printJSON(hits) }
            if hits.isEmpty { return context.say(context.pick("No matches.", "Keine Treffer.")) }
            for hit in hits {
                let kind = hit.kind == "offer" ? context.pick("offer", "Angebot") : context.pick("meeting", "Sitzung")
                context.say("\(shortID(hit.id))  [\(kind)] \(hit.title)")
                context.say("          \(hit.snippet.replacingOccurrences(of: "\n", with: " "))")
            }
        }),
]
