import KetteProtocol
import KetteStore

/// The open action items of every body, overdue first: what the steering group has to chase.
public struct TaskReport: Codable, Sendable {
    public struct Item: Codable, Hashable, Sendable {
        public var id: String
        public var text: String
        public var owner: String?
        public var due: String?
        /// Days past the due date as of `today`; nil when not overdue.
        public var daysOverdue: Int?
        public var overdue: Bool { daysOverdue != nil }
        public var meeting: String
        public var meetingDate: String?
        public var body: NamedReference?

        enum CodingKeys: String, CodingKey { case id, text, owner, due, overdue, daysOverdue, meeting, meetingDate, body }

        public init(id: String, text: String, owner: String?, due: String?, daysOverdue: Int?, meeting: String,
                    meetingDate: String?, body: NamedReference?) {
            self.id = id; self.text = text; self.owner = owner; self.due = due; self.daysOverdue = daysOverdue
            self.meeting = meeting; self.meetingDate = meetingDate; self.body = body
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id); text = try c.decode(String.self, forKey: .text)
            owner = try c.decodeIfPresent(String.self, forKey: .owner); due = try c.decodeIfPresent(String.self, forKey: .due)
            daysOverdue = try c.decodeIfPresent(Int.self, forKey: .daysOverdue); meeting = try c.decode(String.self, forKey: .meeting)
            meetingDate = try c.decodeIfPresent(String.self, forKey: .meetingDate)
            body = try c.decodeIfPresent(NamedReference.self, forKey: .body)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id); try c.encode(text, forKey: .text); try c.encode(owner, forKey: .owner)
            try c.encode(due, forKey: .due); try c.encode(overdue, forKey: .overdue); try c.encode(daysOverdue, forKey: .daysOverdue)
            try c.encode(meeting, forKey: .meeting); try c.encode(meetingDate, forKey: .meetingDate); try c.encode(body, forKey: .body)
        }
    }

    /// An agreement whose review date has passed or comes within `AgreementReview.horizonDays`.
    public struct AgreementReview: Codable, Hashable, Sendable {
        /// How far ahead a review counts as due: a quarter, so the steering group that meets
        /// quarterly sees it at the meeting before.
        public static let horizonDays = 90

        public var id: String
        public var title: String
        public var kind: AgreementKind?
        public var body: NamedReference?
        public var review: String
        /// Days past the review date as of `today`; nil when it is still to come.
        public var daysOverdue: Int?
        public var overdue: Bool { daysOverdue != nil }

        enum CodingKeys: String, CodingKey { case id, title, kind, body, review, overdue, daysOverdue }

        public init(id: String, title: String, kind: AgreementKind?, body: NamedReference?, review: String, daysOverdue: Int?) {
            self.id = id; self.title = title; self.kind = kind; self.body = body; self.review = review; self.daysOverdue = daysOverdue
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id); title = try c.decode(String.self, forKey: .title)
            kind = try c.decodeIfPresent(AgreementKind.self, forKey: .kind); body = try c.decodeIfPresent(NamedReference.self, forKey: .body)
            review = try c.decode(String.self, forKey: .review); daysOverdue = try c.decodeIfPresent(Int.self, forKey: .daysOverdue)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeEach([(.id, id), (.title, title), (.kind, kind), (.body, body), (.review, review), (.overdue, overdue),
                              (.daysOverdue, daysOverdue)])
        }
    }

    /// The day the report counts overdue items from.
    public var today: String
    /// Overdue items first (longest overdue first), then by due date, then those without one.
    public var tasks: [Item]
    public var overdue: Int { tasks.filter(\.overdue).count }
    /// Agreements due for review, soonest review date (longest overdue) first.
    public var agreementsForReview: [AgreementReview]

    enum CodingKeys: String, CodingKey { case today, tasks, overdue, agreementsForReview }

    public init(today: String, tasks: [Item], agreementsForReview: [AgreementReview] = []) {
        self.today = today; self.tasks = tasks; self.agreementsForReview = agreementsForReview
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        today = try c.decode(String.self, forKey: .today)
        tasks = try c.decode([Item].self, forKey: .tasks)
        agreementsForReview = try c.decodeIfPresent([AgreementReview].self, forKey: .agreementsForReview) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(today, forKey: .today); try c.encode(tasks, forKey: .tasks); try c.encode(overdue, forKey: .overdue)
        try c.encode(agreementsForReview, forKey: .agreementsForReview)
    }
}

