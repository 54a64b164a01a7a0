import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C callbacks given to libmicrohttpd, and every `Unmanaged` retain and release of the
// transport. libmicrohttpd keeps `void *` pointers to our objects between its calls; each object
// travels there with one retain and comes back with exactly one release:
//
// | object                      | retained by (when)                              | released by (when)                                          |
// | --------------------------- | ----------------------------------------------- | ----------------------------------------------------------- |
// | `TransportContext`          | `DaemonCallbacks.retain` (before the daemon starts) | `DaemonCallbacks.release` (after `MHD_stop_daemon` returned, or the start failed: no callback runs any more) |
// | `PendingRequest`            | `uriLogged` (the request line arrived)          | `requestCompleted` (libmicrohttpd is done with the request, however it ended) |
// | `ConnectionWatch.Connection`| `connectionNotified` STARTED (connection opened) | `connectionNotified` CLOSED (before libmicrohttpd closes the socket) |
// | `AnswerMemory`              | `queue` (an answer's copy is handed over)       | `answerFreed` (libmicrohttpd destroys the response)          |
//
// Everything else passes `Unmanaged.passUnretained` or plain pointers that live only for the
// duration of one call. The callbacks are static members of a nonisolated type on purpose:
// libmicrohttpd calls them on its own threads, and a closure written in actor-isolated code
// would trap there.
enum DaemonCallbacks {
    /// Hands `context` to libmicrohttpd: the pointer stays valid until `release`.
    static func retain(_ context: TransportContext) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(context).toOpaque()
    }

    /// Gives up the daemon's reference; call only once no callback can run any more.
    static func release(_ pointer: UnsafeMutableRawPointer) {
        Unmanaged<TransportContext>.fromOpaque(pointer).release()
    }

    private static func context(_ pointer: UnsafeMutableRawPointer) -> TransportContext {
        Unmanaged<TransportContext>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Called with the request target as sent, before libmicrohttpd decodes it; what it returns is
    /// the request's pointer (`*requestState`) in every later call for this request.
    static let uriLogged: KetteURILogCallback = { _, uri, _ in
        let pending = PendingRequest(target: uri.map { String(cString: $0) })
        return Unmanaged.passRetained(pending).toOpaque()
    }

    /// Called several times per request: once with the headers, once per body chunk, and once more
    /// with no data when the request is complete.
    static let accessHandler: MHD_AccessHandlerCallback = {
        contextPointer, connection, url, method, _, uploadData, uploadDataSize, requestState in
        guard let contextPointer, let connection, let uploadDataSize, let requestState else { return .NO }
        let transport = context(contextPointer)
        if requestState.pointee == nil {
            // No URI log call (it is always configured, so this should not happen): start here.
            requestState.pointee = Unmanaged.passRetained(PendingRequest(target: nil)).toOpaque()
        }
        let pending = Unmanaged<PendingRequest>.fromOpaque(requestState.pointee!).takeUnretainedValue()
        let watched = watchedConnection(connection)

        if !pending.headersSeen {
            if let watched { transport.watch.headersArrived(watched) }
            let head = RequestHead(connection: connection, method: method, target: pending.target,
                                   url: url.map { String(cString: $0) } ?? "/")
            guard let answer = pending.begin(head, transport) else { return .YES }
            return queue(answer, on: connection, watched, transport)
        }
        let chunkSize = uploadDataSize.pointee
        if chunkSize > 0 {
            uploadDataSize.pointee = 0
            guard let uploadData else { return .NO }
            return pending.receive(UnsafeRawBufferPointer(start: uploadData, count: chunkSize), transport) ? .YES : .NO
        }
        if let watched { transport.watch.bodyArrived(watched) }
        guard let answer = pending.finish(transport) else { return .YES }
        return queue(answer, on: connection, watched, transport)
    }

    /// Called once per request when libmicrohttpd is done with it, however it ended: releases the
    /// `PendingRequest` made by `uriLogged`.
    static let requestCompleted: MHD_RequestCompletedCallback = { contextPointer, connection, requestState, _ in
        if let contextPointer, let connection, let watched = watchedConnection(connection) {
            context(contextPointer).watch.requestFinished(watched)
        }
        guard let requestState, let statePointer = requestState.pointee else { return }
        Unmanaged<PendingRequest>.fromOpaque(statePointer).release()
        requestState.pointee = nil
    }

    /// Called when a connection opens and when it closes: registers it with the watch, which holds
    /// it through libmicrohttpd's per-connection pointer until it closes.
    static let connectionNotified: MHD_NotifyConnectionCallback = { contextPointer, connection, socketContext, event in
        guard let contextPointer, let connection, let socketContext else { return }
        let watch = context(contextPointer).watch
        switch event {
        case .CONNECTION_NOTIFY_STARTED:
            let socket = kette_mhd_connection_fd(connection)
            guard socket >= 0 else { return }
            let watched = ConnectionWatch.Connection(socket: socket)
            socketContext.pointee = Unmanaged.passRetained(watched).toOpaque()
            watch.opened(watched)
        case .CONNECTION_NOTIFY_CLOSED:
            guard let pointer = socketContext.pointee else { return }
            let watched = Unmanaged<ConnectionWatch.Connection>.fromOpaque(pointer)
            watch.closed(watched.takeUnretainedValue())
            socketContext.pointee = nil
            watched.release()
        default:
            return
        }
    }

    /// The watch's record of `connection`, if it has one.
    private static func watchedConnection(_ connection: OpaquePointer) -> ConnectionWatch.Connection? {
        guard let pointer = kette_mhd_socket_context(connection) else { return nil }
        return Unmanaged<ConnectionWatch.Connection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// An answer's body, copied for libmicrohttpd, with the budget bytes it holds until it is freed.
    private final class AnswerMemory {
        let bytes: UnsafeMutableRawBufferPointer
        let budget: InFlightBudget?

        init(copying body: [UInt8], budget: InFlightBudget?) {
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: body.count, alignment: 1)
            body.withUnsafeBytes { bytes.copyMemory(from: $0) }
            self.bytes = bytes
            self.budget = budget
        }

        deinit {
            budget?.release(bytes.count)
            bytes.deallocate()
        }
    }

    /// Answers up to this size are not counted in the budget: with the connection limit they are
    /// bounded anyway, and the 503 that says "busy" must always fit.
    private static let uncountedAnswerBytes = 4096

    /// Frees an answer's copy when libmicrohttpd destroys the response.
    private static let answerFreed: MHD_ContentReaderFreeCallback = { pointer in
        guard let pointer else { return }
        Unmanaged<AnswerMemory>.fromOpaque(pointer).release()
    }

    /// Queues `response` on `connection` (a 500 when it cannot be sent as it is; a 503 when its
    /// body does not fit the in-flight budget) and starts the answer's deadline.
    private static func queue(_ response: HTTPResponse, on connection: OpaquePointer,
                              _ watched: ConnectionWatch.Connection?, _ transport: TransportContext) -> MHD_Result {
        var sendable = response.isWellFormed ? response : .invalidResponse
        let counted = sendable.body.count > uncountedAnswerBytes
        if counted && !transport.budget.reserve(sendable.body.count) { sendable = .busy }
        let created: OpaquePointer?
        if counted && sendable.body.count > uncountedAnswerBytes {
            let memory = AnswerMemory(copying: sendable.body, budget: transport.budget)
            let holder = Unmanaged.passRetained(memory)
            created = MHD_create_response_from_buffer_with_free_callback_cls(memory.bytes.count, memory.bytes.baseAddress,
                                                                               answerFreed, holder.toOpaque())
            if created == nil { holder.release() }
        } else {
            created = sendable.body.withUnsafeBytes {
                // MUST_COPY: the array's storage is only valid inside this closure.
                MHD_create_response_from_buffer($0.count, UnsafeMutableRawPointer(mutating: $0.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in sendable.headers where !HTTPResponse.isTransportHeader(name) {
            // Checked by isWellFormed, so a refusal here means libmicrohttpd ran out of memory.
            guard MHD_add_response_header(created, name, value) == .YES else { return .NO }
        }
        // Every answer says which request codings the server reads (RFC 7694): a client
        // compresses its bodies only for a server that says so.
        guard MHD_add_response_header(created, "Accept-Encoding", ContentCoding.acceptedInRequests) == .YES else { return .NO }
        if let watched { transport.watch.answerQueued(watched) }
        return MHD_queue_response(connection, UInt32(sendable.status), created)
    }
}
