import KetteProtocol
import KetteStore

/// What the planning reports count from, read once: the offers with their cells and dates, the
/// figures recorded for them, and the districts' names.
struct PlanningFacts {
    struct OfferFacts {
        let id: String
        let district: String?
        let phases: [LifePhase]
        let category: OfferCategory?
        let status: String?
        let start: CalendarDay?
        let end: CalendarDay?
        /// Figures by period: participants and sessions.
        var figures: [ReportingPeriod: (participants: Int, sessions: Int?)] = [:]

        /// Whether it ran on some day from `from` to `to`: active, and its dates (either may be
        /// open) overlap them.
        func ran(from: CalendarDay, to: CalendarDay) -> Bool {
            guard status == OfferStatus.active.slug else { return false }
            if let start, start > to { return false }
            if let end, end < from { return false }
            return true
        }
    }

    let offers: [OfferFacts]
    let districtNames: [String: String]

    init(store: LocalStore) throws {
        var offers: [String: OfferFacts] = [:]
        var order: [String] = []
        for row in try store.database.rows("SELECT id, district, phases, category, status, start_date, end_date FROM offers WHERE deleted = 0 ORDER BY id") {
            let id = row.string("id") ?? ""
            order.append(id)
            offers[id] = OfferFacts(id: id, district: row.string("district"),
                                    phases: FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:)),
                                    category: row.string("category").flatMap(OfferCategory.init(rawValue:)), status: row.string("status"),
                                    start: row.string("start_date").flatMap(CalendarDay.init), end: row.string("end_date").flatMap(CalendarDay.init))
        }
        for row in try store.database.rows("SELECT offer, period, participants, sessions FROM indicators WHERE deleted = 0") {
            guard let offer = row.string("offer"), offers[offer] != nil, let period = row.string("period").flatMap(ReportingPeriod.init(exactly:)) else { continue }
            offers[offer]!.figures[period] = (row.int("participants") ?? 0, row.int("sessions"))
        }
        self.offers = order.compactMap { offers[$0] }
        districtNames = Dictionary(try store.districts().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// The offers of a district and phase (nil: any), of one category if given.
    func offers(district: String?, phase: LifePhase?, category: OfferCategory? = nil) -> [OfferFacts] {
        offers.filter { offer in
            (district == nil || offer.district == district) && (phase.map(offer.phases.contains) ?? true)
                && (category == nil || offer.category == category)
        }
    }

    /// How many of `offers` ran on some day of the period (or on the day).
    static func running(_ offers: [OfferFacts], at point: EvaluationPoint) -> Int {
        let (from, to) = point.days
        return offers.filter { $0.ran(from: from, to: to) }.count
    }

    /// The participants (or sessions) of `offers` in a period: a year counts an offer's yearly
    /// figure where it has one, else the sum of its quarters. Nil when none of them has a figure.
    static func sum(_ offers: [OfferFacts], _ indicator: TargetIndicator, in period: ReportingPeriod) -> Int? {
        var total: Int?
        for offer in offers {
            var figures: [(participants: Int, sessions: Int?)] = offer.figures[period].map { [$0] } ?? []
            if figures.isEmpty, case .year = period { figures = period.quarters.compactMap { offer.figures[$0] } }
            for figure in figures {
                let value = indicator == .sessions ? figure.sessions : figure.participants
                if let value { total = (total ?? 0).saturatingAdding(value) }
            }
        }
        return total
    }

    /// The latest period any of `offers` has figures for that began by `point`; for equal ends a
    /// quarter before the year it closes (the finer figure).
    static func latestFigurePeriod(_ offers: [OfferFacts], upTo point: EvaluationPoint) -> ReportingPeriod? {
        let periods = Set(offers.flatMap(\.figures.keys)).filter { $0.firstQuarterIndex <= point.lastQuarter }
        return periods.max { ($0.lastQuarterIndex, $0.isQuarter ? 1 : 0) < ($1.lastQuarterIndex, $1.isQuarter ? 1 : 0) }
    }
}

extension EvaluationPoint {
    /// The first and last day it covers.
    var days: (from: CalendarDay, to: CalendarDay) {
        switch self {
        case .day(let day): return (day, day)
        case .period(let period):
            let first = period.quarters.first!, last = period.quarters.last!
            return (CalendarDay.firstDay(of: first), CalendarDay.lastDay(of: last))
        }
    }

