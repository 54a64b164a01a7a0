import KetteMessages
import KetteProtocol

/// When a target is looked at: over a period asked for, or as of a day.
public enum EvaluationPoint: Hashable, Sendable {
    case period(ReportingPeriod)
    case day(CalendarDay)

    /// The last quarter it reaches, as a count of quarters since year 0.
    var lastQuarter: Int {
        switch self {
        case .period(let period): period.lastQuarterIndex
        case .day(let day): day.year * 4 + (day.month - 1) / 3
        }
    }
}

extension ReportingPeriod {
    /// The quarters it spans, counted since year 0: a comparable time axis for years and quarters.
    var firstQuarterIndex: Int { quarters.first.map { $0.year * 4 + $0.quarterNumber - 1 } ?? year * 4 }
    var lastQuarterIndex: Int { quarters.last.map { $0.year * 4 + $0.quarterNumber - 1 } ?? year * 4 + 3 }

    private var quarterNumber: Int {
        if case .quarter(_, let quarter) = self { return quarter }
        return 1
    }
}

/// How a target stands, judged from its baseline, its value, its due period and the current value.
public enum TargetStanding: String, Codable, Sendable, CaseIterable {
    /// The current value has reached the target value.
    case met
    /// Not yet, but as far as the time passed since the baseline lets expect (or, without a
    /// baseline period, moving towards the target).
    case onTrack = "on-track"
    /// Not as far as expected by now, or moving away from the target.
    case behind
    /// The due period is over and the target value was not reached.
    case missed
    /// Nothing recorded to judge by.
    case noData = "no-data"

    public var isOnTrack: Bool { self == .met || self == .onTrack }

    public var text: LocalizedText {
        switch self {
        case .met: PlanningText.met.text
        case .onTrack: PlanningText.onTrack.text
        case .behind: PlanningText.behind.text
        case .missed: PlanningText.missed.text
        case .noData: PlanningText.noData.text
        }
    }
}

/// The direction a value moved from one period to the one before.
public enum Trend: String, Codable, Sendable {
    case up, down, flat, unknown

    init(current: Int?, previous: Int?) {
        guard let current, let previous else { self = .unknown; return }
        self = current > previous ? .up : current < previous ? .down : .flat
    }

    public var symbol: String {
        switch self {
        case .up: "↑"
        case .down: "↓"
        case .flat: "→"
        case .unknown: "–"
        }
    }
}

/// Judges a target: the rule is documented on `TargetStanding`; kept apart from reading the store
/// so it can be checked case by case.
struct TargetJudgement {
    let baseline: Int?
    let baselinePeriod: ReportingPeriod?
    let targetValue: Int?
    let due: ReportingPeriod?

    func standing(current: Int?, trend: Trend, at point: EvaluationPoint) -> TargetStanding {
        guard let current, let targetValue else { return .noData }
        // A target below its baseline is one to bring down (fewer waiting families).
        let downwards = baseline.map { targetValue < $0 } ?? false
        if downwards ? current <= targetValue : current >= targetValue { return .met }
        if let due, point.lastQuarter > due.lastQuarterIndex { return .missed }
        guard let baseline, let baselinePeriod, let due, due.lastQuarterIndex > baselinePeriod.firstQuarterIndex else {
            let towards = downwards ? trend == .down : trend == .up
            return towards ? .onTrack : .behind
        }
        // Expected by now: the way from baseline to target, in step with the quarters passed.
        let total = Double(due.lastQuarterIndex - baselinePeriod.firstQuarterIndex + 1)
        let passed = Double(min(max(point.lastQuarter - baselinePeriod.firstQuarterIndex + 1, 0), Int(total)))
        let expected = Double(baseline) + Double(targetValue - baseline) * passed / total
        return (downwards ? Double(current) <= expected : Double(current) >= expected) ? .onTrack : .behind
    }
}
