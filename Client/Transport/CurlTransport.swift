import CCurl
import Foundation

/// The real network: libcurl easy handles kept open between requests, TLS verified, no
/// redirects, and hard limits on time and size so a bad connection can never hang the command line.
///
/// A handle keeps its connection (and TLS session) after a request that succeeded, so the pages,
/// pushes and checks of one sync travel over one connection per thread instead of one each: over
/// a 40 ms link a fresh connection costs a round trip, over TLS two more and a handshake's CPU on
/// both sides. A handle whose request failed is freed with its connection, so a retry starts afresh.
/// The idle handles are the process's, not one transport's: the version check after a sync has
/// its own transport (other limits, no retries) and still finds the sync's connection. curl reuses
/// a connection only for the same host, port and TLS settings.
///
/// Sendable without `@unchecked`: the transport holds only its immutable configuration; the idle
/// handles are locked, and a handle is used by one thread at a time, between taking it and
/// giving it back.
public final class CurlTransport: HTTPTransport {
    /// Limits and trust settings. libcurl waits forever by default, so every limit here is on.
    public struct Configuration: Sendable {
        /// Time allowed for DNS, TCP and TLS together.
        public var connectTimeoutSeconds: Double = 10
        /// Time allowed for the whole request, connecting included.
        public var totalTimeoutSeconds: Double = 120
        /// A transfer slower than this for `lowSpeedTimeSeconds` is cut: a stalled connection
        /// fails early instead of waiting for the total timeout. curl averages the rate over the
        /// last 5 s and checks it once a second, so a request that stalls after sending its body
        /// is cut about `lowSpeedTimeSeconds` + 6–7 s after its last byte (measured: 26.8 s per
        /// attempt with the defaults; NetworkFaultTests states the resulting bound of `kette sync`).
        public var lowSpeedLimitBytesPerSecond: Int = 100
        public var lowSpeedTimeSeconds: Int = 20
        /// A PEM bundle to trust instead of the system's certificate authorities (a county's own CA).
        public var caCertificatePath: String? = nil
        /// A larger response is refused rather than held in memory; a gzip answer counts as
        /// inflated, and inflating stops at the limit (a small "gzip bomb" cannot fill memory).
        public var maxResponseBytes: Int = 64 << 20
        /// Ask for gzip answers (`Accept-Encoding: gzip`) and inflate them; off sends no
        /// `Accept-Encoding`, so the server answers uncompressed.
        public var acceptsGzip = true

        public init(
            connectTimeoutSeconds: Double = 10,
            totalTimeoutSeconds: Double = 120,
            lowSpeedLimitBytesPerSecond: Int = 100,
            lowSpeedTimeSeconds: Int = 20,
            caCertificatePath: String? = nil,
            maxResponseBytes: Int = 64 << 20
        ) {
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.totalTimeoutSeconds = totalTimeoutSeconds
            self.lowSpeedLimitBytesPerSecond = lowSpeedLimitBytesPerSecond
            self.lowSpeedTimeSeconds = lowSpeedTimeSeconds
            self.caCertificatePath = caCertificatePath
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func send(_ request: TransportRequest) throws(TransportError) -> TransportResponse {
        try CurlGlobal.initialize()
        // `??` rethrows untyped errors, hence the `if`.
        let handle = if let kept = IdleHandles.shared.take() { kept } else { try EasyHandle() }
        try handle.configure(for: request, configuration,
                             maxResponseBytes: min(configuration.maxResponseBytes, request.maxResponseBytes ?? .max))
        let response = try handle.perform()
        handle.clear()
        IdleHandles.shared.keep(handle)
        return response
    }
}

/// The process's easy handles that are not in use, each with the connection its last request
/// left open. A few are kept: a sync uses two threads (pages are fetched while one is merged);
/// a handle beyond that is freed. Those kept are freed when the process ends.
private final class IdleHandles: @unchecked Sendable {
    static let shared = IdleHandles()

    // @unchecked: `handles` is only touched under `lock`, and a handle taken out is used by the
    // taking thread alone until it comes back.
    private var handles: [EasyHandle] = []
    private let lock = NSLock()
    private static let limit = 4

    func take() -> EasyHandle? {
        lock.withLock { handles.popLast() }
    }

    func keep(_ handle: EasyHandle) {
        lock.withLock {
            if handles.count < Self.limit { handles.append(handle) }
        }
    }
}

/// libcurl loaded (Sources/CCurl/shim.h: with dlopen, on first use) and its process-wide setup
/// run, once before the first handle exists. A static `let` is initialised exactly once even
/// when several threads reach it together.
private enum CurlGlobal {
    /// Why libcurl cannot be used; nil when it loaded and initialised.
    private static let problem: String? = {
        if let error = kette_curl_load_error() { return "libcurl could not be loaded: \(String(cString: error))" }
        let code = kette_curl_global_init_all()
        return code == CURLE_OK ? nil : "libcurl could not be initialised: \(String(cString: kette_curl_easy_strerror(code)))"
    }()

