import KetteMessages
import KetteProtocol
import KetteStore

/// How people's input becomes the fields of each planning record (`RecordInput` keys are the
/// wire field names).
enum PlanningRules {
    static let need: [FieldRule] = [
        .text("description", required: true), .reference("district", .district), .phases("phases"),
        .vocabulary("category", OfferCategory.self), .text("source"), .reference("meeting", .meeting), .date("found"),
        .vocabulary("status", NeedStatus.self),
    ]
    static let goal: [FieldRule] = [
        .text("statement", required: true), .reference("body", .body), .reference("decision", .decision),
        .reference("district", .district), .phases("phases"),
    ]
    static let target: [FieldRule] = [
        .vocabulary("indicator", TargetIndicator.self, required: true), .reference("district", .district),
        .vocabulary("phase", LifePhase.self), .text("name"), .text("unit"), .count(.target, "baseline"),
        .period("baselinePeriod"), .count(.target, "targetValue", required: true), .period("due"),
    ]
    static let measure: [FieldRule] = [
        .text("title", required: true), .text("description"), .reference("district", .district), .references("needs", .need),
        .cells("gaps"), .references("goals", .goal), .reference("organization", .organization), .text("owner"),
        .reference("contact", .contact), .date("start"), .date("due"), .vocabulary("status", MeasureStatus.self),
        .reference("decision", .decision), .reference("task", .task),
    ]
}

/// Needs, goals with their targets and figures, measures with their progress notes: the
/// planning cycle. Each action is one change set; bad input writes nothing.
extension LocalStore {
    // MARK: Needs

    /// Records a need; open and found today unless said otherwise. Returns its id.
    public func addNeed(_ input: RecordInput, language: Language) throws -> String {
        var fields = try fieldValues(PlanningRules.need, input, creating: true, language: language)
        fields.setDefault("status", .string(NeedStatus.open.slug))
        fields.setDefault("found", .string(today()))
        return try addRecord(.need, fields, summary: "need add")
    }

