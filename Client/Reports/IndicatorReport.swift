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
        /// The same sums for the previous period; nil when nothing was recorded then.
        public var previousParticipants: Int?
        public var previousSessions: Int?

        /// Saturating: a store may hold figures beyond the protocol's bounds (see `saturatingAdding`).
        public var participantsChange: Int? { previousParticipants.map { participants.saturatingSubtracting($0) } }
        public var sessionsChange: Int? { sessions.flatMap { current in previousSessions.map { current.saturatingSubtracting($0) } } }

        enum CodingKeys: String, CodingKey {
            case offers, participants, sessions, previousParticipants, previousSessions, participantsChange, sessionsChange
        }

        public init(offers: Int, participants: Int, sessions: Int?, previousParticipants: Int?, previousSessions: Int?) {
            self.offers = offers; self.participants = participants; self.sessions = sessions
            self.previousParticipants = previousParticipants; self.previousSessions = previousSessions
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offers = try c.decode(Int.self, forKey: .offers)
            participants = try c.decode(Int.self, forKey: .participants)
            sessions = try c.decodeIfPresent(Int.self, forKey: .sessions)
            previousParticipants = try c.decodeIfPresent(Int.self, forKey: .previousParticipants)
            previousSessions = try c.decodeIfPresent(Int.self, forKey: .previousSessions)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(offers, forKey: .offers); try c.encode(participants, forKey: .participants)
            try c.encode(sessions, forKey: .sessions); try c.encode(previousParticipants, forKey: .previousParticipants)
            try c.encode(previousSessions, forKey: .previousSessions); try c.encode(participantsChange, forKey: .participantsChange)
            try c.encode(sessionsChange, forKey: .sessionsChange)
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
    /// Newest period first; within a period by district name, then phase.
    public var rows: [Row]
    /// The same figures per life phase and per district, for readers who want the overview.
    public var byPhase: [PhaseSum]
    public var byDistrict: [DistrictSum]
    public var totals: [Total]

    enum CodingKeys: String, CodingKey { case granularity, period, rows, byPhase, byDistrict, totals }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(granularity, forKey: .granularity); try c.encode(period, forKey: .period)
        try c.encode(rows, forKey: .rows); try c.encode(byPhase, forKey: .byPhase); try c.encode(byDistrict, forKey: .byDistrict)
        try c.encode(totals, forKey: .totals)
    }
}

extension LocalStore {
    /// The indicator report. A `period` sets the granularity by its form (2026-Q1: quarters,
    /// 2025: years) and limits the rows to it; without one, every period with figures is shown
    /// at `granularity`.
    public func indicatorReport(period periodText: String? = nil, granularity: PeriodGranularity = .quarter,
                                district: String? = nil, phase: String? = nil, language: Language) throws -> IndicatorReport {
        let period = try periodText.map { try ReportingPeriod(parsing: $0) }
        let granularity = period.map { $0.isQuarter ? .quarter : .year } ?? granularity
        let districtID = try district.map { try Resolver.resolve($0, as: .district, in: database, language: language) }
        let phase = try Input.vocabulary(phase, LifePhase.self)
        let recorded = try recordedIndicators(granularity: granularity, district: districtID, phase: phase)
        var sums = IndicatorSums()
        sums.add(recorded, phase: phase)
        return sums.report(granularity: granularity, period: period)
    }

