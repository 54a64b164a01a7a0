import Dispatch
import Foundation

/// A token bucket per authenticated user: each request takes a token, tokens come back at `rate`
/// per second up to `burst`. A user without a token left gets 429 with `Retry-After`.
///
/// Keyed by the user, not the address: the coordinators of a county may all sit behind one
/// town-hall NAT, while one runaway client (a sync loop gone wrong, a leaked token in a script)
/// must not take the server from everyone else. Requests without a valid token never reach the
/// limiter; they end at 401, and the per-IP connection limit bounds those.
public final class RateLimiter: @unchecked Sendable {
    // @unchecked: `buckets` is only touched under `lock`.

    public struct Configuration: Sendable, Equatable {
        /// Tokens added per second: the sustained request rate a user may keep up.
        public var rate: Double
        /// The bucket's size: how many requests a user may send at once after a quiet spell.
        public var burst: Int

        public init(rate: Double = Configuration.defaultRate, burst: Int? = nil) {
            self.rate = rate
            self.burst = burst ?? Self.defaultBurst(for: rate)
        }

        /// 50 requests per second per user. One request moves up to 5,000 field versions (a pull
        /// page) or 500 change sets (a push), and a client syncs one request after the other, so a
        /// user at this rate moves 250,000 field versions a second, more than a client can merge.
        /// The burst covers a first sync whole: 1,000 pages of 5,000 are 5 million field versions,
        /// several times the largest county measured in BENCHMARKS.md. 50 clients with 50 tokens
        /// each have their own bucket and never meet the limit while they sync normally.
        public static let defaultRate: Double = 50

        /// 20 seconds' worth of requests, at least 10.
        public static func defaultBurst(for rate: Double) -> Int {
            max(10, Int(min(rate * 20, 1_000_000)))
        }

        func validate() throws(RateLimiterError) {
            guard rate.isFinite, rate > 0, rate <= 1_000_000 else {
                throw .invalidConfiguration("the rate must be more than 0 and at most 1000000 requests per second, not \(rate)")
            }
            guard burst >= 1, burst <= 10_000_000 else {
                throw .invalidConfiguration("the burst must be 1 to 10000000 requests, not \(burst)")
            }
        }
    }

    /// The verdict on one request.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Denied; a token is back after this many whole seconds (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    public let configuration: Configuration
    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    /// Monotonic seconds; tests pass a clock they move themselves.
    private let now: @Sendable () -> Double

    public init(_ configuration: Configuration = Configuration(),
                now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) throws(RateLimiterError) {
        try configuration.validate()
        self.configuration = configuration
        self.now = now
    }

    /// Takes a token from `key`'s bucket, or says how long until there is one.
    public func admit(_ key: String) -> Decision {
        let time = now()
        return lock.withLock {
            let burst = Double(configuration.burst)
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: time)
            bucket.tokens = min(burst, bucket.tokens + max(0, time - bucket.updated) * configuration.rate)
            bucket.updated = time
            defer {
                buckets[key] = bucket
                if buckets.count > Self.pruneThreshold { pruneFullBuckets(at: time) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            let wait = (1 - bucket.tokens) / configuration.rate
            return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }

    /// Users are few (the database's), but keys are kept bounded anyway: a bucket that has filled
    /// up again is the same as none.
    private static let pruneThreshold = 10_000

    private func pruneFullBuckets(at time: Double) {
        let burst = Double(configuration.burst)
        buckets = buckets.filter { _, bucket in bucket.tokens + (time - bucket.updated) * configuration.rate < burst }
    }
}

public enum RateLimiterError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let problem): "Invalid rate limit: \(problem)."
        }
    }
}
