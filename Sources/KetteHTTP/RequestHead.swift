import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request whose headers are complete, read out of libmicrohttpd into Swift values.
///
/// Every value is read with its length (`MHD_get_connection_values_n`) and the path is decoded
/// from the request target as sent, so a NUL (`Bearer TOKEN\0x`, `%00` in a path) stays in the
/// value for the application to refuse instead of cutting it short as a C string would.
struct RequestHead {
    /// The request as the handler sees it; `body` is empty.
    var request: HTTPRequest
    /// Every header line in the order sent, names as sent: the framing checks count repeats.
    let headerLines: [(name: String, value: String)]

    /// True when libmicrohttpd hid bytes of a header value behind a NUL (see `HiddenHeaderBytes`).
    let hidesBytes: Bool

    /// Reads the head of the request on `connection`. `method` is libmicrohttpd's pointer to the
    /// request line; `target` is the request target as the client sent it (from the URI log
    /// callback); `url` is libmicrohttpd's decoded path, used only if the target is missing.
    init(connection: OpaquePointer, method methodPointer: UnsafePointer<CChar>?, target: String?, url: String) {
        let method = methodPointer.map { String(cString: $0) } ?? ""
        headerLines = Self.values(of: .HEADER_KIND, on: connection)
        hidesBytes = HiddenHeaderBytes.found(on: connection, requestLine: methodPointer)
        var headers: [String: String] = [:]
        for (name, value) in headerLines {
            let key = name.lowercased()
            headers[key] = headers[key].map { $0 + ", " + value } ?? value
        }
        var query: [String: String] = [:]
        for (name, value) in Self.values(of: .GET_ARGUMENT_KIND, on: connection) { query[name] = value }
        let path = target.map { Self.decodePath(of: $0) } ?? url
        request = HTTPRequest(method: method, path: path, query: query, body: [],
                              remoteAddress: Self.remoteAddress(of: connection))
        request.headers = headers  // already lowercased and joined
    }

    /// Why the request's body framing cannot be trusted, or nil when it can: `Content-Length`
    /// together with `Transfer-Encoding`, `Content-Length` more than once, or a transfer coding
    /// other than plain `chunked`. Each is how request smuggling starts: a proxy in front and this
    /// server would disagree on where the body ends. (A `Content-Length` that is not a number
    /// libmicrohttpd answers itself, with its own 400, before the handler is called.)
    var framingProblem: String? {
        let contentLengths = headerLines.filter { $0.name.lowercased() == "content-length" }
        let transferEncodings = headerLines.filter { $0.name.lowercased() == "transfer-encoding" }.map(\.value)
        if !contentLengths.isEmpty && !transferEncodings.isEmpty {
            return "the request has both Content-Length and Transfer-Encoding; send exactly one of them"
        }
        if contentLengths.count > 1 {
            return "the request has Content-Length \(contentLengths.count) times; send it once"
        }
        if !transferEncodings.isEmpty,
           transferEncodings.count > 1 || transferEncodings[0].trimmingSpaces().lowercased() != "chunked" {
            return "unsupported Transfer-Encoding '\(transferEncodings.joined(separator: ", ").prefix(60))'; accepted: chunked"
        }
        return nil
    }

    /// The body's declared length: nil without `Content-Length` (no body, or chunked), `Int.max`
    /// for digits that do not fit an `Int` (certainly more than any limit).
    var declaredLength: Int? {
        guard let line = headerLines.first(where: { $0.name.lowercased() == "content-length" }) else { return nil }
        let text = line.value.trimmingSpaces()
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil  // not a length; libmicrohttpd answers malformed framing itself
        }
        return Int(text) ?? Int.max
    }

    /// Whether a body follows the headers (declared, or chunked).
    var announcesBody: Bool {
        (declaredLength ?? 0) > 0 || headerLines.contains { $0.name.lowercased() == "transfer-encoding" }
    }

    /// The path of a request target (before `?`), percent-decoded as libmicrohttpd decodes it,
    /// but kept whole: `%00` becomes U+0000 rather than the end of the string.
    static func decodePath(of target: String) -> String {
        let bytes = Array(target.utf8.prefix { $0 != UInt8(ascii: "?") })
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        // Invalid UTF-8 is repaired with U+FFFD, as libmicrohttpd's path reached us before.
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The headers or query arguments of the request, in order, each with all its bytes.
    private static func values(of kind: MHD_ValueKind, on connection: OpaquePointer) -> [(name: String, value: String)] {
        var collected: [(name: String, value: String)] = []
        withUnsafeMutablePointer(to: &collected) { pointer in
            _ = MHD_get_connection_values_n(connection, kind, collectValue, UnsafeMutableRawPointer(pointer))
        }
        return collected
    }

    /// Appends one name and value, read with their lengths, to the array behind `collectedPointer`.
    private static let collectValue: MHD_KeyValueIteratorN = { collectedPointer, _, key, keySize, value, valueSize in
        guard let collectedPointer, let key else { return .YES }
        let collected = collectedPointer.assumingMemoryBound(to: [(name: String, value: String)].self)
        // String(decoding:) repairs invalid UTF-8 with U+FFFD instead of failing.
        let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
        let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
        collected.pointee.append((name, text))
        return .YES
    }

    /// The client's IP address as text, or "" for an unknown address family.
    private static func remoteAddress(of connection: OpaquePointer) -> String {
        guard let address = kette_mhd_client_address(connection) else { return "" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let written: UnsafePointer<CChar>?
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            written = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafePointer(to: sin.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
            }
        case AF_INET6:
            written = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafePointer(to: sin6.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &text, socklen_t(text.count)) }
            }
        default:
            return ""
        }
        guard written != nil else { return "" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
