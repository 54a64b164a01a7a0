import Foundation
import KetteProtocol
import KetteStore

/// The `/v1` endpoints: a router from method and path to handlers, with authentication in front.
///
/// Through the HTTP transport a request meets `admit(_:)` as soon as its headers are complete:
/// path, method, token, rate limit and content type are decided there, before a byte of the
/// body is read. Testable without a socket: `handle(_:)` runs the same checks on a whole request.
public final class SyncAPI: HTTPHandler, Sendable {
    private let storage: any ServerStorage
    private let log: @Sendable (String) -> Void
    /// Requests per user; nil: no limit (in-process use, tests).
    private let rateLimiter: RateLimiter?
    /// Requests per user in progress at once, counted from the head to the answer.
    let requestsInProgress: UserRequestLimit

    /// The most requests one user may have in progress at once through the transport.
    public static let defaultRequestsInProgressPerUser = 16
    /// What `/v1/health` says about this server: its release, commit and protocol level.
    private let health: HealthStatus

    /// - Parameter commit: the git commit the executable was built from (the library cannot know it).
    public init(storage: any ServerStorage, rateLimiter: RateLimiter? = nil,
                requestsInProgressPerUser: Int = SyncAPI.defaultRequestsInProgressPerUser, commit: String = "unknown commit",
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.storage = storage
        self.rateLimiter = rateLimiter
        self.requestsInProgress = UserRequestLimit(limit: max(1, requestsInProgressPerUser))
        self.health = HealthStatus(version: KetteVersion.release, commit: commit, protocol: ProtocolLevel.current)
        self.log = log
    }

    public func admit(_ head: HTTPRequest) -> HTTPHeadDecision {
        var note = RequestNote()
        return admit(head, note: &note)
    }

    /// Decides on `head` before its body is read, and notes who sent it, for the log and metrics.
    public func admit(_ head: HTTPRequest, note: inout RequestNote) -> HTTPHeadDecision {
        do {
            let endpoint = try Endpoint(head)
            guard endpoint.needsToken else { return .readBody(context: nil) }
            let identity = try authenticate(head, &note)
            if endpoint.takesJSON { try checkContentType(head) }
            // The place is held until the transport lets go of the request, answered or cut.
            guard let admission = requestsInProgress.admit(identity) else {
                throw APIError.tooManyInProgress(limit: requestsInProgress.limit)
            }
            return .readBody(context: admission)
        } catch {
            return .answer(answer(to: error, head))
        }
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var note = RequestNote()
        return handle(request, note: &note)
    }

    /// Answers `request` and notes who sent it and what its push did, for the log and metrics.
    public func handle(_ request: HTTPRequest, note: inout RequestNote) -> HTTPResponse {
        do {
            let endpoint = try Endpoint(request)
            // Admitted by the transport: the token was checked (and counted) at the head.
            let admitted = (request.context as? UserRequestLimit.Admission)?.identity
            let identity = endpoint.needsToken ? try admitted ?? authenticate(request, &note) : nil
            note.user = identity?.user
            return try respond(to: endpoint, request, identity, &note)
        } catch {
            return answer(to: error, request)
        }
    }

