import KetteMessages
import KetteProtocol

/// One HTTP request as the sync client sends it: no cookies, no redirects, no streaming.
public struct TransportRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as written; a value may not contain a line break.
    public var headers: [String: String]
    public var body: [UInt8]?
    /// A lower response limit for this request than the transport's own, counted in bytes as
    /// the caller reads them (after a gzip answer is inflated); nil keeps the transport's.
    public var maxResponseBytes: Int?

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8]? = nil, maxResponseBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
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

    /// A sentence for the coordinator: what happened in plain words (by libcurl's error class,
    /// not its English text), that local data is safe, and what to do.
    public func message(_ language: Language) -> String {
        text(language)
    }

    public var text: LocalizedText {
        plainWords.text + .verbatim(" ") + TransportText.kept.text
    }

    /// libcurl's error number, as `CurlTransport` writes it at the end of the detail ("(curl error 7)").
    public var curlCode: Int? {
        guard let range = detail.range(of: "(curl error ", options: .backwards) else { return nil }
        return Int(detail[range.upperBound...].prefix { $0.isNumber })
    }

    /// The answer arrived but cannot be what the server meant to send: larger than the limit
    /// (counted as inflated) or a gzip stream that does not inflate. A fault of the server or
    /// of what lies between, never of the network's reach or this device.
    public var isUnreadableAnswer: Bool {
        guard case .failed = self else { return false }
        return plainWords == .tooLarge || curlCode == 61  // CURLE_BAD_CONTENT_ENCODING
    }

    /// What happened, by libcurl's error class where known, else by the case.
    var plainWords: TransportText {
        switch (self, curlCode) {
        case (.unreachable, 5?), (.unreachable, 6?): .hostUnknown
        case (.unreachable, 7?): .refused
        case (.unreachable, _): .unreachable
        case (.timedOut, _): .timedOut
        case (.tls, 60?): detail.contains("host name") ? .wrongHost : .untrusted
        case (.tls, 35?): .handshake
        case (.tls, 77?): .caFile
        case (.tls, _): .tls
        case (.failed, _) where detail.contains("larger than the limit"): .tooLarge
        case (.failed, _): .failed
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
