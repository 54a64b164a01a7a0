import Foundation
import KetteProtocol

/// At most `limit` requests of one user in progress at once.
///
/// The rate limit counts requests as they start; this counts those not finished. Without it one
/// token could hold hundreds of connections, each sending its body as slowly as the body timeout
/// allows, and leave no connection for anyone else. The reference client has at most two
/// requests in progress (the next page is fetched while one is merged).
final class UserRequestLimit: @unchecked Sendable {
    // @unchecked: `inProgress` is only touched under `lock`.

    /// One admitted request: it holds its user's place until it is released, when the transport
    /// lets go of the request (answered, or its connection cut).
    final class Admission: Sendable {
        let identity: Identity
        private let limit: UserRequestLimit

        fileprivate init(_ identity: Identity, _ limit: UserRequestLimit) {
            self.identity = identity
            self.limit = limit
        }

        deinit { limit.leave(identity.user) }
    }

    let limit: Int
    private let lock = NSLock()
    private var inProgress: [String: Int] = [:]

    init(limit: Int) { self.limit = limit }

    /// A place for one more request of `identity`'s user, or nil when all are taken.
    func admit(_ identity: Identity) -> Admission? {
        let admitted = lock.withLock {
            guard inProgress[identity.user, default: 0] < limit else { return false }
            inProgress[identity.user, default: 0] += 1
            return true
        }
        return admitted ? Admission(identity, self) : nil
    }

    private func leave(_ user: String) {
        lock.withLock {
            let remaining = inProgress[user, default: 1] - 1
            inProgress[user] = remaining > 0 ? remaining : nil
        }
    }

    /// How many requests `user` has in progress, for the tests.
    func count(_ user: String) -> Int { lock.withLock { inProgress[user, default: 0] } }
}
