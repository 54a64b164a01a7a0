import Foundation
import KetteProtocol

/// Checks and converts what people type into field values; every failure names the field and
/// what it accepts.
public enum Input {
    /// A non-empty text, trimmed.
    public static func requiredText(_ text: String?, field: String) throws -> String {
        guard let text, case let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            throw KetteError.missingValue(field: field)
        }
        return trimmed
    }

    /// An optional text: nil stays unchanged, an empty text clears the field.
    public static func optionalText(_ text: String?) -> FieldValue? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? .null : .string(trimmed)
    }

    public static func vocabulary<V: Vocabulary>(_ text: String?, _ type: V.Type, field: String? = nil) throws -> V? {
        guard let text else { return nil }
        guard let value = V.parse(text) else {
            throw KetteError.invalidValue(field: field ?? V.fieldName, value: text, accepted: V.slugs)
        }
        return value
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
            throw KetteError.invalidValue(field: field ?? V.fieldName, value: text, accepted: V.slugs)
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

    /// A calendar date in the form YYYY-MM-DD that exists (no 2024-02-30).
    public static func date(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), year >= 1900
        else {
            throw KetteError.malformedValue(field: field, value: text, expected: "a date YYYY-MM-DD, e.g. 2026-03-14")
        }
        return text
    }

    /// A time of day HH:MM, 24-hour.
    public static func time(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else {
            throw KetteError.malformedValue(field: field, value: text, expected: "a time HH:MM, e.g. 09:30")
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
