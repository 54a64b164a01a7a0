import Foundation
import KetteProtocol
import KetteStore

/// The `/v1` endpoints: a router from method and path to handlers, with authentication in front.
/// Testable without a socket: call `handle(_:)` with a request.
public final class SyncAPI: HTTPHandler, Sendable {
    private let storage: any ServerStorage
    private let log: @Sendable (String) -> Void
    /// Requests per user; nil: no limit (in-process use, tests).
    private let rateLimiter: RateLimiter?
    /// What `/v1/health` says about this server: its release, commit and protocol level.
    private let health: HealthStatus

    /// - Parameter commit: the git commit the executable was built from (the library cannot know it).
    public init(storage: any ServerStorage, rateLimiter: RateLimiter? = nil, commit: String = "unknown commit",
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.storage = storage
        self.rateLimiter = rateLimiter
        self.health = HealthStatus(version: KetteVersion.release, commit: commit, protocol: ProtocolLevel.current)
        self.log = log
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var note = RequestNote()
        return handle(request, note: &note)
    }

    /// Answers `request` and notes who sent it and what its push did, for the log and metrics.
    public func handle(_ request: HTTPRequest, note: inout RequestNote) -> HTTPResponse {
        do {
            return try route(request, &note)
        } catch let error as APIError {
            return .json(error.status, error.body)
        } catch let error as RateLimitExceeded {
            return error.response
        } catch let error as MethodNotAllowed {
            // RFC 9110 requires the Allow header on a 405 (Schemathesis found it missing).
            var response = HTTPResponse.json(405, error.error.body)
            response.headers.append(("Allow", error.allowed.joined(separator: ", ")))
            return response
        } catch let error as SQLiteError where error.code.primary == .busy || error.code.primary == .locked {
            log("storage busy: \(error)")
            return .json(503, APIError.unavailable.body)
        } catch let error as SQLiteError where error.code.primary == .ioError || error.code.primary == .full {
            // A failed write or sync of the disk: the transaction was rolled back, the server goes
            // on serving, and the client is told what failed so its message names the disk.
            log("storage failed on \(request.method) \(request.path): \(error)")
            return .json(503, APIError.storageFailed.body)
        } catch {
            // No internals leak: the log has the detail, the client a generic 500.
            log("error on \(request.method) \(request.path): \(error)")
            return .json(500, APIError.internalError.body)
        }
    }

    /// The endpoint `path` is, as a metrics label: the route's pattern, never an id or a name
    /// from the path, so the label set stays small whatever clients send.
    public static func endpoint(of path: String) -> String {
        switch path {
        case "/v1/health", "/v1/me", "/v1/changesets", "/v1/changes", "/v1/admin/users",
             "/v1/digests", "/v1/digests/buckets", "/v1/digests/records", "/v1/repairs": path
        case _ where path.hasPrefix("/v1/records/"): "/v1/records/{type}/{id}"
        case _ where path.hasPrefix("/v1/admin/users/") && path.hasSuffix("/revoke"): "/v1/admin/users/{name}/revoke"
        default: "other"
        }
    }

