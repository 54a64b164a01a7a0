import KetteProtocol

/// A user-facing text in the two languages Kette speaks. Declared once, with both sides, so help
/// texts and messages can move into a message catalog and a test can check every one is translated.
public struct LocalizedText: Sendable, Equatable {
    public let english: String
    public let german: String

    public init(_ english: String, _ german: String) {
        self.english = english
        self.german = german
    }

    /// The text in `language`.
    public func callAsFunction(_ language: Language) -> String {
        language.pick(english, german)
    }

    /// Both texts with `transform` applied, e.g. to add a prefix in each language.
    public func map(_ transform: (String) -> String) -> LocalizedText {
        LocalizedText(transform(english), transform(german))
    }

    public static func + (left: LocalizedText, right: LocalizedText) -> LocalizedText {
        LocalizedText(left.english + right.english, left.german + right.german)
    }
}
