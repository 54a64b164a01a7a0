import CZlib

/// Why a gzip stream could not be written or read. Each case says what was wrong with the
/// stream, never what it held (the bytes may be personal data).
public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a gzip stream, or its data or checksum is damaged (zlib's reason).
    case corrupt(String)
    /// The stream ended before its end marker: cut off in transit.
    case truncated
    /// More bytes follow the end of the gzip stream.
    case trailingData
    /// Inflated, the stream would be larger than `limit` bytes; inflating stopped there.
    case tooLarge(limit: Int)
    /// zlib could not start or ran out of memory (its result code).
    case zlib(code: Int32)

    public var description: String {
        switch self {
        case .corrupt(let reason): "the gzip stream is damaged (\(reason))"
        case .truncated: "the gzip stream ends before its end marker"
        case .trailingData: "bytes follow the end of the gzip stream"
        case .tooLarge(let limit): "the gzip stream inflates to more than \(limit) bytes"
        case .zlib(let code): "zlib failed with code \(code)"
        }
    }
}

/// One-shot gzip compression of a whole body (an answer, a push request).
public enum Gzip {
    /// Level 1, zlib's fastest: JSON of change sets still shrinks about 10 ×, and a 1 MB page
    /// costs a few milliseconds, so a fast link loses nothing (BENCHMARKS.md, over a real link).
    public static let fastLevel: Int32 = 1

    /// `bytes` as one gzip stream.
    public static func compress(_ bytes: [UInt8], level: Int32 = fastLevel) throws(GzipError) -> [UInt8] {
        let deflater = try Deflater(level: level)
        return try deflater.compress(bytes)
    }

    /// `bytes` inflated from one gzip stream, at most `limit` bytes of it.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        let inflater = try GzipInflater(limit: limit)
        var output: [UInt8] = []
        // withUnsafeBytes rethrows untyped errors: the typed one travels out as a Result.
        let inflated = bytes.withUnsafeBytes { input in
            Result { () throws(GzipError) in _ = try inflater.inflate(input) { output.append(contentsOf: $0); return true } }
        }
        try inflated.get()
        try inflater.finish()
        return output
    }
}

/// Owns one deflating `z_stream`, ended in `deinit`. The stream lives at a fixed address:
/// zlib keeps a pointer back to it and refuses a moved one.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = kette_deflate_init_gzip(stream, level)
        guard code == Z_OK else {
            stream.deallocate()
            throw .zlib(code: code)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// The whole of `bytes` in one call: `deflateBound` says how much room the result can need.
    func compress(_ bytes: [UInt8]) throws(GzipError) -> [UInt8] {
        let bound = Int(deflateBound(stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let code = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else { throw .zlib(code: code) }
        output.removeLast(Int(stream.pointee.avail_out))
        return output
    }
}

@available(*, unavailable)
extension Deflater: Sendable {}

/// Inflates one gzip stream as its pieces arrive, never producing more than `limit` bytes: a
/// small stream that inflates to gigabytes (a gzip bomb) stops at the limit, having held at
/// most one piece beyond what was taken. Owns its `z_stream`, ended in `deinit`.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let limit: Int
    /// Inflated bytes handed out so far.
    public private(set) var produced = 0
    private var ended = false
    /// The output of one `inflate` call: 64 KiB, so the limit is checked every 64 KiB of output.
    private static let pieceBytes = 64 << 10
    /// Memory one inflater holds besides what it hands out: the output piece, and zlib's state
    /// and 32 KiB window (about 7 KiB and 32 KiB; rounded up), for a caller's memory budget.
    public static let workingBytes = pieceBytes + (48 << 10)
    private let piece: UnsafeMutableBufferPointer<UInt8>

    public init(limit: Int) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = kette_inflate_init_gzip(stream)
        guard code == Z_OK else {
            stream.deallocate()
            throw .zlib(code: code)
        }
        self.limit = limit
        piece = .allocate(capacity: Self.pieceBytes)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        piece.deallocate()
    }

    /// Inflates `input`, handing each piece of output to `take`, which answers false to stop
    /// (its own bound, such as memory in flight). Returns false when `take` stopped it. Throws
    /// for a damaged stream, bytes after its end, or output past `limit` (before handing it out).
    public func inflate(_ input: UnsafeRawBufferPointer, _ take: (UnsafeRawBufferPointer) -> Bool) throws(GzipError) -> Bool {
        guard !input.isEmpty else { return true }
        guard !ended else { throw .trailingData }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
        while true {
            stream.pointee.next_out = piece.baseAddress
            stream.pointee.avail_out = uInt(piece.count)
            let code = CZlib.inflate(stream, Z_NO_FLUSH)
            let count = piece.count - Int(stream.pointee.avail_out)
            switch code {
            case Z_OK, Z_STREAM_END, Z_BUF_ERROR: break
            case Z_MEM_ERROR: throw .zlib(code: code)
            default: throw .corrupt(reason(code))
            }
            guard count <= limit - produced else { throw .tooLarge(limit: limit) }
            produced += count
            if count > 0, !take(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: piece[..<count]))) { return false }
            if code == Z_STREAM_END {
                ended = true
                guard stream.pointee.avail_in == 0 else { throw .trailingData }
                return true
            }
            // Z_BUF_ERROR or no output left to make: zlib needs the next piece of input.
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 || code == Z_BUF_ERROR { return true }
        }
    }

    /// The input is complete: throws unless the stream reached its end marker.
    public func finish() throws(GzipError) {
        guard ended else { throw .truncated }
    }

    /// zlib's own reason for a damaged stream ("incorrect header check", "invalid distance too far back").
    private func reason(_ code: Int32) -> String {
        if let message = stream.pointee.msg { return String(cString: message) }
        return code == Z_NEED_DICT ? "needs a preset dictionary" : "zlib code \(code)"
    }
}

@available(*, unavailable)
extension GzipInflater: Sendable {}
