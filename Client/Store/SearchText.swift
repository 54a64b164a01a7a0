import Foundation

/// The search's view of German text: words folded so that every spelling people use for the same
/// name meets in one form, both in the index and in what people type.
///
/// Folding lowercases, drops accents (é → e), writes ä, ö, ü as a, o, u and ß as ss, and then
/// reads the transcriptions ae, oe, ue as a, o, u: "Müller", "Mueller" and "Muller" all become
/// "muller", "Straße" and "Strasse" "strasse". The transcription rule also folds words that
/// never had an umlaut ("neue" → "neu", "Israel" → "isral"); since query and index fold alike,
/// that only adds a few matches, it never loses one. One case does lose: a typed word part that
/// starts with the e of such a pair inside a word ("ehr" does not find "Kuehr", folded "kuhr").
enum SearchText {
    /// The folded words of `text`, each with where it stands in the text (Unicode scalar offsets).
    static func words(_ text: String) -> [Word] {
        var words: [Word] = []
        var current = FoldedWord()
        var start = 0
        var offset = 0
        func finish() {
            if !current.scalars.isEmpty { words.append(Word(folded: String(current.scalars), start: start, end: offset)) }
            current = FoldedWord()
        }
        for scalar in text.unicodeScalars {
            if isWordPart(scalar) {
                if current.scalars.isEmpty { start = offset }
                current.append(scalar)
            } else {
                finish()
            }
            offset += 1
        }
        finish()
        return words
    }

    /// A word of a text: its folded form and its place in the original.
    struct Word: Equatable {
        let folded: String
        /// Offsets in the original text's Unicode scalars, `end` exclusive.
        let start: Int
        let end: Int
    }

    /// The indexed form of some texts: their folded words separated by single spaces, with a
    /// space before the first and after the last, so that a word's start and end can be matched
    /// (" kita" is a word that starts with "kita"; " ag " is the word "ag").
    ///
    /// One pass into one buffer, without a string per word: pulling a county store folds every
    /// offer's and meeting's texts.
    static func indexed(_ texts: [String?]) -> String {
        var writer = FoldedWord()
        for text in texts.compactMap({ $0 }) {
            var inWord = false
            for scalar in text.unicodeScalars {
                if isWordPart(scalar) {
                    if !inWord { writer.startWord() }
                    inWord = true
                    writer.append(scalar)
                } else {
                    inWord = false
                }
            }
        }
        guard !writer.scalars.isEmpty else { return "" }
        if writer.scalars.last != " " { writer.scalars.append(" ") }
        return String(writer.scalars)
    }

    /// `text` folded as one word list, e.g. for comparing names: "AWO Kreisverband" → "awo kreisverband".
    static func folded(_ text: String) -> String {
        words(text).map(\.folded).joined(separator: " ")
    }

    /// Letters, digits and the marks that belong to a letter; anything else separates words.
    private static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
    }

    /// Folded words being written, one or several separated by spaces. An e that makes ae, oe or
    /// ue with the letter before it is left out, once: "Queen" folds to "quen".
    private struct FoldedWord {
        var scalars = String.UnicodeScalarView()
        private var pairOpen = false

        /// Starts another word in the same buffer, after a space.
        mutating func startWord() {
            if scalars.last != " " { scalars.append(" ") }
            pairOpen = false
        }

        mutating func append(_ scalar: Unicode.Scalar) {
            // ASCII, most of every text, without the array of the general case.
            if scalar.isASCII {
                appendFolded(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar)
                return
            }
            for folded in foldedScalars(scalar) { appendFolded(folded) }
        }

        private mutating func appendFolded(_ folded: Unicode.Scalar) {
            if folded == "e", pairOpen {
                pairOpen = false
                return
            }
            pairOpen = folded == "a" || folded == "o" || folded == "u"
            scalars.append(folded)
        }
    }

    /// One scalar lowercased, without accents; ß becomes ss.
    private static func foldedScalars(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        switch scalar.value {
        case 0x41...0x5A: return [Unicode.Scalar(scalar.value + 0x20)!]
        case 0x00...0x7F: return [scalar]
        case 0xDF, 0x1E9E: return ["s", "s"]  // ß, ẞ
        default: break
        }
        if let latin = latinFolds[scalar.value] { return latin }
        return decomposedLowercase(scalar)
    }

    /// The folds of the Latin letters German and its neighbours write (U+00C0–U+024F), worked
    /// out once: a county's texts are mostly these.
    private static let latinFolds: [UInt32: [Unicode.Scalar]] = Dictionary(uniqueKeysWithValues: (UInt32(0xC0)...0x24F).compactMap { value in
        guard let scalar = Unicode.Scalar(value), value != 0xDF else { return nil }
        return (value, decomposedLowercase(scalar))
    })

    /// The lowercased letter's canonical decomposition without its marks: ä → a (+ U+0308),
    /// é → e (+ U+0301). A mark on its own (text written decomposed, "u" + U+0308) vanishes.
    private static func decomposedLowercase(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if scalar.properties.generalCategory == .nonspacingMark { return [] }
        return scalar.properties.lowercaseMapping.decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.properties.generalCategory != .nonspacingMark }
    }
}
