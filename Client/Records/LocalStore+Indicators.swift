import KetteMessages
import KetteProtocol
import KetteStore

/// An offer's figures for one period, as recorded.
public struct IndicatorRecord: Codable, Hashable, Sendable {
    public var id: String
    public var offer: String
    public var period: ReportingPeriod
    public var participants: Int
    public var sessions: Int?

    public init(id: String, offer: String, period: ReportingPeriod, participants: Int, sessions: Int?) {
        self.id = id; self.offer = offer; self.period = period; self.participants = participants; self.sessions = sessions
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(offer, forKey: .offer); try c.encode(period, forKey: .period)
        try c.encode(participants, forKey: .participants); try c.encode(sessions, forKey: .sessions)
    }
}

extension LocalStore {
    /// The id of an offer's indicator record for a period.
    ///
    /// Derived, not random: two coordinators who record the same offer's figures for the same
    /// period offline write the same record, so sync merges their figures field by field (and
    /// shows a conflict if they differ) instead of keeping two records that reports would add up.
    static func indicatorID(offer: String, period: ReportingPeriod) -> String {
        "\(offer)|\(period)"
    }

    /// Records an offer's participants (and sessions held) for a period: one change set. Recording
    /// the same period again updates that period's record; sessions not given stay as they were.
    @discardableResult
    public func recordIndicator(offer reference: String, period periodText: String, participants participantsText: String,
                                sessions sessionsText: String?, language: Language) throws -> IndicatorRecord {
        let period = try ReportingPeriod(parsing: periodText)
        let participants = try Self.count(participantsText, field: "participants")
        let sessions = try sessionsText.map { try Self.count($0, field: "sessions") }
        let offer = try Resolver.resolve(reference, as: .offer, in: database, language: language)
        let id = Self.indicatorID(offer: offer, period: period)
        try record("offer indicator") { change in
            // Figures recorded again after the record was deleted bring it back.
            if try database.scalarInt("SELECT deleted FROM indicators WHERE id = ?", [id]) == 1 {
                try change.set(.indicator, id, RecordType.deletedField, .bool(false))
            }
            try change.create(.indicator, id, [("offer", .string(offer)), ("period", .string(period.description)),
                                               ("participants", .integer(Int64(participants))),
                                               ("sessions", sessions.map { .integer(Int64($0)) })])
        }
        return try indicators(offer: offer).first { $0.id == id }!
    }

    /// An offer's recorded figures, oldest period first.
    public func indicators(offer: String) throws -> [IndicatorRecord] {
        try database.rows("SELECT id, offer, period, participants, sessions FROM indicators WHERE offer = ? AND deleted = 0", [offer])
            .compactMap { row in
                guard let period = row.string("period").flatMap(ReportingPeriod.init(exactly:)) else { return nil }
                return IndicatorRecord(id: row.string("id") ?? "", offer: row.string("offer") ?? "", period: period,
                                       participants: row.int("participants") ?? 0, sessions: row.int("sessions"))
            }
            .sorted { $0.period < $1.period }
    }

    /// A count as people type it ("12"), within the protocol's bounds for counts (SPEC §6.2).
    static func count(_ text: String, field: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: InputText.expectedCountOrZero.text)
        }
        let bounds = RecordType.indicator.integerRange(field: field)
        guard let number = Int64(trimmed), bounds.contains(number) else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text,
                                            expected: InputText.expectedAtMost.with(["max": String(bounds.upperBound)]))
        }
        return Int(number)
    }
}
