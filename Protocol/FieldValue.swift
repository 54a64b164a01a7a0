/// The value of one field of a record, as it travels in a change: text, a whole number, a flag,
/// a list of slugs or texts, or nothing (a cleared field).
public enum FieldValue: Hashable, Sendable {
    case null
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case list([String])

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
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
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
