import KetteProtocol

/// A user-facing text in the two languages Kette speaks. Catalog messages render to it (with
/// their values filled in), and help declarations are written as it; the catalog test checks
/// that every one is translated.
public struct LocalizedText: Sendable, Equatable, Hashable {
    public let english: String
    public let german: String

    public init(_ english: String, _ german: String) {
        self.english = english
        self.german = german
    }

    /// The same text in both languages: a name, a number, an id.
    public init(verbatim text: String) {
        self.init(text, text)
    }

    /// The same text in both languages, e.g. an option's name.
    public static func verbatim(_ text: String) -> LocalizedText {
        LocalizedText(verbatim: text)
    }

    /// The text in `language`.
    public func callAsFunction(_ language: Language) -> String {
        language == .german ? german : english
    }

    /// Both texts with `transform` applied, e.g. to add a prefix in each language.
    public func map(_ transform: (String) -> String) -> LocalizedText {
        LocalizedText(transform(english), transform(german))
    }

    public static func + (left: LocalizedText, right: LocalizedText) -> LocalizedText {
        LocalizedText(left.english + right.english, left.german + right.german)
    }

    /// The texts joined with `separator` in each language.
    public static func joined(_ texts: [LocalizedText], separator: String) -> LocalizedText {
        LocalizedText(texts.map(\.english).joined(separator: separator), texts.map(\.german).joined(separator: separator))
    }
}
