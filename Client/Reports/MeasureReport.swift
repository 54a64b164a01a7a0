import KetteProtocol
import KetteStore

/// `kette report measures`: the measures by status, overdue first, with the gaps and needs they
/// address and whether those are closed now.
///
/// A gap (district × phase) is closed now when an offer of that cell is running on the report's
/// day. A need is closed now when its status is `closed`, or when every cell it names (its
/// district with each of its phases) has a running offer of its category (any category when it
/// names none): then it is `covered`, and someone should confirm it by closing it. A county-wide
/// need names no cell and is closed only by its status.
public struct MeasureReport: Encodable, Sendable {
    public struct NeedState: Encodable, Hashable, Sendable {
        public var id: String
        public var description: String
        public var status: NeedStatus
        /// Its cells have running offers now (see above).
        public var covered: Bool
        public var closedNow: Bool { status == .closed || covered }

        enum CodingKeys: String, CodingKey { case id, description, status, covered, closedNow }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.id, id), (.description, description), (.status, status), (.covered, covered), (.closedNow, closedNow)])
        }
    }

    public struct GapState: Encodable, Hashable, Sendable {
        /// `DISTRICT:PHASE`.
        public var cell: String
        public var district: NamedReference
        public var phase: LifePhase
        /// Offers of the cell running on the report's day.
        public var runningOffers: Int
        public var closedNow: Bool { runningOffers > 0 }

        enum CodingKeys: String, CodingKey { case cell, district, phase, runningOffers, closedNow }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.cell, cell), (.district, district), (.phase, phase), (.runningOffers, runningOffers), (.closedNow, closedNow)])
        }
    }

    public struct Line: Encodable, Hashable, Sendable {
        public var id: String
        public var title: String
        public var status: MeasureStatus
        public var district: NamedReference?
        public var organization: NamedReference?
        public var owner: String?
        public var start: String?
        public var due: String?
        /// Days past the due date of a measure not done or dropped; nil when not overdue.
        public var daysOverdue: Int?
        public var overdue: Bool { daysOverdue != nil }
        public var needs: [NeedState]
        public var gaps: [GapState]
        public var goals: [NamedReference]
        /// The latest progress note.
        public var lastNote: MeasureNote?

        enum CodingKeys: String, CodingKey {
            case id, title, status, district, organization, owner, start, due, overdue, daysOverdue, needs, gaps, goals, lastNote
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.id, id), (.title, title), (.status, status), (.district, district), (.organization, organization),
                              (.owner, owner), (.start, start), (.due, due), (.overdue, overdue), (.daysOverdue, daysOverdue),
                              (.needs, needs), (.gaps, gaps), (.goals, goals), (.lastNote, lastNote)])
        }
    }

    public var today: String
    /// Overdue first (longest overdue first); then running, planned, done, dropped; then by due date.
    public var measures: [Line]

    public var overdue: Int { measures.filter(\.overdue).count }
    /// How many measures have each status.
    public var byStatus: [String: Int] {
        Dictionary(grouping: measures, by: \.status.rawValue).mapValues(\.count)
    }

    enum CodingKeys: String, CodingKey { case today, measures, overdue, byStatus }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeEach([(.today, today), (.measures, measures), (.overdue, overdue), (.byStatus, byStatus)])
    }
}

extension LocalStore {
    /// Every measure this store holds, as of `today`.
    public func measureReport(today: CalendarDay, language: Language) throws -> MeasureReport {
        let facts = try PlanningFacts(store: self)
        let needs = Dictionary(try self.needs(language: language).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let goals = Dictionary(try self.goals(language: language).map { ($0.id, $0.statement) }, uniquingKeysWith: { first, _ in first })
        let lines = try measures(language: language).map { measure in
            MeasureReport.Line(
                id: measure.id, title: measure.title, status: measure.status,
                district: measure.district.map { NamedReference(id: $0, name: measure.districtName ?? $0) },
                organization: measure.organization.map { NamedReference(id: $0, name: measure.organizationName ?? $0) },
                owner: measure.owner, start: measure.start, due: measure.due, daysOverdue: Self.daysOverdue(measure, today: today),
                needs: measure.needs.compactMap { needs[$0] }.map { facts.state(of: $0, on: today) },
                gaps: measure.gaps.compactMap(CoverageCell.init).map { facts.state(of: $0, on: today) },
                goals: measure.goals.map { NamedReference(id: $0, name: goals[$0] ?? $0) }, lastNote: measure.notes.last)
        }
        let statusOrder: [MeasureStatus] = [.running, .planned, .done, .dropped]
        let ordered = lines.sorted { a, b in
            if a.overdue != b.overdue { return a.overdue }
            if let x = a.daysOverdue, let y = b.daysOverdue, x != y { return x > y }
            let (x, y) = (statusOrder.firstIndex(of: a.status)!, statusOrder.firstIndex(of: b.status)!)
            if x != y { return x < y }
            return (a.due ?? "9999", a.title, a.id) < (b.due ?? "9999", b.title, b.id)
        }
        return MeasureReport(today: today.description, measures: ordered)
    }

    /// Days past the due date, for a measure still to be done.
    private static func daysOverdue(_ measure: Measure, today: CalendarDay) -> Int? {
        guard measure.status == .planned || measure.status == .running, let due = measure.due.flatMap(CalendarDay.init) else { return nil }
        let late = due.days(until: today)
        return late > 0 ? late : nil
    }
}

extension PlanningFacts {
    func state(of need: Need, on day: CalendarDay) -> MeasureReport.NeedState {
        let cells = need.cells
        let covered = !cells.isEmpty && cells.allSatisfy { cell in
            Self.running(offers(district: cell.district, phase: cell.phase, category: need.category), at: .day(day)) > 0
        }
        return MeasureReport.NeedState(id: need.id, description: need.description, status: need.status, covered: covered)
    }

    func state(of cell: CoverageCell, on day: CalendarDay) -> MeasureReport.GapState {
        MeasureReport.GapState(cell: cell.description, district: NamedReference(id: cell.district, name: districtNames[cell.district] ?? cell.district),
                               phase: cell.phase, runningOffers: Self.running(offers(district: cell.district, phase: cell.phase), at: .day(day)))
    }
}
