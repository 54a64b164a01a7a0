import Foundation
import KetteMessages
import KetteProtocol

/// Whether the server a store syncs with serves the protocol features this client uses: asked of
/// `GET /v1/health` (SPEC §2.1) after a sync, so an older server is named as the likely cause
/// of a failure, or as one to come, instead of a bare 404.
public enum ServerCompatibility {
    /// The server's health answer, or nil when it cannot be had (unreachable, not Kette): then
    /// there is nothing to say about its version.
    public static func health(of remote: RemoteConfiguration, over transport: any HTTPTransport) -> HealthStatus? {
        let request = TransportRequest(method: "GET", url: remote.url + "/v1/health", headers: ["Accept": "application/json"])
        guard let response = try? transport.send(request), response.status == 200 else { return nil }
        return try? JSONDecoder().decode(HealthStatus.self, from: Data(response.body))
    }

    /// A warning for the user when `health` shows a server below the level this client relies
    /// on; nil when it is new enough.
    public static func warning(_ health: HealthStatus, url: String) -> LocalizedText? {
        let level = health.protocolLevel
        guard level < ProtocolLevel.requiredByClient else { return nil }
        let server = health.version.map { LocalizedText.verbatim("kette-server \($0)") } ?? SyncText.serverBefore09.text
        let missing = ((level + 1)...ProtocolLevel.requiredByClient).map(features)
        let joined = LocalizedText(missing.map(\.english).joined(separator: "; "), missing.map(\.german).joined(separator: "; "))
        return SyncText.serverOlder.with(["url": url, "server": server, "level": level, "version": KetteVersion.release,
                                          "required": ProtocolLevel.requiredByClient, "missing": joined])
    }

    /// What a protocol level added (SPEC §2.1), in words.
    static func features(of level: Int) -> LocalizedText {
        switch level {
        case ProtocolLevel.base: SyncText.levelBase.text
        case ProtocolLevel.versioned: SyncText.levelVersioned.text
        case ProtocolLevel.antiEntropy: SyncText.levelAntiEntropy.text
        default: SyncText.levelOther.with(["level": level])
        }
    }
}
