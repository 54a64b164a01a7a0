import CMicroHTTPD
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the HTTP server did not start; the description says what to do about it.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bind address is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)
    /// Another socket is already listening on this address and port.
    case addressInUse(String, UInt16)
    /// The socket could not be created, bound or made to listen, for a reason other than the port being taken.
    case bindFailed(String, UInt16, reason: String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// libmicrohttpd refused to start the daemon.
    case startFailed(String)
    /// `start()` was called while the server was running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidAddress(let address):
            return "Cannot listen on \"\(address)\": not a numeric IPv4 or IPv6 address (for example 127.0.0.1, 0.0.0.0 or ::1)."
        case .addressInUse(let address, let port):
            return "Cannot listen on \(Self.endpoint(address, port)): the address is already in use. "
                + "Another process is listening there; stop it or choose another port."
        case .bindFailed(let address, let port, let reason):
            return "Cannot listen on \(Self.endpoint(address, port)): \(reason)."
        case .invalidConfiguration(let problem):
            return "Invalid HTTP server configuration: \(problem)."
        case .startFailed(let reason):
            return "The HTTP server did not start: \(reason)."
        case .alreadyRunning:
            return "The HTTP server is already running."
        }
    }

    /// `host:port`, with an IPv6 host in brackets as in a URL.
    static func endpoint(_ address: String, _ port: UInt16) -> String {
        address.contains(":") && !address.hasPrefix("[") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// The HTTP transport: libmicrohttpd listening on one address and handing each complete
/// request to one `HTTPHandler`.
///
/// libmicrohttpd runs its own threads (a pool of `threadPoolSize` workers, each with its own
/// epoll set); the handler is called on them. The server owns the `MHD_Daemon` and stops it in
/// `stop()` or, at the latest, in `deinit`.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon` and `context` are only touched on `lifecycle`, `listeningPort` only on `state`.

    /// Where the server listens and the limits that protect it from clients.
    public struct Configuration: Sendable {
        /// A numeric IPv4 or IPv6 address; `0.0.0.0` or `::` listens on every interface.
        public var bindAddress: String
        /// The TCP port; 0 lets the kernel pick a free one (read it back from `HTTPServer.port`).
        public var port: UInt16
        /// How many worker threads share the connections (and run the handler).
        public var threadPoolSize: Int
        /// An idle connection (no bytes in either direction) is closed after this many seconds.
        /// libmicrohttpd 0.9.75 never times out by default, so one stalled client would hold a
        /// connection forever.
        public var connectionTimeoutSeconds: Int
        /// A connection whose request headers are not complete this many seconds after it opened
        /// (or after its previous request was answered) is closed, however busily it trickles.
        /// The idle timeout cannot catch a client sending one byte every few seconds.
        public var headerTimeoutSeconds: Int
        /// The most connections one client IP may hold at once.
        public var perIPConnectionLimit: Int
        /// The most connections the server holds at once; more are refused at accept.
        public var connectionLimit: Int
        /// The largest request body accepted; larger ones are answered with 413.
        public var maxBodyBytes: Int
        /// Serve HTTPS with this certificate and key (libmicrohttpd's GnuTLS); nil serves plain HTTP.
        public var tls: TLSCredentials?

        public init(
            bindAddress: String = "127.0.0.1",
            port: UInt16 = 8080,
            threadPoolSize: Int = 4,
            connectionTimeoutSeconds: Int = 30,
            headerTimeoutSeconds: Int = Configuration.defaultHeaderTimeoutSeconds,
            perIPConnectionLimit: Int = 64,
            connectionLimit: Int = 512,
            maxBodyBytes: Int = 8 << 20,
            tls: TLSCredentials? = nil
        ) {
            self.bindAddress = bindAddress
            self.port = port
            self.threadPoolSize = threadPoolSize
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.headerTimeoutSeconds = headerTimeoutSeconds
            self.perIPConnectionLimit = perIPConnectionLimit
            self.connectionLimit = connectionLimit
            self.maxBodyBytes = maxBodyBytes
            self.tls = tls
        }

        /// 20 s plus the watch's check interval (at most 1 s) closes a slow-header connection well
        /// within 30 s, while a real client on a slow mobile link sends its headers (a few hundred
        /// bytes, one packet) in far less.
        public static let defaultHeaderTimeoutSeconds = 20

        /// The first value that libmicrohttpd would reject or misread, if any.
        func validate() throws(HTTPServerError) {
            if threadPoolSize < 1 || threadPoolSize > 1024 {
                throw .invalidConfiguration("threadPoolSize must be between 1 and 1024, not \(threadPoolSize)")
            }
            // These travel as C `unsigned int` (or mean seconds to wait); 0 would mean "no limit" to libmicrohttpd.
            let limits = [("connectionTimeoutSeconds", connectionTimeoutSeconds),
                          ("headerTimeoutSeconds", headerTimeoutSeconds),
                          ("perIPConnectionLimit", perIPConnectionLimit),
                          ("connectionLimit", connectionLimit)]
            for (name, value) in limits where value < 1 || value > Int(Int32.max) {
                throw .invalidConfiguration("\(name) must be between 1 and \(Int32.max), not \(value)")
            }
            if maxBodyBytes < 0 {
                throw .invalidConfiguration("maxBodyBytes must not be negative, not \(maxBodyBytes)")
            }
        }
    }

    public let configuration: Configuration
    private let handler: any HTTPHandler
    /// Serializes start and stop; held while libmicrohttpd starts or joins its threads.
    private let lifecycle = DispatchQueue(label: "kette.http-server.lifecycle")
    /// Guards what `port` and `isRunning` read. Separate from `lifecycle` so that a handler asking
    /// for the port while `stop()` waits for that very handler does not deadlock.
    private let state = DispatchQueue(label: "kette.http-server.state")
    private var daemon: OpaquePointer?
    /// The callbacks' context, retained for as long as the daemon may call them.
    private var context: Unmanaged<ServerContext>?
    /// The bound port while running, nil otherwise.
    private var listeningPort: UInt16?
    /// The PEM texts handed to libmicrohttpd, which keeps the pointers: owned here until the daemon stops.
    private var tlsMemory: [UnsafeMutablePointer<CChar>] = []

    public init(configuration: Configuration = Configuration(), handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit {
        // Nothing else can reach `self` any more, so no need to go through `lifecycle`.
        stopDaemon()
    }

    /// The port the server listens on: the one the kernel picked when configured with port 0.
    /// Before `start()` (and after `stop()`) this is the configured port.
    public var port: UInt16 {
        state.sync { listeningPort ?? configuration.port }
    }

    /// Whether the server is listening.
    public var isRunning: Bool {
        state.sync { listeningPort != nil }
    }

    /// The connections open right now (for `/metrics`); safe to read from a handler.
    public var openConnections: Int { connections.count }
    private let connections = ConnectionCount()

    /// Binds the socket and starts libmicrohttpd's threads; returns once the server accepts connections.
    public func start() throws(HTTPServerError) {
        let result = lifecycle.sync {
            Result { () throws(HTTPServerError) in try startDaemon() }
        }
        try result.get()
    }

    /// Stops accepting, closes every connection and frees the port; waits for running handlers to return.
    /// Calling it on a stopped server does nothing.
    ///
    /// Never call it from a handler: libmicrohttpd would wait for the calling thread to finish.
    public func stop() {
        lifecycle.sync { stopDaemon() }
    }

    private func startDaemon() throws(HTTPServerError) {
        guard daemon == nil else { throw .alreadyRunning }
        try configuration.validate()
        let socket = try ListeningSocket(address: configuration.bindAddress, port: configuration.port)
        // libmicrohttpd gets its own descriptor for the socket and closes it when it stops; ours
        // is closed when `socket` goes out of scope. Two descriptors let us find out, after a
        // failed start, whether libmicrohttpd already closed its one (it does on some failures).
        guard let daemonSocket = socket.duplicate() else {
            throw .bindFailed(configuration.bindAddress, configuration.port,
                              reason: "dup(): " + ListeningSocket.errnoText())
        }

        let headerDeadline = HeaderDeadline(limit: Double(configuration.headerTimeoutSeconds))
        let context = Unmanaged.passRetained(ServerContext(handler: handler, maxBodyBytes: configuration.maxBodyBytes,
                                                           headerDeadline: headerDeadline, connections: connections))
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(daemonSocket), ptr_value: nil),
            MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threadPoolSize, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: configuration.perIPConnectionLimit, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.connectionLimit, ptr_value: nil),
            kette_mhd_option_notify_completed(MHDCallbacks.requestCompleted, context.toOpaque()),
            kette_mhd_option_notify_connection(MHDCallbacks.connectionNotified, context.toOpaque()),
        ]
        // No MHD_USE_ERROR_LOG: libmicrohttpd would print client mistakes (malformed requests,
        // resets) to stderr, which is noise in the server log, not errors of ours.
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        if let tls = configuration.tls {
            let key = strdup(tls.privateKeyPEM)!, certificate = strdup(tls.certificatePEM)!
            tlsMemory = [key, certificate]
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(key)))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(certificate)))
            flags |= MHD_USE_TLS.rawValue
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
        let started = options.withUnsafeBufferPointer {
            kette_mhd_start_daemon(flags, socket.port, MHDCallbacks.accessHandler, context.toOpaque(), $0.baseAddress)
        }
        guard let started else {
            if socket.isSameSocket(as: daemonSocket) { close(daemonSocket) }
            headerDeadline.stop()
            context.release()
            releaseTLSMemory()
            throw .startFailed("libmicrohttpd could not start on \(HTTPServerError.endpoint(configuration.bindAddress, socket.port))"
                + " (epoll, thread or option setup failed)")
        }
        self.daemon = started
        self.context = context
        state.sync { listeningPort = socket.port }
    }

    private func stopDaemon() {
        guard let daemon else { return }
        state.sync { listeningPort = nil }
        // Joins the worker threads: when it returns no callback is running or will run,
        // so the context can go.
        MHD_stop_daemon(daemon)
        self.daemon = nil
        context?.takeUnretainedValue().headerDeadline.stop()
        context?.release()
        context = nil
        releaseTLSMemory()
    }

    /// Overwrites the private key before freeing it, so it does not linger in freed memory.
    private func releaseTLSMemory() {
        for pointer in tlsMemory {
            memset(pointer, 0, strlen(pointer))
            free(pointer)
        }
        tlsMemory = []
    }
}

