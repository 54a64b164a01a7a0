import KetteMessages
import KetteProtocol

/// The goals and measures as HTML: the committee page's section "Ziele und Maßnahmen".
extension ReportHTML {
    /// The targets, missed and behind first, and the measures, overdue first, each list cut to the
    /// page's budget (`ListLimits.targets`, `.measures`).
    public func planningSection(goals: GoalReport, measures: MeasureReport, heading: String) -> HTML {
        var html: HTML = "<section class=\"planning\">\n<h2>\(heading)</h2>\n"
        let targets = goals.goals.flatMap { goal in goal.targets.map { (goal: goal, target: $0) } }
        if targets.isEmpty && measures.measures.isEmpty {
            return html + "<p class=\"empty\">\(PlanningText.noPlanning(language))</p>\n</section>\n"
        }
        html += "<p class=\"lead\">\(planningLead(goals, targets: targets.count, measures))</p>\n"
        return html + targetTable(targets) + measureTable(measures) + "</section>\n"
    }

    private func planningLead(_ goals: GoalReport, targets: Int, _ measures: MeasureReport) -> String {
        let standings = TargetStanding.allCases.compactMap { standing -> String? in
            guard let count = goals.standings[standing.rawValue], count > 0 else { return nil }
            return "\(number(count)) \(standing.text(language))"
        }
        let statuses = MeasureStatus.allCases.compactMap { status -> String? in
            guard let count = measures.byStatus[status.rawValue], count > 0 else { return nil }
            return "\(number(count)) \(status.label(language))"
        }
        return PlanningText.planningLead(language, [
            "goals": goals.goals.count, "targets": targets, "standings": standings.isEmpty ? "–" : standings.joined(separator: ", "),
            "measures": measures.measures.count, "statuses": statuses.isEmpty ? "–" : statuses.joined(separator: ", "),
            "overdue": measures.overdue])
    }

    /// The targets under their goals: a goal's statement once as a row across the table, then
    /// its targets one a line, so long statements do not squeeze the figures.
    private func targetTable(_ targets: [(goal: GoalReport.GoalLine, target: GoalReport.TargetLine)]) -> HTML {
        guard !targets.isEmpty else { return HTML() }
        // What needs the committee's attention first: missed, behind, no data, then on track and met.
        let urgency: [TargetStanding] = [.met, .onTrack, .noData, .behind, .missed]
        let shown = targets.mostRelevant(limits.targets) { urgency.firstIndex(of: $0.target.standing) ?? 0 }
        var html: HTML = "<table\(limits.isUnlimited ? HTML() : " class=\"compact\"")><thead><tr><th>\(PlanningText.headerTargetName(language))</th>"
            + "<th>\(PlanningText.columnBaseline(language))</th><th>\(PlanningText.columnTarget(language))</th>"
            + "<th>\(PlanningText.currentValue(language))</th><th>\(PlanningText.standing(language))</th></tr></thead><tbody>"
        var goalShown: String?
        for (goal, target) in shown {
            if goal.id != goalShown {
                html += "<tr class=\"goal\"><td colspan=\"5\"><strong>\(goal.statement)</strong></td></tr>"
                goalShown = goal.id
            }
            let current = target.current.map { number($0) + (target.period.map { " (\(day($0)))" } ?? "") } ?? "–"
            let goalValue = target.targetValue.map(number).map { $0 + (target.due.map { PlanningText.by(language) + $0 } ?? "") }
            html += "<tr><td>\(targetName(target))</td><td>\(target.baseline.map(number) ?? "–")</td>"
                + "<td>\(goalValue ?? "–")</td><td>\(current)</td><td>\(target.standing.text(language))</td></tr>"
        }
        return html + "</tbody></table>\n" + more(targets.count - shown.count)
    }

    /// "Teilnehmende · Nordstadt × Kita" and the like: what a target counts, and where.
    func targetName(_ target: GoalReport.TargetLine) -> String {
        let what = target.indicator == .custom ? (target.name ?? "–") + (target.unit.map { " (\($0))" } ?? "")
            : target.indicator?.label(language) ?? "–"
        let cell = [target.district?.name, target.phase.map { ReportFormatting.shortLabel($0, language) }].compactMap { $0 }
        return what + (cell.isEmpty ? "" : " · " + cell.joined(separator: " × "))
    }

    private func measureTable(_ report: MeasureReport) -> HTML {
        guard !report.measures.isEmpty else { return HTML() }
        var html: HTML = "<table\(limits.isUnlimited ? HTML() : " class=\"compact\"")><thead><tr><th>\(PlanningText.measure(language))</th>"
            + "<th>\(PlanningText.status(language))</th><th>\(PlanningText.due(language))</th>"
            + "<th>\(PlanningText.addresses(language))</th></tr></thead><tbody>"
        // The report lists overdue measures first, longest overdue first: its head is the most relevant.
        let shown = report.measures.prefix(limits.measures)
        for measure in shown {
            var due = HTML(text: measure.due.map(day) ?? "–")
            if let late = measure.daysOverdue {
                due += " <span class=\"overdue\">\(PlanningText.reviewOverdue(language, ["days": late]))</span>"
            }
            html += "<tr><td>\(measure.title)</td><td>\(measure.status.label(language))</td><td>\(due)</td><td>\(addressed(measure))</td></tr>"
        }
        return html + "</tbody></table>\n" + more(report.measures.count - shown.count)
    }

    /// The gaps and needs a measure addresses, each with whether it is closed now; on a page with
    /// a budget only how many of them are closed.
    private func addressed(_ measure: MeasureReport.Line) -> String {
        if !limits.isUnlimited {
            guard !measure.gaps.isEmpty || !measure.needs.isEmpty else { return "–" }
            return PlanningText.addressedCounts(language, [
                "closedGaps": measure.gaps.filter(\.closedNow).count, "gaps": measure.gaps.count,
                "closedNeeds": measure.needs.filter(\.closedNow).count, "needs": measure.needs.count])
        }
        let gaps = measure.gaps.map { gap in
            "\(gap.district.name) × \(ReportFormatting.shortLabel(gap.phase, language)): "
                + (gap.closedNow ? PlanningText.gapClosed(language, ["offers": gap.runningOffers]) : PlanningText.gapOpen(language))
        }
        let needs = measure.needs.map { need in
            let state = need.status == .closed ? PlanningText.needClosed(language)
                : need.covered ? PlanningText.needCovered(language) : need.status.label(language)
            return "\(need.description): \(state)"
        }
        let all = gaps + needs
        return all.isEmpty ? "–" : all.joined(separator: "; ")
    }
}
