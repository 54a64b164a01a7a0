import Foundation

/// How often and how patiently to repeat a request that failed for a reason that may pass by
/// itself: a dropped connection, a timeout, a server that is restarting.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included; 1 means no retries.
    public var maxAttempts: Int
    /// The pause after the first failed attempt; each further pause is `multiplier` times longer.
    public var initialDelay: Duration
    public var multiplier: Double
    /// No pause is longer, and a server asking (`Retry-After`) for a longer one is not retried.
    public var maxDelay: Duration
    /// Each pause is spread by up to this fraction of itself either way, so that clients that
    /// failed together do not all come back at the same moment. 0 turns it off.
    public var jitter: Double
    /// Statuses that mean "the server had trouble, the request was fine".
    public var retryableStatuses: Set<Int>

    public init(
        maxAttempts: Int = 4,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(8),
        jitter: Double = 0.2,
        retryableStatuses: Set<Int> = [500, 502, 503, 504]
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.retryableStatuses = retryableStatuses
    }

    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// No policy makes more attempts than this, whatever `maxAttempts` says: with the pause capped
    /// at `maxDelay`, one request gives up within a few minutes.
    public static let attemptLimit = 20

    /// The pause after failed attempt number `attempt` (counting from 1), before jitter.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let cap = maxDelay.inSeconds
        var delay = initialDelay.inSeconds
        for _ in 1..<max(1, attempt) where delay < cap {
            delay *= multiplier
        }
        return .seconds(max(0, min(delay, cap)))
    }

    /// `delay` spread by `jitter`, where `random` is uniform in 0...1; never above `maxDelay`.
    func jittered(_ delay: Duration, random: Double) -> Duration {
        guard jitter > 0 else { return delay }
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return .seconds(max(0, min(delay.inSeconds * factor, maxDelay.inSeconds)))
    }
}

/// Sends through another transport and repeats what may succeed on a second try: `.unreachable`
/// and `.timedOut` errors, and the statuses in `policy.retryableStatuses`, with exponential backoff.
///
/// Never retried: TLS errors and other failures (they will not pass by themselves) and 4xx
/// responses, which are returned as they are. The one exception is 429 with a `Retry-After` in
/// seconds no longer than `maxDelay`: the server said when to come back, and that is honoured within
/// the attempts the policy allows. A 503's `Retry-After` replaces the backoff the same way; one
/// asking for more than `maxDelay` ends the retries and the 503 is returned.
///
/// Retrying assumes the request is safe to repeat: after a timeout or a dropped connection the
/// server may already have acted on it. Kette's sync requests are idempotent by design.
public struct RetryingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let policy: RetryPolicy
    private let sleep: @Sendable (Duration) -> Void
    private let random: @Sendable () -> Double

    /// - Parameters:
    ///   - sleep: waits for the given time; tests inject one that records instead of sleeping.
    ///   - random: uniform in 0...1, for the jitter.
    public init(
        _ base: any HTTPTransport,
        policy: RetryPolicy = RetryPolicy(),
        sleep: @escaping @Sendable (Duration) -> Void = RetryingTransport.sleepThread,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.base = base
        self.policy = policy
        self.sleep = sleep
        self.random = random
    }

    /// Blocks the calling thread; the transport is synchronous, like the command line using it.
    public static let sleepThread: @Sendable (Duration) -> Void = { delay in
        Thread.sleep(forTimeInterval: delay.inSeconds)
    }

    public func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        var attempt = 1
        while true {
            let outcome: Result<TransportResponse, TransportError>
            do {
                outcome = .success(try base.send(request))
            } catch {
                outcome = .failure(error)
            }
            guard attempt < min(policy.maxAttempts, RetryPolicy.attemptLimit), let delay = pause(after: outcome, attempt: attempt) else {
                return try outcome.get()
            }
            sleep(delay)
            attempt += 1
        }
    }

    /// How long to wait before trying again, or nil when the outcome is final.
    private func pause(after outcome: Result<TransportResponse, TransportError>, attempt: Int) -> Duration? {
        switch outcome {
        case .failure(.unreachable), .failure(.timedOut):
            return policy.jittered(policy.backoff(afterAttempt: attempt), random: random())
        case .failure(.tls), .failure(.failed):
            return nil
        case .success(let response):
            if response.status == 503 || response.status == 429, let asked = Self.retryAfter(response) {
                return asked <= policy.maxDelay ? asked : nil
            }
            guard policy.retryableStatuses.contains(response.status) else { return nil }
            return policy.jittered(policy.backoff(afterAttempt: attempt), random: random())
        }
    }

    /// `Retry-After` in delta-seconds; the HTTP-date form is not used by Kette's server and is ignored.
    static func retryAfter(_ response: TransportResponse) -> Duration? {
        guard let value = response.headers["retry-after"]?.trimmingCharacters(in: .whitespaces),
              !value.isEmpty, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let seconds = Int(value) else { return nil }
        return .seconds(seconds)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
