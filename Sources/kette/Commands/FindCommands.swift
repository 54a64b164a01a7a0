import KetteClient
import KetteCommandLine
import KetteProtocol

private let searchText = Argument<String>("TEXT", help: LocalizedText(
    "words to find; each must occur (as a word or its start)", "gesuchte Wörter; jedes muss vorkommen (als Wort oder Wortanfang)"))
private let searchLimit = Option<Int>.integer(
    "limit", in: 1...Int.max, expected: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
    help: LocalizedText("at most N results (default 20)", "höchstens N Treffer (Standard 20)"))

let findCommands: [KetteCommand] = [
    KetteCommand(
        "search", abstract: LocalizedText("full-text search over offers and minutes, best matches first",
                                          "Volltextsuche in Angeboten und Protokollen, beste Treffer zuerst"),
        arguments: [searchText], options: [searchLimit, jsonFlag]
    ) { args, context in
        let hits = try context.store().search(args[searchText], limit: args[searchLimit] ?? 20)
        if context.wantsJSON { return try context.printJSON(hits) }
        if hits.isEmpty { return context.say(RecordText.noMatches.text) }
        context.startPaging()
        for hit in hits {
            let kind = (hit.kind == "offer" ? OutputText.kindOffer : OutputText.kindMeeting)(context.language)
            context.say("\(shortID(hit.id))  [\(kind)] \(hit.title)")
            context.say("          \(hit.snippet.replacingOccurrences(of: "\n", with: " "))")
        }
    },
]
