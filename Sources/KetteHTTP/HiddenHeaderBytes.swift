import CMicroHTTPD

/// Finds header values that libmicrohttpd cut short at a NUL.
///
/// libmicrohttpd 0.9.75 ends every header value at its first NUL byte (it measures values with
/// `strlen`) and offers no way to see the rest: `Authorization: Bearer TOKEN<NUL>x` reaches the
/// application as `Bearer TOKEN`, a valid token. It parses the head in place, though: each line
/// end (CR LF, or a bare LF) is overwritten with zero bytes, and the names and values it reports
/// point into that one buffer, in the order they were sent. So between the end of one value and
/// the start of the next name there are exactly one or two zero bytes, and after the last value
/// two to four (its line end and the empty line's) up to the end of the head. Anything else,
/// a byte that is not zero or more zeros, is what a NUL hid.
///
/// One case cannot be told: a NUL just before a bare LF looks like CR LF. A folded header
/// (obs-fold, long deprecated) is moved out of the buffer by libmicrohttpd and so reads as hidden
/// bytes too; RFC 9112 allows refusing it with 400, which is what the transport does.
enum HiddenHeaderBytes {
    /// Whether a header of the request on `connection` hides bytes behind a NUL. `requestLine`
    /// is libmicrohttpd's pointer to the start of the head (the access handler's `method`).
    static func found(on connection: OpaquePointer, requestLine: UnsafePointer<CChar>?) -> Bool {
        let headSize = kette_mhd_request_head_size(connection)
        guard let requestLine, headSize > 0 else { return false }
        var spans: [(name: UnsafePointer<CChar>, valueEnd: UnsafePointer<CChar>)] = []
        withUnsafeMutablePointer(to: &spans) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, collectSpan, UnsafeMutableRawPointer(pointer))
        }
        let headEnd = requestLine + headSize
        for (index, span) in spans.enumerated() {
            let isLast = index == spans.count - 1
            let next = isLast ? headEnd : spans[index + 1].name
            let lineEnds = isLast ? 2...4 : 1...2
            guard next >= span.valueEnd, lineEnds.contains(next - span.valueEnd) else { return true }
            for offset in 0..<(next - span.valueEnd) where span.valueEnd[offset] != 0 { return true }
        }
        return false
    }

    /// Notes where a header's name starts and where its value, as libmicrohttpd measured it, ends.
    private static let collectSpan: MHD_KeyValueIteratorN = { spansPointer, _, key, _, value, valueSize in
        guard let spansPointer, let key, let value else { return .YES }
        let spans = spansPointer.assumingMemoryBound(to: [(name: UnsafePointer<CChar>, valueEnd: UnsafePointer<CChar>)].self)
        spans.pointee.append((key, value + valueSize))
        return .YES
    }
}
