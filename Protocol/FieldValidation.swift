/// Checks a field value against its record type's schema: the server applies it to every pushed
/// change, and the client to values people type when resolving conflicts.
extension RecordType {
    /// Why `value` cannot be the value of `field`, or nil when it can.
    public func problem(field: String, value: FieldValue) -> String? {
        if field == RecordType.deletedField {
            if case .bool = value { return nil }
            return "\(rawValue).\(field) must be true or false"
        }
        guard let spec = self.field(named: field) else {
            return "\(rawValue) has no field '\(field)'; its fields are \(fields.map(\.name).joined(separator: ", ")), \(RecordType.deletedField)"
        }
        if value == .null { return nil }
        switch (spec.kind, value) {
        case (.text, .string(let text)), (.reference, .string(let text)):
            if let accepted = acceptedValues(field: field), !accepted.contains(text) {
                return "\(rawValue).\(field) '\(text)' is not one of \(accepted.joined(separator: ", "))"
            }
            if self == .indicator, field == "period", !Self.isPeriod(text) {
                return "indicator.period '\(text.prefix(40))' is not a period: YYYY or YYYY-Qn, e.g. 2026 or 2026-Q1"
            }
            return text.utf8.count > Self.maxTextBytes ? "\(rawValue).\(field) is longer than \(Self.maxTextBytes) bytes" : nil
        case (.list, .list(let items)):
            if let accepted = acceptedValues(field: field), let wrong = items.first(where: { !accepted.contains($0) }) {
                return "\(rawValue).\(field) item '\(wrong)' is not one of \(accepted.joined(separator: ", "))"
            }
            return items.count > 1000 ? "\(rawValue).\(field) has more than 1000 items" : nil
        case (.integer, .integer(let number)):
            let range = integerRange(field: field)
            guard range.contains(number) else {
                return "\(rawValue).\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(number)"
            }
            return nil
        case (.bool, .bool):
            return nil
        default:
            return "\(rawValue).\(field) must be \(spec.kind.expectation)"
        }
    }

    /// The closed list a field's values come from, if it has one.
    public func acceptedValues(field: String) -> [String]? {
        switch (self, field) {
        case (.offer, "phases"): LifePhase.slugs
        case (.offer, "category"): OfferCategory.slugs
        case (.offer, "sector"), (.organization, "sector"): Sector.slugs
        case (.offer, "status"): OfferStatus.slugs
        case (.offer, "cost"): Cost.slugs
        case (.body, "level"): BodyLevel.slugs
        case (.task, "status"): TaskStatus.slugs
        case (.conflict, "status"): ["open", "resolved"]
        default: nil
        }
    }

    /// The whole numbers an integer field takes (SPEC §6.2). Every integer field is bounded, so
    /// no accepted value can make a replica's arithmetic overflow: counts (participants and
    /// sessions of a period) by 10 million, more than any county's participations in a year,
    /// whose sums over a million offers still stay far below 2^63; positions (an order, which may
    /// be negative or numbered with gaps) and any other integer by the 32-bit range, which every
    /// consumer (JavaScript, spreadsheets, 32-bit columns) holds exactly.
    public func integerRange(field: String) -> ClosedRange<Int64> {
        switch (self, field) {
        case (.indicator, "participants"), (.indicator, "sessions"): Self.counts
        default: Self.positions
        }
    }

    /// A count of people or sessions in one period.
    public static let counts: ClosedRange<Int64> = 0...10_000_000
    /// An order (agenda items' `position`), and the bound of any other integer field.
    public static let positions: ClosedRange<Int64> = Int64(Int32.min)...Int64(Int32.max)

    /// A reporting period: a year (2026) or a quarter (2026-Q1).
    static func isPeriod(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 4 || bytes.count == 7, bytes[0..<4].allSatisfy({ (48...57).contains($0) }) else { return false }
        return bytes.count == 4 || (bytes[4] == UInt8(ascii: "-") && bytes[5] == UInt8(ascii: "Q") && (49...52).contains(bytes[6]))
    }

    /// One text field's upper bound: minutes are long, but not megabytes.
    public static let maxTextBytes = 256 * 1024
}

extension RecordType.FieldKind {
    var expectation: String {
        switch self {
        case .text: "a string or null"
        case .reference: "a record id (string) or null"
        case .list: "a list of strings or null"
        case .integer: "an integer or null"
        case .bool: "true or false"
        }
    }
}
