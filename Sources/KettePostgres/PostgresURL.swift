/// How `--db` names a PostgreSQL database: a libpq URL.
public enum PostgresURL {
    /// The two schemes libpq accepts for a connection URI (it matches them in lowercase only).
    public static let schemes = ["postgres://", "postgresql://"]

    /// Whether `text` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather
    /// than a SQLite file. `postgresql://` alone takes everything from the `PG*` environment
    /// variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, …), as libpq does.
    public static func isPostgres(_ text: String) -> Bool {
        schemes.contains { text.hasPrefix($0) }
    }

    /// The URL for messages and logs: a password in it (`user:secret@`, `password=secret`) is
    /// replaced by `***`.
    public static func withoutPassword(_ url: String) -> String {
        var text = url
        if let scheme = schemes.first(where: { text.hasPrefix($0) }) {
            let rest = text.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                text = scheme + rest[..<colon] + ":***" + rest[at...]
            }
        }
        guard let query = text.firstIndex(of: "?") else { return text }
        let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            parameter.hasPrefix("password=") ? "password=***" : String(parameter)
        }
        return text[...query] + parameters.joined(separator: "&")
    }
}
