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
            if isPeriodField(field), !Self.isPeriod(text) {
                return "\(rawValue).\(field) '\(text.prefix(40))' is not a period: YYYY or YYYY-Qn, e.g. 2026 or 2026-Q1"
            }
            if text.utf8.count > Self.maxTextBytes { return "\(rawValue).\(field) is longer than \(Self.maxTextBytes) bytes" }
            return text.utf8.contains(0) ? "\(rawValue).\(field) contains a NUL character, which is not text" : nil
        case (.list, .list(let items)):
            if let accepted = acceptedValues(field: field), let wrong = items.first(where: { !accepted.contains($0) }) {
                return "\(rawValue).\(field) item '\(wrong)' is not one of \(accepted.joined(separator: ", "))"
            }
            if self == .measure, field == "gaps", let wrong = items.first(where: { CoverageCell($0) == nil }) {
                return "\(rawValue).\(field) item '\(wrong.prefix(60))' is not a coverage cell: DISTRICT:PHASE with a phase of \(LifePhase.slugs.joined(separator: ", "))"
            }
            if items.count > Self.maxListItems { return "\(rawValue).\(field) has more than \(Self.maxListItems) items" }
            // In all no longer than one text field, so a list cannot make a row larger than a text can.
            if items.reduce(0, { $0 + $1.utf8.count }) > Self.maxTextBytes {
                return "\(rawValue).\(field) holds more than \(Self.maxTextBytes) bytes of text in all"
            }
            return items.contains { $0.utf8.contains(0) } ? "\(rawValue).\(field) has an item with a NUL character, which is not text" : nil
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
        case (.need, "phases"), (.goal, "phases"), (.target, "phase"): LifePhase.slugs
        case (.need, "category"): OfferCategory.slugs
        case (.need, "status"): NeedStatus.slugs
        case (.member, "sector"): Sector.slugs
        case (.target, "indicator"): TargetIndicator.slugs
        case (.measure, "status"): MeasureStatus.slugs
        case (.contact, "consent"): PublicationConsent.slugs
        case (.agreement, "kind"): AgreementKind.slugs
        default: nil
        }
    }

    /// The whole numbers an integer field takes (SPEC §6.2). Every integer field is bounded, so
    /// no accepted value can make a replica's arithmetic overflow: counts (participants and
    /// sessions of a period, a target's baseline and value, a custom indicator's figure) by 10 million, more than any county's participations in a year,
    /// whose sums over a million offers still stay far below 2^63; positions (an order, which may
    /// be negative or numbered with gaps) and any other integer by the 32-bit range, which every
    /// consumer (JavaScript, spreadsheets, 32-bit columns) holds exactly.
    public func integerRange(field: String) -> ClosedRange<Int64> {
        switch (self, field) {
        case (.indicator, "participants"), (.indicator, "sessions"): Self.counts
        case (.target, "baseline"), (.target, "targetValue"), (.targetFigure, "value"): Self.counts
        default: Self.positions
        }
    }

    /// A count of people or sessions in one period.
    public static let counts: ClosedRange<Int64> = 0...10_000_000
    /// An order (agenda items' `position`), and the bound of any other integer field.
    public static let positions: ClosedRange<Int64> = Int64(Int32.min)...Int64(Int32.max)

    /// Whether the field holds a reporting period: an offer's figures, a target's baseline and
    /// due periods, a custom indicator's figure.
    func isPeriodField(_ field: String) -> Bool {
        switch (self, field) {
        case (.indicator, "period"), (.target, "baselinePeriod"), (.target, "due"), (.targetFigure, "period"): true
        default: false
        }
    }

    /// A reporting period: a year (2026) or a quarter (2026-Q1).
    static func isPeriod(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 4 || bytes.count == 7, bytes[0..<4].allSatisfy({ (48...57).contains($0) }) else { return false }
        return bytes.count == 4 || (bytes[4] == UInt8(ascii: "-") && bytes[5] == UInt8(ascii: "Q") && (49...52).contains(bytes[6]))
    }

    /// One text field's upper bound: minutes are long, but not megabytes. A list's items together
    /// have the same bound.
    public static let maxTextBytes = 256 * 1024
    /// The most items in a list field.
    public static let maxListItems = 1000
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
