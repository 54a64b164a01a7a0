/// The value of one field of a record, as it travels in a change: text, a whole number, a flag,
/// a list of slugs or texts, or nothing (a cleared field).
public enum FieldValue: Hashable, Sendable {
    case null
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case list([String])

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    public var listValue: [String]? { if case .list(let value) = self { return value } else { return nil } }
}

extension FieldValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([String].self) { self = .list(value) }
        else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a field value is null, a string, an integer, a boolean or a list of strings")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }
}

extension FieldValue {
    /// The value that `jsonText` holds: how both sides read the field values they store as JSON
    /// text (field versions, conflict sides, outbox changes, list columns), with the same strict
    /// reader as the sync messages, so a value reads back exactly as it was written.
    ///
    /// Throws for anything but exactly one field value: text that is not JSON, a number with a
    /// fraction or outside Int64, an object, a list holding anything but strings, trailing content.
    public init(jsonText: some StringProtocol) throws(JSONReader.Failure) {
        var reader = JSONReader(Array(jsonText.utf8))
        do {
            self = try reader.readFieldValue()
            try reader.finish()
        } catch let failure as JSONReader.Failure {
            throw failure
        } catch {
            throw reader.failure("\(error)")
        }
    }

    /// The strings of a stored list column; an unreadable or non-list value reads as empty, so
    /// one damaged cell cannot fail a whole read (a list column is never written as anything else).
    public static func storedList(_ jsonText: String?) -> [String] {
        guard let jsonText, jsonText != "[]" else { return [] }
        return (try? FieldValue(jsonText: jsonText))?.listValue ?? []
    }

    /// The value as compact JSON text, written by hand because the outbox stores one per change
    /// and JSONEncoder's per-call setup would dominate bulk writes.
    public var jsonText: String {
        switch self {
        case .null: return "null"
        case .string(let value): return Self.quoted(value)
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .list(let values): return "[" + values.map(Self.quoted).joined(separator: ",") + "]"
        }
    }

    static func quoted(_ text: String) -> String {
        // Most texts need no escaping: then the text is copied as it is.
        if !text.utf8.contains(where: needsEscape) {
            return "\"" + text + "\""
        }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + 16)
        appendEscaped(text.utf8, to: &out)
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a byte of UTF-8 text must be escaped inside a JSON string.
    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    /// Appends UTF-8 text with the bytes JSON does not take in a string escaped (no quotes around).
    static func appendEscaped(_ utf8: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
    }
}
