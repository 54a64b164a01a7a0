import Foundation

/// The bytes that request bodies being read and answers waiting to be sent may hold together.
///
/// Without it, every connection could hold a body up to the size limit: 512 connections of
/// 64 MiB are 32 GiB. A request reserves its declared length before its body is read (a chunked
/// body reserves as it grows), an answer reserves its size when it is queued; both give the bytes
/// back when they are freed. What does not fit is answered 503 with `Retry-After`, and the client
/// tries again a moment later.
final class InFlightBudget: @unchecked Sendable {
    // @unchecked: `used` and `peak` are only touched under `lock`.

    let limit: Int
    private let lock = NSLock()
    private var used = 0
    private var peak = 0

    init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false, taking nothing, when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return lock.withLock {
            guard bytes <= limit - used else { return false }
            used += bytes
            peak = max(peak, used)
            return true
        }
    }

    /// Gives back bytes taken with `reserve`.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        lock.withLock { used -= bytes }
    }

    /// The bytes taken now, and the most taken at once so far.
    var usage: (now: Int, peak: Int) { lock.withLock { (used, peak) } }
}
