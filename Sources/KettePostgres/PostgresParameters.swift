import KetteStore

/// Statement arguments in libpq's text format, all in one buffer: one allocation per call, not one
/// per argument, and no pointer outlives the call that uses it.
struct PostgresParameters {
    private var bytes: [UInt8] = []
    /// Where each argument starts in `bytes`; nil for NULL.
    private var offsets: [Int?] = []

    init(_ values: [DatabaseValue], sql: String) throws(PostgresError) {
        offsets.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .null:
                offsets.append(nil)
                continue
            case .integer(let number): append(String(number).utf8)
            case .real(let number): append(String(number).utf8)
            case .text(let text):
                // libpq reads a text argument up to its first NUL: the rest would be lost without a
                // word. PostgreSQL's text cannot hold NUL either; refuse it as the server would.
                guard !text.utf8.contains(0) else {
                    throw PostgresError(code: .characterNotInRepertoire, message: "a text argument holds a NUL character, which PostgreSQL text cannot store", sql: sql)
                }
                append(text.utf8)
            case .blob:
                throw PostgresError(code: .protocolViolation, message: "Kette binds no bytes to PostgreSQL; store them as text", sql: sql)
            }
        }
    }

    var count: Int32 { Int32(offsets.count) }

    private mutating func append(_ utf8: String.UTF8View) {
        offsets.append(bytes.count)
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    /// Calls `body` with the argument count and libpq's array of C strings (NULL for SQL NULL).
    func withValues<T>(_ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.flatMap { base?.advanced(by: $0) } }
            return try pointers.withUnsafeBufferPointer { try body(count, $0.baseAddress) }
        }
    }
}
