import KetteClient
import KetteCommandLine
import KetteMessages
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
        options: [limitOption, jsonFlag]
    ) { _, context in
        let kept = try context.store().keptRefusals()
        if context.wantsJSON { return try context.printJSONList(kept) }
        if kept.isEmpty { return context.say(RefusalText.noneKept.text) }
        let shown = context.limited(kept)
        let language = context.language
        let header = [OutputText.headerID(language), RefusalText.headerRefused(language), RefusalText.headerCode(language),
                      RefusalText.headerWhat(language), RefusalText.headerReason(language)]
        let rows = shown.map { refusal in
            [shortID(refusal.id), Moment(iso: refusal.refusedAt).text(language), refusal.code, refusal.summary,
             RefusalText.explain(code: refusal.code, details: refusal.details)(language)]
        }
        for line in context.table(header, rows) { context.say(line) }
        context.say(RefusalText.keptHint.text)
    },
    KetteCommand(
        "refused show", abstract: LocalizedText("show what a refused change set would have written", "zeigen, was ein abgelehnter Änderungssatz geschrieben hätte"),
        arguments: [refusalID], options: [jsonFlag]
    ) { args, context in
        let detail = try context.store().refusal(args[refusalID], language: context.language)
        if context.wantsJSON { return try context.printJSON(detail) }
        let refusal = detail.refusal
        context.say("\(refusal.id)  \(refusal.summary)")
        context.say(RefusalText.refusedAt.with(["time": Moment(iso: refusal.refusedAt), "code": refusal.code,
                                                "reason": RefusalText.explain(code: refusal.code, details: refusal.details)]))
        for change in detail.changes {
            let record = FieldText.kind(change.recordType)(context.language) + " " + shortID(change.recordID)
            context.say("  \(record) · \(FieldText.named(change.field)(context.language)) = \(describe(change.value, field: change.field, context.language))")
        }
    },
    KetteCommand(
        "refused retry", abstract: LocalizedText("write a refused change set again as a new one, pushed at the next sync (after its cause was fixed)",
                                                 "einen abgelehnten Änderungssatz als neuen erneut schreiben, gesendet beim nächsten Sync (nach Behebung der Ursache)"),
        arguments: [refusalID]
    ) { args, context in
        let refusal = try context.store().retryRefusal(args[refusalID], language: context.language)
        context.say(RefusalText.retried.with(["id": shortID(refusal.id), "summary": refusal.summary]))
    },
    KetteCommand(
        "refused drop", abstract: LocalizedText("forget a refused change set (or all of them); what it would have written is gone",
                                                "einen abgelehnten Änderungssatz (oder alle) verwerfen; sein Inhalt ist dann fort"),
        arguments: [optionalRefusalID], options: [dropAll, yesFlag],
        validate: { input in
            guard (input[optionalRefusalID] != nil) != input[dropAll] else {
                throw UsageError(RefusalText.idOrAll.text)
            }
        }
    ) { args, context in
        let store = try context.store()
        if let reference = args[optionalRefusalID] {
            // Asked by name first: a dropped refusal's content is gone, there is no trash for it.
            let refusal = try store.refusal(reference, language: context.language).refusal
            let what = HistoryText.recordNamed.with(["kind": FieldText.refusal.text, "title": refusal.summary, "id": shortID(refusal.id)])
            try context.confirm(HistoryText.dropQuestion.with(["what": what]), what: what)
            _ = try store.dropRefusal(refusal.id, language: context.language)
            context.say(RefusalText.dropped.with(["id": shortID(refusal.id), "summary": refusal.summary]))
        } else {
            let kept = try store.keptRefusals().count
            if kept > 0 {
                let what = HistoryText.everyRefusal.with(["count": kept])
                try context.confirm(HistoryText.dropQuestion.with(["what": what]), what: what)
            }
            let count = try store.dropAllRefusals()
            context.say(RefusalText.droppedAll.with(["count": count]))
        }
    },
]
