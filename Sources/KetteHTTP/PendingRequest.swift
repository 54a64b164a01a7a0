import KetteCompression

/// What the callbacks of one running server share: the handler, the limits, the watch and the budget.
final class TransportContext: Sendable {
    let handler: any HTTPHandler
    let maxBodyBytes: Int
    let watch: ConnectionWatch
    let budget: InFlightBudget

    init(handler: any HTTPHandler, maxBodyBytes: Int, watch: ConnectionWatch, budget: InFlightBudget) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.watch = watch
        self.budget = budget
    }
}

/// One request from its request line to its answer, kept in libmicrohttpd's per-request pointer.
///
/// The decisions are made here, in the order a hostile client meets them: framing and declared
/// size, then the handler's verdict on the head (a token, a path), then the in-flight budget; only
/// a request that passed all of them has its body kept. A connection is served by one worker
/// thread at a time, so a request is never shared.
final class PendingRequest {
    private enum Phase {
        /// The headers are not complete yet.
        case awaitingHeaders
        /// The body is being kept in `body`.
        case reading
        /// The body is counted, not kept; the answer goes out once it has arrived, as
        /// libmicrohttpd accepts no response while an upload is in progress.
        case discarding(HTTPResponse, bytes: Int)
        /// An answer is queued; whatever else arrives for this request is ignored.
        case answered
    }

    /// The request target exactly as sent (`/v1/changes?after=3`), before libmicrohttpd decodes it.
    let target: String?
    private var phase = Phase.awaitingHeaders
    private var request = HTTPRequest()
    private var body: [UInt8] = []
    /// Inflates a gzip body (`Content-Encoding: gzip`) as it arrives; `body` holds what it made,
    /// so the body limit and the in-flight budget count the inflated bytes.
    private var inflater: GzipInflater?
    /// Bytes of the body as sent (compressed or not): bounded by the limit too.
    private var receivedBytes = 0
    /// The request's `Accept-Encoding`, kept for the answer.
    private var acceptEncoding: String?
    /// Bytes of the in-flight budget this request holds for its body.
    private var reserved = 0
    private var budget: InFlightBudget?

    /// Growth steps of a chunked body's reservation: a few, not one per chunk.
    private static let minimumReservation = 64 << 10

    init(target: String?) { self.target = target }

    deinit { releaseReservation() }

    var headersSeen: Bool {
        if case .awaitingHeaders = phase { return false }
        return true
    }

    /// The headers are complete: returns the answer to send at once, or nil to read the body.
    func begin(_ head: RequestHead, _ transport: TransportContext) -> HTTPResponse? {
        budget = transport.budget
        if let problem = head.framingProblem {
            // The body's length is ambiguous, so nothing after these headers can be trusted to
            // be the body rather than a smuggled second request: answer and close.
            return answer(.badFraming(problem))
        }
        if head.hidesBytes {
            return answer(.error(400, code: "bad_header", message: "A header value holds a NUL character; header values are text.",
                                 headers: [("Connection", "close")]))
        }
        let declared = head.declaredLength ?? 0
        if declared > transport.maxBodyBytes {
            // Answering before the upload starts means the body is never read: libmicrohttpd
            // sends no "100 Continue" and closes the connection after the response.
            return answer(.bodyTooLarge(transport.maxBodyBytes))
        }
        switch transport.handler.admit(head.request) {
        case .answer(let response):
            return answer(response)
        case .readBody(let context):
            request = head.request
            request.context = context
        }
        if let refusal = prepareDecoding(transport) { return answer(refusal) }
        guard transport.budget.reserve(declared) else { return answer(.busy) }
        reserved = declared
        body.reserveCapacity(declared)
        phase = .reading
        return nil
    }

    /// A piece of the body; false when the connection should be closed instead of reading on.
    func receive(_ chunk: UnsafeRawBufferPointer, _ transport: TransportContext) -> Bool {
        switch phase {
        case .awaitingHeaders, .answered:
            return true
        case .discarding(let response, let bytes):
            phase = .discarding(response, bytes: bytes + chunk.count)
            // A body that keeps coming (chunked, no declared length) is not worth reading to
            // its end just to answer politely: past twice the limit, close the connection.
            return bytes + chunk.count - transport.maxBodyBytes <= transport.maxBodyBytes
        case .reading:
            if let inflater { return inflate(chunk, with: inflater, transport) }
            guard chunk.count <= transport.maxBodyBytes - body.count else {
                return discard(answer: .bodyTooLarge(transport.maxBodyBytes), plus: chunk.count)
            }
            guard makeRoom(for: chunk.count, transport) else { return discard(answer: .busy, plus: chunk.count) }
            body.append(contentsOf: chunk)
            return true
        }
    }

