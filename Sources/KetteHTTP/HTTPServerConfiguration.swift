extension HTTPServer {
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
        /// A request's body must arrive within this many seconds of its headers, and its answer
        /// must be taken by the client within this many seconds of being ready; otherwise the
        /// connection is closed. Without it a client trickling a body (or reading an answer) one
        /// byte every few seconds holds a connection for as long as it likes.
        public var bodyTimeoutSeconds: Int
        /// The most connections one client IP may hold at once.
        public var perIPConnectionLimit: Int
        /// The most connections the server holds at once. At the limit libmicrohttpd stops
        /// accepting: more connections wait in the kernel's queue until one closes.
        public var connectionLimit: Int
        /// The largest request body accepted; larger ones are answered with 413.
        public var maxBodyBytes: Int
        /// The most bytes that request bodies being read and answers waiting to be sent may hold
        /// together. A request that would pass it is answered 503 with `Retry-After` before its
        /// body is read; an answer that would pass it is replaced by that 503. At least `maxBodyBytes`.
        public var maxInFlightBytes: Int
        /// Serve HTTPS with this certificate and key (libmicrohttpd's GnuTLS); nil serves plain HTTP.
        public var tls: TLSCredentials?

        public init(
            bindAddress: String = "127.0.0.1",
            port: UInt16 = 8080,
            threadPoolSize: Int = 4,
            connectionTimeoutSeconds: Int = 30,
            headerTimeoutSeconds: Int = Configuration.defaultHeaderTimeoutSeconds,
            bodyTimeoutSeconds: Int = Configuration.defaultBodyTimeoutSeconds,
            perIPConnectionLimit: Int = 64,
            connectionLimit: Int = Configuration.defaultConnectionLimit,
            maxBodyBytes: Int = 8 << 20,
            maxInFlightBytes: Int? = nil,
            tls: TLSCredentials? = nil
        ) {
            self.bindAddress = bindAddress
            self.port = port
            self.threadPoolSize = threadPoolSize
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.headerTimeoutSeconds = headerTimeoutSeconds
            self.bodyTimeoutSeconds = bodyTimeoutSeconds
            self.perIPConnectionLimit = perIPConnectionLimit
            self.connectionLimit = connectionLimit
            self.maxBodyBytes = maxBodyBytes
            self.maxInFlightBytes = maxInFlightBytes ?? Self.defaultInFlightBytes(maxBodyBytes: maxBodyBytes)
            self.tls = tls
        }

        /// 20 s plus the watch's check interval (at most 1 s) closes a slow-header connection well
        /// within 30 s, while a real client on a slow mobile link sends its headers (a few hundred
        /// bytes, one packet) in far less.
        public static let defaultHeaderTimeoutSeconds = 20

        /// 120 s: the reference client gives up on any request after 120 s in all (its total
        /// timeout), so no request of it is cut by this; a push of its 4 MiB batch needs no more
        /// than 35 KB/s to make it.
        public static let defaultBodyTimeoutSeconds = 120

        /// 512 connections: each costs a descriptor and at most libmicrohttpd's 32 KiB
        /// per-connection buffer (16 MiB for all).
        public static let defaultConnectionLimit = 512

        /// Two of the largest bodies, and at least 128 MiB: room for one large push while pulls go on.
        public static func defaultInFlightBytes(maxBodyBytes: Int) -> Int {
            max(128 << 20, maxBodyBytes.multipliedReportingOverflow(by: 2).overflow ? Int.max : maxBodyBytes * 2)
        }

        /// The first value that libmicrohttpd would reject or misread, if any.
        func validate() throws(HTTPServerError) {
            if threadPoolSize < 1 || threadPoolSize > 1024 {
                throw .invalidConfiguration("threadPoolSize must be between 1 and 1024, not \(threadPoolSize)")
            }
            // These travel as C `unsigned int` (or mean seconds to wait); 0 would mean "no limit" to libmicrohttpd.
            let limits = [("connectionTimeoutSeconds", connectionTimeoutSeconds),
                          ("headerTimeoutSeconds", headerTimeoutSeconds),
                          ("bodyTimeoutSeconds", bodyTimeoutSeconds),
                          ("perIPConnectionLimit", perIPConnectionLimit),
                          ("connectionLimit", connectionLimit)]
            for (name, value) in limits where value < 1 || value > Int(Int32.max) {
                throw .invalidConfiguration("\(name) must be between 1 and \(Int32.max), not \(value)")
            }
            if maxBodyBytes < 0 {
                throw .invalidConfiguration("maxBodyBytes must not be negative, not \(maxBodyBytes)")
            }
            if maxInFlightBytes < maxBodyBytes {
                // Otherwise a body within the size limit could never be read.
                throw .invalidConfiguration("maxInFlightBytes (\(maxInFlightBytes)) must be at least maxBodyBytes (\(maxBodyBytes))")
            }
        }
    }
}