    static func initialize() throws(TransportError) {
        if let problem { throw .failed(problem) }
    }
}

/// Owns one `CURL*` with the connection it keeps open between requests, together with everything
/// curl reads or writes through pointers while a transfer runs: the error buffer, the header list
/// and the collected response. Each `configure` starts from curl's defaults again.
final class EasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// curl writes its explanation of a failure here; it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Kept alive here because curl reads the list during `curl_easy_perform`, not when it is set.
    private var headerList: HeaderList?
    private var maxResponseBytes = 0

    // Filled by the callbacks during `perform`.
    fileprivate var body: [UInt8] = []
    fileprivate var headers: [String: String] = [:]
    fileprivate var lastHeaderName: String?
    fileprivate var exceededSizeLimit = false

    /// A handle without a connection yet.
    init() throws(TransportError) {
        guard let raw = kette_curl_easy_init() else {
            throw .failed("libcurl could not create a connection handle")
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        kette_curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Forgets the last request and its answer (curl frees its copy of the body), so an idle
    /// handle holds nothing but its connection, and the next `configure` starts from curl's defaults.
    func clear() {
        kette_curl_easy_reset(raw)
        errorBuffer[0] = 0
        headerList = nil
        body = []
        headers = [:]
        lastHeaderName = nil
        exceededSizeLimit = false
    }

    func configure(for request: TransportRequest, _ configuration: CurlTransport.Configuration,
                   maxResponseBytes: Int) throws(TransportError) {
        self.maxResponseBytes = maxResponseBytes
        try check(kette_curl_setopt_ptr(raw, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try set(CURLOPT_URL, request.url)
        try check(kette_curl_restrict_to_http(raw), "CURLOPT_PROTOCOLS_STR")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        // Signals are process-wide; a library must not use them for its timeouts.
        try set(CURLOPT_NOSIGNAL, 1)

        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let path = configuration.caCertificatePath {
            try set(CURLOPT_CAINFO, path)
        }

        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeoutSeconds))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.totalTimeoutSeconds))
        try set(CURLOPT_LOW_SPEED_LIMIT, max(1, configuration.lowSpeedLimitBytesPerSecond))
        try set(CURLOPT_LOW_SPEED_TIME, max(1, configuration.lowSpeedTimeSeconds))
        // Refuses early when Content-Length announces too much; the write callback catches the rest.
        try check(kette_curl_setopt_off(raw, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)), "CURLOPT_MAXFILESIZE_LARGE")

        if configuration.acceptsGzip {
            // curl sends the header and inflates the answer before the write callback sees it,
            // so the size limit there counts inflated bytes and stops a bomb at the limit.
            try set(CURLOPT_ACCEPT_ENCODING, "gzip")
        }
        try configureMethodAndBody(request)
        try configureHeaders(request.headers)

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(kette_curl_setopt_write(raw, EasyHandle.receiveBody), "CURLOPT_WRITEFUNCTION")
        try check(kette_curl_setopt_ptr(raw, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(kette_curl_setopt_header(raw, EasyHandle.receiveHeader), "CURLOPT_HEADERFUNCTION")
        try check(kette_curl_setopt_ptr(raw, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")
    }

    /// Runs the transfer on this thread and returns the response, whatever its status.
    func perform() throws(TransportError) -> TransportResponse {
        let code = kette_curl_easy_perform(raw)
        guard code == CURLE_OK else { throw error(for: code) }
        var status = 0
        guard kette_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK, status > 0 else {
            throw .failed("the server sent no HTTP status")
        }
        return TransportResponse(status: status, headers: headers, body: body)
    }

    // MARK: - Request

    private func configureMethodAndBody(_ request: TransportRequest) throws(TransportError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw .failed("'\(method)' is not an HTTP method")
        }
        switch (method, request.body) {
        case ("GET", .none):
            try set(CURLOPT_HTTPGET, 1)
        case ("HEAD", .none):
            try set(CURLOPT_NOBODY, 1)
        case (_, let body):
            if method == "POST" || body != nil {
                // Setting post fields makes curl send a body; an empty POST still says Content-Length: 0.
                try setBody(body ?? [])
            }
            if method != "POST" {
                try set(CURLOPT_CUSTOMREQUEST, method)
            }
        }
    }

    private func setBody(_ body: [UInt8]) throws(TransportError) {
        try check(kette_curl_setopt_off(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
        // COPYPOSTFIELDS: curl keeps its own copy, so the array need not outlive this call.
        let code = body.withUnsafeBytes { bytes in
            kette_curl_setopt_ptr(raw, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(EasyHandle.emptyBody.utf8Start))
        }
        try check(code, "CURLOPT_COPYPOSTFIELDS")
    }

    /// A non-null pointer for an empty body: a null one would make curl read the body from stdin.
    private static let emptyBody: StaticString = ""

    private func configureHeaders(_ headers: [String: String]) throws(TransportError) {
        var lines: [String] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 32 || $0 == UInt8(ascii: ":") || $0 == 127 }) else {
                throw .failed("'\(name)' is not a valid header name")
            }
            guard !value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
                throw .failed("the value of header \(name) contains a line break")
            }
            // "Name:" would tell curl to remove the header; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // curl would otherwise send "Expect: 100-continue" with larger bodies and wait for an
        // interim answer that many servers and proxies never send.
        if !headers.keys.contains(where: { $0.lowercased() == "expect" }) {
            lines.append("Expect:")
        }
        let list = try HeaderList(lines)
        headerList = list
        try check(kette_curl_setopt_ptr(raw, CURLOPT_HTTPHEADER, list.raw), "CURLOPT_HTTPHEADER")
    }

    private func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(kette_curl_setopt_long(raw, option, value), "option \(option.rawValue)")
    }

