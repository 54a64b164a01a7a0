import Foundation
import KetteProtocol

/// The server's counters for `GET /metrics`, in Prometheus' text format (version 0.0.4): requests
/// by endpoint and status, their durations as histograms, change sets and conflicts, rate-limit
/// refusals, open connections and the database's size. Updated from every worker thread.
public final class ServerMetrics: @unchecked Sendable {
    // @unchecked: every mutable property is read and written while holding `lock`.

    /// Upper bounds of the duration buckets, in seconds: a health check takes well under 5 ms, a
    /// large push or a first pull page seconds.
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Histogram {
        var buckets: [Int]
        var count = 0
        var sum = 0.0
    }

    private let lock = NSLock()
    private var requests: [RequestKey: Int] = [:]
    private var durations: [String: Histogram] = [:]
    private var changeSets: [String: Int] = ["applied": 0, "conflicts": 0, "refused": 0]
    private var conflictsOpened = 0
    private var rateLimitRefusals = 0
    private let commit: String
    /// The database file, measured at each scrape (with its write-ahead log).
    private let databasePath: String?
    /// Asked at each scrape: the connections the transport holds open and has opened since the start.
    private var connectionCounts: (@Sendable () -> ConnectionCounts)?

    /// The transport's connections, as `/metrics` shows them.
    public struct ConnectionCounts: Sendable {
        public var open: Int
        public var opened: Int

        public init(open: Int, opened: Int) {
            self.open = open
            self.opened = opened
        }
    }

    struct RequestKey: Hashable {
        let endpoint: String
        let method: String
        let status: Int
    }

    public init(databasePath: String?, commit: String = "unknown commit") {
        self.databasePath = databasePath
        self.commit = commit
    }

    /// Where the connection figures come from (the HTTP server, once it runs).
    public func countConnections(with source: @escaping @Sendable () -> ConnectionCounts) {
        lock.withLock { connectionCounts = source }
    }

    /// Counts one answered request and what it did.
    func record(endpoint: String, method: String, status: Int, seconds: Double, note: RequestNote) {
        lock.withLock {
            requests[RequestKey(endpoint: endpoint, method: method, status: status), default: 0] += 1
            var histogram = durations[endpoint] ?? Histogram(buckets: Array(repeating: 0, count: Self.durationBuckets.count))
            if let bucket = Self.durationBuckets.firstIndex(where: { seconds <= $0 }) { histogram.buckets[bucket] += 1 }
            histogram.count += 1
            histogram.sum += seconds
            durations[endpoint] = histogram
            for (outcome, count) in note.changeSetOutcomes { changeSets[outcome, default: 0] += count }
            conflictsOpened += note.conflictsOpened
            if status == 429 { rateLimitRefusals += 1 }
        }
    }

    /// The text a Prometheus server scrapes.
    public func exposition() -> String {
        let (requests, durations, changeSets, conflicts, refusals, connections) = lock.withLock {
            (self.requests, self.durations, self.changeSets, conflictsOpened, rateLimitRefusals, connectionCounts)
        }
        var text = PrometheusText()
        text.family("kette_build_info", "gauge", "The running release, its commit and protocol level (always 1).")
        text.sample("kette_build_info", ["version": KetteVersion.release, "commit": commit, "protocol": String(ProtocolLevel.current)], 1)
        text.family("kette_http_requests_total", "counter", "Requests answered, by endpoint, method and status.")
        for (key, count) in requests.sorted(by: { ($0.key.endpoint, $0.key.method, $0.key.status) < ($1.key.endpoint, $1.key.method, $1.key.status) }) {
            text.sample("kette_http_requests_total", ["endpoint": key.endpoint, "method": key.method, "status": String(key.status)], Double(count))
        }
        text.family("kette_http_request_duration_seconds", "histogram", "Time from a complete request to its answer, by endpoint.")
        for (endpoint, histogram) in durations.sorted(by: { $0.key < $1.key }) { text.histogram(endpoint, histogram.buckets, histogram.count, histogram.sum) }
        text.family("kette_change_sets_total", "counter", "Pushed change sets by outcome (a retried push is answered, and counted, again).")
        for (outcome, count) in changeSets.sorted(by: { $0.key < $1.key }) { text.sample("kette_change_sets_total", ["outcome": outcome], Double(count)) }
        text.family("kette_conflicts_opened_total", "counter", "Conflict entries opened by pushes.")
        text.sample("kette_conflicts_opened_total", [:], Double(conflicts))
        text.family("kette_rate_limit_refusals_total", "counter", "Requests refused with 429 by the per-user limits (rate, requests in progress).")
        text.sample("kette_rate_limit_refusals_total", [:], Double(refusals))
        if let counts = connections?() {
            text.family("kette_http_open_connections", "gauge", "Connections the server holds open.")
            text.sample("kette_http_open_connections", [:], Double(counts.open))
            // Against the requests answered: a client that opens a connection per request shows here.
            text.family("kette_http_connections_opened_total", "counter", "Connections opened since the server started.")
            text.sample("kette_http_connections_opened_total", [:], Double(counts.opened))
        }
        if let databasePath {
            text.family("kette_database_size_bytes", "gauge", "Size of the database file and its write-ahead log.")
            text.sample("kette_database_size_bytes", [:], Double(Self.fileSize(databasePath) + Self.fileSize(databasePath + "-wal")))
        }
        return text.text
    }

    private static func fileSize(_ path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }
}

/// Prometheus' text exposition format, written line by line.
struct PrometheusText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let labelText = labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escaped($0.value))\"" }.joined(separator: ",") + "}"
        text += "\(name)\(labelText) \(Self.number(value))\n"
    }

    /// Cumulative buckets, as Prometheus wants them, then `+Inf`, the sum and the count.
    mutating func histogram(_ endpoint: String, _ buckets: [Int], _ count: Int, _ sum: Double) {
        var cumulative = 0
        for (bound, inBucket) in zip(ServerMetrics.durationBuckets, buckets) {
            cumulative += inBucket
            sample("kette_http_request_duration_seconds_bucket", ["endpoint": endpoint, "le": Self.number(bound)], Double(cumulative))
        }
        sample("kette_http_request_duration_seconds_bucket", ["endpoint": endpoint, "le": "+Inf"], Double(count))
        sample("kette_http_request_duration_seconds_sum", ["endpoint": endpoint], sum)
        sample("kette_http_request_duration_seconds_count", ["endpoint": endpoint], Double(count))
    }

    /// A label value with `\`, `"` and line feeds escaped.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
