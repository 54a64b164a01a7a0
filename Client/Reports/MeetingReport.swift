import KetteProtocol
import KetteStore

/// How the chain's bodies worked: meetings per body and quarter, which organizations took part,
/// and what was decided.
public struct MeetingReport: Codable, Sendable {
    /// How often an organization was at a body's meetings in a quarter.
    public struct Attendance: Codable, Hashable, Sendable {
        /// As written in the minutes; nil for attendees recorded without one.
        public var organization: String?
        /// Meetings it was at.
        public var meetings: Int
        /// People it sent, summed over those meetings.
        public var attendees: Int

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(organization, forKey: .organization); try c.encode(meetings, forKey: .meetings)
            try c.encode(attendees, forKey: .attendees)
        }
    }

    public struct DecisionTaken: Codable, Hashable, Sendable {
        public var meeting: String
        public var date: String
        public var text: String
    }

    public struct Quarter: Codable, Hashable, Sendable {
        public var quarter: ReportingPeriod
        /// The meetings' dates, earliest first.
        public var meetingDates: [String]
        public var meetings: Int { meetingDates.count }
        /// Most present first.
        public var attendance: [Attendance]
        public var decisions: [DecisionTaken]

        enum CodingKeys: String, CodingKey { case quarter, meetings, meetingDates, attendance, decisions }

        public init(quarter: ReportingPeriod, meetingDates: [String], attendance: [Attendance], decisions: [DecisionTaken]) {
            self.quarter = quarter; self.meetingDates = meetingDates; self.attendance = attendance; self.decisions = decisions
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            quarter = try c.decode(ReportingPeriod.self, forKey: .quarter)
            meetingDates = try c.decode([String].self, forKey: .meetingDates)
            attendance = try c.decode([Attendance].self, forKey: .attendance)
            decisions = try c.decode([DecisionTaken].self, forKey: .decisions)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(quarter, forKey: .quarter); try c.encode(meetings, forKey: .meetings)
            try c.encode(meetingDates, forKey: .meetingDates); try c.encode(attendance, forKey: .attendance)
            try c.encode(decisions, forKey: .decisions)
        }
    }

    public struct BodySummary: Codable, Hashable, Sendable {
        public var body: NamedReference
        public var level: BodyLevel?
        /// Quarters with meetings, earliest first; empty when the body did not meet.
        public var quarters: [Quarter]

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(body, forKey: .body); try c.encode(level, forKey: .level); try c.encode(quarters, forKey: .quarters)
        }
    }

    /// The period the report is limited to, if any.
    public var period: ReportingPeriod?
    /// Every body, steering group first, each with its quarters.
    public var bodies: [BodySummary]

    public var meetings: Int { bodies.reduce(0) { $0 + $1.quarters.reduce(0) { $0 + $1.meetings } } }
    public var decisions: Int { bodies.reduce(0) { $0 + $1.quarters.reduce(0) { $0 + $1.decisions.count } } }

    enum CodingKeys: String, CodingKey { case period, meetings, decisions, bodies }

    public init(period: ReportingPeriod?, bodies: [BodySummary]) { self.period = period; self.bodies = bodies }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        period = try c.decodeIfPresent(ReportingPeriod.self, forKey: .period)
        bodies = try c.decode([BodySummary].self, forKey: .bodies)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(period, forKey: .period); try c.encode(meetings, forKey: .meetings)
        try c.encode(decisions, forKey: .decisions); try c.encode(bodies, forKey: .bodies)
    }
}

