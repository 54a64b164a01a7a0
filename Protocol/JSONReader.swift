/// A small, strict JSON reader over UTF-8 bytes for the sync messages on the hot paths (pull
/// pages, pushes), where Foundation's JSONDecoder spends over a hundred thousand instructions
/// per change. It reads what RFC 8259 allows and nothing else, and its errors say where.
public struct JSONReader {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let offset: Int
        public let message: String
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private(set) var index = 0
    /// Objects and arrays open around the current position.
    private var depth = 0

    /// The deepest nesting read. The sync messages nest six levels at most; the limit keeps a
    /// document of a million `[` (which a 64 MiB body can hold) from overflowing the stack, as
    /// reading and skipping recurse. Found by the decoder fuzzer.
    public static let maxDepth = 64

    /// Whether `1.0`, `2.5e1` read as the whole numbers they are (SPEC §5.4, for the wire: other
    /// programs write numbers so). Off for stored JSON text, which Kette writes canonically.
    public var acceptsWholeNumbersWithFractions = false

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func failure(_ message: String) -> Failure { Failure(offset: index, message: message) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of the document") }
        return bytes[index]
    }

    /// Steps into an object or array; the caller steps out with `depth -= 1`.
    private mutating func enterNesting() throws {
        guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        depth += 1
    }

    mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Checks that nothing but whitespace follows the document.
    public mutating func finish() throws {
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected content after the document") }
    }

