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

        public var participantsChange: Int? { previousParticipants.map { participants - $0 } }
        public var sessionsChange: Int? { sessions.flatMap { current in previousSessions.map { current - $0 } } }

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

        struct OfferFacts {
            let district: NamedReference
            let phases: [LifePhase]
        }
        /// Figures added up; sessions stay nil until some figure had them, as "none recorded" is not 0.
        struct Sum {
            var offers = 0
            var participants = 0
            var sessions: Int?

            func adding(participants: Int, sessions: Int?, offers: Int = 0) -> Sum {
                let sessions = sessions.map { (self.sessions ?? 0) + $0 } ?? self.sessions
                return Sum(offers: self.offers + offers, participants: self.participants + participants, sessions: sessions)
            }

            func figures(before: Sum?) -> IndicatorReport.Figures {
                .init(offers: offers, participants: participants, sessions: sessions,
                      previousParticipants: before?.participants, previousSessions: before?.sessions)
            }
        }
        var facts: [String: OfferFacts] = [:]
        // Figures per offer and period at the wanted granularity; for years, recorded years and
        // summed quarters are kept apart until the end, where a recorded year wins.
        var figures: [String: [ReportingPeriod: Sum]] = [:]
        var summedQuarters: [String: [ReportingPeriod: Sum]] = [:]
        // One figure per offer and period. `kette offer indicator` writes one record per pair by
        // its id; should records written some other way name the same pair, the one with the
        // usual id counts, else the first by id: never their sum, and the same on every replica.
        var seen: Set<String> = []
        let rows = try database.rows("""
            SELECT i.offer, i.period, i.participants, i.sessions, o.district, d.name, o.phases, i.id
            FROM indicators i JOIN offers o ON o.id = i.offer JOIN districts d ON d.id = o.district
            WHERE i.deleted = 0 AND o.deleted = 0 AND d.deleted = 0
            ORDER BY i.id = i.offer || '|' || i.period DESC, i.id
            """)
        for row in rows {
            guard let offer = row.string(0), let recorded = row.string(1).flatMap(ReportingPeriod.init(exactly:)),
                  let districtOfOffer = row.string(4), seen.insert(Self.indicatorID(offer: offer, period: recorded)).inserted else { continue }
            if let districtID, districtOfOffer != districtID { continue }
            let phases = FieldValue.storedList(row.string(6)).compactMap(LifePhase.init(rawValue:))
            if let phase, !phases.contains(phase) { continue }
            facts[offer] = OfferFacts(district: NamedReference(id: districtOfOffer, name: row.string(5) ?? districtOfOffer), phases: phases)
            let value = Sum().adding(participants: row.int(2) ?? 0, sessions: row.int(3))
            switch (granularity, recorded.isQuarter) {
            case (.quarter, true), (.year, false):
                figures[offer, default: [:]][recorded] = value
            case (.year, true):
                let year = recorded.enclosingYear
                summedQuarters[offer, default: [:]][year] = (summedQuarters[offer]?[year] ?? Sum())
                    .adding(participants: value.participants, sessions: value.sessions)
            case (.quarter, false):
                continue  // a year's figure cannot be split into quarters
            }
        }
        for (offer, years) in summedQuarters {
            for (year, sum) in years where figures[offer]?[year] == nil { figures[offer, default: [:]][year] = sum }
        }

        struct GroupKey: Hashable {
            let period: ReportingPeriod
            let district: String
            let phase: LifePhase?
        }
        var groups: [GroupKey: Sum] = [:]
        var phaseSums: [GroupKey: Sum] = [:]  // district ""
        var districtSums: [GroupKey: Sum] = [:]  // phase nil
        var totals: [ReportingPeriod: Sum] = [:]
        var districtNames: [String: NamedReference] = [:]
        for (offer, periods) in figures {
            guard let fact = facts[offer] else { continue }
            districtNames[fact.district.id] = fact.district
            for (recorded, value) in periods {
                let phases: [LifePhase?] = fact.phases.isEmpty ? [nil] : fact.phases.filter { phase == nil || $0 == phase }
                for offerPhase in phases {
                    let key = GroupKey(period: recorded, district: fact.district.id, phase: offerPhase)
                    groups[key] = (groups[key] ?? Sum()).adding(participants: value.participants, sessions: value.sessions, offers: 1)
                    let phaseKey = GroupKey(period: recorded, district: "", phase: offerPhase)
                    phaseSums[phaseKey] = (phaseSums[phaseKey] ?? Sum()).adding(participants: value.participants, sessions: value.sessions, offers: 1)
                }
                let districtKey = GroupKey(period: recorded, district: fact.district.id, phase: nil)
                districtSums[districtKey] = (districtSums[districtKey] ?? Sum()).adding(participants: value.participants, sessions: value.sessions, offers: 1)
                totals[recorded] = (totals[recorded] ?? Sum()).adding(participants: value.participants, sessions: value.sessions, offers: 1)
            }
        }

        var report = IndicatorReport(granularity: granularity, period: period, rows: [], byPhase: [], byDistrict: [], totals: [])
        let phaseOrder = { (phase: LifePhase?) in phase.flatMap { LifePhase.allCases.firstIndex(of: $0) } ?? LifePhase.allCases.count }
        for (key, sum) in groups where period == nil || key.period == period {
            let before = groups[GroupKey(period: key.period.previous, district: key.district, phase: key.phase)]
            report.rows.append(.init(period: key.period, district: districtNames[key.district]!, phase: key.phase,
                                     figures: sum.figures(before: before)))
        }
        report.rows.sort {
            if $0.period != $1.period { return $0.period > $1.period }
            if $0.district.name.folded != $1.district.name.folded { return $0.district.name.folded < $1.district.name.folded }
            if $0.district.id != $1.district.id { return $0.district.id < $1.district.id }
            return phaseOrder($0.phase) < phaseOrder($1.phase)
        }
        for (key, sum) in phaseSums where period == nil || key.period == period {
            let before = phaseSums[GroupKey(period: key.period.previous, district: "", phase: key.phase)]
            report.byPhase.append(.init(period: key.period, phase: key.phase, figures: sum.figures(before: before)))
        }
        report.byPhase.sort { $0.period != $1.period ? $0.period > $1.period : phaseOrder($0.phase) < phaseOrder($1.phase) }
        for (key, sum) in districtSums where period == nil || key.period == period {
            let before = districtSums[GroupKey(period: key.period.previous, district: key.district, phase: nil)]
            report.byDistrict.append(.init(period: key.period, district: districtNames[key.district]!, figures: sum.figures(before: before)))
        }
        report.byDistrict.sort {
            if $0.period != $1.period { return $0.period > $1.period }
            return $0.district.name.folded != $1.district.name.folded ? $0.district.name.folded < $1.district.name.folded : $0.district.id < $1.district.id
        }
        for (recorded, sum) in totals where period == nil || recorded == period {
            let before = totals[recorded.previous]
            report.totals.append(.init(period: recorded, figures: sum.figures(before: before)))
        }
        report.totals.sort { $0.period > $1.period }
        return report
    }
}
