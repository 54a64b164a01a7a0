/// A clock the test moves by hand. Injected as `now` into stores, servers and rate limiters, so
/// time passes only when the test says so and a run can be replayed exactly.
public final class TestClock: @unchecked Sendable {
    // @unchecked: a test moves it from its own thread, between the calls that read it; the code
    // under test only reads it.

    /// 2025-11-23 12:13:20 UTC: where every test's time starts unless it needs another moment.
    public static let start: Int64 = 1_763_900_000_000

    /// Milliseconds since 1970, as `LocalStore` and `ServerStore` read time.
    public var milliseconds: Int64

    public init(milliseconds: Int64 = TestClock.start) {
        self.milliseconds = milliseconds
    }

    /// The same time in seconds, as `RateLimiter` reads it.
    public var seconds: Double {
        get { Double(milliseconds) / 1000 }
        set { milliseconds = Int64((newValue * 1000).rounded()) }
    }

    /// What to inject as `now:`.
    public var now: @Sendable () -> Int64 { { self.milliseconds } }
}