/// What libmicrohttpd's callbacks reach through their closure pointer: the handler and the limits.
private final class ServerContext: Sendable {
    let handler: any HTTPHandler
    let maxBodyBytes: Int
    let headerDeadline: HeaderDeadline
    let connections: ConnectionCount

    init(handler: any HTTPHandler, maxBodyBytes: Int, headerDeadline: HeaderDeadline, connections: ConnectionCount) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.headerDeadline = headerDeadline
        self.connections = connections
    }
}

/// How many connections are open: libmicrohttpd reports every opened connection closed once.
final class ConnectionCount: @unchecked Sendable {
    // @unchecked: `value` is only touched on `queue`.
    private let queue = DispatchQueue(label: "kette.http-server.connections")
    private var value = 0

    var count: Int { queue.sync { value } }
    func change(by delta: Int) { queue.sync { value += delta } }
}

/// One request in progress: the body as it arrives, kept in libmicrohttpd's per-request pointer.
///
/// A connection is served by one worker thread at a time, so the state is never shared.
private final class PendingRequest {
    var body: [UInt8] = []
    /// Set once the body is known to exceed the limit; from then on chunks are counted, not kept.
    var isTooLarge = false
    var discardedBytes = 0
    /// Set once a response is queued, so later calls for the same request do nothing.
    var isAnswered = false
}