    /// For string options, which curl copies when they are set.
    private func set(_ option: CURLoption, _ value: String) throws(TransportError) {
        let code = value.withCString { kette_curl_setopt_ptr(raw, option, $0) }
        try check(code, "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(TransportError) {
        guard code == CURLE_OK else {
            throw .failed("libcurl refused \(what): \(String(cString: kette_curl_easy_strerror(code)))")
        }
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        // 0 would mean "no limit" to curl; a limit is never switched off by accident.
        max(1, Int((seconds * 1000).rounded()))
    }

    // MARK: - Response callbacks

    private static let receiveBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        let handle = Unmanaged<EasyHandle>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        guard length > 0, let data else { return 0 }
        guard handle.body.count + length <= handle.maxResponseBytes else {
            handle.exceededSizeLimit = true
            return 0  // anything but `length` makes curl abort with CURLE_WRITE_ERROR
        }
        handle.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        return length
    }

    private static let receiveHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        let handle = Unmanaged<EasyHandle>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        guard length > 0, let data else { return length }
        // Drop the line end as bytes: as a String, "\r\n" is one Character and would not match "\r".
        var end = length
        while end > 0, data[end - 1] == 13 || data[end - 1] == 10 { end -= 1 }
        handle.receiveHeaderLine(String(decoding: UnsafeRawBufferPointer(start: data, count: end), as: UTF8.self))
        return length
    }

    /// Called once per header line without its line end, status lines included. Each status line starts a new block, so
    /// the headers of a `100 Continue` are dropped in favour of the final response's.
    private func receiveHeaderLine(_ text: String) {
        let line = Substring(text)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            lastHeaderName = nil
        } else if let first = line.first, first == " " || first == "\t" {
            // An obsolete folded continuation of the previous header.
            if let name = lastHeaderName {
                headers[name, default: ""] += " " + Self.trimmed(line)
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = Self.trimmed(line[line.index(after: colon)...])
            if let existing = headers[name] {
                headers[name] = existing + ", " + value
            } else {
                headers[name] = value
            }
            lastHeaderName = name
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isBlank($0) }), let end = text.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(text[start...end])
    }

    // MARK: - Errors

    private func error(for code: CURLcode) -> TransportError {
        let buffered = String(cString: errorBuffer)
        let detail = "\(buffered.isEmpty ? String(cString: kette_curl_easy_strerror(code)) : buffered) (curl error \(code.rawValue))"
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
             CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .unreachable(detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(detail)
        case CURLE_PEER_FAILED_VERIFICATION:
            // OpenSSL reports a name mismatch as "... does not match target host name ..." or
            // "no alternative certificate subject name matches target host name ...".
            if buffered.contains("host name") {
                return .tls("the server's certificate is not valid for this host name: \(detail)")
            }
            return .tls("the server's certificate is not trusted: \(detail); if the county uses its own certificate authority, "
                + "give its certificate with `kette remote URL --token TOKEN --cacert FILE`")
        case CURLE_SSL_CONNECT_ERROR:
            return .tls("the TLS handshake failed (is the address really an https server?): \(detail)")
        case CURLE_SSL_CACERT_BADFILE:
            return .tls("the trusted certificate file cannot be read: \(detail)")
        case CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls(detail)
        case CURLE_WRITE_ERROR where exceededSizeLimit, CURLE_FILESIZE_EXCEEDED:
            return .failed("the response is larger than the limit of \(maxResponseBytes) bytes (curl error \(code.rawValue))")
        default:
            return .failed(detail)
        }
    }
}

@available(*, unavailable)
extension EasyHandle: Sendable {}

/// Owns a `curl_slist` of request header lines and frees it when the handle is done with it.
final class HeaderList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) throws(TransportError) {
        for line in lines {
            guard let next = kette_curl_slist_append(raw, line) else {
                throw .failed("out of memory while building the request headers")
            }
            raw = next
        }
    }

    deinit {
        kette_curl_slist_free_all(raw)
    }
}

@available(*, unavailable)
extension HeaderList: Sendable {}