    /// The body is complete: the answer to queue, or nil when one is queued already.
    func finish(_ transport: TransportContext) -> HTTPResponse? {
        switch phase {
        case .awaitingHeaders, .answered:
            return nil
        case .discarding(let response, _):
            return answer(response)
        case .reading:
            if let inflater {
                // A stream cut short is refused whole: the handler never sees part of a body.
                do { try inflater.finish() } catch { return discardedAnswer(.badEncoding(error)) }
            }
            request.body = body
            body = []
            let response = transport.handler.handle(request).encoded(for: acceptEncoding)
            request = HTTPRequest()
            releaseReservation()
            return answer(response)
        }
    }

    /// Reads the request's codings: an inflater for a gzip body (415 for a coding it cannot read,
    /// decided here, before a byte of the body), and the answer's coding from `Accept-Encoding`.
    private func prepareDecoding(_ transport: TransportContext) -> HTTPResponse? {
        acceptEncoding = request.header("accept-encoding")
        let declared = request.header("content-encoding")
        switch ContentCoding.ofRequest(declared) {
        case nil:
            return .unsupportedEncoding(declared ?? "")
        case .identity:
            return nil
        case .gzip:
            // zlib's state and window and the output piece count against the budget too.
            guard transport.budget.reserve(GzipInflater.workingBytes) else { return .busy }
            guard let inflater = try? GzipInflater(limit: transport.maxBodyBytes) else {
                transport.budget.release(GzipInflater.workingBytes)
                return .busy
            }
            self.inflater = inflater
            // The handler sees the body as it was before compression.
            request.headers["content-encoding"] = nil
            return nil
        }
    }

    /// A piece of a gzip body: inflated into `body` under the body limit and the budget, both
    /// checked every 64 KiB of output, so a gzip bomb stops at the limit and is answered 413.
    private func inflate(_ chunk: UnsafeRawBufferPointer, with inflater: GzipInflater, _ transport: TransportContext) -> Bool {
        receivedBytes += chunk.count
        guard receivedBytes <= transport.maxBodyBytes else {
            return discard(answer: .bodyTooLarge(transport.maxBodyBytes), plus: chunk.count)
        }
        do throws(GzipError) {
            let taken = try inflater.inflate(chunk) { piece in
                guard makeRoom(for: piece.count, transport) else { return false }
                body.append(contentsOf: piece)
                return true
            }
            return taken ? true : discard(answer: .busy, plus: chunk.count)
        } catch .tooLarge(let limit) {
            return discard(answer: .inflatesTooLarge(limit), plus: chunk.count)
        } catch {
            return discard(answer: .badEncoding(error), plus: chunk.count)
        }
    }

    /// Answers with `response` and drops what was kept of the body.
    private func discardedAnswer(_ response: HTTPResponse) -> HTTPResponse {
        body = []
        releaseReservation()
        return answer(response)
    }

    private func answer(_ response: HTTPResponse) -> HTTPResponse {
        phase = .answered
        return response
    }

    /// Drops what was kept of the body; from now on it is only counted.
    private func discard(answer response: HTTPResponse, plus bytes: Int) -> Bool {
        phase = .discarding(response, bytes: body.count + bytes)
        body = []
        releaseReservation()
        return true
    }

    /// Makes sure the reservation covers `count` more bytes: a chunked body (no declared length)
    /// reserves as it grows, doubling, so it is copied a few times rather than once per chunk.
    private func makeRoom(for count: Int, _ transport: TransportContext) -> Bool {
        let needed = body.count + count
        guard needed > reserved else { return true }
        let target = min(transport.maxBodyBytes, max(needed, reserved * 2, Self.minimumReservation))
        guard transport.budget.reserve(target - reserved) else { return false }
        reserved = target
        body.reserveCapacity(target)
        return true
    }

    private func releaseReservation() {
        budget?.release(reserved + (inflater == nil ? 0 : GzipInflater.workingBytes))
        reserved = 0
        inflater = nil
    }
}

@available(*, unavailable)
extension PendingRequest: Sendable {}

extension HTTPResponse {
    /// The 400 for ambiguous framing; the connection is closed after it, as the rest of what the
    /// client sent cannot be told apart into body and next request.
    static func badFraming(_ problem: String) -> HTTPResponse {
        .error(400, code: "bad_framing", message: problem + ".", headers: [("Connection", "close")])
    }

    /// The 413 answer, with the limit so the client knows what would fit.
    static func bodyTooLarge(_ limit: Int) -> HTTPResponse {
        .error(413, code: "body_too_large", message: "The request body is larger than the limit of \(limit) bytes.")
    }

    /// The 503 when the bytes in flight are at their bound; the client tries again shortly.
    static let busy = HTTPResponse.error(503, code: "unavailable", message: "the server is busy; try again shortly",
                                         headers: [("Retry-After", "1")])
}
