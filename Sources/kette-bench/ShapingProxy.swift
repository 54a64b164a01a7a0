import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A slow link on loopback: a TCP relay between `kette` and `kette-server` that limits each
/// direction to a bit rate and delays every byte by half the round trip (`--link 16mbit,40ms`).
///
/// How it shapes: each direction is one `Link`, shared by every connection in that direction as
/// one line is. A relay thread reads at most 16 KiB from its socket, waits until the link is
/// free, holds the link for the chunk's serialisation time (bytes × 8 / rate) and only then
/// reads on: the sender's kernel buffers fill and TCP's flow control slows it, as a full
/// router queue would. Each serialised chunk is handed to a delivery thread that writes it
/// `delay` (half the round trip) later. A new connection's first bytes wait one round trip more,
/// the TCP handshake's (SYN and SYN-ACK) before a client may send. Not modelled: loss, jitter,
/// TCP/IP header bytes (the rate counts payload only), TLS, and the slow start a real 40 ms path
/// would add per connection.
final class ShapingProxy: @unchecked Sendable {
    // @unchecked: after init only `listener` (immutable) is read; the links lock themselves.
    let port: UInt16
    private let listener: Int32
    private let target: UInt16
    private let upstream: Link
    let downstream: Link
    /// The TCP handshake: how long a new connection's first bytes wait before they may leave.
    private let handshakeSeconds: Double

    struct Shape: CustomStringConvertible {
        var bitsPerSecond: Double
        var roundTripSeconds: Double

        /// "16mbit,40ms": a rate in kbit or mbit, a round trip in ms.
        init?(_ text: String) {
            let parts = text.lowercased().split(separator: ",")
            guard parts.count == 2 else { return nil }
            let rate = parts[0], trip = parts[1]
            let unit: Double = rate.hasSuffix("mbit") ? 1e6 : rate.hasSuffix("kbit") ? 1e3 : 0
            guard unit > 0, let number = Double(rate.dropLast(4)), number > 0,
                  trip.hasSuffix("ms"), let milliseconds = Double(trip.dropLast(2)), milliseconds >= 0 else { return nil }
            bitsPerSecond = number * unit
            roundTripSeconds = milliseconds / 1000
        }

        var description: String { String(format: "%.0f Mbit/s, %.0f ms round trip", bitsPerSecond / 1e6, roundTripSeconds * 1000) }
    }

    /// Listens on a free loopback port and relays each connection to `target` through the shape.
    init(target: UInt16, shape: Shape) throws {
        self.target = target
        handshakeSeconds = shape.roundTripSeconds
        upstream = Link(bytesPerSecond: shape.bitsPerSecond / 8, delay: shape.roundTripSeconds / 2)
        downstream = Link(bytesPerSecond: shape.bitsPerSecond / 8, delay: shape.roundTripSeconds / 2)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw BenchmarkError("the shaping proxy has no socket: \(String(cString: strerror(errno)))") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 64) == 0 else { throw BenchmarkError("the shaping proxy cannot listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Accepts for the life of the benchmark process (it exits when the benchmark ends).
    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { if errno == EINTR { continue } else { return } }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { close(client); close(server); continue }
            let connection = RelayedConnection(client: client, server: server)
            Thread.detachNewThread {
                // Until then the client's request waits in its socket, as it would for the SYN-ACK.
                Thread.sleep(forTimeInterval: self.handshakeSeconds)
                self.upstream.relay(from: client, to: server, connection)
            }
            Thread.detachNewThread { self.downstream.relay(from: server, to: client, connection) }
        }
    }
}

/// The two sockets of one relayed connection, closed when both directions are done.
final class RelayedConnection: @unchecked Sendable {
    // @unchecked: `open` is only touched under `lock`.
    private let sockets: (Int32, Int32)
    private let lock = NSLock()
    private var open = 2

    init(client: Int32, server: Int32) { sockets = (client, server) }

    func directionDone() {
        let last = lock.withLock { open -= 1; return open == 0 }
        if last { close(sockets.0); close(sockets.1) }
    }
}

/// One direction of the link: a rate and a delay, shared by every connection in that direction.
final class Link: @unchecked Sendable {
    // @unchecked: `freeAt` is only touched under `lock`.
    private let bytesPerSecond: Double
    private let delay: Double
    private let lock = NSLock()
    /// When the line has sent everything handed to it so far (uptime seconds).
    private var freeAt = 0.0
    private var carried = 0

    /// Payload bytes this direction has carried so far.
    var bytesCarried: Int { lock.withLock { carried } }

    init(bytesPerSecond: Double, delay: Double) {
        self.bytesPerSecond = bytesPerSecond
        self.delay = delay
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func sleep(until time: Double) {
        let left = time - now()
        if left > 0 { usleep(useconds_t(left * 1e6)) }
    }

    /// Takes the line for `bytes`; returns when they have left it (serialised).
    private func serialise(_ bytes: Int) -> Double {
        let done = lock.withLock {
            freeAt = max(freeAt, Self.now()) + Double(bytes) / bytesPerSecond
            carried += bytes
            return freeAt
        }
        Self.sleep(until: done)
        return done
    }

    /// Relays `source` to `sink` through the link until `source` ends.
    func relay(from source: Int32, to sink: Int32, _ connection: RelayedConnection) {
        let delivery = DelayLine(sink: sink)
        Thread.detachNewThread { delivery.run(connection) }
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let sent = serialise(count)
            delivery.add(Array(buffer[..<count]), at: sent + delay)
        }
        delivery.add(nil, at: Self.now() + delay)
    }
}

/// Writes each chunk to its socket at its time: the propagation delay of the link.
final class DelayLine: @unchecked Sendable {
    // @unchecked: `queue` is only touched under `condition`.
    private let sink: Int32
    private let condition = NSCondition()
    /// Chunks with their delivery times, in order; nil is the end of the stream.
    private var queue: [(bytes: [UInt8]?, at: Double)] = []

    init(sink: Int32) { self.sink = sink }

    func add(_ bytes: [UInt8]?, at time: Double) {
        condition.lock()
        queue.append((bytes, time))
        condition.signal()
        condition.unlock()
    }

    func run(_ connection: RelayedConnection) {
        defer { connection.directionDone() }
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let (bytes, time) = queue.removeFirst()
            condition.unlock()
            Link.sleep(until: time)
            guard let bytes else { shutdown(sink, Int32(SHUT_WR)); return }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { send(sink, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