    /// The quarter before a day's quarter, or the period before a period.
    var before: EvaluationPoint {
        switch self {
        case .period(let period): .period(period.previous)
        case .day(let day): .period(ReportingPeriod.quarter(of: day.description)!.previous)
        }
    }

    var label: String {
        switch self {
        case .period(let period): period.description
        case .day(let day): day.description
        }
    }
}

extension CalendarDay {
    static func firstDay(of quarter: ReportingPeriod) -> CalendarDay {
        guard case .quarter(let year, let number) = quarter else { return CalendarDay("\(quarter.year)-01-01")! }
        return CalendarDay(String(format: "%04d-%02d-01", year, (number - 1) * 3 + 1))!
    }

    static func lastDay(of quarter: ReportingPeriod) -> CalendarDay {
        guard case .quarter(let year, let number) = quarter else { return CalendarDay("\(quarter.year)-12-31")! }
        return CalendarDay(String(format: "%04d-%02d-%02d", year, number * 3, [31, 30, 30, 31][number - 1]))!
    }
}

extension PlanningFacts {
    /// A target as the goals report shows it, evaluated at `point`.
    func line(for target: Target, at point: EvaluationPoint) -> GoalReport.TargetLine {
        let (period, current, previousPeriod, previous) = values(of: target, at: point)
        let trend = Trend(current: current, previous: previous)
        let judgement = TargetJudgement(baseline: target.baseline, baselinePeriod: target.baselinePeriod.flatMap(ReportingPeriod.init(exactly:)),
                                        targetValue: target.targetValue, due: target.due.flatMap(ReportingPeriod.init(exactly:)))
        return GoalReport.TargetLine(
            id: target.id, indicator: target.indicator, name: target.name, unit: target.unit,
            district: target.district.map { NamedReference(id: $0, name: districtNames[$0] ?? $0) }, phase: target.phase,
            baseline: target.baseline, baselinePeriod: target.baselinePeriod, targetValue: target.targetValue, due: target.due,
            period: period, current: current, previousPeriod: previousPeriod, previous: previous, trend: trend,
            standing: judgement.standing(current: current, trend: trend, at: point))
    }

    /// The current value and the one before, with the periods they stand for.
    private func values(of target: Target, at point: EvaluationPoint) -> (String?, Int?, String?, Int?) {
        let cell = offers(district: target.district, phase: target.phase)
        switch target.indicator {
        case .activeOffers?:
            return (point.label, Self.running(cell, at: point), point.before.label, Self.running(cell, at: point.before))
        case .participants?, .sessions?:
            let indicator = target.indicator!
            let period: ReportingPeriod?
            if case .period(let asked) = point { period = asked } else { period = Self.latestFigurePeriod(cell, upTo: point) }
            guard let period else { return (nil, nil, nil, nil) }
            return (period.description, Self.sum(cell, indicator, in: period), period.previous.description, Self.sum(cell, indicator, in: period.previous))
        case .custom?:
            return Self.customValues(target.figures, at: point)
        case nil:
            return (nil, nil, nil, nil)
        }
    }

    /// A custom indicator's figure for the period (a year without its own: its latest quarter's),
    /// or the latest up to the day, and the figure before it.
    static func customValues(_ figures: [TargetFigure], at point: EvaluationPoint) -> (String?, Int?, String?, Int?) {
        let dated = figures.compactMap { figure in ReportingPeriod(exactly: figure.period).map { ($0, figure.value) } }
            .sorted { ($0.0.lastQuarterIndex, $0.0.isQuarter ? 0 : 1) < ($1.0.lastQuarterIndex, $1.0.isQuarter ? 0 : 1) }
        let upTo: [(ReportingPeriod, Int)]
        if case .period(let period) = point {
            upTo = dated.filter { $0.0 == period || ($0.0.isQuarter && period.quarters.contains($0.0)) }
                + dated.filter { $0.0.lastQuarterIndex < period.firstQuarterIndex }
        } else {
            upTo = dated.filter { $0.0.firstQuarterIndex <= point.lastQuarter }
        }
        let ordered = upTo.sorted { ($0.0.lastQuarterIndex, $0.0.isQuarter ? 0 : 1) < ($1.0.lastQuarterIndex, $1.0.isQuarter ? 0 : 1) }
        guard let latest = ordered.last else { return (nil, nil, nil, nil) }
        if case .period(let period) = point, latest.0.lastQuarterIndex < period.firstQuarterIndex { return (nil, nil, latest.0.description, latest.1) }
        let before = ordered.dropLast().last
        return (latest.0.description, latest.1, before?.0.description, before?.1)
    }
}
