import KetteProtocol

/// One part of the message catalog: its messages are the cases, their texts a table in both
/// languages. Every line `kette` and `kette-server` print comes from a section (or, for help, from
/// a command's declaration), so the catalog test can walk them all and fail on a case without
/// text, a text without German, or placeholders that differ between the languages.
///
/// A text may hold placeholders that are filled when the message is rendered:
/// - `{name}`: the value given for `name`, formatted for the language (numbers with thousands
///   separators, days as `14.03.2026` in German, times in local time; see `MessageValue`);
/// - `{name:one|other}`: `one` when the value of `name` is 1, else `other` ("offer|offers").
///
///     enum SyncText: String, MessageSection {
///         case done
///         static let texts: [SyncText: LocalizedText] = [
///             .done: LocalizedText("Sync done: {pushed} {pushed:change set|change sets} sent.",
///                                  "Sync fertig: {pushed} {pushed:Änderungssatz|Änderungssätze} gesendet."),
///         ]
///     }
///     context.say(SyncText.done.with(["pushed": report.appliedChangeSets]))
public protocol MessageSection: CaseIterable, Hashable, Sendable, RawRepresentable where RawValue == String {
    /// The text of every case; the catalog test fails on a case missing here.
    static var texts: [Self: LocalizedText] { get }
}

/// The values a message's placeholders are filled with, by placeholder name.
public typealias MessageValues = KeyValuePairs<String, any MessageValue>

extension MessageSection {
    /// The catalog key, e.g. `SyncText.done`.
    public var key: String { "\(Self.self).\(rawValue)" }

    /// The unrendered texts, placeholders included.
    public var template: LocalizedText {
        Self.texts[self] ?? LocalizedText(verbatim: "[\(key)]")
    }

    /// The message with `values` filled in, in both languages.
    public func with(_ values: MessageValues) -> LocalizedText {
        let template = self.template
        return LocalizedText(MessageTemplate.render(template.english, values, .english, key: key),
                             MessageTemplate.render(template.german, values, .german, key: key))
    }

    /// The message without values.
    public var text: LocalizedText { with([:]) }

    /// The message in `language` with `values` filled in.
    public func callAsFunction(_ language: Language, _ values: MessageValues = [:]) -> String {
        MessageTemplate.render(template(language), values, language, key: key)
    }
}

/// Fills a template's placeholders.
public enum MessageTemplate {
    /// `template` with each `{name}` and `{name:one|other}` replaced. A placeholder without a value
    /// is left as it is (and stops a debug build, so tests find the call site).
    public static func render(_ template: String, _ values: MessageValues, _ language: Language, key: String) -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            let placeholder = rest[rest.index(after: open)..<close]
            result += fill(placeholder, values, language, key: key) ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func fill(_ placeholder: Substring, _ values: MessageValues, _ language: Language, key: String) -> String? {
        let parts = placeholder.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard let value = values.first(where: { $0.key == name })?.value else {
            assertionFailure("\(key): no value for {\(name)}")
            return nil
        }
        guard parts.count == 2 else { return value.text(language) }
        let forms = parts[1].split(separator: "|", omittingEmptySubsequences: false)
        guard forms.count == 2 else { return nil }
        return String(value.pluralCount == 1 ? forms[0] : forms[1])
    }

    /// The names of a template's placeholders, plural forms included; for the catalog test.
    public static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let placeholder = rest[rest.index(after: open)..<close]
            names.insert(String(placeholder.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