@available(*, unavailable)
extension PendingRequest: Sendable {}

/// The framing headers of one request, as libmicrohttpd iterates over them.
private final class HeaderCounter {
    var contentLengths: [String] = []
    var transferEncodings: [String] = []
}

/// Accumulates query arguments or headers while libmicrohttpd iterates over them.
private final class ValueCollector {
    var values: [String: String] = [:]
    let isHeaders: Bool

    init(isHeaders: Bool) { self.isHeaders = isHeaders }
}

/// The C callbacks given to libmicrohttpd.
///
/// They are static members of a nonisolated type on purpose: libmicrohttpd calls them on its own
/// threads, and a closure written in actor-isolated code would trap there.
private enum MHDCallbacks {
    /// Called several times per request: once with the headers, once per body chunk, and once more
    /// with no data when the request is complete. `*requestState` carries a `PendingRequest`
    /// from call to call.
    static let accessHandler: MHD_AccessHandlerCallback = {
        contextPointer, connection, url, method, _, uploadData, uploadDataSize, requestState in
        guard let contextPointer, let connection, let uploadDataSize, let requestState else { return .NO }
        let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()

        // First call: only the headers have arrived.
        guard let statePointer = requestState.pointee else {
            if let watched = watchedConnection(connection) { context.headerDeadline.headersArrived(watched) }
            let pending = PendingRequest()
            requestState.pointee = Unmanaged.passRetained(pending).toOpaque()
            if let problem = framingProblem(connection) {
                // The body's length is ambiguous, so nothing after these headers can be trusted to
                // be the body rather than a smuggled second request: answer and close.
                pending.isAnswered = true
                return queue(badFraming(problem), on: connection)
            }
            if declaredLengthExceeds(context.maxBodyBytes, connection) {
                // Answering before the upload starts means the body is never read: libmicrohttpd
                // sends no "100 Continue" and closes the connection after the response.
                pending.isTooLarge = true
                pending.isAnswered = true
                return queue(bodyTooLarge(context.maxBodyBytes), on: connection)
            }
            return .YES
        }
        let pending = Unmanaged<PendingRequest>.fromOpaque(statePointer).takeUnretainedValue()

        // A body chunk: keep it, or only count it once the limit is passed.
        let chunkSize = uploadDataSize.pointee
        if chunkSize > 0 {
            uploadDataSize.pointee = 0
            if pending.isAnswered { return .YES }
            if !pending.isTooLarge, chunkSize <= context.maxBodyBytes - pending.body.count, let uploadData {
                pending.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: chunkSize))
                return .YES
            }
            // libmicrohttpd accepts no response while the upload is in progress, so the 413 waits
            // until the end of the body; the memory does not.
            if !pending.isTooLarge {
                pending.isTooLarge = true
                pending.discardedBytes = pending.body.count
                pending.body = []
            }
            pending.discardedBytes += chunkSize
            // A body that keeps coming (chunked, no declared length) is not worth reading to
            // its end just to answer politely: past twice the limit, close the connection.
            return pending.discardedBytes - context.maxBodyBytes > context.maxBodyBytes ? .NO : .YES
        }

        // Final call: the request is complete.
        if pending.isAnswered { return .YES }
        pending.isAnswered = true
        if pending.isTooLarge {
            return queue(bodyTooLarge(context.maxBodyBytes), on: connection)
        }
        let request = HTTPRequest(
            method: method.map { String(cString: $0) } ?? "",
            path: url.map { String(cString: $0) } ?? "/",
            query: collectValues(of: .GET_ARGUMENT_KIND, on: connection, isHeaders: false),
            headers: collectValues(of: .HEADER_KIND, on: connection, isHeaders: true),
            body: pending.body,
            remoteAddress: remoteAddress(of: connection)
        )
        pending.body = []
        return queue(context.handler.handle(request), on: connection)
    }

    /// Called once per request when libmicrohttpd is done with it, however it ended:
    /// releases the `PendingRequest` the access handler created.
    static let requestCompleted: MHD_RequestCompletedCallback = { contextPointer, connection, requestState, _ in
        if let contextPointer, let connection, let watched = watchedConnection(connection) {
            Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue().headerDeadline.requestFinished(watched)
        }
        guard let requestState, let statePointer = requestState.pointee else { return }
        Unmanaged<PendingRequest>.fromOpaque(statePointer).release()
        requestState.pointee = nil
    }

    /// Called when a connection opens and when it closes: registers it with the header deadline,
    /// which holds it through libmicrohttpd's per-connection pointer until it closes.
    static let connectionNotified: MHD_NotifyConnectionCallback = { contextPointer, connection, socketContext, event in
        guard let contextPointer, let connection, let socketContext else { return }
        let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
        switch event {
        case .CONNECTION_NOTIFY_STARTED:
            context.connections.change(by: 1)
            let socket = kette_mhd_connection_fd(connection)
            guard socket >= 0 else { return }
            let watched = HeaderDeadline.Connection(socket: socket)
            socketContext.pointee = Unmanaged.passRetained(watched).toOpaque()
            context.headerDeadline.opened(watched)
        case .CONNECTION_NOTIFY_CLOSED:
            context.connections.change(by: -1)
            guard let pointer = socketContext.pointee else { return }
            let watched = Unmanaged<HeaderDeadline.Connection>.fromOpaque(pointer)
            context.headerDeadline.closed(watched.takeUnretainedValue())
            socketContext.pointee = nil
            watched.release()
        default:
            return
        }
    }

    /// The header deadline's record of `connection`, if it has one.
    private static func watchedConnection(_ connection: OpaquePointer) -> HeaderDeadline.Connection? {
        guard let pointer = kette_mhd_socket_context(connection) else { return nil }
        return Unmanaged<HeaderDeadline.Connection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Why the request's body framing cannot be trusted, or nil when it can: `Content-Length`
    /// together with `Transfer-Encoding`, `Content-Length` more than once, or a transfer coding
    /// other than plain `chunked`. Each is how request smuggling starts: a proxy in front and this
    /// server would disagree on where the body ends. (A `Content-Length` that is not a number
    /// libmicrohttpd answers itself, with its own 400, before the handler is called.)
    private static func framingProblem(_ connection: OpaquePointer) -> String? {
        let collector = HeaderCounter()
        withExtendedLifetime(collector) {
            _ = MHD_get_connection_values(connection, .HEADER_KIND, countHeader, Unmanaged.passUnretained(collector).toOpaque())
        }
        if !collector.contentLengths.isEmpty && !collector.transferEncodings.isEmpty {
            return "the request has both Content-Length and Transfer-Encoding; send exactly one of them"
        }
        if collector.contentLengths.count > 1 {
            return "the request has Content-Length \(collector.contentLengths.count) times; send it once"
        }
        if !collector.transferEncodings.isEmpty,
           collector.transferEncodings.count > 1 || collector.transferEncodings[0].trimmingSpaces().lowercased() != "chunked" {
            return "unsupported Transfer-Encoding '\(collector.transferEncodings.joined(separator: ", ").prefix(60))'; accepted: chunked"
        }
        return nil
    }

    /// Collects the `Content-Length` and `Transfer-Encoding` headers, each occurrence separately.
    private static let countHeader: MHD_KeyValueIterator = { counterPointer, _, key, value in
        guard let counterPointer, let key else { return .YES }
        let counter = Unmanaged<HeaderCounter>.fromOpaque(counterPointer).takeUnretainedValue()
        let value = value.map { String(cString: $0) } ?? ""
        switch String(cString: key).lowercased() {
        case "content-length": counter.contentLengths.append(value)
        case "transfer-encoding": counter.transferEncodings.append(value)
        default: break
        }
        return .YES
    }

    /// Adds one key/value pair to the `ValueCollector` in `collectorPointer`.
    private static let collectValue: MHD_KeyValueIterator = { collectorPointer, _, key, value in
        guard let collectorPointer, let key else { return .YES }
        let collector = Unmanaged<ValueCollector>.fromOpaque(collectorPointer).takeUnretainedValue()
        // String(cString:) repairs invalid UTF-8 with U+FFFD instead of failing.
        let value = value.map { String(cString: $0) } ?? ""
        if collector.isHeaders {
            let name = String(cString: key).lowercased()
            if let earlier = collector.values[name] {
                collector.values[name] = earlier + ", " + value
            } else {
                collector.values[name] = value
            }
        } else {
            collector.values[String(cString: key)] = value
        }
        return .YES
    }

    private static func collectValues(of kind: MHD_ValueKind, on connection: OpaquePointer, isHeaders: Bool) -> [String: String] {
        let collector = ValueCollector(isHeaders: isHeaders)
        withExtendedLifetime(collector) {
            _ = MHD_get_connection_values(connection, kind, collectValue, Unmanaged.passUnretained(collector).toOpaque())
        }
        return collector.values
    }

    /// Whether the request declares a body longer than `limit`.
    private static func declaredLengthExceeds(_ limit: Int, _ connection: OpaquePointer) -> Bool {
        guard let raw = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") else { return false }
        let text = String(cString: raw).trimmingSpaces()
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return false  // not a length; libmicrohttpd answers malformed framing itself
        }
        // Digits that do not fit an Int are certainly more than the limit.
        guard let length = Int(text) else { return true }
        return length > limit
    }

    /// The client's IP address as text, or "" for an unknown address family.
    private static func remoteAddress(of connection: OpaquePointer) -> String {
        guard let address = kette_mhd_client_address(connection) else { return "" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let written: UnsafePointer<CChar>?
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            written = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafePointer(to: sin.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
            }
        case AF_INET6:
            written = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafePointer(to: sin6.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &text, socklen_t(text.count)) }
            }
        default:
            return ""
        }
        guard written != nil else { return "" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 400 for ambiguous framing; the connection is closed after it, as the rest of what the
    /// client sent cannot be told apart into body and next request.
    private static func badFraming(_ problem: String) -> HTTPResponse {
        var response = HTTPResponse.error(400, code: "bad_framing", message: problem + ".")
        response.headers.append(("Connection", "close"))
        return response
    }

    /// The 413 answer, with the limit so the client knows what would fit.
    private static func bodyTooLarge(_ limit: Int) -> HTTPResponse {
        .error(413, code: "body_too_large", message: "The request body is larger than the limit of \(limit) bytes.")
    }

    /// Queues `response` on `connection`, or a 500 when the handler's response cannot be sent as is.
    private static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let sendable = response.isWellFormed
            ? response
            : .error(500, code: "invalid_response", message: "The server produced a response it cannot send.")
        let body = sendable.body
        let created = body.withUnsafeBytes {
            // MUST_COPY: the array's storage is only valid inside this closure.
            MHD_create_response_from_buffer($0.count, UnsafeMutableRawPointer(mutating: $0.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in sendable.headers where !HTTPResponse.isTransportHeader(name) {
            // Checked by isWellFormed, so a refusal here means libmicrohttpd ran out of memory.
            guard MHD_add_response_header(created, name, value) == .YES else { return .NO }
        }
        return MHD_queue_response(connection, UInt32(sendable.status), created)
    }
}

extension HTTPResponse {
    /// Whether libmicrohttpd can send this response unchanged: a real status code and headers
    /// that cannot break the framing (no CR, LF or NUL; names are HTTP tokens).
    var isWellFormed: Bool {
        guard (100...599).contains(status) else { return false }
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else { return false }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else { return false }
        }
        return true
    }

    /// Headers the transport sets itself from the body it sends.
    static func isTransportHeader(_ name: String) -> Bool {
        let lowercased = name.lowercased()
        return lowercased == "content-length" || lowercased == "transfer-encoding"
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

private extension String {
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
