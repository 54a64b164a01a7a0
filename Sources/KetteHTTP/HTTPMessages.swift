/// One HTTP request as the transport read it: complete, with its body, and not yet interpreted.
///
/// Everything the client sent arrives here as data; nothing in it has been trusted or validated
/// beyond what HTTP framing requires. Handlers can build one directly, so they are testable
/// without a socket.
public struct HTTPRequest: Sendable {
    /// The request method exactly as sent (`GET`, `POST`, …).
    public var method: String
    /// The request path without the query string, percent-decoded (so `%2F` arrives as `/`,
    /// `%00` as U+0000, and invalid UTF-8 as U+FFFD): never cut short at a NUL.
    public var path: String
    /// The query arguments, decoded as a form (`%XX`, and `+` as a space); for a repeated
    /// name the last value wins, and a name without `=` maps to the empty string. A NUL stays in.
    public var query: [String: String]
    /// The request headers with lowercased names; repeated headers are joined with `", "`. A
    /// value keeps every byte the client sent, a NUL included.
    public var headers: [String: String]
    /// The request body as received; never decoded, so non-UTF-8 input stays intact.
    public var body: [UInt8]
    /// The client's IP address (`127.0.0.1`, `::1`), or an empty string when unknown.
    public var remoteAddress: String
    /// What the handler decided when the headers arrived (`HTTPHandler.admit(_:)`), such as the
    /// caller's identity, so that work is not done twice; nil for a request that did not come
    /// through the transport (a test, the fuzzer) or was admitted without one.
    public var context: (any Sendable)?

    public init(
        method: String = "GET",
        path: String = "/",
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String = "",
        context: (any Sendable)? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        var lowercased: [String: String] = [:]
        for (name, value) in headers { lowercased[name.lowercased()] = value }
        self.headers = lowercased
        self.body = body
        self.remoteAddress = remoteAddress
        self.context = context
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

    /// The JSON error shape every layer answers with: `{"error":{"code":…,"message":…}}`. The one
    /// writer of error bodies, for the transport's own answers and the application's alike.
    ///
    /// `message` is meant for people and must not carry internals (paths, SQL, stack traces).
    public static func error(_ status: Int, code: String, message: String, headers: [(String, String)] = []) -> HTTPResponse {
        let document = #"{"error":{"code":"# + JSONText.quoted(code) + #","message":"# + JSONText.quoted(message) + "}}"
        var response = HTTPResponse.json(status, Array(document.utf8))
        response.headers += headers
        return response
    }
}

/// Answers requests; the server calls it concurrently from its worker threads.
///
/// A handler sees each request twice: its head (`admit`) as soon as the headers are complete,
/// before a byte of the body is read, and then the whole request (`handle`), unless `admit`
/// answered already. It must return a response: there is no way to throw past it, so every
/// failure becomes a status code chosen by the handler.
public protocol HTTPHandler: Sendable {
    /// Decides on a request from its method, path, query and headers (`body` is empty). Refusing
    /// here (no token, an unknown path) means the body is never read: a client that may not send
    /// one cannot make the server hold it. The default reads every body.
    func admit(_ head: HTTPRequest) -> HTTPHeadDecision
    func handle(_ request: HTTPRequest) -> HTTPResponse
}

extension HTTPHandler {
    public func admit(_ head: HTTPRequest) -> HTTPHeadDecision { .readBody(context: nil) }
}

/// What a handler decides about a request whose headers are complete.
public enum HTTPHeadDecision: Sendable {
    /// Read the body and call `handle(_:)`; `context` reaches it as `HTTPRequest.context`.
    case readBody(context: (any Sendable)?)
    /// Send this answer now. The body is never read; when one was announced, libmicrohttpd closes
    /// the connection after the answer, since what follows cannot be told from a next request.
    case answer(HTTPResponse)
}

extension HTTPResponse {
    /// The 500 sent instead of a handler's answer that cannot be sent as it is.
    static let invalidResponse = HTTPResponse.error(500, code: "invalid_response",
                                                    message: "The server produced a response it cannot send.")

    /// Whether libmicrohttpd can send this response unchanged: a real status code and headers
    /// that cannot break the framing (no CR, LF or NUL; names are HTTP tokens).
    var isWellFormed: Bool {
        guard (100...599).contains(status) else { return false }
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else { return false }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else { return false }
        }
        return true
    }

    /// Headers the transport sets itself from the body it sends.
    static func isTransportHeader(_ name: String) -> Bool {
        let lowercased = name.lowercased()
        return lowercased == "content-length" || lowercased == "transfer-encoding"
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// JSON string literals for the error bodies: the transport writes them without a JSON library.
enum JSONText {
    static func quoted(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                literal += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}
