import KetteStore

extension ServerStore {
    /// Gives an existing user a new token and returns it; only its hash is stored. The old token
    /// stops working at once (the next request with it is refused, 401), and a revoked user is
    /// active again: this is how a lost laptop or a leaked token is replaced without making a
    /// new user. Audited as `user-token`; `actor` is who did it (nil: the OS account).
    public func issueToken(forUser name: String, actor: String? = nil) throws -> String {
        let token = Secrets.newToken()
        try audited { db, events in
            let changed = try db.write("UPDATE users SET token_hash = ?, revoked_at = NULL WHERE name = ?", [Secrets.sha256Hex(token), name])
            guard changed == 1 else { throw AdminError.unknownUser(name) }
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "user-token", detail: name))
        }
        return token
    }
}
