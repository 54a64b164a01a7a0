import KetteProtocol
import KetteStore

/// Figures of the chain's offers: participants and sessions summed per period, district and life
/// phase, each beside the same sum for the period before.
///
/// Per year, an offer counts with the figure recorded for the whole year if there is one, else
/// with the sum of its quarters; per quarter, only quarterly figures count. Participants are
/// participations: a person who comes in two quarters, or to two offers, is counted twice. An
/// offer for several life phases counts in each of them, so the phase rows of a district add up
/// to more than its offers did; `totals` count every offer once.
public struct IndicatorReport: Codable, Sendable {
    /// One sum and the one before it.
    public struct Figures: Codable, Hashable, Sendable {
        /// Offers with figures in the period.
        public var offers: Int
        public var participants: Int
        /// Sessions held, summed over the offers that recorded them; nil when none did.
        public var sessions: Int?
        /// The same sums for the span compared with (`Comparison.previous`: the quarter before,
        /// the year before, or the same quarters of the year before); nil when nothing was recorded then.
        public var previousParticipants: Int?
        public var previousSessions: Int?
        /// For a quarter, the same sums for the same quarter a year before (`Comparison.yearBefore`).
        public var yearBeforeParticipants: Int?
        public var yearBeforeSessions: Int?

        /// Saturating: a store may hold figures beyond the protocol's bounds (see `saturatingAdding`).
        public var participantsChange: Int? { previousParticipants.map { participants.saturatingSubtracting($0) } }
        public var sessionsChange: Int? { sessions.flatMap { current in previousSessions.map { current.saturatingSubtracting($0) } } }
        public var yearBeforeParticipantsChange: Int? { yearBeforeParticipants.map { participants.saturatingSubtracting($0) } }
        public var yearBeforeSessionsChange: Int? { sessions.flatMap { current in yearBeforeSessions.map { current.saturatingSubtracting($0) } } }

        enum CodingKeys: String, CodingKey {
            case offers, participants, sessions, previousParticipants, previousSessions, participantsChange, sessionsChange
            case yearBeforeParticipants, yearBeforeSessions, yearBeforeParticipantsChange, yearBeforeSessionsChange
        }

        public init(offers: Int, participants: Int, sessions: Int?, previousParticipants: Int?, previousSessions: Int?,
                    yearBeforeParticipants: Int? = nil, yearBeforeSessions: Int? = nil) {
            self.offers = offers; self.participants = participants; self.sessions = sessions
            self.previousParticipants = previousParticipants; self.previousSessions = previousSessions
            self.yearBeforeParticipants = yearBeforeParticipants; self.yearBeforeSessions = yearBeforeSessions
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offers = try c.decode(Int.self, forKey: .offers)
            participants = try c.decode(Int.self, forKey: .participants)
            sessions = try c.decodeIfPresent(Int.self, forKey: .sessions)
            previousParticipants = try c.decodeIfPresent(Int.self, forKey: .previousParticipants)
            previousSessions = try c.decodeIfPresent(Int.self, forKey: .previousSessions)
            yearBeforeParticipants = try c.decodeIfPresent(Int.self, forKey: .yearBeforeParticipants)
            yearBeforeSessions = try c.decodeIfPresent(Int.self, forKey: .yearBeforeSessions)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(offers, forKey: .offers); try c.encode(participants, forKey: .participants)
            try c.encode(sessions, forKey: .sessions); try c.encode(previousParticipants, forKey: .previousParticipants)
            try c.encode(previousSessions, forKey: .previousSessions); try c.encode(participantsChange, forKey: .participantsChange)
            try c.encode(sessionsChange, forKey: .sessionsChange)
            try c.encode(yearBeforeParticipants, forKey: .yearBeforeParticipants); try c.encode(yearBeforeSessions, forKey: .yearBeforeSessions)
            try c.encode(yearBeforeParticipantsChange, forKey: .yearBeforeParticipantsChange)
            try c.encode(yearBeforeSessionsChange, forKey: .yearBeforeSessionsChange)
        }
    }

