/// Text from other people (record names, titles, minutes, server messages) made safe to print
/// on a terminal: characters a terminal would obey instead of show are shown as `<U+XXXX>`.
///
/// Escaped: C0 controls except line feed and tab (a carriage return only when it does not end a
/// line, so CRLF text stays readable), DEL, C1 controls (some terminals obey U+009B as CSI), and
/// the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, which
/// can reorder what a line appears to say. Kept: the marks U+200E, U+200F and U+061C, which
/// Arabic and Hebrew text needs and which cannot reorder a run of other text.
/// `<U+XXXX>` is plain ASCII, shows in every font, and names the exact code point; a backslash
/// is not escaped, so paths and ordinary text print as they are. `--json` output is never passed
/// through this: it must stay exact.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: isUnsafe) else { return text }
        var result = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            let endsLine = scalar == "\r" && next != scalars.endIndex && scalars[next] == "\n"
            if isUnsafe(scalar), !endsLine {
                result.append(contentsOf: visibleForm(of: scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
            index = next
        }
        return String(result)
    }

    /// Whether a terminal might act on `scalar` instead of showing it.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `<U+001B>` for ESC.
    static func visibleForm(of scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }
}
