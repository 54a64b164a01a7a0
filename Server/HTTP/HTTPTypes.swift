import KetteProtocol

/// One HTTP request as the transport read it: complete, with its body, and not yet interpreted.
///
/// Everything the client sent arrives here as data; nothing in it has been trusted or validated
/// beyond what HTTP framing requires. Handlers can build one directly, so they are testable
/// without a socket.
public struct HTTPRequest: Sendable {
    /// The request method exactly as sent (`GET`, `POST`, …).
    public var method: String
    /// The request path without the query string, percent-decoded by libmicrohttpd
    /// (so `%2F` arrives as `/`, and invalid UTF-8 as U+FFFD).
    public var path: String
    /// The query arguments, decoded as a form (`%XX`, and `+` as a space); for a repeated
    /// name the last value wins, and a name without `=` maps to the empty string.
    public var query: [String: String]
    /// The request headers with lowercased names; repeated headers are joined with `", "`.
    public var headers: [String: String]
    /// The request body as received; never decoded, so non-UTF-8 input stays intact.
    public var body: [UInt8]
    /// The client's IP address (`127.0.0.1`, `::1`), or an empty string when unknown.
    public var remoteAddress: String

    public init(
        method: String = "GET",
        path: String = "/",
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        var lowercased: [String: String] = [:]
        for (name, value) in headers { lowercased[name.lowercased()] = value }
        self.headers = lowercased
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// The answer a handler gives to one request.
///
/// `Content-Length` is computed by the transport and `Transfer-Encoding` is the transport's
/// business, so those two headers are ignored when set here.
public struct HTTPResponse: Sendable {
    /// The status code; anything outside 100...599 is sent as a 500.
    public var status: Int
    /// The headers in the order they are sent; a name may repeat (`Set-Cookie`).
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response carrying a JSON document encoded as UTF-8.
    public static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: body)
    }

    /// The JSON error shape every layer answers with: `{"error":{"code":…,"message":…}}`.
    ///
    /// `message` is meant for people and must not carry internals (paths, SQL, stack traces).
    public static func error(_ status: Int, code: String, message: String) -> HTTPResponse {
        let document = #"{"error":{"code":"# + FieldValue.string(code).jsonText + #","message":"# + FieldValue.string(message).jsonText + "}}"
        return .json(status, Array(document.utf8))
    }
}

/// Answers requests; the server calls it concurrently from its worker threads.
///
/// A handler sees each request once, complete, and must return a response: there is no way to
/// throw past it, so every failure becomes a status code chosen by the handler.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
