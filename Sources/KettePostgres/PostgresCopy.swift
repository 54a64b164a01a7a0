import CPostgres
import KetteStore

extension PostgresConnection {
    /// Loads rows with `COPY … FROM STDIN` (`sql` is that statement), PostgreSQL's fastest way in:
    /// one statement streams them all, in the text format, in large chunks. Returns how many rows
    /// were loaded. A value that cannot be sent (a NUL character in a text) cancels the whole copy.
    @discardableResult
    public func copy(_ sql: String, rows: some Sequence<[DatabaseValue]>) throws -> Int {
        let stream = try beginCopy(sql)
        do {
            try stream.send(rows)
        } catch {
            stream.cancel(error.message)
            throw error
        }
        return try stream.finish()
    }

    /// Starts `COPY … FROM STDIN` (`sql`) and returns the stream its rows go into. Until the
    /// stream is finished or cancelled the connection takes no other command: a transaction that
    /// fails meanwhile cancels it before its rollback.
    public func beginCopy(_ sql: String, chunkBytes: Int = 1 << 18) throws(PostgresError) -> PostgresCopyStream {
        _ = try PostgresResult(PQexec(handle, sql), connection: handle, sql: sql)
        let stream = PostgresCopyStream(connection: self, sql: sql, chunkBytes: chunkBytes)
        openCopy = stream
        return stream
    }
}

/// An open `COPY … FROM STDIN` (`PostgresConnection.beginCopy`): rows are sent in chunks of
/// `chunkBytes` as they come, so PostgreSQL stores them while the caller makes the next ones,
/// and the copy ends with `finish` (or `cancel`, which keeps none of its rows and aborts the
/// transaction). One left open is cancelled when it goes away.
public final class PostgresCopyStream {
    private let connection: PostgresConnection
    let sql: String
    private let chunkBytes: Int
    private var encoder = CopyTextEncoder()
    public private(set) var isOpen = true

    fileprivate init(connection: PostgresConnection, sql: String, chunkBytes: Int) {
        self.connection = connection
        self.sql = sql
        self.chunkBytes = chunkBytes
    }

    deinit { cancel("the copy was abandoned") }

    /// Encodes `rows` and sends every full chunk.
    public func send(_ rows: some Sequence<[DatabaseValue]>) throws(PostgresError) {
        guard isOpen else { throw PostgresError(code: .protocolViolation, message: "the copy has ended", sql: sql) }
        for row in rows {
            try encoder.append(row, sql: sql)
            if encoder.buffer.count >= chunkBytes { try sendBuffer() }
        }
    }

    /// Sends what is left, ends the copy and returns how many rows it loaded.
    @discardableResult
    public func finish() throws -> Int {
        guard isOpen else { throw PostgresError(code: .protocolViolation, message: "the copy has ended", sql: sql) }
        if !encoder.buffer.isEmpty { try sendBuffer() }
        return try end(reason: nil)
    }

    /// Ends the copy with `reason`: the server aborts it, and its transaction with it.
    public func cancel(_ reason: String) {
        guard isOpen else { return }
        _ = try? end(reason: reason)
    }

    private func end(reason: String?) throws -> Int {
        isOpen = false
        if connection.openCopy === self { connection.openCopy = nil }
        let handle = connection.handle
        let ended = reason.map { PQputCopyEnd(handle, $0) } ?? PQputCopyEnd(handle, nil)
        guard ended == 1 else { throw PostgresError(code: .connectionFailure, message: PostgresConnection.message(of: handle), sql: sql) }
        var outcome: Result<Int, Error> = .success(0)
        while let raw = PQgetResult(handle) {
            do {
                let result = try PostgresResult(raw, connection: handle, sql: sql)
                if case .success = outcome { outcome = .success(result.affectedRows) }
            } catch {
                if case .success = outcome { outcome = .failure(error) }
            }
        }
        return try outcome.get()
    }

    private func sendBuffer() throws(PostgresError) {
        let handle = connection.handle
        let sent = encoder.buffer.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        encoder.buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else { throw PostgresError(code: .connectionFailure, message: PostgresConnection.message(of: handle), sql: sql) }
    }
}

/// Rows in COPY's text format: tab between values, a line per row, `\N` for NULL, and backslash,
/// tab, line feed and carriage return escaped inside values.
struct CopyTextEncoder {
    /// What is sent at once: large enough that the per-call cost vanishes, small enough to stream.
    static let chunkBytes = 1 << 18
    var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(Self.chunkBytes + 4096) }

    mutating func append(_ row: [DatabaseValue], sql: String) throws(PostgresError) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
            case .integer(let number): appendDecimal(number)
            case .real(let number): buffer.append(contentsOf: String(number).utf8)
            case .text(let text): try appendEscaped(text, sql: sql)
            case .blob: throw PostgresError(code: .protocolViolation, message: "Kette copies no bytes to PostgreSQL; store them as text", sql: sql)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Digits written straight into the buffer, without a string per value.
    private mutating func appendDecimal(_ number: Int64) {
        if number < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = buffer.count
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }

    /// Most values hold nothing to escape and are copied whole; the rest byte by byte.
    private mutating func appendEscaped(_ text: String, sql: String) throws(PostgresError) {
        var text = text
        let copiedWhole = text.withUTF8 { bytes in
            guard !bytes.contains(where: Self.needsEscape) else { return false }
            buffer.append(contentsOf: bytes)
            return true
        }
        if copiedWhole { return }
        for byte in text.utf8 {
            switch byte {
            case 0:
                throw PostgresError(code: .characterNotInRepertoire, message: "a text value holds a NUL character, which PostgreSQL text cannot store", sql: sql)
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte <= UInt8(ascii: "\r") || byte == UInt8(ascii: "\\")
    }
}
