/// One result row, copied out of SQLite so it outlives the statement step, readable by column
/// position or by column name.
///
/// Names are matched as SQLite matches identifiers: ASCII case-insensitively, the leftmost column
/// winning when two share a name (`SELECT a.name, b.name` — give them `AS` names). Reading a
/// column the statement does not return is a mistake in the code, not in the data: `string(_:)`
/// and `int(_:)` stop with a message naming the column and the statement, as an index out of
/// range does; the subscript answers nil for code that asks whether a column is there.
public struct Row: Sendable {
    public let values: [DatabaseValue]
    /// The statement's column names, shared by all its rows.
    public let columns: RowColumns

    public init(values: [DatabaseValue], columns: RowColumns) {
        self.values = values
        self.columns = columns
    }

    public subscript(index: Int) -> DatabaseValue { values[index] }

    /// The value of the column named `column`; nil when the statement returns no such column
    /// (a column holding NULL gives `.null`).
    public subscript(column: String) -> DatabaseValue? {
        columns.index(of: column).map { values[$0] }
    }

    public func hasColumn(_ column: String) -> Bool { columns.index(of: column) != nil }

    public func string(_ index: Int) -> String? { Self.string(values[index]) }

    public func int(_ index: Int) -> Int? { Self.int(values[index]) }

    /// The named column as text (numbers in their decimal form); nil for NULL and blobs.
    public func string(_ column: String) -> String? { Self.string(values[index(of: column)]) }

    /// The named column as a whole number; nil for NULL, blobs, text that is not a number, and
    /// real numbers outside `Int`'s range.
    public func int(_ column: String) -> Int? { Self.int(values[index(of: column)]) }

    private func index(of column: String) -> Int {
        guard let index = columns.index(of: column) else {
            preconditionFailure("no column '\(column)' in the result of `\(columns.sql)`; its columns are \(columns.names.joined(separator: ", "))")
        }
        return index
    }

    private static func string(_ value: DatabaseValue) -> String? {
        switch value {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        default: return nil
        }
    }

    private static func int(_ value: DatabaseValue) -> Int? {
        switch value {
        case .integer(let value): return Int(value)
        // `Int(_:)` of a Double traps outside Int's range (and on NaN); a stored 1e300 is no count.
        case .real(let value): return Int(exactly: value.rounded(.towardZero))
        case .text(let text): return Int(text)
        default: return nil
        }
    }
}

/// The column names of one statement's result and the index of each name, built once per
/// statement so that reading a row by name costs a dictionary lookup, not a search.
public final class RowColumns: Sendable {
    public let names: [String]
    /// The statement, for the message when code asks for a column it does not return.
    public let sql: String
    /// Index by ASCII-lowercased name; the leftmost of equal names wins.
    private let indexByFoldedName: [String: Int]

    public init(names: [String], sql: String) {
        self.names = names
        self.sql = sql
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[Self.folded(name)] == nil {
            index[Self.folded(name)] = position
        }
        indexByFoldedName = index
    }

    /// The position of the column named `name` in any ASCII case, nil when there is none.
    public func index(of name: String) -> Int? { indexByFoldedName[Self.folded(name)] }

    /// SQLite folds only ASCII letters in identifiers. Names in code are usually lowercase
    /// already: then the name itself is the key, without a copy.
    private static func folded(_ name: String) -> String {
        guard name.utf8.contains(where: { (65...90).contains($0) }) else { return name }
        return String(decoding: name.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
