import Dispatch
import KetteProtocol

/// The handler `kette-server serve` runs: the `/v1` API with its requests timed, counted and
/// logged, each answer carrying an `X-Request-Id` that its log line names, and `GET /metrics` for
/// the addresses `--metrics-allow` names (everyone else gets the 404 of an unknown path, so the
/// endpoint's existence is not revealed).
public final class ObservedAPI: HTTPHandler, Sendable {
    private let api: SyncAPI
    private let metrics: ServerMetrics
    private let metricsAllowed: [AddressRange]
    private let log: ServerLog?

    public init(api: SyncAPI, metrics: ServerMetrics, metricsAllowed: [AddressRange], log: ServerLog?) {
        self.api = api
        self.metrics = metrics
        self.metricsAllowed = metricsAllowed
        self.log = log
    }

    /// The API decides on the head before the body is read (token, limits); what it answers there
    /// is counted and logged like any other answer.
    public func admit(_ head: HTTPRequest) -> HTTPHeadDecision {
        guard head.path != "/metrics" else { return .readBody(context: nil) }
        let started = DispatchTime.now().uptimeNanoseconds
        var note = RequestNote()
        let decision = api.admit(head, note: &note)
        guard case .answer(let response) = decision else { return decision }
        return .answer(observed(response, to: head, since: started, note: note))
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        var note = RequestNote()
        let response = request.path == "/metrics" ? scrape(request) : api.handle(request, note: &note)
        return observed(response, to: request, since: started, note: note)
    }

    /// `response` with its request id, counted and logged.
    private func observed(_ response: HTTPResponse, to request: HTTPRequest, since started: UInt64, note: RequestNote) -> HTTPResponse {
        var response = response
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let id = Self.requestID()
        response.headers.append(("X-Request-Id", id))
        let endpoint = request.path == "/metrics" && response.status != 404 ? "/metrics" : SyncAPI.endpoint(of: request.path)
        metrics.record(endpoint: endpoint, method: Self.method(request.method), status: response.status, seconds: seconds, note: note)
        log?.request(id: id, request, endpoint: endpoint, status: response.status, bytesOut: response.body.count, seconds: seconds, note: note)
        return response
    }

    private func scrape(_ request: HTTPRequest) -> HTTPResponse {
        guard metricsAllowed.contains(where: { $0.contains(request.remoteAddress) }) else {
            return APIError.notFound(request.path).response
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIError.methodNotAllowed(request.method, request.path, allowed: ["GET", "HEAD"]).response
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: Array(metrics.exposition().utf8))
    }

    /// A method label from a closed set: a client may send any token as its method.
    private static func method(_ method: String) -> String {
        ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].contains(method) ? method : "other"
    }

    /// 16 random hex digits: unique enough to find one request in a day's log.
    private static func requestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// What one request did beyond its status, filled by the API while it handles the request: who
/// sent it, and what its push did.
public struct RequestNote: Sendable {
    public var user: String?
    /// Pushed change sets by outcome (`applied`, `conflicts`, `refused`).
    public var changeSetOutcomes: [String: Int] = [:]
    public var conflictsOpened = 0

    public init() {}

    mutating func record(_ push: PushResponse) {
        for result in push.results {
            changeSetOutcomes[result.status.rawValue, default: 0] += 1
            conflictsOpened += result.conflicts?.count ?? 0
        }
    }
}
