import KetteProtocol

/// One HTTP request as the sync client sends it: no cookies, no redirects, no streaming.
public struct TransportRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as written; a value may not contain a line break.
    public var headers: [String: String]
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The server's answer, whatever its status: a 404 or a 503 is a response, not an error.
public struct TransportResponse: Sendable {
    public var status: Int
    /// Header names in lower case; repeated headers are joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request got no HTTP response at all. The associated text is the detail for the log
/// (libcurl's own explanation); `message(_:)` is what the coordinator reads.
public enum TransportError: Error, Equatable, Sendable {
    /// The server could not be reached or dropped the connection: DNS, refused, reset, no answer.
    case unreachable(String)
    /// The connection was too slow or the answer took longer than the configured limit.
    case timedOut(String)
    /// The secure connection could not be set up; the text says whether the certificate is not
    /// trusted, does not match the host name, or the handshake itself failed.
    case tls(String)
    /// Anything else: a malformed URL, a response over the size limit, a local problem.
    case failed(String)

    /// The detail behind the error, as libcurl or the transport reported it.
    public var detail: String {
        switch self {
        case .unreachable(let detail), .timedOut(let detail), .tls(let detail), .failed(let detail): detail
        }
    }

    /// A sentence for the coordinator: what happened, that local data is safe, and what to do.
    public func message(_ language: Language) -> String {
        let de = language == .german
        switch self {
        case .unreachable(let detail):
            return de ? "Der Server ist nicht erreichbar (\(detail)). Ihre Änderungen bleiben auf diesem Gerät gespeichert, nichts ist verloren. Bitte später noch einmal versuchen."
                      : "the server cannot be reached (\(detail)). Your changes stay on this device; nothing was lost. Try again later."
        case .timedOut(let detail):
            return de ? "Der Server hat nicht rechtzeitig geantwortet (\(detail)). Ihre Änderungen bleiben auf diesem Gerät gespeichert, nichts ist verloren. Bitte später noch einmal versuchen."
                      : "the server did not answer in time (\(detail)). Your changes stay on this device; nothing was lost. Try again later."
        case .tls(let detail):
            return de ? "Keine sichere Verbindung zum Server möglich: Zertifikat oder TLS-Verbindungsaufbau wurden nicht akzeptiert (\(detail)). Ihre Änderungen bleiben auf diesem Gerät gespeichert, nichts ist verloren. Bitte die Serveradresse prüfen oder die Administration fragen; nutzt der Kreis eine eigene Zertifizierungsstelle, deren Zertifikat mit „kette remote URL --token TOKEN --cacert DATEI“ angeben."
                      : "no secure connection to the server: \(detail). Your changes stay on this device; nothing was lost. Check the server address or ask whoever runs the server."
        case .failed(let detail):
            return de ? "Die Anfrage an den Server ist fehlgeschlagen: \(detail). Ihre Änderungen bleiben auf diesem Gerät gespeichert, nichts ist verloren."
                      : "the request to the server failed: \(detail). Your changes stay on this device; nothing was lost."
        }
    }
}

extension TransportError: CustomStringConvertible {
    public var description: String { message(.english) }
}

/// Sends one request and waits for the whole response. Implementations must be safe to call from
/// several threads at once; tests substitute their own.
public protocol HTTPTransport: Sendable {
    func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse
}