extension LocalStore {
    /// Open action items of meetings that still exist, and agreements due for review, optionally of one body only.
    public func taskReport(today: CalendarDay, body: String? = nil, language: Language) throws -> TaskReport {
        let bodyID = try body.map { try Resolver.resolve($0, as: .body, in: database, language: language) }
        let scope = try reportScope(language: language)
        return TaskReport(today: today.description, tasks: try openTasks(today: today, body: bodyID, scope: scope),
                          agreementsForReview: try agreementsForReview(today: today, body: bodyID, scope: scope))
    }

    private func openTasks(today: CalendarDay, body: String?, scope: ReportScope) throws -> [TaskReport.Item] {
        var sql = """
            SELECT t.id, t.task_text, t.owner, t.due, t.meeting, m.meeting_date, m.body, b.name AS body_name, b.district AS body_district
            FROM tasks t JOIN meetings m ON m.id = t.meeting LEFT JOIN bodies b ON b.id = m.body
            WHERE t.deleted = 0 AND m.deleted = 0 AND t.status IS NOT 'done'
            """
        var arguments: [DatabaseValueConvertible?] = []
        if let body {
            sql += " AND m.body = ?"
            arguments.append(body)
        }
        // Action items of bodies in districts outside the scope do not count (county-wide bodies do).
        let inScope = try database.rows(sql, arguments).filter { $0.string("body_district").map(scope.contains) ?? true }
        let items = inScope.map { row -> TaskReport.Item in
            let due = row.string("due")
            // A due date that is not a day (a synced value typed elsewhere) cannot be overdue.
            let late = due.flatMap(CalendarDay.init).map { today.dayNumber - $0.dayNumber }
            return .init(id: row.string("id") ?? "", text: row.string("task_text") ?? "", owner: row.string("owner"), due: due,
                         daysOverdue: late.flatMap { $0 > 0 ? $0 : nil }, meeting: row.string("meeting") ?? "",
                         meetingDate: row.string("meeting_date"),
                         body: row.string("body").map { NamedReference(id: $0, name: row.string("body_name") ?? $0) })
        }
        return items.sorted { a, b in
            if a.overdue != b.overdue { return a.overdue }
            switch (a.due, b.due) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: break
            }
            if a.meetingDate != b.meetingDate { return (a.meetingDate ?? "") < (b.meetingDate ?? "") }
            return a.id < b.id
        }
    }

    /// Agreements whose review date is past or within the horizon, of districts in the scope (and
    /// county-wide ones), of one body if asked; an agreement without a review date is never due.
    private func agreementsForReview(today: CalendarDay, body: String?, scope: ReportScope) throws -> [TaskReport.AgreementReview] {
        try agreements().compactMap { agreement -> TaskReport.AgreementReview? in
            guard let review = agreement.review.flatMap(CalendarDay.init),
                  today.days(until: review) <= TaskReport.AgreementReview.horizonDays,
                  body == nil || agreement.body == body,
                  agreement.district.map(scope.contains) ?? true else { return nil }
            let late = review.days(until: today)
            return .init(id: agreement.id, title: agreement.title, kind: agreement.kind,
                         body: agreement.body.map { NamedReference(id: $0, name: agreement.bodyName ?? $0) },
                         review: review.description, daysOverdue: late > 0 ? late : nil)
        }
    }
}