extension LocalStore {
    /// Meetings per body and quarter, optionally within one period (a year or a quarter) and of one body.
    public func meetingReport(period periodText: String? = nil, body: String? = nil, language: Language) throws -> MeetingReport {
        let period = try periodText.map { try ReportingPeriod(parsing: $0) }
        let bodyID = try body.map { try Resolver.resolve($0, as: .body, in: database, language: language) }
        let scope = try reportScope(language: language)
        // County-wide bodies are in a store only where the user may see them; district bodies
        // count in the scope's districts.
        let (inScope, outside) = try self.bodies().reduce(into: ([Body](), Set<String>())) { split, body in
            if body.district == nil || scope.contains(body.district) { split.0.append(body) } else { split.1.insert(body.id) }
        }

        struct MeetingFacts {
            let id: String
            let date: String
            let body: String
        }
        var meetingsByBody: [String: [ReportingPeriod: [MeetingFacts]]] = [:]
        for row in try database.rows("SELECT id, meeting_date, body FROM meetings WHERE deleted = 0 AND body IS NOT NULL ORDER BY meeting_date, id") {
            guard let id = row.string("id"), let date = row.string("meeting_date"), let body = row.string("body"),
                  let quarter = ReportingPeriod.quarter(of: date) else { continue }
            if let bodyID, body != bodyID { continue }
            if outside.contains(body) { continue }
            if let period, !period.contains(day: date) { continue }
            meetingsByBody[body, default: [:]][quarter, default: []].append(MeetingFacts(id: id, date: date, body: body))
        }

        // Bodies as listed, plus any whose meetings arrived before the body itself did.
        var bodies = inScope.filter { bodyID == nil || $0.id == bodyID }
        for id in meetingsByBody.keys.sorted() where !bodies.contains(where: { $0.id == id }) {
            bodies.append(Body(id: id, name: id, level: nil, district: nil))
        }
        let levelOrder = { (level: BodyLevel?) in level.flatMap { BodyLevel.allCases.firstIndex(of: $0) } ?? BodyLevel.allCases.count }
        bodies.sort { levelOrder($0.level) != levelOrder($1.level) ? levelOrder($0.level) < levelOrder($1.level)
                                                                   : $0.name.folded < $1.name.folded }

        var summaries: [MeetingReport.BodySummary] = []
        for body in bodies {
            var quarters: [MeetingReport.Quarter] = []
            for (quarter, meetings) in (meetingsByBody[body.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                quarters.append(try quarterSummary(quarter, meetings: meetings.map { ($0.id, $0.date) }))
            }
            summaries.append(.init(body: NamedReference(id: body.id, name: body.name), level: body.level, quarters: quarters))
        }
        return MeetingReport(period: period, bodies: summaries)
    }

    private func quarterSummary(_ quarter: ReportingPeriod, meetings: [(id: String, date: String)]) throws -> MeetingReport.Quarter {
        // Organizations are free text in the minutes: "Jugendamt" and "jugendamt" are one.
        var attendance: [String: (name: String?, meetings: Int, attendees: Int)] = [:]
        var decisions: [MeetingReport.DecisionTaken] = []
        for meeting in meetings {
            var seenHere: Set<String> = []
            for row in try database.rows("SELECT organization FROM attendees WHERE meeting = ? AND deleted = 0 ORDER BY rowid", [meeting.id]) {
                let name = row.string("organization")?.trimmingCharacters(in: .whitespaces).nilIfEmpty
                let key = name?.folded ?? ""
                var entry = attendance[key] ?? (name, 0, 0)
                entry.attendees += 1
                if seenHere.insert(key).inserted { entry.meetings += 1 }
                attendance[key] = entry
            }
            for row in try database.rows("SELECT decision_text FROM decisions WHERE meeting = ? AND deleted = 0 ORDER BY rowid", [meeting.id]) {
                decisions.append(.init(meeting: meeting.id, date: meeting.date, text: row.string("decision_text") ?? ""))
            }
        }
        let organizations = attendance.values.map { MeetingReport.Attendance(organization: $0.name, meetings: $0.meetings, attendees: $0.attendees) }
            .sorted { a, b in
                if a.meetings != b.meetings { return a.meetings > b.meetings }
                if (a.organization == nil) != (b.organization == nil) { return b.organization == nil }  // "not given" last
                return (a.organization?.folded ?? "") < (b.organization?.folded ?? "")
            }
        return .init(quarter: quarter, meetingDates: meetings.map(\.date), attendance: organizations, decisions: decisions)
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
