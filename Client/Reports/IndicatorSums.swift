import KetteProtocol
import KetteStore

extension LocalStore {
    /// The indicator report over the districts the store can see (`ReportScope`). A `period` sets
    /// the granularity by its form (2026-Q1: quarters, 2025: years) and limits the rows to it;
    /// without one, every period with figures is shown at `granularity`. Each period is compared
    /// like with like as of `today` (`IndicatorReport.Comparison.likeWithLike`).
    public func indicatorReport(period periodText: String? = nil, granularity: PeriodGranularity = .quarter,
                                district: String? = nil, phase: String? = nil, today: CalendarDay,
                                language: Language) throws -> IndicatorReport {
        let period = try periodText.map { try ReportingPeriod(parsing: $0) }
        let granularity = period.map { $0.isQuarter ? .quarter : .year } ?? granularity
        let scope = try reportScope(district: district, language: language)
        let phase = try Input.vocabulary(phase, LifePhase.self)
        let recorded = try recordedIndicators(scope: scope, phase: phase)
        let shown = period.map { [$0] } ?? recorded.periods(granularity)
        let comparisons = shown.map {
            IndicatorReport.Comparison.likeWithLike($0, today: today, latestQuarter: recorded.latestQuarter(of: $0.year))
        }
        var sums = IndicatorSums()
        for comparison in comparisons { sums.add(recorded, comparison: comparison, phase: phase) }
        return IndicatorReport(granularity: granularity, period: period, today: today.description, scope: scope,
                               comparisons: comparisons, rows: sums.rows(), byPhase: sums.byPhase(), byDistrict: sums.byDistrict(),
                               totals: sums.totalRows())
    }

    /// Every offer's recorded figures, for the offers in the scope's districts and in `phase`.
    ///
    /// One figure per offer and period. `kette offer indicator` writes one record per pair by its
    /// id; should records written some other way name the same pair, the one with the usual id
    /// counts, else the first by id: never their sum, and the same on every replica.
    private func recordedIndicators(scope: ReportScope, phase: LifePhase?) throws -> RecordedIndicators {
        var recorded = RecordedIndicators()
        var seen: Set<String> = []
        let names = Dictionary(scope.districts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = try database.rows("""
            SELECT i.offer, i.period, i.participants, i.sessions, o.district, o.phases, i.id
            FROM indicators i JOIN offers o ON o.id = i.offer
            WHERE i.deleted = 0 AND o.deleted = 0
            ORDER BY i.id = i.offer || '|' || i.period DESC, i.id
            """)
        for row in rows {
            guard let offer = row.string("offer"), let period = row.string("period").flatMap(ReportingPeriod.init(exactly:)),
                  let district = row.string("district").flatMap({ names[$0] }),
                  seen.insert(Self.indicatorID(offer: offer, period: period)).inserted else { continue }
            let phases = FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:))
            if let phase, !phases.contains(phase) { continue }
            recorded.facts[offer] = .init(district: district, phases: phases)
            recorded.figures[offer, default: [:]][period] = IndicatorSum().adding(participants: row.int("participants") ?? 0,
                                                                                 sessions: row.int("sessions"))
        }
        return recorded
    }
}

/// Figures added up; sessions stay nil until some figure had them, as "none recorded" is not 0.
/// Sums saturate (`saturatingAdding`): figures from beyond the protocol's bounds cannot trap a report.
struct IndicatorSum: Equatable {
    var offers = 0
    var participants = 0
    var sessions: Int?

    func adding(participants: Int, sessions: Int?, offers: Int = 0) -> IndicatorSum {
        let sessions = sessions.map { (self.sessions ?? 0).saturatingAdding($0) } ?? self.sessions
        return IndicatorSum(offers: self.offers + offers, participants: self.participants.saturatingAdding(participants), sessions: sessions)
    }

    func adding(_ other: IndicatorSum, offers: Int = 0) -> IndicatorSum {
        adding(participants: other.participants, sessions: other.sessions, offers: offers)
    }
}

/// Each offer's figures as recorded, per period (quarters and years alike), with what the report
/// needs to know about the offer.
struct RecordedIndicators {
    struct OfferFacts {
        let district: NamedReference
        let phases: [LifePhase]
    }

    var facts: [String: OfferFacts] = [:]
    var figures: [String: [ReportingPeriod: IndicatorSum]] = [:]

    /// An offer's sum over a span; nil when it recorded nothing there. A year takes the recorded
    /// yearly figure (the offer's own total) where there is one, else the sum of its quarters.
    func sum(offer: String, over span: PeriodSpan) -> IndicatorSum? {
        guard let recorded = figures[offer] else { return nil }
        func quarters(_ year: Int, _ range: ClosedRange<Int>) -> IndicatorSum? {
            let found = range.compactMap { recorded[.quarter(year: year, quarter: $0)] }
            return found.isEmpty ? nil : found.reduce(IndicatorSum()) { $0.adding($1) }
        }
        switch span {
        case .quarter(let year, let quarter): return recorded[.quarter(year: year, quarter: quarter)]
        case .year(let year): return recorded[.year(year)] ?? quarters(year, 1...4)
        case .yearToDate(let year, let through): return quarters(year, 1...through)
        }
    }

    /// The periods with figures at a granularity, newest first: quarters with quarterly figures,
    /// or years with any.
    func periods(_ granularity: PeriodGranularity) -> [ReportingPeriod] {
        var periods: Set<ReportingPeriod> = []
        for recorded in figures.values {
            for period in recorded.keys {
                switch granularity {
                case .quarter: if period.isQuarter { periods.insert(period) }
                case .year: periods.insert(period.enclosingYear)
                }
            }
        }
        return periods.sorted(by: >)
    }

