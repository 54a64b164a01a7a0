import Foundation
import KetteMessages
import KetteProtocol

/// A person's name as `kette-server erase` looks for it, in every spelling that stands for it.
///
/// Two spellings match when they are equal after canonical decomposition (NFD: "ü" typed as one
/// character or pasted from a PDF as "u" and a combining diaeresis) and full case folding ("ß"
/// and "SS"; "İ", "I", "ı" and "i" alike, so "ALİ ÖZTÜRK" is "Ali Öztürk"), with any run of white
/// space between the words of the name: spaces, no-break spaces, tabs, line breaks, and the same
/// written as JSON escapes (`\n`, `\t`, `\u00a0`), which is how they stand in JSON text kept in a
/// field (the values of a conflict record). Invisible characters (zero-width space, soft hyphen)
/// are skipped. The name is found anywhere in a text, also inside longer words: erasure errs on
/// the side of removing.
public struct PersonName {
    /// What an erased name is replaced with, on the server and, by sync, on every client. One
    /// fixed text, so a reader of the minutes sees that something was removed.
    public static let marker = "[gelöscht]"

    /// The name's words, each as the keys its characters fold to.
    private let words: [[Unicode.Scalar]]
    private let keys = KeyCache()

    public init(_ name: String) throws(AdminError) {
        let letters = name.filter { !$0.isWhitespace }.count
        guard letters >= 3, letters <= 200 else {
            throw AdminError.invalid(ServerText.personForm.with(["name": String(name.prefix(40))]))
        }
        let folded = FoldedText(name, keys: keys).keys
        words = folded.split(separator: FoldedText.space).map(Array.init)
        guard words.reduce(0, { $0 + $1.count }) >= 3 else {
            throw AdminError.invalid(ServerText.personUnsearchable.with(["name": String(name.prefix(40))]))
        }
    }

    /// `text` with every occurrence of the name replaced by the marker; nil when there is none.
    public func redact(_ text: String) -> String? {
        let folded = FoldedText(text, keys: keys)
        let found = matches(in: folded.keys)
        guard !found.isEmpty else { return nil }
        var result = ""
        var copied = text.unicodeScalars.startIndex
        for match in found {
            let range = folded.sourceRange(ofKeys: match)
            result.unicodeScalars.append(contentsOf: text.unicodeScalars[copied..<range.lowerBound])
            result += Self.marker
            copied = range.upperBound
        }
        result.unicodeScalars.append(contentsOf: text.unicodeScalars[copied...])
        return result
    }

    /// The value with the name replaced in every text it holds; nil when it holds none.
    public func redact(_ value: FieldValue) -> FieldValue? {
        switch value {
        case .string(let text): return redact(text).map(FieldValue.string)
        case .list(let items):
            let redacted = items.map { redact($0) }
            guard redacted.contains(where: { $0 != nil }) else { return nil }
            return .list(zip(items, redacted).map { $1 ?? $0 })
        default: return nil
        }
    }

    /// The key ranges where the name stands, left to right, not overlapping.
    private func matches(in keys: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var start = 0
        while start < keys.count {
            if let end = match(in: keys, at: start) {
                found.append(start..<end)
                start = end
            } else {
                start += 1
            }
        }
        return found
    }

    /// Where a match of the name that starts at `start` ends, or nil.
    private func match(in keys: [Unicode.Scalar], at start: Int) -> Int? {
        var position = start
        for (index, word) in words.enumerated() {
            if index > 0 {
                guard position < keys.count, keys[position] == FoldedText.space else { return nil }
                while position < keys.count, keys[position] == FoldedText.space { position += 1 }
            }
            for key in word {
                guard position < keys.count, keys[position] == key else { return nil }
                position += 1
            }
        }
        return position
    }
}

/// A text as the name matcher reads it: one sequence of keys (folded, decomposed scalars; one
/// `space` for any white space), each key knowing which character of the text it came from. A
/// character is a scalar, or a JSON escape (`\n`, `\u00fc`, and the same under more backslashes,
/// as in JSON text inside JSON text).
struct FoldedText {
    static let space: Unicode.Scalar = " "

    private(set) var keys: [Unicode.Scalar] = []
    /// For each key, the index of the character it came from.
    private var owners: [Int] = []
    /// Where each character starts in the text, and the text's end after the last one.
    private var starts: [String.UnicodeScalarView.Index] = []

