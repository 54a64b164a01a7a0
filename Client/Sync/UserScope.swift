import Foundation
import KetteProtocol

// The same two functions as the `refusals` lane's Client/Sync/WriteScope.swift (same names, same
// stored form): reports need the user's districts before that lane lands. When both are on main,
// this file goes and WriteScope.swift keeps them.
extension LocalStore {
    /// Stores who the server says this user is, for checking writes until the next sync.
    func recordUserScope(_ identity: Identity) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(identity), as: UTF8.self)
        try database.inTransaction { db in try setMeta("user_scope", text, in: db) }
    }

    /// The user's role and districts as the server last reported them; nil before the first sync.
    public func userScope() throws -> Identity? {
        try meta("user_scope").flatMap { try? JSONDecoder().decode(Identity.self, from: Data($0.utf8)) }
    }
}
