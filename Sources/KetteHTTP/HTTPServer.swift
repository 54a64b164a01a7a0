import CMicroHTTPD
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HTTP transport: libmicrohttpd listening on one address and handing each request to one
/// `HTTPHandler`, its head first (`admit`) and then, if admitted, with its body (`handle`).
///
/// libmicrohttpd runs its own threads (a pool of `threadPoolSize` workers, each with its own
/// epoll set); the handler is called on them. The server owns the `MHD_Daemon` and stops it in
/// `stop()` or, at the latest, in `deinit`. The callbacks and the objects they share with
/// libmicrohttpd are in DaemonCallbacks.swift.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon`, `context` and `tlsMemory` are only touched on `lifecycle`,
    // `listeningPort` and `running` only on `state`.

    public let configuration: Configuration
    private let handler: any HTTPHandler
    /// Serializes start and stop; held while libmicrohttpd starts or joins its threads.
    private let lifecycle = DispatchQueue(label: "kette.http-server.lifecycle")
    /// Guards what `port`, `isRunning` and `statistics` read. Separate from `lifecycle` so that a
    /// handler asking for the port while `stop()` waits for that very handler does not deadlock.
    private let state = DispatchQueue(label: "kette.http-server.state")
    private var daemon: OpaquePointer?
    /// The callbacks' shared state, handed to libmicrohttpd while the daemon runs.
    private var context: (transport: TransportContext, pointer: UnsafeMutableRawPointer)?
    /// The bound port while running, nil otherwise.
    private var listeningPort: UInt16?
    /// The running daemon's watch and budget, for `statistics`.
    private var running: TransportContext?
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
    public var openConnections: Int {
        state.sync { running }?.watch.openCount ?? 0
    }

    /// The connections opened since the server started (for `/metrics`); safe to read from a handler.
    public var openedConnections: Int {
        state.sync { running }?.watch.openedCount ?? 0
    }

    /// What the limits have done since the server started.
    public struct Statistics: Sendable, Equatable {
        /// Connections closed because their headers, body or answer passed its deadline.
        public var cutWaitingForHeaders = 0
        public var cutReadingBody = 0
        public var cutSendingAnswer = 0
        /// Bytes of request bodies and answers held now, and the most held at once.
        public var inFlightBytes = 0
        public var peakInFlightBytes = 0
    }

    /// The running server's figures; zero when it is not running.
    public var statistics: Statistics {
        guard let transport = state.sync(execute: { running }) else { return Statistics() }
        let usage = transport.budget.usage
        return Statistics(cutWaitingForHeaders: transport.watch.cut(in: .headers), cutReadingBody: transport.watch.cut(in: .body),
                          cutSendingAnswer: transport.watch.cut(in: .answer), inFlightBytes: usage.now, peakInFlightBytes: usage.peak)
    }

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
        try DescriptorLimit.ensureRoom(forConnections: configuration.connectionLimit)
        let socket = try ListeningSocket(address: configuration.bindAddress, port: configuration.port)
        // libmicrohttpd gets its own descriptor for the socket and closes it when it stops; ours
        // is closed when `socket` goes out of scope. Two descriptors let us find out, after a
        // failed start, whether libmicrohttpd already closed its one (it does on some failures).
        guard let daemonSocket = socket.duplicate() else {
            throw .bindFailed(configuration.bindAddress, configuration.port,
                              reason: "dup(): " + ListeningSocket.errnoText())
        }
        let transport = TransportContext(
            handler: handler, maxBodyBytes: configuration.maxBodyBytes,
            watch: ConnectionWatch(headerSeconds: Double(configuration.headerTimeoutSeconds),
                                   bodySeconds: Double(configuration.bodyTimeoutSeconds)),
            budget: InFlightBudget(limit: configuration.maxInFlightBytes))
        let pointer = DaemonCallbacks.retain(transport)
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        var options = daemonOptions(socket: daemonSocket, context: pointer)
        if configuration.tls != nil { flags |= MHD_USE_TLS.rawValue }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
        let started = options.withUnsafeBufferPointer {
            kette_mhd_start_daemon(flags, socket.port, DaemonCallbacks.accessHandler, pointer, $0.baseAddress)
        }
        guard let started else {
            if socket.isSameSocket(as: daemonSocket) { close(daemonSocket) }
            transport.watch.stop()
            DaemonCallbacks.release(pointer)
            releaseTLSMemory()
            throw .startFailed("libmicrohttpd could not start on \(HTTPServerError.endpoint(configuration.bindAddress, socket.port))"
                + " (epoll, thread or option setup failed)")
        }
        self.daemon = started
        self.context = (transport, pointer)
        state.sync {
            listeningPort = socket.port
            running = transport
        }
    }

    /// libmicrohttpd's options: the socket, the limits, the callbacks, and the TLS pair if any.
    private func daemonOptions(socket: Int32, context: UnsafeMutableRawPointer) -> [MHD_OptionItem] {
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(socket), ptr_value: nil),
            MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threadPoolSize, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: configuration.perIPConnectionLimit, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.connectionLimit, ptr_value: nil),
            kette_mhd_option_uri_log(DaemonCallbacks.uriLogged, context),
            kette_mhd_option_notify_completed(DaemonCallbacks.requestCompleted, context),
            kette_mhd_option_notify_connection(DaemonCallbacks.connectionNotified, context),
        ]
        // No MHD_USE_ERROR_LOG: libmicrohttpd would print client mistakes (malformed requests,
        // resets) to stderr, which is noise in the server log, not errors of ours.
        if let tls = configuration.tls {
            let key = strdup(tls.privateKeyPEM)!, certificate = strdup(tls.certificatePEM)!
            tlsMemory = [key, certificate]
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(key)))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(certificate)))
        }
        return options
    }

    private func stopDaemon() {
        guard let daemon else { return }
        state.sync {
            listeningPort = nil
            running = nil
        }
        // Joins the worker threads: when it returns no callback is running or will run,
        // so the context can go.
        MHD_stop_daemon(daemon)
        self.daemon = nil
        if let context {
            context.transport.watch.stop()
            DaemonCallbacks.release(context.pointer)
        }
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

/// The process's limit on open descriptors, which every connection counts against.
enum DescriptorLimit {
    /// Descriptors kept free for the database, its WAL, the listening socket and the log.
    static let reserve = 64

    /// Raises the soft limit (up to the hard one) so that `connections` fit; throws when even the
    /// hard limit is too low, since libmicrohttpd would otherwise fail accept() quietly.
    static func ensureRoom(forConnections connections: Int) throws(HTTPServerError) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let needed = rlim_t(connections + reserve)
        // RLIM_INFINITY is all bits set, the largest value: it always passes these comparisons.
        guard limit.rlim_cur < needed else { return }
        if limit.rlim_max >= needed {
            limit.rlim_cur = needed
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { return }
        }
        throw .invalidConfiguration("\(connections) connections need \(needed) open files, but this process may open "
            + "\(limit.rlim_max) (ulimit -n); lower the connection limit or raise the limit")
    }
}