    /// Every offer's figures per period at `granularity`, for the offers in `district` and `phase`.
    ///
    /// One figure per offer and period. `kette offer indicator` writes one record per pair by its
    /// id; should records written some other way name the same pair, the one with the usual id
    /// counts, else the first by id: never their sum, and the same on every replica.
    private func recordedIndicators(granularity: PeriodGranularity, district: String?, phase: LifePhase?) throws -> RecordedIndicators {
        var recorded = RecordedIndicators(granularity: granularity)
        var seen: Set<String> = []
        let rows = try database.rows("""
            SELECT i.offer, i.period, i.participants, i.sessions, o.district, d.name AS district_name, o.phases, i.id
            FROM indicators i JOIN offers o ON o.id = i.offer JOIN districts d ON d.id = o.district
            WHERE i.deleted = 0 AND o.deleted = 0 AND d.deleted = 0
            ORDER BY i.id = i.offer || '|' || i.period DESC, i.id
            """)
        for row in rows {
            guard let offer = row.string("offer"), let period = row.string("period").flatMap(ReportingPeriod.init(exactly:)),
                  let districtOfOffer = row.string("district"), seen.insert(Self.indicatorID(offer: offer, period: period)).inserted else { continue }
            if let district, districtOfOffer != district { continue }
            let phases = FieldValue.storedList(row.string("phases")).compactMap(LifePhase.init(rawValue:))
            if let phase, !phases.contains(phase) { continue }
            recorded.facts[offer] = .init(district: NamedReference(id: districtOfOffer, name: row.string("district_name") ?? districtOfOffer),
                                          phases: phases)
            recorded.note(offer: offer, period: period,
                          IndicatorSum().adding(participants: row.int("participants") ?? 0, sessions: row.int("sessions")))
        }
        recorded.preferRecordedYears()
        return recorded
    }
}

/// Figures added up; sessions stay nil until some figure had them, as "none recorded" is not 0.
/// Sums saturate (`saturatingAdding`): figures from beyond the protocol's bounds cannot trap a report.
private struct IndicatorSum: Equatable {
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

    func figures(before: IndicatorSum?) -> IndicatorReport.Figures {
        .init(offers: offers, participants: participants, sessions: sessions,
              previousParticipants: before?.participants, previousSessions: before?.sessions)
    }
}

/// Each offer's figures per period at the wanted granularity, with what the report needs to know
/// about the offer. For years, recorded years and summed quarters are kept apart until the end,
/// where a recorded year wins.
private struct RecordedIndicators {
    struct OfferFacts {
        let district: NamedReference
        let phases: [LifePhase]
    }

    let granularity: PeriodGranularity
    var facts: [String: OfferFacts] = [:]
    private(set) var figures: [String: [ReportingPeriod: IndicatorSum]] = [:]
    private var summedQuarters: [String: [ReportingPeriod: IndicatorSum]] = [:]

    init(granularity: PeriodGranularity) { self.granularity = granularity }

    mutating func note(offer: String, period: ReportingPeriod, _ value: IndicatorSum) {
        switch (granularity, period.isQuarter) {
        case (.quarter, true), (.year, false):
            figures[offer, default: [:]][period] = value
        case (.year, true):
            let year = period.enclosingYear
            summedQuarters[offer, default: [:]][year] = (summedQuarters[offer]?[year] ?? IndicatorSum()).adding(value)
        case (.quarter, false):
            break  // a year's figure cannot be split into quarters
        }
    }

    mutating func preferRecordedYears() {
        for (offer, years) in summedQuarters {
            for (year, sum) in years where figures[offer]?[year] == nil { figures[offer, default: [:]][year] = sum }
        }
        summedQuarters = [:]
    }
}

/// The figures summed per period and district and life phase, per life phase, per district, and
/// in all; then laid out as the report, each sum beside the one of the period before.
private struct IndicatorSums {
    struct GroupKey: Hashable {
        let period: ReportingPeriod
        let district: String
        let phase: LifePhase?
    }

    private var groups: [GroupKey: IndicatorSum] = [:]
    private var phaseSums: [GroupKey: IndicatorSum] = [:]  // district ""
    private var districtSums: [GroupKey: IndicatorSum] = [:]  // phase nil
    private var totals: [ReportingPeriod: IndicatorSum] = [:]
    private var districtNames: [String: NamedReference] = [:]

