import Foundation
import KetteMessages
import KetteProtocol

/// Checks and converts what people type into field values; every failure names the field and
/// what it accepts.
public enum Input {
    /// A non-empty text, trimmed.
    public static func requiredText(_ text: String?, field: String) throws -> String {
        guard let text, case let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            throw KetteError.missingValue(field: FieldText.named(field))
        }
        return trimmed
    }

    /// An optional text: nil stays unchanged, an empty text clears the field.
    public static func optionalText(_ text: String?) -> FieldValue? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? .null : .string(trimmed)
    }

    /// A vocabulary value by its slug, its English or German label, or a German short form
    /// (`--phase Schwangerschaft`, `--phase "Frühe Kindheit"`, `--phase fruehe-kindheit`).
    public static func vocabulary<V: Vocabulary>(_ text: String?, _ type: V.Type, field: String? = nil) throws -> V? {
        guard let text else { return nil }
        guard let value = V.parse(text) else {
            throw KetteError.invalidValue(field: FieldText.named(field ?? V.fieldName), value: text, accepted: accepted(V.self))
        }
        return value
    }

    /// What a vocabulary accepts, as the error lists it: the slugs in English; in German the
    /// German short forms with their labels, and that the English slugs work too.
    public static func accepted<V: Vocabulary>(_ type: V.Type) -> LocalizedText {
        let english = V.slugs.joined(separator: ", ")
        let german = V.allCases.map { value in
            value.germanSlug == value.germanLabel.lowercased() ? value.germanSlug : "\(value.germanSlug) (\(value.germanLabel))"
        }.joined(separator: ", ")
        return LocalizedText(english, german) + InputText.acceptedAlso.text
    }

    /// A comma-separated list of vocabulary values ("preschool,primary"), duplicates removed, order kept.
    public static func vocabularyList<V: Vocabulary>(_ text: String?, _ type: V.Type, field: String? = nil) throws -> [V]? {
        guard let text else { return nil }
        var values: [V] = []
        for part in text.split(separator: ",") {
            guard let value = try vocabulary(String(part), type, field: field), !values.contains(value) else { continue }
            values.append(value)
        }
        guard !values.isEmpty else {
            throw KetteError.invalidValue(field: FieldText.named(field ?? V.fieldName), value: text, accepted: accepted(V.self))
        }
        return values
    }

    /// A comma-separated list of free words ("de,tr,ar"), trimmed, empty parts dropped.
    public static func wordList(_ text: String?) -> [String]? {
        guard let text else { return nil }
        var words: [String] = []
        for part in text.split(separator: ",") {
            let word = part.trimmingCharacters(in: .whitespaces)
            if !word.isEmpty, !words.contains(word) { words.append(word) }
        }
        return words
    }

    /// A calendar date that exists (no 2024-02-30), written 2026-03-14 or as Germans do, 14.03.2026
    /// (also 14.3.2026); returned as YYYY-MM-DD, the form it is stored in.
    public static func date(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let iso = LocalFormat.isoDay(german: trimmed) ?? trimmed
        guard let (year, month, day) = LocalFormat.isoDay(iso), day <= daysIn(month: month, year: year), year >= 1900 else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: InputText.expectedDate.text)
        }
        return iso
    }

    /// A time of day HH:MM, 24-hour.
    public static func time(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: InputText.expectedTime.text)
        }
        return text
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
