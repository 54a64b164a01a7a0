import Foundation
import KetteClient
import KetteProtocol
import KetteServer

/// A transport that hands requests straight to the server's API object (real storage, real
/// handlers, no socket), with faults injected on request: lost answers, duplicated and replayed
/// requests.
final class InProcessTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: used from one test thread at a time.
    /// The server's API; a test that restores the server points it at the restored one.
    var api: SyncAPI
    var random: SeededGenerator
    /// Probability that the server applies a request but the answer never arrives.
    var loseAnswer = 0.0
    /// Probability that a request reaches the server twice.
    var duplicate = 0.0
    /// Probability that a request is kept and replayed later, out of order.
    var keepForReplay = 0.0
    private(set) var kept: [HTTPRequest] = []
    var faultsInjected = 0

    init(api: SyncAPI, seed: UInt64) {
        self.api = api
        self.random = SeededGenerator(seed: seed)
    }

    static func request(from transportRequest: TransportRequest) -> HTTPRequest {
        let components = URLComponents(string: transportRequest.url)!
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        var headers: [String: String] = [:]
        for (name, value) in transportRequest.headers { headers[name.lowercased()] = value }
        return HTTPRequest(method: transportRequest.method, path: components.path, query: query, headers: headers,
                           body: transportRequest.body ?? [])
    }

    func chance(_ probability: Double) -> Bool {
        Double(random.next() % 1_000_000) / 1_000_000 < probability
    }

    func send(_ transportRequest: TransportRequest) throws(TransportError) -> TransportResponse {
        let request = Self.request(from: transportRequest)
        if request.method == "POST", chance(keepForReplay) {
            kept.append(request)
            faultsInjected += 1
        }
        if request.method == "POST", chance(duplicate) {
            _ = api.handle(request)
            faultsInjected += 1
        }
        let response = api.handle(request)
        if chance(loseAnswer) {
            faultsInjected += 1
            throw .unreachable("injected: connection reset after the server answered")
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return TransportResponse(status: response.status, headers: headers, body: response.body)
    }

    /// Replays the requests kept earlier, in random order, ignoring the answers.
    func replayKept() {
        kept.shuffle(using: &random)
        for request in kept { _ = api.handle(request) }
        kept.removeAll()
    }
}
