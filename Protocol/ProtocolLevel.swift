/// Kette's release version and the protocol feature level: what a client needs to know about a
/// server it has never seen, and what `kette --version` and `kette-server --version` print.
///
/// The `/v1` prefix only changes for an incompatible protocol (SPEC §2); features added within
/// `/v1` raise the level instead, so a newer client can tell an older server from a broken one.
public enum KetteVersion {
    /// The version of this release of both programs and of their Debian packages. Change it here
    /// and nowhere else: `scripts/package.sh` reads it from `kette --version`.
    public static let release = "0.9.0"
}

/// The protocol feature level a server serves, reported by `GET /v1/health` (SPEC §2.1). Each
/// level includes everything below it.
public enum ProtocolLevel {
    /// Servers before release 0.9: push, pull, one record, `me`, user management. Their health
    /// answer has no `protocol` field, and a client reads its absence as this level.
    public static let base = 1
    /// Release 0.9: the health answer names the server's version and level.
    public static let versioned = 2
    /// Release 0.9: the anti-entropy endpoints (`/v1/digests`, `/v1/digests/buckets`,
    /// `/v1/digests/records`, `/v1/repairs`), the database id in pull and push (`?server=`), and
    /// "left your scope" entries in pull (SPEC §16).
    public static let antiEntropy = 3

    /// The level this build serves.
    public static let current = antiEntropy

    /// The least level of server whose features the reference client relies on: below it, the
    /// client warns before it syncs (the sync may then fail on a missing endpoint). Every sync
    /// ends with the digest check, so the reference client needs the anti-entropy endpoints.
    public static let requiredByClient = antiEntropy
}

/// The answer of `GET /v1/health`: the server is up, which release it runs and which protocol
/// level it serves. A server before 0.9 sends only `status`.
public struct HealthStatus: Codable, Sendable, Equatable {
    public var status: String
    /// The server's release, e.g. "0.9.0".
    public var version: String?
    /// The git commit it was built from, or "unknown commit".
    public var commit: String?
    /// Its protocol feature level (`ProtocolLevel`).
    public var `protocol`: Int?

    public init(status: String = "ok", version: String?, commit: String?, protocol level: Int?) {
        self.status = status
        self.version = version
        self.commit = commit
        self.protocol = level
    }

    /// The level the server serves; a server that does not say is a level-1 server.
    public var protocolLevel: Int { self.protocol ?? ProtocolLevel.base }
}
