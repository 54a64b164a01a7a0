/// How SQLite treats the content of deleted rows (`PRAGMA secure_delete`): left in the freed
/// space, zeroed, or zeroed where that writes no extra page. Debian builds SQLite with `on`.
public enum SecureDelete: Int, Sendable {
    case off = 0
    case on = 1
    case fast = 2

    /// The pragma's own word: it reads a number as a boolean, so `2` would turn it on, not `fast`.
    var pragmaValue: String {
        switch self {
        case .off: "OFF"
        case .on: "ON"
        case .fast: "FAST"
        }
    }
}

extension Database {
    /// The connection's `secure_delete` setting.
    public func secureDelete() throws -> SecureDelete {
        SecureDelete(rawValue: try scalarInt("PRAGMA secure_delete") ?? 0) ?? .on
    }

    public func setSecureDelete(_ mode: SecureDelete) throws {
        try execute("PRAGMA secure_delete = \(mode.pragmaValue)")
    }
}