    private func route(_ request: HTTPRequest, _ note: inout RequestNote) throws -> HTTPResponse {
        switch request.path {
        case "/v1/health":
            try allow(request, ["GET", "HEAD"])
            return try json(200, health)
        case "/v1/me":
            try allow(request, ["GET"])
            return try json(200, try authenticate(request, &note))
        case "/v1/changesets":
            try allow(request, ["POST"])
            let identity = try authenticate(request, &note)
            let push = try decodePush(request)
            // A client that last synced with another database (this one was restored from a
            // backup) must first pull from 0 and repair, or its edits of records the restore
            // lost could not be placed (SPEC §16).
            if let expected = request.query["server"], expected != (try storage.databaseID()) {
                throw APIError(409, "server_changed", "this server's database is not the one you last synced with (it was restored from a backup or replaced); pull from 0 and repair, then push again")
            }
            let response = try storage.push(push, by: identity)
            note.record(response)
            return try json(200, response)
        case "/v1/changes":
            try allow(request, ["GET"])
            let identity = try authenticate(request, &note)
            let after = try integer(request.query["after"] ?? "0", name: "after")
            let limit = try integer(request.query["limit"] ?? String(SyncLimits.defaultPageSize), name: "limit")
            guard limit >= 1 else { throw APIError.badRequest("limit must be at least 1; got \(limit)") }
            return .json(200, try storage.pullPage(after: after, limit: Int(min(limit, Int64(SyncLimits.maxPageSize))), for: identity))
        case let path where path.hasPrefix("/v1/records/"):
            try allow(request, ["GET"])
            let identity = try authenticate(request, &note)
            let parts = path.dropFirst("/v1/records/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let type = RecordType(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw APIError.badRequest("use /v1/records/TYPE/ID; types: \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try json(200, try storage.record(type: type, id: String(parts[1]), for: identity))
        case "/v1/admin/users":
            try allow(request, ["GET"])
            let identity = try authenticate(request, &note)
            try requireAdmin(identity)
            return try json(200, try storage.users(readBy: identity))
        case let path where path.hasPrefix("/v1/admin/users/") && path.hasSuffix("/revoke"):
            try allow(request, ["POST"])
            let identity = try authenticate(request, &note)
            try requireAdmin(identity)
            let name = String(path.dropFirst("/v1/admin/users/".count).dropLast("/revoke".count))
            do {
                try storage.revokeUser(name: name, by: identity)
            } catch AdminError.unknownUser {
                throw APIError(404, "not_found", "no user named '\(name.prefix(100))'")
            }
            return try json(200, ["revoked": name])
        default:
            if let response = try antiEntropyRoute(request, &note) { return response }
            throw APIError.notFound(request.path)
        }
    }

    /// The digest check and repair endpoints (SPEC §16); nil for any other path.
    private func antiEntropyRoute(_ request: HTTPRequest, _ note: inout RequestNote) throws -> HTTPResponse? {
        switch request.path {
        case "/v1/digests":
            try allow(request, ["GET"])
            let identity = try authenticate(request, &note)
            let total = try request.query["total"].map { text -> UInt64 in
                guard let total = VersionDigest.parse(text) else { throw APIError.badRequest("total must be 1 to 16 hex digits; got '\(text.prefix(40))'") }
                return total
            }
            return try json(200, try storage.digests(for: identity, clientTotal: total))
        case "/v1/digests/buckets":
            try allow(request, ["POST"])
            let identity = try authenticate(request, &note)
            let listing: BucketListingRequest = try decodeBody(request)
            let wanted = Set(listing.buckets)
            guard !wanted.isEmpty, wanted.count == listing.buckets.count, wanted.allSatisfy((0..<VersionDigest.bucketCount).contains) else {
                throw APIError.badRequest("buckets must be 1 to \(VersionDigest.bucketCount) different numbers from 0 to \(VersionDigest.bucketCount - 1)",
                                          code: "invalid_body")
            }
            return try json(200, try storage.bucketListing(listing, for: identity))
        case "/v1/digests/records":
            try allow(request, ["POST"])
            let identity = try authenticate(request, &note)
            let check: RecordCheckRequest = try decodeBody(request)
            try limit(check.records.count, SyncLimits.maxRecordsPerCheck, "records per check")
            for record in check.records {
                if let bad = record.versions.first(where: { HLCTimestamp(encoded: $0.value) == nil }) {
                    throw APIError.badRequest("\(record.type.rawValue) \(record.id.prefix(100)): versions.\(bad.key.prefix(60)) is not a timestamp", code: "invalid_body")
                }
            }
            return try json(200, try storage.checkRecords(check, for: identity))
        case "/v1/repairs":
            try allow(request, ["POST"])
            let identity = try authenticate(request, &note)
            let repair: RepairRequest = try decodeBody(request)
            try limit(repair.versions.count, SyncLimits.maxVersionsPerRepair, "versions per repair")
            return try json(200, try storage.repair(repair, by: identity))
        default:
            return nil
        }
    }

    private func limit(_ count: Int, _ maximum: Int, _ what: String) throws {
        guard count <= maximum else { throw APIError.badRequest("at most \(maximum) \(what); got \(count)", code: "invalid_body") }
    }

    /// Reads a JSON body of the anti-entropy endpoints; its shape errors are named back.
    private func decodeBody<T: Decodable>(_ request: HTTPRequest) throws -> T {
        try checkJSONBody(request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw APIError.badRequest("the body is not valid JSON", code: "invalid_json")
        } catch let error as DecodingError {
            throw APIError.badRequest("the body is not a valid request for \(request.path): \(Self.describe(error))", code: "invalid_body")
        } catch {
            throw APIError.badRequest("the body is not valid JSON", code: "invalid_json")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)) lacks the key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private func allow(_ request: HTTPRequest, _ methods: [String]) throws {
        guard methods.contains(request.method) else {
            throw MethodNotAllowed(error: .methodNotAllowed(request.method, request.path, allowed: methods), allowed: methods)
        }
    }

    /// Managing users is the admin's alone; the county office reads and writes all records but
    /// does not hand out or take away access.
    private func requireAdmin(_ identity: Identity) throws {
        guard identity.role == .admin else {
            throw APIError.forbidden("managing users needs the admin role; \(identity.user) is \(identity.role.rawValue)")
        }
    }

    private func authenticate(_ request: HTTPRequest, _ note: inout RequestNote) throws -> Identity {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200, let identity = try storage.authenticate(token: token) else { throw APIError.unauthorized }
        note.user = identity.user
        // Counted per user once the token is known good, before any work is done for the request.
        if let rateLimiter, case .limited(let seconds) = rateLimiter.admit(identity.user) {
            throw RateLimitExceeded(retryAfterSeconds: seconds)
        }
        return identity
    }

    private func integer(_ text: String, name: String) throws -> Int64 {
        guard let value = Int64(text) else { throw APIError.badRequest("\(name) must be a whole number; got '\(text.prefix(40))'") }
        return value
    }

    /// Reads a push body with the protocol's strict reader: syntax, shape and unknown keys are
    /// each named back to the client.
    private func decodePush(_ request: HTTPRequest) throws -> PushRequest {
        try checkJSONBody(request)
        do {
            return try PushRequest.decode(json: request.body)
        } catch {
            switch error {
            case .syntax(let detail):
                throw APIError.badRequest("the body is not valid JSON: \(detail)", code: "invalid_json")
            case .shape(let detail):
                throw APIError.badRequest("the body is not a valid push: \(detail)", code: "invalid_body")
            case .unknownKey(let key, let place, let accepted):
                throw APIError.badRequest("unknown field '\(key.prefix(60))' in \(place); accepted: \(accepted.joined(separator: ", "))",
                                          code: "unknown_field")
            }
        }
    }

    private func checkJSONBody(_ request: HTTPRequest) throws {
        guard let contentType = request.headers["content-type"], contentType.lowercased().hasPrefix("application/json") else {
            throw APIError(415, "unsupported_media_type", "send the body as Content-Type: application/json")
        }
        guard String(validating: request.body, as: UTF8.self) != nil else {
            throw APIError.badRequest("the body is not valid UTF-8", code: "invalid_utf8")
        }
    }

    private func json<T: Encodable>(_ status: Int, _ value: T) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return .json(status, Array(try encoder.encode(value)))
    }
}

/// A 405 with the methods the path does allow, for the `Allow` header.
private struct MethodNotAllowed: Error {
    let error: APIError
    let allowed: [String]
}
