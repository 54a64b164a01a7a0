import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// An option that sets one field of a record (`--baseline-period P` → `baselinePeriod`). Given
/// more than once when `repeatable`, its values are joined with commas (a list field).
struct FieldOption {
    let option: Option<String>
    let field: String

    init(_ name: String, field: String? = nil, value: String, help: @escaping @autoclosure @Sendable () -> LocalizedText, repeatable: Bool = false) {
        option = Option<String>(name, value: value, help: help(), repeatable: repeatable)
        self.field = field ?? name
    }

    /// A field from a closed list: the help names the accepted values, in each language's words.
    init<V: Vocabulary>(_ name: String, field: String? = nil, _ type: V.Type, note: LocalizedText? = nil) {
        let help = { @Sendable in
            LocalizedText("one of: \(V.slugs.joined(separator: ", "))", "eines von: \(germanChoices(V.self))")
                + (note.map { LocalizedText.verbatim(" (") + $0 + .verbatim(")") } ?? .verbatim(""))
        }
        self.init(name, field: field, value: String(name.prefix(1)).uppercased(), help: help())
    }
}

extension Array where Element == FieldOption {
    var declarations: [any OptionDeclaration] { map(\.option) }

    /// What was typed, by field name; `extra` adds a positional argument's field.
    func input(_ args: ParsedInput, _ extra: [String: String?] = [:]) -> RecordInput {
        var input = RecordInput()
        for fieldOption in self {
            let values = args.all(fieldOption.option)
            if !values.isEmpty { input[fieldOption.field] = values.joined(separator: ",") }
        }
        for case let (field, value?) in extra { input[field] = value }
        return input
    }
}

/// The common options of the planning records.
enum CommonField {
    static let district = FieldOption("district", value: "D", help: LocalizedText(
        "its district (id or name); empty or none: county-wide", "sein Sozialraum (ID oder Name); leer oder ohne: kreisweit"))
    static let phases = FieldOption("phase", field: "phases", value: "P[,P…]", help: LocalizedText(
        "life phases: " + LifePhase.slugs.joined(separator: ", "), "Lebensphasen: " + germanChoices(LifePhase.self)), repeatable: true)
}

extension CommandContext {
    /// A planning message in the user's language.
    func text(_ key: PlanningText) -> String { key(language) }

    /// A stored day as people read it (`14.03.2026` in German).
    func day(_ iso: String?) -> String? { iso.map { Day($0).text(language) } }

    /// Prints `label: value` lines, values aligned, leaving out the empty ones; the first row is the id.
    func printFields(id: String, _ rows: [(PlanningText, String?)]) {
        let shown = [("ID", id)] + rows.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : (key(language), $0) } }
        let width = shown.map(\.0.count).max() ?? 0
        for (label, value) in shown { say(label + ":" + String(repeating: " ", count: width - label.count + 1) + value) }
    }

    /// The labels of some vocabulary values, comma-separated; nil when there are none.
    func labels<V: Vocabulary>(_ values: [V]) -> String? {
        values.isEmpty ? nil : values.map { $0.label(language) }.joined(separator: ", ")
    }

    /// Prints records as JSON, or as a table (cut to `--limit`) with a count line below it.
    func printList<T: Encodable>(_ records: [T], header: [String], noun: PlanningText, row: (T) -> [String]) throws {
        if wantsJSON { return try printJSONList(records) }
        let shown = limited(records)
        for line in table(header, shown.map(row)) { say(line) }
        let nouns = noun.with(["n": records.count])
        say(shown.count < records.count ? ListText.shownOf.with(["shown": shown.count, "total": records.count, "noun": nouns])
                                        : ListText.total.with(["total": records.count, "noun": nouns]))
    }
}

/// `TYPE delete ID`: a tombstone that syncs, with its text fields emptied; asks first, as every
/// deletion does (`deleteAfterConfirming`; the text stays in this laptop's trash for 30 days).
func deleteCommand(_ type: RecordType, _ argument: Argument<String>, _ what: LocalizedText) -> KetteCommand {
    deletionCommand("\(type.rawValue) delete", type, argument: argument,
                    abstract: LocalizedText("delete \(what.english) (a tombstone that syncs); asks first",
                                            "\(what.german) löschen (als Grabstein, der synchronisiert wird); fragt vorher")) { id in
        PlanningText.deleted.with(["kind": FieldText.kind(type), "id": id])
    }
}
