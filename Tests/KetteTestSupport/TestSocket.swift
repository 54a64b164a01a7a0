import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Test helpers shared by the test targets that talk to a real server over a socket.

/// A blocking TCP connection to 127.0.0.1, for clients curl cannot imitate (partial or hostile requests).
public final class TestSocket {
    /// How a read ended; `.complete`: a whole answer arrived and the connection is still open.
    public enum End: Equatable { case closed, reset, timedOut, complete, failed(Int32) }

    private let fd: Int32

    /// Connects to `port` on 127.0.0.1; from `source` (another loopback address such as 127.0.0.2,
    /// to look like another client to per-address limits) when given.
    public init(port: UInt16, receiveTimeout: Double = 5, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - receiveTimeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw POSIXError(.init(rawValue: code) ?? .EIO)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
    }

    deinit { close(fd) }

    /// Sends everything; false once the server has closed or reset the connection.
    public func send(_ text: String) -> Bool { send(bytes: Array(text.utf8)) }

    /// Sends `bytes` whole; false once the server has closed or reset the connection.
    public func send(bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a closed peer must fail the call, not kill the test process with SIGPIPE.
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            sent += written
        }
        return true
    }

    /// Sends `text` again and again, waiting the receive timeout after each, until the server ends
    /// the connection or `limit` seconds have passed: a client that trickles, never idle for long.
    /// Returns how the connection ended (`.timedOut`: still open at the limit) and after how long.
    public func trickle(_ text: String, for limit: Double) -> (end: End, seconds: Double) {
        let started = Date()
        var end = End.timedOut
        while Date().timeIntervalSince(started) < limit {
            guard send(text) else { end = .reset; break }
            end = readToEnd().end
            if end != .timedOut { break }
        }
        return (end, Date().timeIntervalSince(started))
    }

    /// Reads until the server closes the connection, resets it, or the receive timeout passes.
    public func readToEnd() -> (bytes: [UInt8], end: End) { read(until: { _ in false }) }

    /// Reads one answer on a kept-alive connection: returns as soon as its head and the
    /// `Content-Length` bytes of its body are in, without waiting for the receive timeout.
    public func readAnswer() -> (bytes: [UInt8], end: End) { read(until: Self.holdsWholeAnswer) }

    private static func holdsWholeAnswer(_ bytes: [UInt8]) -> Bool {
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let end = (0...bytes.count - 4).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else {
            return false
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return bytes.count >= end + 4 + length
    }

    /// Reads until the server closes the connection, resets it, the receive timeout passes, or
    /// `isComplete` says the bytes so far are all that is wanted.
    private func read(until isComplete: ([UInt8]) -> Bool) -> (bytes: [UInt8], end: End) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
                if isComplete(received) { return (received, .complete) }
            } else if count == 0 {
                return (received, .closed)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return (received, .timedOut)
            } else if errno == ECONNRESET {
                return (received, .reset)
            } else {
                return (received, .failed(errno))
            }
        }
    }
}
