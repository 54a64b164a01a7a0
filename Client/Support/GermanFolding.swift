import Foundation

/// German text folded so that the spellings people use for the same words meet: lowercased,
/// accents dropped, ä ö ü written as a o u and their transcriptions ae oe ue read the same way,
/// ß as ss, anything but letters and digits a single space. "Sprachförderung für Familien",
/// "Sprachfoerderung fuer Familien" and "SPRACHFORDERUNG - für Familien" all fold to
/// "sprachforderung fur familien".
///
/// The same rule as the `everyday` lane's search folding (SearchText.folded), written here for
/// duplicate detection until both are on main; then one of them should go.
public enum GermanFolding {
    public static func folded(_ text: String) -> String {
        var words: [String] = []
        var word = ""
        for scalar in text.precomposedStringWithCanonicalMapping.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark {
                // The umlaut's dots (ä = a + U+0308) go with the other accents.
                continue
            }
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if scalar == "ß" { word += "ss"; continue }
                // ae, oe, ue: the transcription of an umlaut reads as its base letter.
                if scalar == "e", let last = word.unicodeScalars.last, "aou".unicodeScalars.contains(last) { continue }
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: " ")
    }
}
