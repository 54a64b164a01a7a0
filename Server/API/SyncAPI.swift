import Foundation
import KetteProtocol
import KetteStore

/// The `/v1` endpoints: a router from method and path to handlers, with authentication in front.
/// Testable without a socket: call `handle(_:)` with a request.
public final class SyncAPI: HTTPHandler, @unchecked Sendable {
    // @unchecked: the only stored property is the storage, itself Sendable; logging goes through
    // a function value that is set once at init.
    private let storage: any ServerStorage
    private let log: @Sendable (String) -> Void

    public init(storage: any ServerStorage, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.storage = storage
        self.log = log
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        do {
            return try route(request)
        } catch let error as APIError {
            return .json(error.status, error.body)
        } catch let error as SQLiteError where error.code.primary == .busy || error.code.primary == .locked {
            log("storage busy: \(error)")
            return .json(503, APIError.unavailable.body)
        } catch {
            // No internals leak: the log has the detail, the client a generic 500.
            log("error on \(request.method) \(request.path): \(error)")
            return .json(500, APIError.internalError.body)
        }
    }

    private func route(_ request: HTTPRequest) throws -> HTTPResponse {
        switch request.path {
        case "/v1/health":
            try allow(request, ["GET", "HEAD"])
            return try json(200, ["status": "ok"])
        case "/v1/me":
            try allow(request, ["GET"])
            return try json(200, try authenticate(request))
        case "/v1/changesets":
            try allow(request, ["POST"])
            let identity = try authenticate(request)
            let push = try decode(PushRequest.self, from: request)
            let response = try storage.push(push, by: identity)
            return try json(200, response)
        case "/v1/changes":
            try allow(request, ["GET"])
            let identity = try authenticate(request)
            let after = try integer(request.query["after"] ?? "0", name: "after")
            let limit = try integer(request.query["limit"] ?? String(SyncLimits.defaultPageSize), name: "limit")
            guard limit >= 1 else { throw APIError.badRequest("limit must be at least 1; got \(limit)") }
            return .json(200, try storage.pullPage(after: after, limit: Int(min(limit, Int64(SyncLimits.maxPageSize))), for: identity))
        case let path where path.hasPrefix("/v1/records/"):
            try allow(request, ["GET"])
            let identity = try authenticate(request)
            let parts = path.dropFirst("/v1/records/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let type = RecordType(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw APIError.badRequest("use /v1/records/TYPE/ID; types: \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try json(200, try storage.record(type: type, id: String(parts[1]), for: identity))
        default:
            throw APIError.notFound(request.path)
        }
    }

    private func allow(_ request: HTTPRequest, _ methods: [String]) throws {
        guard methods.contains(request.method) else { throw APIError.methodNotAllowed(request.method, request.path, allowed: methods) }
    }

    private func authenticate(_ request: HTTPRequest) throws -> Identity {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200, let identity = try storage.authenticate(token: token) else { throw APIError.unauthorized }
        return identity
    }

    private func integer(_ text: String, name: String) throws -> Int64 {
        guard let value = Int64(text) else { throw APIError.badRequest("\(name) must be a whole number; got '\(text.prefix(40))'") }
        return value
    }

    private func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws -> T {
        guard let contentType = request.headers["content-type"], contentType.lowercased().hasPrefix("application/json") else {
            throw APIError(415, "unsupported_media_type", "send the body as Content-Type: application/json")
        }
        guard String(validating: request.body, as: UTF8.self) != nil else {
            throw APIError.badRequest("the body is not valid UTF-8", code: "invalid_utf8")
        }
        if T.self == PushRequest.self { try Self.rejectUnknownKeys(in: request.body) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch let error as DecodingError {
            throw APIError.badRequest("the body is not a valid \(T.self): \(Self.explain(error))", code: "invalid_body")
        } catch {
            throw APIError.badRequest("the body is not valid JSON", code: "invalid_json")
        }
    }

    /// Keys a push may carry, per level. A key outside them is a client bug or a probe; either
    /// way it is named back rather than silently ignored.
    private static let pushKeys: Set<String> = ["changeSets"]
    private static let changeSetKeys: Set<String> = ["id", "replica", "author", "schemaVersion", "summary", "changes"]
    private static let changeKeys: Set<String> = ["type", "id", "field", "value", "hlc", "base"]

    static func rejectUnknownKeys(in body: [UInt8]) throws {
        guard let document = try? JSONSerialization.jsonObject(with: Data(body)) else {
            throw APIError.badRequest("the body is not valid JSON", code: "invalid_json")
        }
        func check(_ object: Any, _ allowed: Set<String>, _ path: String) throws {
            guard let dictionary = object as? [String: Any] else { return }  // wrong types are the decoder's to name
            if let unknown = dictionary.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw APIError.badRequest("unknown field '\(unknown.prefix(60))' in \(path); accepted: \(allowed.sorted().joined(separator: ", "))",
                                          code: "unknown_field")
            }
        }
        try check(document, pushKeys, "the push")
        guard let sets = (document as? [String: Any])?["changeSets"] as? [Any] else { return }
        for (index, set) in sets.enumerated() {
            try check(set, changeSetKeys, "changeSets[\(index)]")
            guard let changes = (set as? [String: Any])?["changes"] as? [Any] else { continue }
            for (changeIndex, change) in changes.enumerated() {
                try check(change, changeKeys, "changeSets[\(index)].changes[\(changeIndex)]")
            }
        }
    }

    /// A decoding error in words: where in the document, and what was wrong.
    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the document" : String(keys.drop(while: { $0 == "." }))
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) should be \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "\(path(context)) is missing a \(type)"
        case .keyNotFound(let key, let context): return "\(path(context)) lacks the key '\(key.stringValue)'"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private func json<T: Encodable>(_ status: Int, _ value: T) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return .json(status, Array(try encoder.encode(value)))
    }
}
