import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes connections whose request headers do not arrive in time.
///
/// libmicrohttpd's connection timeout counts *idle* time only: a client that sends one header
/// byte every few seconds is never idle for long and would hold its connection (and a slot of
/// the per-IP and total limits) forever. libmicrohttpd 0.9.75 has no option for a header
/// deadline, so this watch keeps one itself: every connection is noted when it opens and each
/// time it starts waiting for a request; the access handler's first call for a request marks its
/// headers complete; a timer shuts down the socket of any connection still waiting after
/// `limit`. libmicrohttpd then sees the connection end and cleans it up on its own thread.
///
/// The wait between two requests on a kept-alive connection counts as waiting for headers too,
/// so an idle keep-alive connection is closed after `limit`; clients reconnect, as they must
/// anyway after the idle timeout.
final class HeaderDeadline: @unchecked Sendable {
    // @unchecked: `waiting` and every `Connection`'s fields are only touched under `lock`.

    /// One open connection, kept in libmicrohttpd's per-connection ("socket context") pointer.
    final class Connection {
        let socket: Int32
        /// When the connection began waiting for the current request's headers; nil while a
        /// request is being read or answered.
        fileprivate var waitingSince: DispatchTime?
        /// Set once the watch shut the socket down, so it happens once.
        fileprivate var isCut = false

        init(socket: Int32) { self.socket = socket }
    }

    /// Seconds a connection may wait for a request's headers.
    let limit: Double
    private let lock = NSLock()
    private var open: [ObjectIdentifier: Connection] = [:]
    private let timer: DispatchSourceTimer
    /// Connections cut so far, for the log and the tests.
    private var cutCount = 0

    init(limit seconds: Double) {
        self.limit = seconds
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kette.http-server.header-deadline"))
        // Checking four times per limit (at most once a second) keeps the overshoot small.
        let interval = min(1.0, max(0.05, seconds / 4))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.cutOverdue() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Stops the timer; connections still open are left to libmicrohttpd.
    func stop() { timer.cancel() }

    /// How many connections the watch has shut down.
    var cut: Int { lock.withLock { cutCount } }

    /// A connection opened: it waits for its first request's headers from now on.
    func opened(_ connection: Connection) {
        lock.withLock {
            connection.waitingSince = .now()
            open[ObjectIdentifier(connection)] = connection
        }
    }

    /// The connection is closing. libmicrohttpd tells before it closes the socket, so after this
    /// returns the watch can no longer touch a descriptor number that gets reused.
    func closed(_ connection: Connection) {
        lock.withLock { _ = open.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// The headers of the current request are complete.
    func headersArrived(_ connection: Connection) {
        lock.withLock { connection.waitingSince = nil }
    }

    /// A request was answered; on a kept-alive connection the next one's headers are awaited now.
    func requestFinished(_ connection: Connection) {
        lock.withLock { connection.waitingSince = .now() }
    }

    private func cutOverdue() {
        let now = DispatchTime.now()
        let limitNanoseconds = UInt64(max(0, limit) * 1e9)
        lock.withLock {
            for connection in open.values where !connection.isCut {
                guard let since = connection.waitingSince,
                      now.uptimeNanoseconds >= since.uptimeNanoseconds &+ limitNanoseconds else { continue }
                // shutdown, not close: the descriptor stays libmicrohttpd's to close; the peer
                // sees the end and libmicrohttpd's poll reports it, which ends the connection.
                _ = shutdown(connection.socket, Int32(SHUT_RDWR))
                connection.isCut = true
                cutCount += 1
            }
        }
    }
}
