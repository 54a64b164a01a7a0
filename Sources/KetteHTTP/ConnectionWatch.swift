import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes connections whose request headers, request body or answer take too long.
///
/// libmicrohttpd's connection timeout counts *idle* time only: a client that sends one byte
/// every few seconds is never idle for long and would hold its connection (and a slot of the
/// per-IP and total limits) forever, while sending headers, while sending a body, or while
/// reading the answer one byte at a time. libmicrohttpd 0.9.75 has no deadlines of its own, so
/// this watch keeps them: every connection is noted when it opens and at each step of a request
/// (`Phase`); a timer shuts down the socket of any connection that stayed in a phase longer than
/// the phase allows. libmicrohttpd then sees the connection end and cleans it up on its own thread.
///
/// The wait between two requests on a kept-alive connection counts as waiting for headers too,
/// so an idle keep-alive connection is closed after the header deadline; clients reconnect, as
/// they must anyway after the idle timeout. While the handler runs there is no deadline.
final class ConnectionWatch: @unchecked Sendable {
    // @unchecked: `open`, the counters and every `Connection`'s fields are only touched under `lock`.

    /// The steps of a request that have a deadline.
    enum Phase: CaseIterable {
        /// From the connection's start (or the previous answer) until the request's headers are complete.
        case headers
        /// From the headers until the whole body has arrived.
        case body
        /// From the answer being ready until libmicrohttpd has sent all of it.
        case answer
    }

    /// One open connection, kept in libmicrohttpd's per-connection ("socket context") pointer.
    final class Connection {
        let socket: Int32
        /// The phase the connection is in and since when; nil while the handler runs.
        fileprivate var phase: (Phase, since: DispatchTime)?
        /// Set once the watch shut the socket down, so it happens once.
        fileprivate var isCut = false

        init(socket: Int32) { self.socket = socket }
    }

    /// Seconds a connection may stay in each phase.
    let limits: [Phase: Double]
    private let lock = NSLock()
    private var open: [ObjectIdentifier: Connection] = [:]
    private let timer: DispatchSourceTimer
    /// Connections cut so far, by the phase they were in: for the log and the tests.
    private var cutCounts: [Phase: Int] = [:]
    /// Connections opened since the start: with the requests answered, how well clients reuse them.
    private var openedTotal = 0

    init(headerSeconds: Double, bodySeconds: Double) {
        limits = [.headers: headerSeconds, .body: bodySeconds, .answer: bodySeconds]
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kette.http-server.connection-watch"))
        // Checking four times per shortest limit (at most once a second) keeps the overshoot small.
        let interval = min(1.0, max(0.05, min(headerSeconds, bodySeconds) / 4))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.cutOverdue() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Stops the timer; connections still open are left to libmicrohttpd.
    func stop() { timer.cancel() }

    /// How many connections are open now (for `/metrics`).
    var openCount: Int { lock.withLock { open.count } }

    /// How many connections have opened since the start (for `/metrics`).
    var openedCount: Int { lock.withLock { openedTotal } }

    /// How many connections the watch has shut down while they were in `phase`.
    func cut(in phase: Phase) -> Int { lock.withLock { cutCounts[phase, default: 0] } }

    /// A connection opened: it waits for its first request's headers from now on.
    func opened(_ connection: Connection) {
        lock.withLock {
            connection.phase = (.headers, .now())
            open[ObjectIdentifier(connection)] = connection
            openedTotal += 1
        }
    }

    /// The connection is closing. libmicrohttpd tells before it closes the socket, so after this
    /// returns the watch can no longer touch a descriptor number that gets reused.
    func closed(_ connection: Connection) {
        lock.withLock { _ = open.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// The headers of the current request are complete; its body (if any) is awaited now.
    func headersArrived(_ connection: Connection) { enter(.body, connection) }

    /// The whole body has arrived; the handler runs, without a deadline.
    func bodyArrived(_ connection: Connection) { lock.withLock { connection.phase = nil } }

    /// An answer is queued; the client must take it within the deadline.
    func answerQueued(_ connection: Connection) { enter(.answer, connection) }

    /// A request is over; on a kept-alive connection the next one's headers are awaited now.
    func requestFinished(_ connection: Connection) { enter(.headers, connection) }

    private func enter(_ phase: Phase, _ connection: Connection) {
        lock.withLock { connection.phase = (phase, .now()) }
    }

    private func cutOverdue() {
        let now = DispatchTime.now().uptimeNanoseconds
        let limitNanoseconds = limits.mapValues { UInt64(max(0, $0) * 1e9) }
        lock.withLock {
            for connection in open.values where !connection.isCut {
                guard let (phase, since) = connection.phase,
                      now >= since.uptimeNanoseconds &+ limitNanoseconds[phase, default: .max] else { continue }
                // shutdown, not close: the descriptor stays libmicrohttpd's to close; the peer
                // sees the end and libmicrohttpd's poll reports it, which ends the connection.
                _ = shutdown(connection.socket, Int32(SHUT_RDWR))
                connection.isCut = true
                cutCounts[phase, default: 0] += 1
            }
        }
    }
}