    private func answer(to error: any Error, _ request: HTTPRequest) -> HTTPResponse {
        APIError(mapping: error) { detail in log("\(request.method.prefix(20)) \(request.path.prefix(200)): \(detail)") }.response
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

    /// The endpoints, by path; the method is checked when the path is known.
    private enum Endpoint {
        case health, me, push, pull, users
        /// The digest check and repair (SPEC §16).
        case digests, bucketListing, recordCheck, repair
        /// `/v1/records/…`: the rest of the path, checked once the caller is known.
        case record(String)
        case revoke(user: String)

        init(_ request: HTTPRequest) throws {
            let path = request.path
            switch path {
            case "/v1/health": self = .health
            case "/v1/me": self = .me
            case "/v1/changesets": self = .push
            case "/v1/changes": self = .pull
            case "/v1/admin/users": self = .users
            case "/v1/digests": self = .digests
            case "/v1/digests/buckets": self = .bucketListing
            case "/v1/digests/records": self = .recordCheck
            case "/v1/repairs": self = .repair
            case _ where path.hasPrefix("/v1/records/"): self = .record(String(path.dropFirst("/v1/records/".count)))
            case _ where path.hasPrefix("/v1/admin/users/") && path.hasSuffix("/revoke"):
                self = .revoke(user: String(path.dropFirst("/v1/admin/users/".count).dropLast("/revoke".count)))
            default: throw APIError.notFound(path)
            }
            guard methods.contains(request.method) else { throw APIError.methodNotAllowed(request.method, path, allowed: methods) }
        }

        var methods: [String] {
            switch self {
            case .health: ["GET", "HEAD"]
            case .push, .revoke, .bucketListing, .recordCheck, .repair: ["POST"]
            case .me, .pull, .users, .record, .digests: ["GET"]
            }
        }

        var needsToken: Bool {
            if case .health = self { return false }
            return true
        }

        var takesJSON: Bool {
            switch self {
            case .push, .bucketListing, .recordCheck, .repair: true
            default: false
            }
        }
    }

    private func respond(to endpoint: Endpoint, _ request: HTTPRequest, _ identity: Identity?,
                         _ note: inout RequestNote) throws -> HTTPResponse {
        if case .health = endpoint { return try json(200, health) }
        // Every other endpoint needs a token; `handle` authenticated it or took the admitted one.
        guard let identity else { throw APIError.unauthorized }
        switch endpoint {
        case .health:
            return try json(200, health)
        case .me:
            var identity = identity
            identity.schemaVersion = ChangeSet.currentSchemaVersion
            return try json(200, identity)
        case .push:
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
        case .pull:
            let after = try integer(request.query["after"] ?? "0", name: "after")
            let limit = try integer(request.query["limit"] ?? String(SyncLimits.defaultPageSize), name: "limit")
            guard limit >= 1 else { throw APIError.badRequest("limit must be at least 1; got \(limit)") }
            // The record schema the client reads (SPEC §2); a client that does not say reads schema 1.
            let schema = try integer(request.query["schema"] ?? "1", name: "schema")
            guard schema >= 1 else { throw APIError.badRequest("schema must be 1 or more; got \(schema)") }
            return .json(200, try storage.pullPage(after: after, limit: Int(min(limit, Int64(SyncLimits.maxPageSize))), for: identity,
                                                   schema: Int(min(schema, Int64(ChangeSet.currentSchemaVersion)))))
        case .record(let rest):
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let type = RecordType(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw APIError.badRequest("use /v1/records/TYPE/ID; types: \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try json(200, try storage.record(type: type, id: String(parts[1]), for: identity))
        case .users:
            try requireAdmin(identity)
            return try json(200, try storage.users(readBy: identity))
        case .revoke(let name):
            try requireAdmin(identity)
            try storage.revokeUser(name: name, by: identity)
            return try json(200, ["revoked": name])
        case .digests, .bucketListing, .recordCheck, .repair:
            return try antiEntropy(endpoint, request, identity)
        }
    }

    /// The digest check and repair endpoints (SPEC §16).
    private func antiEntropy(_ endpoint: Endpoint, _ request: HTTPRequest, _ identity: Identity) throws -> HTTPResponse {
        switch endpoint {
        case .digests:
            let total = try request.query["total"].map { text -> UInt64 in
                guard let total = VersionDigest.parse(text) else { throw APIError.badRequest("total must be 1 to 16 hex digits; got '\(text.prefix(40))'") }
                return total
            }
            return try json(200, try storage.digests(for: identity, clientTotal: total))
        case .bucketListing:
            let listing: BucketListingRequest = try decodeBody(request)
            let wanted = Set(listing.buckets)
            guard !wanted.isEmpty, wanted.count == listing.buckets.count, wanted.allSatisfy((0..<VersionDigest.bucketCount).contains) else {
                throw APIError.badRequest("buckets must be 1 to \(VersionDigest.bucketCount) different numbers from 0 to \(VersionDigest.bucketCount - 1)",
                                          code: "invalid_body")
            }
            return try json(200, try storage.bucketListing(listing, for: identity))
        case .recordCheck:
            let check: RecordCheckRequest = try decodeBody(request)
            try limit(check.records.count, SyncLimits.maxRecordsPerCheck, "records per check")
            for record in check.records {
                if let bad = record.versions.first(where: { HLCTimestamp(encoded: $0.value) == nil }) {
                    throw APIError.badRequest("\(record.type.rawValue) \(record.id.prefix(100)): versions.\(bad.key.prefix(60)) is not a timestamp", code: "invalid_body")
                }
            }
            return try json(200, try storage.checkRecords(check, for: identity))
        case .repair:
            let repair: RepairRequest = try decodeBody(request)
            try limit(repair.versions.count, SyncLimits.maxVersionsPerRepair, "versions per repair")
            return try json(200, try storage.repair(repair, by: identity))
        default:
            throw APIError.notFound(request.path)
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

    /// Managing users is the admin's alone; the county office reads and writes all records but
    /// does not hand out or take away access.
    private func requireAdmin(_ identity: Identity) throws {
        guard identity.role == .admin else {
            throw APIError.forbidden("managing users needs the admin role; \(identity.user) is \(identity.role.rawValue)")
        }
    }

    /// The caller's identity from `Authorization: Bearer TOKEN`, counted against their rate limit.
    private func authenticate(_ request: HTTPRequest, _ note: inout RequestNote) throws -> Identity {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        // A control character (a NUL the transport kept) is never part of a token.
        guard !token.isEmpty, token.count <= 200, !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              let identity = try storage.authenticate(token: token) else { throw APIError.unauthorized }
        note.user = identity.user
        // Counted per user once the token is known good, before any work is done for the request.
        if let rateLimiter, case .limited(let seconds) = rateLimiter.admit(identity.user) {
            throw APIError.rateLimited(retryAfterSeconds: seconds)
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

    private func checkContentType(_ request: HTTPRequest) throws {
        guard let contentType = request.headers["content-type"], contentType.lowercased().hasPrefix("application/json") else {
            throw APIError.unsupportedMediaType
        }
    }

    private func checkJSONBody(_ request: HTTPRequest) throws {
        try checkContentType(request)
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