    /// Reads an object, calling `body` with each key; `body` must read the key's value.
    public mutating func readObject(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        try enterNesting()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    /// Reads an array, calling `body` for each element; `body` must read the element.
    public mutating func readArray(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        try enterNesting()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func readNullIfPresent() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end of the document") }
        var matches = true
        word.withUTF8Buffer { expected in
            for offset in 0..<count where bytes[index + offset] != expected[offset] { matches = false }
        }
        guard matches else { throw failure("expected \(word)") }
        index += count
    }

    public mutating func readBool() throws -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw failure("expected true or false")
        }
    }

    /// Reads a number that must be a whole number fitting in 64 bits.
    public mutating func readInteger() throws -> Int64 {
        _ = try peek()
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            index = start
            throw failure("expected a whole number")
        }
        if bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + 1]) {
            throw failure("a number may not start with 0")
        }
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { index = start; throw failure("number out of range") }
            value = next
            index += 1
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            index = start
            // `1.0`, `2.50e1`, `1e3`: whole numbers written another way are read as the number (SPEC §5.4).
            guard acceptsWholeNumbersWithFractions else { throw failure("expected a whole number, not a fraction") }
            return try readWholeNumberWithFractionOrExponent()
        }
        return value
    }

    /// Reads a number with a fraction or an exponent that is nevertheless whole (`1.0` is 1, `25e-1`
    /// is not), exactly, without going through a Double.
    private mutating func readWholeNumberWithFractionOrExponent() throws -> Int64 {
        let start = index
        try skipNumber()
        let lexeme = bytes[start..<index]
        let negative = lexeme.first == UInt8(ascii: "-")
        let mantissaEnd = lexeme.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? lexeme.endIndex
        let mantissa = lexeme[(negative ? start + 1 : start)..<mantissaEnd]
        let point = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.endIndex
        var digits = Array(mantissa.filter { $0 != UInt8(ascii: ".") })
        // The exponent, saturated: no whole number in 64 bits needs more than 19 digits either way.
        var exponent = 0
        if mantissaEnd < lexeme.endIndex {
            var position = mantissaEnd + 1
            let exponentNegative = bytes[position] == UInt8(ascii: "-")
            if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
            for byte in bytes[position..<lexeme.endIndex] { exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), 100_000) }
            if exponentNegative { exponent = -exponent }
        }
        exponent -= mantissa.distance(from: point, to: mantissa.endIndex) - (point < mantissa.endIndex ? 1 : 0)
        while digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        while exponent < 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        guard exponent >= 0 else { index = start; throw failure("expected a whole number, not a fraction") }
        guard digits.count + exponent <= 19 else { index = start; throw failure("number out of range") }
        var value: Int64 = 0
        for digit in digits + Array(repeating: UInt8(ascii: "0"), count: exponent) {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let next = Int64(digit - UInt8(ascii: "0"))
            let (sum, overflow2) = negative ? shifted.subtractingReportingOverflow(next) : shifted.addingReportingOverflow(next)
            guard !overflow1, !overflow2 else { index = start; throw failure("number out of range") }
            value = sum
        }
        return value
    }

    /// Reads a string, decoding escapes; the bytes must be valid UTF-8.
    public mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Fast path: no escapes, plain UTF-8 up to the closing quote, scanned and made into a
        // String through one buffer pointer (no per-byte bounds or exclusivity checks).
        let scanned: (end: Int, text: String?, stop: UInt8) = bytes.withUnsafeBufferPointer { buffer in
            var end = start
            var ascii = true
            while end < buffer.count {
                let byte = buffer[end]
                if byte == UInt8(ascii: "\"") {
                    return (end, Self.string(validating: UnsafeBufferPointer(rebasing: buffer[start..<end]), ascii: ascii), byte)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return (end, nil, byte) }
                if byte >= 0x80 { ascii = false }
                end += 1
            }
            return (end, nil, 0)
        }
        index = scanned.end
        if scanned.stop == UInt8(ascii: "\"") {
            guard let text = scanned.text else { throw failure("a string is not valid UTF-8") }
            index += 1
            return text
        }
        if scanned.stop < 0x20 && index < bytes.count { throw failure("control character in a string") }
        // Slow path: escapes.
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = scalars.withUnsafeBufferPointer({ Self.string(validating: $0, ascii: false) }) else {
                    throw failure("a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &scalars)
            default:
                if byte < 0x20 { throw failure("control character in a string") }
                scalars.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The string `bytes` hold, nil when they are not valid UTF-8; `ascii`: every byte is below
    /// 0x80 (the caller's scan knows). `String(validating:as:)` is generic and looked up its
    /// metadata at run time for every string, a twentieth of what the server spent on a push;
    /// decoding repairs invalid UTF-8 instead of failing, and a repair always changes the bytes
    /// (valid UTF-8 is stored as it is), so comparing them tells valid from repaired.
    static func string(validating bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        var text = String(decoding: bytes, as: UTF8.self)
        if ascii { return text }
        let unchanged = text.withUTF8 { decoded in decoded.elementsEqual(bytes) }
        return unchanged ? text : nil
    }

    /// Reads the escape after a backslash in a string and appends its UTF-8 to `scalars`.
    private mutating func readEscape(into scalars: inout [UInt8]) throws {
        guard index < bytes.count else { throw failure("unexpected end in a string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
        case UInt8(ascii: "b"): scalars.append(0x08)
        case UInt8(ascii: "f"): scalars.append(0x0C)
        case UInt8(ascii: "n"): scalars.append(0x0A)
        case UInt8(ascii: "r"): scalars.append(0x0D)
        case UInt8(ascii: "t"): scalars.append(0x09)
        case UInt8(ascii: "u"):
            var code = try readHex4()
            if (0xD800...0xDBFF).contains(code) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate in a string")
                }
                index += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in a string") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw failure("unpaired surrogate in a string")
            }
            guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
            scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: throw failure("invalid escape in a string")
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("unexpected end in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexDigitValue(bytes[index]) else { throw failure("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Reads a field value: null, a string, a whole number, a boolean or a list of strings.
    public mutating func readFieldValue() throws -> FieldValue {
        switch try peek() {
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try readBool())
        case UInt8(ascii: "["):
            var items: [String] = []
            try readArray { reader in items.append(try reader.readString()) }
            return .list(items)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try readInteger())
        default: throw failure("a field value is null, a string, a whole number, a boolean or a list of strings")
        }
    }

    /// Reads a hybrid logical clock timestamp in its text form.
    public mutating func readTimestamp() throws -> HLCTimestamp {
        let text = try readString()
        guard let stamp = HLCTimestamp(encoded: text) else { throw failure("not a hybrid logical clock timestamp: \(text.prefix(40))") }
        return stamp
    }

    /// Skips any value (for keys a reader does not need).
    public mutating func skipValue() throws {
        switch try peek() {
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try readArray { reader in try reader.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    /// Skips an object without making strings of its keys.
    private mutating func skipObject() throws {
        try expect(UInt8(ascii: "{"))
        try enterNesting()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw failure("expected a key") }
            try skipString()
            try expect(UInt8(ascii: ":"))
            try skipValue()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    /// Skips a string, checking escapes and control characters but making no String. UTF-8
    /// validity is checked where a string is read.
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unexpected end in a string") }
                let escape = bytes[index]
                index += 1
                if escape == UInt8(ascii: "u") {
                    _ = try readHex4()
                } else if !"\"\\/bfnrt".utf8.contains(escape) {
                    throw failure("invalid escape in a string")
                }
            case 0..<0x20: throw failure("control character in a string")
            default: continue
            }
        }
        throw failure("unterminated string")
    }

    /// Skips a number, checking its grammar (RFC 8259 §6): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func skipNumber() throws {
        func digits() -> Int {
            var count = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1; count += 1 }
            return count
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw failure("expected a value") }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { _ = digits() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("expected digits in an exponent") }
        }
    }

    /// Checks that `bytes` hold exactly one well-formed JSON document, reading nothing out of it.
    public static func validate(_ bytes: [UInt8]) throws {
        var reader = JSONReader(bytes)
        try reader.skipValue()
        try reader.finish()
    }
}

/// Appends JSON text to a byte buffer, for the hot-path messages.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    public mutating func raw(_ other: [UInt8]) { bytes.append(contentsOf: other) }
    /// Appends `text` as a JSON string straight into the buffer: most texts need no escaping and
    /// are copied whole; a push or a pull page writes hundreds of thousands of them.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            if utf8.contains(where: FieldValue.needsEscape) {
                FieldValue.appendEscaped(utf8, to: &bytes)
            } else {
                bytes.append(contentsOf: utf8)
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
    /// Appends a field value as JSON (the text `FieldValue.jsonText` gives), without making it a String first.
    public mutating func value(_ value: FieldValue) {
        switch value {
        case .null: raw("null")
        case .string(let text): string(text)
        case .integer(let number): integer(number)
        case .bool(let flag): raw(flag ? "true" : "false")
        case .list(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(item)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }
    public mutating func integer(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }
    /// Drops what was written after the first `count` bytes.
    public mutating func truncate(to count: Int) { bytes.removeSubrange(min(count, bytes.count)...) }
}

/// The value of one hexadecimal digit (either case), nil for any other byte.
@inline(__always)
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