    /// An offer for several life phases counts in each of them (of those asked for); districts
    /// and totals count it once.
    mutating func add(_ recorded: RecordedIndicators, phase: LifePhase?) {
        for (offer, periods) in recorded.figures {
            guard let fact = recorded.facts[offer] else { continue }
            districtNames[fact.district.id] = fact.district
            let phases: [LifePhase?] = fact.phases.isEmpty ? [nil] : fact.phases.filter { phase == nil || $0 == phase }
            for (period, value) in periods {
                for offerPhase in phases {
                    Self.add(value, to: &groups, GroupKey(period: period, district: fact.district.id, phase: offerPhase))
                    Self.add(value, to: &phaseSums, GroupKey(period: period, district: "", phase: offerPhase))
                }
                Self.add(value, to: &districtSums, GroupKey(period: period, district: fact.district.id, phase: nil))
                totals[period] = (totals[period] ?? IndicatorSum()).adding(value, offers: 1)
            }
        }
    }

    private static func add(_ value: IndicatorSum, to sums: inout [GroupKey: IndicatorSum], _ key: GroupKey) {
        sums[key] = (sums[key] ?? IndicatorSum()).adding(value, offers: 1)
    }

    func report(granularity: PeriodGranularity, period: ReportingPeriod?) -> IndicatorReport {
        let shown = { (candidate: ReportingPeriod) in period == nil || candidate == period }
        return IndicatorReport(granularity: granularity, period: period, rows: rows(shown), byPhase: byPhase(shown),
                               byDistrict: byDistrict(shown), totals: totalRows(shown))
    }

    private static func phaseOrder(_ phase: LifePhase?) -> Int {
        phase.flatMap { LifePhase.allCases.firstIndex(of: $0) } ?? LifePhase.allCases.count
    }

    /// Newest period first; within a period by district name, then phase.
    private func rows(_ shown: (ReportingPeriod) -> Bool) -> [IndicatorReport.Row] {
        var rows: [IndicatorReport.Row] = []
        for (key, sum) in groups where shown(key.period) {
            let before = groups[GroupKey(period: key.period.previous, district: key.district, phase: key.phase)]
            rows.append(.init(period: key.period, district: districtNames[key.district]!, phase: key.phase, figures: sum.figures(before: before)))
        }
        return rows.sorted {
            if $0.period != $1.period { return $0.period > $1.period }
            if $0.district.name.folded != $1.district.name.folded { return $0.district.name.folded < $1.district.name.folded }
            if $0.district.id != $1.district.id { return $0.district.id < $1.district.id }
            return Self.phaseOrder($0.phase) < Self.phaseOrder($1.phase)
        }
    }

    private func byPhase(_ shown: (ReportingPeriod) -> Bool) -> [IndicatorReport.PhaseSum] {
        var sums: [IndicatorReport.PhaseSum] = []
        for (key, sum) in phaseSums where shown(key.period) {
            let before = phaseSums[GroupKey(period: key.period.previous, district: "", phase: key.phase)]
            sums.append(.init(period: key.period, phase: key.phase, figures: sum.figures(before: before)))
        }
        return sums.sorted { $0.period != $1.period ? $0.period > $1.period : Self.phaseOrder($0.phase) < Self.phaseOrder($1.phase) }
    }

    private func byDistrict(_ shown: (ReportingPeriod) -> Bool) -> [IndicatorReport.DistrictSum] {
        var sums: [IndicatorReport.DistrictSum] = []
        for (key, sum) in districtSums where shown(key.period) {
            let before = districtSums[GroupKey(period: key.period.previous, district: key.district, phase: nil)]
            sums.append(.init(period: key.period, district: districtNames[key.district]!, figures: sum.figures(before: before)))
        }
        return sums.sorted {
            if $0.period != $1.period { return $0.period > $1.period }
            return $0.district.name.folded != $1.district.name.folded ? $0.district.name.folded < $1.district.name.folded : $0.district.id < $1.district.id
        }
    }

    private func totalRows(_ shown: (ReportingPeriod) -> Bool) -> [IndicatorReport.Total] {
        totals.filter { shown($0.key) }
            .map { IndicatorReport.Total(period: $0.key, figures: $0.value.figures(before: totals[$0.key.previous])) }
            .sorted { $0.period > $1.period }
    }
}
