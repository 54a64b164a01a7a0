/// SQL written with SQLite's `?` placeholders, for PostgreSQL, which numbers them (`$1, $2, …`).
public enum PostgresPlaceholders {
    /// `sql` with each `?` replaced by `$1`, `$2`, … in order, and each numbered `?N` by `$N`; a
    /// `?` inside a quoted literal or identifier is left as it is.
    public static func numbered(_ sql: String) -> String {
        var text = ""
        var number = 0
        var quote: Character?
        var characters = sql.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?" {
                text += "$"
                guard let digit = pending, digit.isASCII, digit.isNumber else {
                    number += 1
                    text += String(number)
                    continue
                }
                continue  // `?N`: its digits follow as they are
            }
            text.append(character)
        }
        return text
    }
}
