import Foundation
import KetteProtocol

/// An error that knows its HTTP status and renders as `{"error":{"code":…,"message":…}}`.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(400, code, message) }
    public static let unauthorized = APIError(401, "unauthorized", "missing, unknown or revoked token; send Authorization: Bearer <token>")
    public static func forbidden(_ message: String) -> APIError { APIError(403, "forbidden", message) }
    public static func notFound(_ path: String) -> APIError { APIError(404, "not_found", "no endpoint \(path)") }
    public static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIError {
        APIError(405, "method_not_allowed", "\(method) is not allowed on \(path); allowed: \(allowed.joined(separator: ", "))")
    }
    /// Anything unexpected: no internals leak to the client.
    public static let internalError = APIError(500, "internal", "the server could not complete the request; nothing was changed, try again later")
    public static let storageFailed = APIError(503, "storage_failed", "the server could not write to its disk (I/O error or disk full); try again later")
    public static let unavailable = APIError(503, "unavailable", "the server is busy; try again shortly")

    public var body: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(ErrorBody(code: code, message: message))) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8))
    }
}
