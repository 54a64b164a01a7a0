import Foundation
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
    public static func warning(_ health: HealthStatus, url: String, _ language: Language) -> String? {
        let level = health.protocolLevel
        guard level < ProtocolLevel.requiredByClient else { return nil }
        let server = health.version.map { "kette-server \($0)" } ?? language.pick("a kette-server before 0.9", "einem kette-server vor 0.9")
        let missing = ((level + 1)...ProtocolLevel.requiredByClient).map { ProtocolLevel.features(of: $0, language) }.joined(separator: "; ")
        return language.pick(
            "the server \(url) runs \(server) (protocol level \(level)); this kette \(KetteVersion.release) uses level \(ProtocolLevel.requiredByClient) (\(missing)). Ask the county's IT to update kette-server; until then syncs may fail.",
            "Der Server \(url) läuft mit \(server) (Protokollstufe \(level)); dieses kette \(KetteVersion.release) nutzt Stufe \(ProtocolLevel.requiredByClient) (\(missing)). Bitte die IT des Kreises, kette-server zu aktualisieren; bis dahin kann der Sync scheitern.")
    }
}
