import KetteProtocol

/// A value a message shows: it knows how it is written in each language.
public protocol MessageValue: Sendable {
    func text(_ language: Language) -> String
    /// The number plural forms are chosen by; nil for values that are not counts.
    var pluralCount: Int? { get }
}

extension MessageValue {
    public var pluralCount: Int? { nil }
}

extension String: MessageValue {
    public func text(_ language: Language) -> String { self }
}

extension Substring: MessageValue {
    public func text(_ language: Language) -> String { String(self) }
}

/// A quantity: "16,000" in English, "16.000" in German. Numbers that are no quantity (a year, a
/// port, an HTTP status) are passed as text.
extension Int: MessageValue {
    public func text(_ language: Language) -> String { LocalFormat.number(self, language) }
    public var pluralCount: Int? { self }
}

extension Int64: MessageValue {
    public func text(_ language: Language) -> String { LocalFormat.number(Int(self), language) }
    public var pluralCount: Int? { Int(self) }
}

extension LocalizedText: MessageValue {
    public func text(_ language: Language) -> String { self(language) }
}

/// A vocabulary value shows its label ("Frühe Kindheit" / "Early childhood (0–3)").
public struct Label<V: Vocabulary>: MessageValue {
    public let value: V
    public init(_ value: V) { self.value = value }
    public func text(_ language: Language) -> String { value.label(language) }
}

/// A calendar day stored as `YYYY-MM-DD`: `14.03.2026` in German, as stored in English. Text that
/// is no such day is shown as it is.
public struct Day: MessageValue, Hashable {
    public let iso: String
    public init(_ iso: String) { self.iso = iso }
    public func text(_ language: Language) -> String { LocalFormat.day(iso, language) }
}

/// A moment stored as an ISO 8601 UTC stamp (`2026-03-14T09:30:00Z`) or as milliseconds since
/// 1970, shown in local time (`TZ`, else Europe/Berlin): `14.03.2026 10:30` / `2026-03-14 10:30`.
public struct Moment: MessageValue, Hashable {
    public let secondsSince1970: Int?
    private let original: String

    public init(iso: String) {
        secondsSince1970 = LocalFormat.epochSeconds(iso: iso)
        original = iso
    }

    public init(milliseconds: Int64) {
        secondsSince1970 = Int(milliseconds / 1000)
        original = String(milliseconds)
    }

    public func text(_ language: Language) -> String {
        guard let seconds = secondsSince1970 else { return original }
        return LocalFormat.localTime(seconds, language)
    }
}
