import KetteClient
import KetteCommandLine
import KetteProtocol

private let refusalID = Argument<String>("ID", help: LocalizedText("the refused change set's id or the start of it",
                                                                   "die ID des abgelehnten Änderungssatzes oder ihr Anfang"))
private let optionalRefusalID = Argument<String?>.optional("ID", help: LocalizedText("the refused change set's id or the start of it",
                                                                                     "die ID des abgelehnten Änderungssatzes oder ihr Anfang"))
private let dropAll = Flag("all", help: LocalizedText("forget every refused change set", "alle abgelehnten Änderungssätze verwerfen"))

/// Change sets the server refused for good: taken back in this store and kept here, so nothing is
/// lost and no later sync fails because of them (SPEC §9, §13).
let refusalCommands: [KetteCommand] = [
    KetteCommand(
        "refused", abstract: LocalizedText("list change sets the server refused; they were taken back here and are kept until retried or dropped",
                                           "vom Server abgelehnte Änderungssätze auflisten; sie wurden hier zurückgenommen und bleiben bis zum erneuten Versuch oder Verwerfen"),
        options: [jsonFlag]
    ) { _, context in
        let kept = try context.store().keptRefusals()
        if context.wantsJSON { return try context.printJSON(kept) }
        if kept.isEmpty { return context.say(context.pick("No refused change sets.", "Keine abgelehnten Änderungssätze.")) }
        let header = ["ID", context.pick("REFUSED", "ABGELEHNT"), "CODE", context.pick("WHAT", "WAS"), context.pick("REASON", "GRUND")]
        let rows = kept.map { [shortID($0.id), String($0.refusedAt.prefix(10)), $0.code, $0.summary, $0.reason] }
        for line in context.table(header, rows) { context.say(line) }
        context.say(context.pick(
            "See one with `kette refused show ID`; write it again with `kette refused retry ID` once the cause is fixed, or forget it with `kette refused drop ID`.",
            "Einzeln ansehen mit `kette refused show ID`; nach Behebung der Ursache erneut schreiben mit `kette refused retry ID` oder verwerfen mit `kette refused drop ID`."))
    },
    KetteCommand(
        "refused show", abstract: LocalizedText("show what a refused change set would have written", "zeigen, was ein abgelehnter Änderungssatz geschrieben hätte"),
        arguments: [refusalID], options: [jsonFlag]
    ) { args, context in
        let detail = try context.store().refusal(args[refusalID], language: context.language)
        if context.wantsJSON { return try context.printJSON(detail) }
        let refusal = detail.refusal
        context.say("\(refusal.id)  \(refusal.summary)")
        context.say(context.pick("refused ", "abgelehnt ") + "\(refusal.refusedAt) (\(refusal.code)): \(refusal.reason)")
        for change in detail.changes {
            context.say("  \(change.recordType.rawValue) \(shortID(change.recordID)) · \(change.field) = \(describe(change.value))")
        }
    },
    KetteCommand(
        "refused retry", abstract: LocalizedText("write a refused change set again as a new one, pushed at the next sync (after its cause was fixed)",
                                                 "einen abgelehnten Änderungssatz als neuen erneut schreiben, gesendet beim nächsten Sync (nach Behebung der Ursache)"),
        arguments: [refusalID]
    ) { args, context in
        let refusal = try context.store().retryRefusal(args[refusalID], language: context.language)
        context.say(context.pick("Wrote \(shortID(refusal.id)) (\(refusal.summary)) again as a new change set; run `kette sync` to push it.",
                                 "\(shortID(refusal.id)) (\(refusal.summary)) als neuen Änderungssatz erneut geschrieben; mit `kette sync` senden."))
    },
    KetteCommand(
        "refused drop", abstract: LocalizedText("forget a refused change set (or all of them); what it would have written is gone",
                                                "einen abgelehnten Änderungssatz (oder alle) verwerfen; sein Inhalt ist dann fort"),
        arguments: [optionalRefusalID], options: [dropAll],
        validate: { input in
            guard (input[optionalRefusalID] != nil) != input[dropAll] else {
                throw UsageError("give the refused change set's ID or --all (one of them)", "die ID des abgelehnten Änderungssatzes oder --all angeben (eins davon)")
            }
        }
    ) { args, context in
        let store = try context.store()
        if let reference = args[optionalRefusalID] {
            let refusal = try store.dropRefusal(reference, language: context.language)
            context.say(context.pick("Dropped \(shortID(refusal.id)) (\(refusal.summary)).", "\(shortID(refusal.id)) (\(refusal.summary)) verworfen."))
        } else {
            let count = try store.dropAllRefusals()
            context.say(context.pick("Dropped \(count) refused change sets.", "\(count) abgelehnte Änderungssätze verworfen."))
        }
    },
]
