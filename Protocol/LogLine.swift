/// One line of a machine-readable log (the server's request log, `kette sync --log`): ordered
/// key/value fields written as logfmt (`time=… status=200 user="Anna Schulz"`) or as one JSON
/// object. Every value is escaped, so a field can never break the line or forge another field.
public struct LogLine: Sendable, Equatable {
    public enum Format: String, CaseIterable, Sendable {
        case logfmt, json
    }

    public private(set) var fields: [(key: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    public mutating func append(_ key: String, _ value: String) {
        fields.append((key: key, value: value))
    }

    public func text(_ format: Format) -> String {
        switch format {
        case .logfmt: fields.map { "\($0.key)=\(Self.logfmtValue($0.value))" }.joined(separator: " ")
        case .json: "{" + fields.map { FieldValue.string($0.key).jsonText + ":" + FieldValue.string($0.value).jsonText }.joined(separator: ",") + "}"
        }
    }

    /// A bare value when it is plain, else a quoted one with `"`, `\` and control characters escaped.
    static func logfmtValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        return plain ? value : FieldValue.string(value).jsonText
    }

    public static func == (left: LogLine, right: LogLine) -> Bool {
        left.fields.map(\.key) == right.fields.map(\.key) && left.fields.map(\.value) == right.fields.map(\.value)
    }
}
