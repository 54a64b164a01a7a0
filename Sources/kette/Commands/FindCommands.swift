import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

private let searchText = Argument<String>("TEXT", help: LocalizedText(
    "what to find; every word must occur (see below)", "was gesucht wird; jedes Wort muss vorkommen (siehe unten)"))
private let searchLimit = Option<Int>.integer(
    "limit", in: 1...Int.max, expected: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
    help: LocalizedText("at most N results (default 20)", "höchstens N Treffer (Standard 20)"))

/// The labels of the fields a snippet may come from, where the text alone does not say it.
private func fieldLabel(_ field: String, _ language: Language) -> String {
    switch field {
    case "provider": MinutesText.snippetProvider(language)
    case "attendee": MinutesText.snippetAttendee(language)
    case "decision": MinutesText.snippetDecision(language)
    case "task": MinutesText.snippetTask(language)
    case "agenda": MinutesText.snippetAgenda(language)
    default: ""
    }
}

let findCommands: [KetteCommand] = [
    KetteCommand(
        "search", abstract: LocalizedText("full-text search over offers and minutes, best matches first",
                                          "Volltextsuche in Angeboten und Protokollen, beste Treffer zuerst"),
        arguments: [searchText], options: [searchLimit, jsonFlag],
        discussion: LocalizedText("""
            A word matches inside longer words too ("erhebung" finds "Bedarfserhebung"); ä, ae and a are the same, likewise \
            ö/oe/o, ü/ue/u and ß/ss ("Mueller" finds "Müller"). "Quoted words" match exactly that phrase. A prefix limits a \
            word to one field: `anbieter:` or `provider:` (the offer's provider), `bezirk:` or `district:`, `phase:`, `titel:` \
            or `title:`, e.g. `anbieter:AWO`. Offers are also found by their provider's name. Matching words are marked [like this]; \
            --json gives their positions (Unicode code points) in titleMarks and snippetMarks.
            """, """
            Ein Wort passt auch innerhalb längerer Wörter („erhebung“ findet „Bedarfserhebung“); ä, ae und a gelten gleich, \
            ebenso ö/oe/o, ü/ue/u und ß/ss („Mueller“ findet „Müller“). „Wörter in Anführungszeichen“ passen nur als genau \
            diese Wortfolge. Ein Präfix beschränkt ein Wort auf ein Feld: `anbieter:` oder `provider:` (Träger des Angebots), \
            `bezirk:` oder `district:`, `phase:`, `titel:` oder `title:`, z. B. `anbieter:AWO`. Angebote werden auch über den Namen ihres \
            Trägers gefunden. Passende Wörter sind [so] markiert; --json gibt ihre Stellen (Unicode-Codepunkte) in titleMarks \
            und snippetMarks an.
            """)
    ) { args, context in
        let hits = try context.store().search(args[searchText], limit: args[searchLimit] ?? 20)
        if context.wantsJSON { return try context.printJSON(hits) }
        if hits.isEmpty { return context.say(RecordText.noMatches.text) }
        context.startPaging()
        for hit in hits {
            let kind = (hit.kind == "offer" ? OutputText.kindOffer : OutputText.kindMeeting)(context.language)
            context.say("\(shortID(hit.id))  \(kind): \(SearchIndex.Hit.marked(hit.title, hit.titleMarks))")
            if !hit.snippet.isEmpty, hit.field != "title" {
                context.say("          " + fieldLabel(hit.field, context.language) + SearchIndex.Hit.marked(hit.snippet, hit.snippetMarks))
            }
        }
    },
]
