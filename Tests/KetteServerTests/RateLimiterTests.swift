import Foundation
import XCTest
import KetteProtocol
import KetteTestSupport
@testable import KetteServer

/// The per-user token bucket on its own (with a clock the test moves) and in front of the API
/// (with a real `ServerStore` on a temporary SQLite file).
final class RateLimiterTests: XCTestCase {
    func testABurstPassesThenRequestsWaitForTheRefill() throws {
        let clock = TestClock(milliseconds: 1_000_000)
        let limiter = try RateLimiter(RateLimiter.Configuration(rate: 2, burst: 3), now: { clock.seconds })
        for _ in 0..<3 { XCTAssertEqual(limiter.admit("anna"), .allowed) }
        XCTAssertEqual(limiter.admit("anna"), .limited(retryAfterSeconds: 1), "a token is back after 0.5 s: rounded up to 1")
        // Another user has a bucket of their own.
        XCTAssertEqual(limiter.admit("bert"), .allowed)
        clock.seconds += 0.5
        XCTAssertEqual(limiter.admit("anna"), .allowed, "one token came back")
        XCTAssertEqual(limiter.admit("anna"), .limited(retryAfterSeconds: 1))
        // A long pause refills to the burst, no further.
        clock.seconds += 3600
        for _ in 0..<3 { XCTAssertEqual(limiter.admit("anna"), .allowed) }
        XCTAssertNotEqual(limiter.admit("anna"), .allowed)
    }

    func testRetryAfterCoversTheWholeWaitForASlowRate() throws {
        let clock = TestClock(milliseconds: 1_000_000)
        let limiter = try RateLimiter(RateLimiter.Configuration(rate: 0.1, burst: 1), now: { clock.seconds })
        XCTAssertEqual(limiter.admit("anna"), .allowed)
        XCTAssertEqual(limiter.admit("anna"), .limited(retryAfterSeconds: 10))
        clock.seconds += 9.5
        XCTAssertEqual(limiter.admit("anna"), .limited(retryAfterSeconds: 1))
        clock.seconds += 0.5
        XCTAssertEqual(limiter.admit("anna"), .allowed, "Retry-After was honest: waiting it out is enough")
    }

    func testDefaultsAndInvalidConfigurations() throws {
        let defaults = RateLimiter.Configuration()
        XCTAssertEqual(defaults.rate, 50)
        XCTAssertEqual(defaults.burst, 1000)
        // A first sync of a large county: 1,000 pages of 5,000 field versions fit in the burst.
        XCTAssertGreaterThanOrEqual(defaults.burst, 1000)
        for bad in [RateLimiter.Configuration(rate: 0, burst: 1), RateLimiter.Configuration(rate: -1, burst: 1),
                    RateLimiter.Configuration(rate: .nan, burst: 1), RateLimiter.Configuration(rate: 1, burst: 0)] {
            XCTAssertThrowsError(try RateLimiter(bad)) { error in
                guard case .invalidConfiguration? = error as? RateLimiterError else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".hasPrefix("Invalid rate limit:"), "\(error)")
            }
        }
    }

    func testTheAPIAnswers429WithRetryAfterPerUserAndOnlyForValidTokens() throws {
        let clock = TestClock(milliseconds: 1_000_000)
        let server = try makeServerStore(users: [.coordinator("anna", "nordstadt"), .coordinator("bert", "nordstadt")],
                                         rateLimiter: try RateLimiter(RateLimiter.Configuration(rate: 1, burst: 2), now: { clock.seconds }))
        let (api, anna, bert) = (server.api, server.tokens["anna"]!, server.tokens["bert"]!)
        func me(_ token: String) -> HTTPResponse {
            api.handle(HTTPRequest(method: "GET", path: "/v1/me", headers: ["Authorization": "Bearer \(token)"]))
        }
        XCTAssertEqual(me(anna).status, 200)
        XCTAssertEqual(me(anna).status, 200)
        let limited = me(anna)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.headers.first { $0.0 == "Retry-After" }?.1, "1")
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(limited.body)) as? [String: [String: String]])
        XCTAssertEqual(body["error"]?["code"], "rate_limited")
        XCTAssertTrue(body["error"]?["message"]?.contains("Retry-After") == true)
        // Keyed by the user: Bert (same address, same district) is not affected.
        XCTAssertEqual(me(bert).status, 200)
        // Unknown tokens are 401 and take nothing from anybody's bucket.
        for _ in 0..<5 { XCTAssertEqual(me("not-a-token").status, 401) }
        XCTAssertEqual(api.handle(HTTPRequest(path: "/v1/health")).status, 200, "health needs no token and is not limited")
        clock.seconds += 1
        XCTAssertEqual(me(anna).status, 200, "after Retry-After the user is served again")
    }
}
