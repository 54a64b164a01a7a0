import KetteCompression

/// The content codings the transport reads in request bodies and writes in answers: gzip, and
/// identity (none). Compression is HTTP's business, so handlers see and give plain bodies.
public enum ContentCoding: Sendable, Equatable {
    case identity
    case gzip

    /// What a request's `Content-Encoding` asks for, or nil for a coding the server does not
    /// read (`br`, `deflate`, `gzip, gzip`): those are answered 415 before the body is read.
    public static func ofRequest(_ header: String?) -> ContentCoding? {
        guard let header else { return .identity }
        switch header.trimmingSpaces().lowercased() {
        case "", "identity": return .identity
        case "gzip", "x-gzip": return .gzip
        default: return nil
        }
    }

    /// Announced in every answer (`Accept-Encoding`, RFC 7694): the request codings accepted.
    /// A client compresses its bodies only for a server that says this.
    public static let acceptedInRequests = "gzip"

    /// Answers smaller than this go out as they are: gzip's 18-byte frame and the time would
    /// outweigh what it saves.
    public static let minimumCompressedBytes = 1024

    /// Whether an `Accept-Encoding` header allows a gzip answer (RFC 9110 §12.5.3): `gzip` or
    /// `x-gzip` with a q-value above 0, or, when neither is named, `*` above 0. No header at
    /// all, `gzip;q=0`, `identity` alone, or a q-value that is not one: identity.
    public static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var gzip: Double?
        var wildcard: Double?
        for element in header.split(separator: ",") {
            let parts = element.split(separator: ";", omittingEmptySubsequences: false)
            let coding = String(parts[0]).trimmingSpaces().lowercased()
            guard let weight = qValue(parts.dropFirst()) else { continue }
            switch coding {
            case "gzip", "x-gzip": gzip = max(gzip ?? 0, weight)
            case "*": wildcard = weight
            default: continue
            }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }

    /// The weight in an element's parameters: 1 without `q`, nil for a q-value outside the grammar
    /// (`0`, `0.5`, `1.000`; at most three decimals, at most 1), so a broken element counts as absent.
    static func qValue(_ parameters: ArraySlice<Substring>) -> Double? {
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, String(pair[0]).trimmingSpaces().lowercased() == "q" else { continue }
            let text = String(pair[1]).trimmingSpaces()
            let digits = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = digits.first, whole == "0" || whole == "1",
                  digits.count == 1 || (digits[1].count <= 3 && digits[1].allSatisfy(\.isASCII) && digits[1].allSatisfy(\.isNumber)),
                  let weight = Double(text), weight <= 1 else { return nil }
            return weight
        }
        return 1
    }
}

extension HTTPResponse {
    /// The 415 for a request body in a coding the server does not read; says what it reads.
    static func unsupportedEncoding(_ coding: String) -> HTTPResponse {
        .error(415, code: "unsupported_encoding",
               message: "The request body's Content-Encoding '\(coding.prefix(40))' is not accepted; accepted: gzip, identity.")
    }

    /// The 400 for a gzip body that cannot be inflated; nothing of it reached the application.
    static func badEncoding(_ error: GzipError) -> HTTPResponse {
        .error(400, code: "bad_encoding", message: "The request body is not valid gzip: \(error). Nothing was stored.")
    }

    /// The 413 for a gzip body that inflates past the limit, sent as soon as the limit is crossed.
    static func inflatesTooLarge(_ limit: Int) -> HTTPResponse {
        .error(413, code: "body_too_large",
               message: "The request body inflates (Content-Encoding: gzip) to more than the limit of \(limit) bytes. Nothing was stored.")
    }

    /// This answer as it goes to a client whose `Accept-Encoding` is `acceptEncoding`: gzipped
    /// when the client allows it and the body is worth it, with `Vary` either way, since the
    /// same request without the header gets the plain body.
    func encoded(for acceptEncoding: String?) -> HTTPResponse {
        guard body.count >= ContentCoding.minimumCompressedBytes,
              !headers.contains(where: { $0.0.lowercased() == "content-encoding" }) else { return self }
        var response = self
        response.headers.append(("Vary", "Accept-Encoding"))
        guard ContentCoding.acceptsGzip(acceptEncoding), let compressed = try? Gzip.compress(body) else { return response }
        response.body = compressed
        response.headers.append(("Content-Encoding", "gzip"))
        return response
    }
}