    init(_ text: String, keys cache: KeyCache) {
        let scalars = text.unicodeScalars
        keys.reserveCapacity(text.utf8.count)
        owners.reserveCapacity(text.utf8.count)
        starts.reserveCapacity(text.utf8.count + 1)
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let character = starts.count
            starts.append(index)
            guard let scalar = Self.readCharacter(scalars, &index) else { continue }
            if scalar.isASCII {
                // Most characters: no table, no allocation.
                keys.append(KeyCache.asciiKey(scalar))
                owners.append(character)
            } else {
                append(cache.key(for: scalar), of: character)
            }
        }
        starts.append(scalars.endIndex)
    }

    /// Where in the text the keys `range` came from, widened to whole characters and to the
    /// combining marks right after them (so no mark is left dangling after the marker).
    func sourceRange(ofKeys range: Range<Int>) -> Range<String.UnicodeScalarView.Index> {
        var last = owners[range.upperBound - 1]
        var next = range.upperBound
        while next < keys.count, owners[next] > last, keys[next].properties.canonicalCombiningClass != .notReordered {
            last = owners[next]
            next += 1
        }
        return starts[owners[range.lowerBound]]..<starts[last + 1]
    }

    private mutating func append(_ key: [Unicode.Scalar], of character: Int) {
        var key = key[...]
        // A dot above after i or j is the Turkish dotted capital İ taken apart (NFD, or folded to
        // "i" + U+0307): the dot does not count, so "İ" matches "i", "I" and "ı".
        if key.first == "\u{307}", let previous = keys.last, previous == "i" || previous == "j" { key = key.dropFirst() }
        for scalar in key {
            keys.append(scalar)
            owners.append(character)
        }
    }

    /// Reads one character at `index`: a JSON escape (under any number of backslashes) decoded
    /// to its scalar, or a plain scalar. Nil for an escape that decodes to nothing usable.
    private static func readCharacter(_ scalars: String.UnicodeScalarView, _ index: inout String.UnicodeScalarView.Index) -> Unicode.Scalar? {
        let scalar = scalars[index]
        scalars.formIndex(after: &index)
        guard scalar == "\\" else { return scalar }
        var cursor = index
        while cursor < scalars.endIndex, scalars[cursor] == "\\" { scalars.formIndex(after: &cursor) }
        guard cursor < scalars.endIndex else { return scalar }
        switch scalars[cursor] {
        case "n", "r", "t", "f":
            index = scalars.index(after: cursor)
            return " "
        case "b":
            index = scalars.index(after: cursor)
            return nil
        case "u":
            guard let (code, end) = hexCode(scalars, after: cursor) else { return scalar }
            index = end
            if (0xD800..<0xDC00).contains(code), let low = lowSurrogate(scalars, at: end) {
                index = low.end
                return Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low.code - 0xDC00))
            }
            return Unicode.Scalar(code)
        default:
            return scalar  // a backslash before anything else is itself
        }
    }

    /// The four hex digits after the `u` at `u`, and the index after them.
    private static func hexCode(_ scalars: String.UnicodeScalarView, after u: String.UnicodeScalarView.Index)
        -> (UInt32, String.UnicodeScalarView.Index)? {
        var cursor = scalars.index(after: u)
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard cursor < scalars.endIndex, let digit = hexDigit(scalars[cursor]) else { return nil }
            code = code << 4 | digit
            scalars.formIndex(after: &cursor)
        }
        return (code, cursor)
    }

    private static func hexDigit(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar.value {
        case 0x30...0x39: scalar.value - 0x30
        case 0x41...0x46: scalar.value - 0x41 + 10
        case 0x61...0x66: scalar.value - 0x61 + 10
        default: nil
        }
    }

    /// A `\uDC00`…`\uDFFF` escape (after any number of backslashes) at `index`, completing a pair.
    private static func lowSurrogate(_ scalars: String.UnicodeScalarView, at index: String.UnicodeScalarView.Index)
        -> (code: UInt32, end: String.UnicodeScalarView.Index)? {
        var cursor = index
        guard cursor < scalars.endIndex, scalars[cursor] == "\\" else { return nil }
        while cursor < scalars.endIndex, scalars[cursor] == "\\" { scalars.formIndex(after: &cursor) }
        guard cursor < scalars.endIndex, scalars[cursor] == "u", let (code, end) = hexCode(scalars, after: cursor),
              (0xDC00..<0xE000).contains(code) else { return nil }
        return (code, end)
    }
}

/// The match keys of scalars: folded (full case folding, taken as the lowercase of the
/// uppercase, which maps every case variant to one form and "ı" and "İ" to "i") and decomposed
/// (NFD). White space is one `FoldedText.space`; invisible characters have no key. Kept per
/// erasure, as one name is looked for in every field.
final class KeyCache {
    private var cache: [Unicode.Scalar: [Unicode.Scalar]] = [:]

    static func asciiKey(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x41...0x5A: Unicode.Scalar(UInt8(scalar.value + 0x20))
        case 0x09...0x0D: FoldedText.space
        default: scalar
        }
    }

    func key(for scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if scalar.isASCII { return [Self.asciiKey(scalar)] }
        if let known = cache[scalar] { return known }
        let key: [Unicode.Scalar]
        if scalar.properties.isWhitespace || scalar == "\u{200B}" {
            key = [FoldedText.space]
        } else if scalar.properties.isDefaultIgnorableCodePoint {
            key = []
        } else {
            var folded = Array(String(scalar).uppercased().lowercased().decomposedStringWithCanonicalMapping.unicodeScalars)
            if folded.count > 1, folded[0] == "i" || folded[0] == "j", folded[1] == "\u{307}" { folded.remove(at: 1) }
            key = folded
        }
        cache[scalar] = key
        return key
    }
}