    public func editNeed(_ reference: String, _ input: RecordInput, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .need, in: database, language: language)
        return try editRecord(.need, id: id, try fieldValues(PlanningRules.need, input, creating: false, language: language), summary: "need edit")
    }

    // MARK: Goals and targets

    /// Records a goal. Its district defaults to that of the body that set it, and its body to the
    /// body whose meeting took the decision.
    public func addGoal(_ input: RecordInput, language: Language) throws -> String {
        var fields = try fieldValues(PlanningRules.goal, input, creating: true, language: language)
        if case .string(let decision)? = fields.value(of: "decision") {
            fields.setDefault("body", try database.scalarString(
                "SELECT m.body FROM decisions d JOIN meetings m ON m.id = d.meeting WHERE d.id = ?", [decision]).map(FieldValue.string))
        }
        if case .string(let body)? = fields.value(of: "body"), input["district"] == nil {
            fields.setDefault("district", try database.scalarString("SELECT district FROM bodies WHERE id = ?", [body]).map(FieldValue.string))
        }
        return try addRecord(.goal, fields, summary: "goal add")
    }

    public func editGoal(_ reference: String, _ input: RecordInput, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .goal, in: database, language: language)
        return try editRecord(.goal, id: id, try fieldValues(PlanningRules.goal, input, creating: false, language: language), summary: "goal edit")
    }

    /// Adds a target to a goal. A count of active offers needs a coverage cell (district and
    /// phase); a custom indicator needs a name. Returns the target's id.
    public func addTarget(goal reference: String, _ input: RecordInput, language: Language) throws -> String {
        let goal = try Resolver.resolve(reference, as: .goal, in: database, language: language)
        var fields = try fieldValues(PlanningRules.target, input, creating: true, language: language)
        try Self.checkTarget(fields, language: language)
        fields.append(("goal", .string(goal)))
        return try addRecord(.target, fields, summary: "goal target")
    }

    /// Changes a target's fields; the result must still be a whole target.
    public func editTarget(_ reference: String, _ input: RecordInput, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .target, in: database, language: language)
        let changes = try fieldValues(PlanningRules.target, input, creating: false, language: language)
        var merged: [(String, FieldValue?)] = try PlanningRules.target.map { rule in
            (rule.field, try RecordApplier.currentVersion(type: .target, id: id, field: rule.field, in: database)?.value)
        }
        merged += changes
        try Self.checkTarget(merged, language: language)
        return try editRecord(.target, id: id, changes, summary: "target edit")
    }

    private static func checkTarget(_ fields: [(String, FieldValue?)], language: Language) throws {
        let given = { (field: String) -> Bool in
            if case .string? = fields.value(of: field) { return true }
            return false
        }
        guard case .string(let slug)? = fields.value(of: "indicator"), let indicator = TargetIndicator(rawValue: slug) else { return }
        if indicator == .activeOffers, !(given("district") && given("phase")) {
            throw KetteError.missingValue(field: PlanningText.cellFields.text)
        }
        if indicator == .custom, !given("name") {
            throw KetteError.missingValue(field: PlanningText.customName.text)
        }
    }

    /// Records a custom indicator's figure for a period; recording the same period again
    /// replaces it. Other indicators are computed from offers and their figures, never typed.
    @discardableResult
    public func recordTargetFigure(target reference: String, period periodText: String, value valueText: String, language: Language) throws -> String {
        let target = try Resolver.resolve(reference, as: .target, in: database, language: language)
        let indicator = try database.scalarString("SELECT indicator FROM targets WHERE id = ?", [target]).flatMap(TargetIndicator.init(rawValue:))
        guard indicator == .custom else {
            throw KetteError.malformedValue(field: FieldText.target.text, value: reference, expected: PlanningText.expectedCustomTarget.text)
        }
        let period = try ReportingPeriod(parsing: periodText)
        guard case .integer(let value) = try FieldRule.count(.targetFigure, "value").convert(valueText.trimmingCharacters(in: .whitespaces), database, language) else {
            throw KetteError.missingValue(field: FieldText.value.text)
        }
        // Derived, as for offers' figures: two people recording the same period write one record.
        let id = "\(target)|\(period)"
        try record("goal figure") { change in
            if try database.scalarInt("SELECT deleted FROM target_figures WHERE id = ?", [id]) == 1 {
                try change.set(.targetFigure, id, RecordType.deletedField, .bool(false))
            }
            try change.create(.targetFigure, id, [("target", .string(target)), ("period", .string(period.description)), ("value", .integer(value))])
        }
        return id
    }

    // MARK: Measures

    /// Records a measure. `fromDecision`/`fromTask` take it from a meeting: the decision's or
    /// task's text is the title unless one is given, a task's owner and due date are the
    /// measure's, and the district is the meeting's body's. Open needs it serves become addressed.
    public func addMeasure(_ input: RecordInput, fromDecision: String? = nil, fromTask: String? = nil, language: Language) throws -> String {
        var input = input
        try takeFromMinutes(&input, decision: fromDecision, task: fromTask, creating: true, language: language)
        var fields = try fieldValues(PlanningRules.measure, input, creating: true, language: language)
        fields.setDefault("status", .string(MeasureStatus.planned.slug))
        return try addRecord(.measure, fields, summary: "measure add") { change, _ in
            try self.markNeedsAddressed(fields, change)
        }
    }

    /// Changes a measure; `fromDecision`/`fromTask` link it to a decision or task of a meeting
    /// (and take what the measure does not have yet from it).
    public func editMeasure(_ reference: String, _ input: RecordInput, fromDecision: String? = nil, fromTask: String? = nil,
                            language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .measure, in: database, language: language)
        var input = input
        try takeFromMinutes(&input, decision: fromDecision, task: fromTask, creating: false, measure: id, language: language)
        let fields = try fieldValues(PlanningRules.measure, input, creating: false, language: language)
        return try editRecord(.measure, id: id, fields, summary: "measure edit") { change in try self.markNeedsAddressed(fields, change) }
    }

    /// Adds a progress note to a measure, and changes its status in the same change set if given.
    public func addMeasureNote(measure reference: String, text: String, date: String?, status: String?, language: Language) throws -> String {
        let measure = try Resolver.resolve(reference, as: .measure, in: database, language: language)
        let text = try Input.requiredText(text, field: "text")
        let date = try Input.date(date, field: "date") ?? today()
        let status = try Input.vocabulary(status, MeasureStatus.self)
        return try addRecord(.measureNote, [("measure", .string(measure)), ("date", .string(date)), ("text", .string(text))],
                             summary: "measure note") { change, _ in
            if let status { try change.set(.measure, measure, "status", .string(status.slug)) }
        }
    }

    /// Fills a measure's input from a decision or task of a meeting: the link, and what the
    /// person did not type (on edit: what the measure does not hold yet).
    private func takeFromMinutes(_ input: inout RecordInput, decision: String?, task: String?, creating: Bool, measure: String? = nil,
                                 language: Language) throws {
        func missing(_ field: String) throws -> Bool {
            guard input[field] == nil else { return false }
            guard let measure else { return true }
            return try RecordApplier.currentVersion(type: .measure, id: measure, field: field, in: database).map { $0.value == .null } ?? true
        }
        var meeting: String?
        if let decision {
            let id = try Resolver.resolve(decision, as: .decision, in: database, language: language)
            input["decision"] = id
            let row = try database.firstRow("SELECT meeting, decision_text FROM decisions WHERE id = ?", [id])
            meeting = row?.string("meeting")
            if try missing("title"), let text = row?.string("decision_text") { input["title"] = text }
        }
        if let task {
            let id = try Resolver.resolve(task, as: .task, in: database, language: language)
            input["task"] = id
            let row = try database.firstRow("SELECT meeting, task_text, owner, due, contact FROM tasks WHERE id = ?", [id])
            meeting = meeting ?? row?.string("meeting")
            for (field, column) in [("title", "task_text"), ("owner", "owner"), ("due", "due"), ("contact", "contact")] {
                if try missing(field), let value = row?.string(column) { input[field] = value }
            }
        }
        if creating, input["district"] == nil, let meeting,
           let district = try database.scalarString("SELECT b.district FROM meetings m JOIN bodies b ON b.id = m.body WHERE m.id = ?", [meeting]) {
            input["district"] = district
        }
    }

    /// An open need a measure now serves is addressed: written in the measure's change set.
    private func markNeedsAddressed(_ fields: [(String, FieldValue?)], _ change: ChangeSetBuilder) throws {
        guard case .list(let needs)? = fields.value(of: "needs") else { return }
        for need in needs where try database.scalarString("SELECT status FROM needs WHERE id = ?", [need]) == NeedStatus.open.slug {
            try change.set(.need, need, "status", .string(NeedStatus.addressed.slug))
        }
    }
}