    /// The last quarter of `year` that any offer recorded figures for.
    func latestQuarter(of year: Int) -> Int? {
        var latest: Int?
        for recorded in figures.values {
            for case .quarter(let y, let quarter) in recorded.keys where y == year { latest = max(latest ?? 0, quarter) }
        }
        return latest
    }
}

/// The figures of every shown period summed per district and life phase, per life phase, per
/// district and in all, each beside the sums of the spans it is compared with.
struct IndicatorSums {
    struct GroupKey: Hashable {
        let period: ReportingPeriod
        let district: String
        let phase: LifePhase?
    }

    /// A group's sums: its own, and those it is compared with.
    struct Compared {
        var current: IndicatorSum?
        var previous: IndicatorSum?
        var yearBefore: IndicatorSum?

        var figures: IndicatorReport.Figures? {
            guard let current else { return nil }
            return .init(offers: current.offers, participants: current.participants, sessions: current.sessions,
                         previousParticipants: previous?.participants, previousSessions: previous?.sessions,
                         yearBeforeParticipants: yearBefore?.participants, yearBeforeSessions: yearBefore?.sessions)
        }
    }

    private var groups: [GroupKey: Compared] = [:]
    private var phaseSums: [GroupKey: Compared] = [:]  // district ""
    private var districtSums: [GroupKey: Compared] = [:]  // phase nil
    private var totals: [ReportingPeriod: Compared] = [:]
    private var districtNames: [String: NamedReference] = [:]

    /// An offer for several life phases counts in each of them (of those asked for); districts
    /// and totals count it once. Offers count in a period only where they have its figures.
    mutating func add(_ recorded: RecordedIndicators, comparison: IndicatorReport.Comparison, phase: LifePhase?) {
        let period = comparison.period
        for (offer, fact) in recorded.facts {
            let sums = Compared(current: recorded.sum(offer: offer, over: comparison.current),
                                previous: comparison.previous.flatMap { recorded.sum(offer: offer, over: $0) },
                                yearBefore: comparison.yearBefore.flatMap { recorded.sum(offer: offer, over: $0) })
            guard sums.current != nil || sums.previous != nil || sums.yearBefore != nil else { continue }
            districtNames[fact.district.id] = fact.district
            let phases: [LifePhase?] = fact.phases.isEmpty ? [nil] : fact.phases.filter { phase == nil || $0 == phase }
            for offerPhase in phases {
                Self.add(sums, to: &groups, GroupKey(period: period, district: fact.district.id, phase: offerPhase))
                Self.add(sums, to: &phaseSums, GroupKey(period: period, district: "", phase: offerPhase))
            }
            Self.add(sums, to: &districtSums, GroupKey(period: period, district: fact.district.id, phase: nil))
            totals[period] = Self.adding(sums, to: totals[period])
        }
    }

    private static func add(_ sums: Compared, to table: inout [GroupKey: Compared], _ key: GroupKey) {
        table[key] = adding(sums, to: table[key])
    }

    private static func adding(_ sums: Compared, to existing: Compared?) -> Compared {
        func add(_ value: IndicatorSum?, _ to: IndicatorSum?, offers: Int = 0) -> IndicatorSum? {
            guard let value else { return to }
            return (to ?? IndicatorSum()).adding(value, offers: offers)
        }
        let existing = existing ?? Compared()
        return Compared(current: add(sums.current, existing.current, offers: 1), previous: add(sums.previous, existing.previous),
                        yearBefore: add(sums.yearBefore, existing.yearBefore))
    }

    private static func phaseOrder(_ phase: LifePhase?) -> Int {
        phase.flatMap { LifePhase.allCases.firstIndex(of: $0) } ?? LifePhase.allCases.count
    }

    private func byName(_ a: NamedReference, _ b: NamedReference) -> Bool {
        a.name.folded != b.name.folded ? a.name.folded < b.name.folded : a.id < b.id
    }

    /// Newest period first; within a period by district name, then phase.
    func rows() -> [IndicatorReport.Row] {
        groups.compactMap { key, sums in
            sums.figures.map { IndicatorReport.Row(period: key.period, district: districtNames[key.district]!, phase: key.phase, figures: $0) }
        }.sorted {
            if $0.period != $1.period { return $0.period > $1.period }
            if $0.district.id != $1.district.id { return byName($0.district, $1.district) }
            return Self.phaseOrder($0.phase) < Self.phaseOrder($1.phase)
        }
    }

    func byPhase() -> [IndicatorReport.PhaseSum] {
        phaseSums.compactMap { key, sums in sums.figures.map { IndicatorReport.PhaseSum(period: key.period, phase: key.phase, figures: $0) } }
            .sorted { $0.period != $1.period ? $0.period > $1.period : Self.phaseOrder($0.phase) < Self.phaseOrder($1.phase) }
    }

    func byDistrict() -> [IndicatorReport.DistrictSum] {
        districtSums.compactMap { key, sums in
            sums.figures.map { IndicatorReport.DistrictSum(period: key.period, district: districtNames[key.district]!, figures: $0) }
        }.sorted { $0.period != $1.period ? $0.period > $1.period : byName($0.district, $1.district) }
    }

    func totalRows() -> [IndicatorReport.Total] {
        totals.compactMap { period, sums in sums.figures.map { IndicatorReport.Total(period: period, figures: $0) } }
            .sorted { $0.period > $1.period }
    }
}
