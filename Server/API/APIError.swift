import KettePostgres
import KetteProtocol
import KetteStore

/// An error that knows its HTTP status; it goes out through `HTTPResponse.error`, the one writer
/// of `{"error":{"code":…,"message":…}}` bodies.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String
    /// Headers the answer needs besides its body: `Allow` on a 405, `Retry-After` on a 429.
    public let headers: [String: String]

    public init(_ status: Int, _ code: String, _ message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" }

    public var response: HTTPResponse {
        .error(status, code: code, message: message, headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(400, code, message) }
    public static let unauthorized = APIError(401, "unauthorized", "missing, unknown or revoked token; send Authorization: Bearer <token>")
    public static func forbidden(_ message: String) -> APIError { APIError(403, "forbidden", message) }
    public static func notFound(_ path: String) -> APIError { APIError(404, "not_found", "no endpoint \(path.prefix(200))") }
    /// RFC 9110 requires the `Allow` header on a 405 (Schemathesis found it missing).
    public static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIError {
        APIError(405, "method_not_allowed", "\(method.prefix(20)) is not allowed on \(path.prefix(200)); allowed: \(allowed.joined(separator: ", "))",
                 headers: ["Allow": allowed.joined(separator: ", ")])
    }
    public static let unsupportedMediaType = APIError(415, "unsupported_media_type", "send the body as Content-Type: application/json")
    public static func rateLimited(retryAfterSeconds seconds: Int) -> APIError {
        APIError(429, "rate_limited", "too many requests for this token; wait \(seconds) s (Retry-After) and try again",
                 headers: ["Retry-After": String(seconds)])
    }
    /// A user with as many requests in progress as the server allows (slow bodies, stuck clients).
    public static func tooManyInProgress(limit: Int) -> APIError {
        APIError(429, "too_many_in_progress", "this token has \(limit) requests in progress already; wait for one to finish (Retry-After) and try again",
                 headers: ["Retry-After": "1"])
    }
    /// Anything unexpected: no internals leak to the client.
    public static let internalError = APIError(500, "internal", "the server could not complete the request; nothing was changed, try again later")
    public static let storageFailed = APIError(503, "storage_failed", "the server could not write to its disk (I/O error or disk full); try again later")
    public static let unavailable = APIError(503, "unavailable", "the server is busy; try again shortly")
}

extension APIError {
    /// The one place where the errors of storage, of the admin functions and of the database
    /// become HTTP answers. Anything unexpected is a 500 that leaks nothing; `log` gets the
    /// detail of every 5xx.
    init(mapping error: any Error, log: (String) -> Void) {
        switch error {
        case let error as APIError:
            self = error
        case let error as StorageError:
            self = Self.status(of: error)
        case AdminError.unknownUser(let name):
            self = APIError(404, "not_found", "no user named '\(name.prefix(100))'")
        case let error as SQLiteError where error.code.primary == .busy || error.code.primary == .locked:
            log("storage busy: \(error)")
            self = .unavailable
        case let error as SQLiteError where error.code.primary == .ioError || error.code.primary == .full:
            // A failed write or sync of the disk: the transaction was rolled back, the server goes
            // on serving, and the client is told what failed so its message names the disk.
            log("storage failed: \(error)")
            self = .storageFailed
        case let error as PostgresError where error.isTransient:
            log("storage busy: \(error)")
            self = .unavailable
        case let error as PostgresError where error.isStorageFailure:
            // The database server is gone, full or shutting down: the transaction was rolled back.
            log("storage failed: \(error)")
            self = .storageFailed
        default:
            log("error: \(error)")
            self = .internalError
        }
    }

    private static func status(of error: StorageError) -> APIError {
        let message = error.description
        switch error {
        case .tooManyChangeSets: return .badRequest(message, code: "too_many_change_sets")
        case .negativeCursor: return .badRequest(message, code: "bad_cursor")
        case .cursorAhead: return .badRequest(message, code: "cursor_ahead")
        case .recordNotFound: return APIError(404, "not_found", message)
        case .outsideScope: return .forbidden(message)
        }
    }
}
