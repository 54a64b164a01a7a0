#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound, listening TCP socket that has not been handed to libmicrohttpd yet.
///
/// The server binds the socket itself instead of letting libmicrohttpd do it: libmicrohttpd only
/// reports "could not start", while `bind` says *why* (the port is taken, the address is not
/// ours), and `getsockname` tells which port the kernel picked for port 0.
struct ListeningSocket: ~Copyable {
    /// The descriptor, closed by `deinit`.
    let descriptor: Int32
    /// The port actually bound (differs from the requested one when that was 0).
    let port: UInt16

    /// Creates a TCP socket on `address` (numeric IPv4 or IPv6) and `port`, and starts listening.
    init(address: String, port requestedPort: UInt16) throws(HTTPServerError) {
        var (storage, length, family) = try Self.socketAddress(address, requestedPort)
        // CLOEXEC: child processes must not inherit the port. NONBLOCK: all pool threads
        // accept on this one socket, and a thread that loses the race must not block in accept.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else {
            throw .bindFailed(address, requestedPort, reason: "socket(): " + Self.errnoText())
        }
        // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT;
        // on Linux it still refuses a port another socket is listening on.
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        do {
            try Self.bindAndListen(fd, &storage, length, address, requestedPort)
            self.port = try Self.boundPort(fd, address, requestedPort)
        } catch {
            close(fd)
            throw error
        }
        self.descriptor = fd
    }

    /// The socket address for a numeric IPv4 or IPv6 address ("[::1]" as well as "::1": the
    /// bracketed form is what people copy from URLs).
    private static func socketAddress(_ address: String, _ port: UInt16) throws(HTTPServerError)
        -> (sockaddr_storage, socklen_t, Int32) {
        var storage = sockaddr_storage()
        let numeric = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, numeric, &ipv4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_port = port.bigEndian
                sin.pointee.sin_addr = ipv4
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        if inet_pton(AF_INET6, numeric, &ipv6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                sin6.pointee.sin6_port = port.bigEndian
                sin6.pointee.sin6_addr = ipv6
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        }
        throw .invalidAddress(address)
    }

    private static func bindAndListen(_ fd: Int32, _ storage: inout sockaddr_storage, _ length: socklen_t,
                                      _ address: String, _ port: UInt16) throws(HTTPServerError) {
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            if code == EADDRINUSE { throw .addressInUse(address, port) }
            throw .bindFailed(address, port, reason: "bind(): " + Self.errnoText(code))
        }
        guard listen(fd, SOMAXCONN) == 0 else {
            let code = errno
            // Two sockets can bind the same port with SO_REUSEADDR before either listens.
            if code == EADDRINUSE { throw .addressInUse(address, port) }
            throw .bindFailed(address, port, reason: "listen(): " + Self.errnoText(code))
        }
    }

    /// The port the kernel bound (differs from the requested one when that was 0).
    private static func boundPort(_ fd: Int32, _ address: String, _ port: UInt16) throws(HTTPServerError) -> UInt16 {
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        guard named == 0 else {
            throw .bindFailed(address, port, reason: "getsockname(): " + Self.errnoText(errno))
        }
        // sin_port and sin6_port sit at the same offset, right after the family.
        return UInt16(bigEndian: withUnsafeBytes(of: &actual) { $0.load(fromByteOffset: 2, as: UInt16.self) })
    }

    deinit { close(descriptor) }

    /// A second descriptor for the same socket, for libmicrohttpd to own: it closes its
    /// listening socket in `MHD_stop_daemon`, and on some start failures.
    func duplicate() -> Int32? {
        let fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        return fd >= 0 ? fd : nil
    }

    /// Whether `other` is still open on this very socket, rather than closed or reused for
    /// something else that happens to get the same number.
    func isSameSocket(as other: Int32) -> Bool {
        var mine = stat()
        var theirs = stat()
        guard fstat(descriptor, &mine) == 0, fstat(other, &theirs) == 0 else { return false }
        return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino
    }

    static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
