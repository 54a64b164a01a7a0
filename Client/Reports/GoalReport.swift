import KetteProtocol
import KetteStore

/// `kette report goals`: each goal's targets with their baseline, target value, the current value
/// computed from the records (never typed in), the trend and whether they are on track.
///
/// The current value of a target, for a period asked for or as of today:
/// - participants, sessions: the figures recorded for the offers of the target's district and
///   phase (either may be left out: then every district or phase), added up for the period (a
///   year: its yearly figure where an offer has one, else the sum of its quarters); as of today,
///   for the latest period with figures;
/// - active offers: the offers of the cell (district × phase) that ran on a day of the period,
///   as `report coverage` counts them; as of today, those running today;
/// - custom: the figure recorded for the period (a year without its own: its latest quarter's);
///   as of today, the latest figure.
/// The trend compares with the period before (of the same length), or for active offers as of
/// today with the quarter before.
public struct GoalReport: Encodable, Sendable {
    public struct TargetLine: Encodable, Hashable, Sendable {
        public var id: String
        public var indicator: TargetIndicator?
        /// A custom indicator's name and unit.
        public var name: String?
        public var unit: String?
        public var district: NamedReference?
        public var phase: LifePhase?
        public var baseline: Int?
        public var baselinePeriod: String?
        public var targetValue: Int?
        public var due: String?
        /// The period (or day) the current value stands for; nil when nothing is recorded.
        public var period: String?
        public var current: Int?
        public var previousPeriod: String?
        public var previous: Int?
        public var trend: Trend
        public var standing: TargetStanding
        public var onTrack: Bool { standing.isOnTrack }

        enum CodingKeys: String, CodingKey {
            case id, indicator, name, unit, district, phase, baseline, baselinePeriod, targetValue, due, period, current
            case previousPeriod, previous, trend, standing, onTrack
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.id, id), (.indicator, indicator), (.name, name), (.unit, unit), (.district, district), (.phase, phase),
                              (.baseline, baseline), (.baselinePeriod, baselinePeriod), (.targetValue, targetValue), (.due, due),
                              (.period, period), (.current, current), (.previousPeriod, previousPeriod), (.previous, previous),
                              (.trend, trend), (.standing, standing), (.onTrack, onTrack)])
        }
    }

    public struct GoalLine: Encodable, Hashable, Sendable {
        public var id: String
        public var statement: String
        public var body: NamedReference?
        public var district: NamedReference?
        public var phases: [LifePhase]
        public var targets: [TargetLine]

        enum CodingKeys: String, CodingKey { case id, statement, body, district, phases, targets }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.id, id), (.statement, statement), (.body, body), (.district, district), (.phases, phases), (.targets, targets)])
        }
    }

    /// The day the report was made, and the period asked for (nil: as of that day).
    public var today: String
    public var period: String?
    public var goals: [GoalLine]

    /// How many targets stand how, in the order of `TargetStanding`.
    public var standings: [String: Int] {
        var counts: [String: Int] = [:]
        for target in goals.flatMap(\.targets) { counts[target.standing.rawValue, default: 0] += 1 }
        return counts
    }

    enum CodingKeys: String, CodingKey { case today, period, goals, standings }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.today, today), (.period, period), (.goals, goals), (.standings, standings)])
    }
}

extension LocalStore {
    /// Every goal this store holds with its targets evaluated for `period`, or as of `today`.
    public func goalReport(period: ReportingPeriod?, today: CalendarDay, language: Language) throws -> GoalReport {
        let facts = try PlanningFacts(store: self)
        let point: EvaluationPoint = period.map(EvaluationPoint.period) ?? .day(today)
        let goals = try self.goals(language: language).map { goal in
            GoalReport.GoalLine(id: goal.id, statement: goal.statement,
                                body: goal.body.map { NamedReference(id: $0, name: goal.bodyName ?? $0) },
                                district: goal.district.map { NamedReference(id: $0, name: goal.districtName ?? $0) }, phases: goal.phases,
                                targets: goal.targets.map { facts.line(for: $0, at: point) })
        }
        return GoalReport(today: today.description, period: period?.description, goals: goals)
    }
}
