import KetteStore

/// A PostgreSQL array literal bound as one text argument (`$1::text[]`), so a query can take a
/// whole batch of keys at once: `WHERE id = ANY($1::text[])`, or several arrays side by side
/// through `unnest($1::text[], $2::text[])`.
public enum PostgresArray {
    /// `{"a","b\"c",NULL}`: every element quoted, backslash and quote escaped, nil as NULL.
    public static func text(_ elements: some Sequence<String?>) -> DatabaseValue {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for element in elements {
            if literal.count > 1 { literal.append(UInt8(ascii: ",")) }
            guard let element else { literal.append(contentsOf: "NULL".utf8); continue }
            literal.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return .text(String(decoding: literal, as: UTF8.self))
    }

    /// `{1,2,3}`.
    public static func integers(_ elements: some Sequence<Int64>) -> DatabaseValue {
        .text("{" + elements.map(String.init).joined(separator: ",") + "}")
    }
}
