import CPostgres
import KetteStore

extension PostgresConnection {
    /// Loads rows with `COPY … FROM STDIN` (`sql` is that statement), PostgreSQL's fastest way in:
    /// one statement streams them all, in the text format, in large chunks. Returns how many rows
    /// were loaded. A value that cannot be sent (a NUL character in a text) cancels the whole copy.
    @discardableResult
    public func copy(_ sql: String, rows: some Sequence<[DatabaseValue]>) throws -> Int {
        _ = try PostgresResult(PQexec(handle, sql), connection: handle, sql: sql)
        var encoder = CopyTextEncoder()
        var failure: PostgresError?
        for row in rows {
            do {
                try encoder.append(row, sql: sql)
            } catch {
                failure = error
                break
            }
            if encoder.buffer.count >= CopyTextEncoder.chunkBytes {
                try send(encoder.buffer, sql: sql)
                encoder.buffer.removeAll(keepingCapacity: true)
            }
        }
        if failure == nil, !encoder.buffer.isEmpty { try send(encoder.buffer, sql: sql) }
        // Ending the copy with a reason makes the server abort it: nothing of it is kept.
        let ended = failure.map { PQputCopyEnd(handle, $0.message) } ?? PQputCopyEnd(handle, nil)
        guard ended == 1 else { throw PostgresError(code: .connectionFailure, message: Self.message(of: handle), sql: sql) }
        var outcome: Result<Int, Error> = .success(0)
        while let raw = PQgetResult(handle) {
            do {
                let result = try PostgresResult(raw, connection: handle, sql: sql)
                if case .success = outcome { outcome = .success(result.affectedRows) }
            } catch {
                if case .success = outcome { outcome = .failure(error) }
            }
        }
        if let failure { throw failure }
        return try outcome.get()
    }

    private func send(_ bytes: [UInt8], sql: String) throws(PostgresError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw PostgresError(code: .connectionFailure, message: Self.message(of: handle), sql: sql) }
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
            case .integer(let number): buffer.append(contentsOf: String(number).utf8)
            case .real(let number): buffer.append(contentsOf: String(number).utf8)
            case .text(let text): try appendEscaped(text, sql: sql)
            case .blob: throw PostgresError(code: .protocolViolation, message: "Kette copies no bytes to PostgreSQL; store them as text", sql: sql)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    private mutating func appendEscaped(_ text: String, sql: String) throws(PostgresError) {
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
}
