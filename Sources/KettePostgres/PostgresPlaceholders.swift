/// SQL written with SQLite's `?` placeholders, for PostgreSQL, which numbers them (`$1, $2, …`).
public enum PostgresPlaceholders {
    /// `sql` with each `?` replaced by `$1`, `$2`, … in order; a `?` inside a quoted literal or
    /// identifier is left as it is.
    public static func numbered(_ sql: String) -> String {
        var text = ""
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?" {
                number += 1
                text += "$\(number)"
                continue
            }
            text.append(character)
        }
        return text
    }
}