    /// What a shown period's figures sum, and what they are compared with: always spans of the
    /// same length (a quarter with a quarter, a whole year with a whole year, the quarters of an
    /// unfinished year so far with the same quarters of the year before).
    public struct Comparison: Codable, Hashable, Sendable {
        public var period: ReportingPeriod
        /// The period itself, or, for a year not yet over on the report day, its quarters so far.
        public var current: PeriodSpan
        /// What the `previous…` figures sum; nil when no span of the same length can be compared.
        public var previous: PeriodSpan?
        /// For a quarter: the same quarter a year before (`yearBefore…` figures).
        public var yearBefore: PeriodSpan?
        public var yearToDate: Bool { current.isYearToDate }

        enum CodingKeys: String, CodingKey { case period, current, previous, yearBefore, yearToDate }

        public init(period: ReportingPeriod, current: PeriodSpan, previous: PeriodSpan?, yearBefore: PeriodSpan?) {
            self.period = period; self.current = current; self.previous = previous; self.yearBefore = yearBefore
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            period = try c.decode(ReportingPeriod.self, forKey: .period)
            current = try c.decode(PeriodSpan.self, forKey: .current)
            previous = try c.decodeIfPresent(PeriodSpan.self, forKey: .previous)
            yearBefore = try c.decodeIfPresent(PeriodSpan.self, forKey: .yearBefore)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(period, forKey: .period); try c.encode(current, forKey: .current); try c.encode(previous, forKey: .previous)
            try c.encode(yearBefore, forKey: .yearBefore); try c.encode(yearToDate, forKey: .yearToDate)
        }
    }

    public struct Row: Codable, Hashable, Sendable {
        public var period: ReportingPeriod
        public var district: NamedReference
        /// Nil for offers that name no life phase.
        public var phase: LifePhase?
        public var figures: Figures

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(period, forKey: .period); try c.encode(district, forKey: .district)
            try c.encode(phase, forKey: .phase); try c.encode(figures, forKey: .figures)
        }
    }

    /// A period's sums over all districts and phases, every offer counted once.
    public struct Total: Codable, Hashable, Sendable {
        public var period: ReportingPeriod
        public var figures: Figures
    }

    /// A period's sums for one life phase over all districts.
    public struct PhaseSum: Codable, Hashable, Sendable {
        public var period: ReportingPeriod
        /// Nil for offers that name no life phase.
        public var phase: LifePhase?
        public var figures: Figures

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(period, forKey: .period); try c.encode(phase, forKey: .phase); try c.encode(figures, forKey: .figures)
        }
    }

    /// A period's sums for one district over all life phases, every offer counted once.
    public struct DistrictSum: Codable, Hashable, Sendable {
        public var period: ReportingPeriod
        public var district: NamedReference
        public var figures: Figures
    }

    public var granularity: PeriodGranularity
    /// The one period shown, if the report was limited to one.
    public var period: ReportingPeriod?
    /// The day the report was made: a year not over on it is compared year to date.
    public var today: String
    /// The districts whose offers count.
    public var scope: ReportScope
    /// For every shown period, newest first: what its figures sum and what they are compared with.
    public var comparisons: [Comparison]
    /// Newest period first; within a period by district name, then phase.
    public var rows: [Row]
    /// The same figures per life phase and per district, for readers who want the overview.
    public var byPhase: [PhaseSum]
    public var byDistrict: [DistrictSum]
    public var totals: [Total]

    public func comparison(for period: ReportingPeriod) -> Comparison? { comparisons.first { $0.period == period } }

    enum CodingKeys: String, CodingKey { case granularity, period, today, scope, comparisons, rows, byPhase, byDistrict, totals }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(granularity, forKey: .granularity); try c.encode(period, forKey: .period)
        try c.encode(today, forKey: .today); try c.encode(scope, forKey: .scope); try c.encode(comparisons, forKey: .comparisons)
        try c.encode(rows, forKey: .rows); try c.encode(byPhase, forKey: .byPhase); try c.encode(byDistrict, forKey: .byDistrict)
        try c.encode(totals, forKey: .totals)
    }
}

