import KetteClient
import KetteProtocol

/// Change sets the server refused for good: taken back in this store and kept here, so nothing
/// is lost and no later sync fails because of them.
let refusalCommands: [CommandSpec] = [
    CommandSpec(
        path: ["refused"], abstract: "list change sets the server refused; they were taken back here and are kept until retried or dropped",
        options: [jsonFlag],
        run: { _, context in
            let kept = try context.store().keptRefusals()
            if context.wantsJSON { return try context.printJSON(kept) }
            if kept.isEmpty { return context.say(context.pick("No refused change sets.", "Keine abgelehnten Änderungssätze.")) }
            let header = ["ID", context.pick("REFUSED", "ABGELEHNT"), context.pick("CODE", "CODE"), context.pick("WHAT", "WAS"), context.pick("REASON", "GRUND")]
            let rows = kept.map { [shortID($0.id), String($0.refusedAt.prefix(10)), $0.code, $0.summary, $0.reason] }
            for line in context.table(header, rows) { context.say(line) }
            context.say(context.pick("See one with `kette refused show ID`; write it again with `kette refused retry ID` once the cause is fixed, or forget it with `kette refused drop ID`.",
                                     "Einzeln ansehen mit `kette refused show ID`; nach Behebung der Ursache erneut schreiben mit `kette refused retry ID` oder verwerfen mit `kette refused drop ID`."))
        }),
    CommandSpec(
        path: ["refused", "show"], abstract: "show what a refused change set would have written",
        arguments: [ArgumentSpec(name: "ID", help: "the refused change set's id or the start of it")],
        options: [jsonFlag],
        run: { args, context in
            let detail = try context.store().refusal(args.positional(0)!, language: context.language)
            if context.wantsJSON { return try context.printJSON(detail) }
            let refusal = detail.refusal
            context.say("\(refusal.id)  \(refusal.summary)")
            context.say(context.pick("refused ", "abgelehnt ") + "\(refusal.refusedAt) (\(refusal.code)): \(refusal.reason)")
            for change in detail.changes {
                context.say("  \(change.recordType.rawValue) \(shortID(change.recordID)) · \(change.field) = \(describe(change.value))")
            }
        }),
    CommandSpec(
        path: ["refused", "retry"], abstract: "write a refused change set again as a new one, pushed at the next sync (after its cause was fixed)",
        arguments: [ArgumentSpec(name: "ID", help: "the refused change set's id or the start of it")],
        run: { args, context in
            let refusal = try context.store().retryRefusal(args.positional(0)!, language: context.language)
            context.say(context.pick("Wrote \(shortID(refusal.id)) (\(refusal.summary)) again as a new change set; run `kette sync` to push it.",
                                     "\(shortID(refusal.id)) (\(refusal.summary)) als neuen Änderungssatz erneut geschrieben; mit `kette sync` übertragen."))
        }),
    CommandSpec(
        path: ["refused", "drop"], abstract: "forget a refused change set (or all of them); what it would have written is gone",
        arguments: [ArgumentSpec(name: "ID", help: "the refused change set's id or the start of it", optional: true)],
        options: [.flag("all", "forget every refused change set")],
        run: { args, context in
            let store = try context.store()
            switch (args.positional(0), args.flag("all")) {
            case (let reference?, false):
                let refusal = try store.dropRefusal(reference, language: context.language)
                context.say(context.pick("Dropped \(shortID(refusal.id)) (\(refusal.summary)).", "\(shortID(refusal.id)) (\(refusal.summary)) verworfen."))
            case (nil, true):
                let count = try store.dropAllRefusals()
                context.say(context.pick("Dropped \(count) refused change sets.", "\(count) abgelehnte Änderungssätze verworfen."))
            case (nil, false): throw KetteError.missingValue(field: "ID or --all")
            case (_?, true): throw KetteError.malformedValue(field: "ID/--all", value: "both", expected: "only one of ID and --all")
            }
        }),
]
