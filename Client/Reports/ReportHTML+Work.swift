import KetteMessages
import KetteProtocol

/// The bodies' work and the open action items as HTML.
extension ReportHTML {
    public func meetingSection(_ report: MeetingReport, heading: String, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"meetings\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        let lead = report.period.map { say(.meetingsLeadIn, ["meetings": report.meetings, "decisions": report.decisions, "period": $0.label(language)]) }
            ?? say(.meetingsLead, ["meetings": report.meetings, "decisions": report.decisions])
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.bodies.isEmpty {
            return html + "<p class=\"empty\">\(say(.noBodies))</p>\n</section>\n"
        }
        // Cut: the bodies that met most are the most relevant; those that did not meet are summed up.
        let met = report.bodies.filter { !$0.quarters.isEmpty }
        let shown = limits.isUnlimited ? report.bodies[...] : met.mostRelevant(limits.bodies) { $0.quarters.reduce(0) { $0 + $1.meetings } }
        html += limits.isUnlimited ? shown.map(bodyWork).joined() : bodyTable(Array(shown))
        html += more(met.count - shown.filter { !$0.quarters.isEmpty }.count)
        if !limits.isUnlimited, met.count < report.bodies.count {
            html += "<p class=\"note\">\(say(.idleBodies, ["count": report.bodies.count - met.count]))</p>\n"
        }
        return html + "</section>\n"
    }

    /// The bodies' work in a table of one row each, for a page with a budget: meetings, the
    /// latest decisions, the organizations most present.
    private func bodyTable(_ bodies: [MeetingReport.BodySummary]) -> HTML {
        var html: HTML = "<table class=\"compact\"><thead><tr><th>\(say(.headerBody))</th><th class=\"num\">\(say(.headerMeetings))</th>"
            + "<th>\(say(.headerLatestDecisions))</th><th>\(say(.headerMostPresent))</th></tr></thead><tbody>"
        for body in bodies {
            let decisions = body.quarters.flatMap(\.decisions)
            let latest = decisions.suffix(limits.decisions).reversed().map { "\(day($0.date)): \($0.text)" }
            let hiddenDecisions = decisions.count - latest.count
            var attendance: [String: Int] = [:]
            for entry in body.quarters.flatMap(\.attendance) { attendance[entry.organization ?? "–", default: 0] += entry.meetings }
            let present = attendance.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limits.organizations).map(\.key)
            html += "<tr><td>\(body.body.name)</td><td class=\"num\">\(body.quarters.reduce(0) { $0 + $1.meetings })</td><td>"
                + latest.map { HTML(text: $0) }.joined(separator: "<br>")
                + (hiddenDecisions > 0 ? "<br><span class=\"more\">\(say(.andMore, ["count": String(hiddenDecisions)]))</span>" : HTML())
                + "</td><td>\(present.joined(separator: ", "))</td></tr>"
        }
        return html + "</tbody></table>\n"
    }

    private func bodyWork(_ body: MeetingReport.BodySummary) -> HTML {
        var html: HTML = "<div class=\"body\"><h3>\(body.body.name)"
        if let level = body.level, level.label(language).folded != body.body.name.folded {
            html += " <span class=\"note\">· \(level.label(language))</span>"
        }
        html += "</h3>\n"
        if body.quarters.isEmpty {
            return html + "<p class=\"empty\">\(say(.noMeeting))</p></div>\n"
        }
        for quarter in body.quarters { html += quarterWork(quarter) }
        let decisions = body.quarters.flatMap(\.decisions)
        if !decisions.isEmpty {
            // Latest first when cut: the newest decisions are what the committee has not heard of.
            let shown = decisions.count > limits.decisions ? Array(decisions.suffix(limits.decisions).reversed()) : decisions
            html += "<p>\(say(.decisions))</p><ul class=\"decisions\">"
                + shown.map { decision -> HTML in "<li>\(day(decision.date)): \(decision.text)</li>" }.joined() + "</ul>\n"
                + more(decisions.count - shown.count)
        }
        return html + "</div>\n"
    }

    private func quarterWork(_ quarter: MeetingReport.Quarter) -> HTML {
        let dates = quarter.meetingDates.map(day).joined(separator: ", ")
        var html: HTML = "<p><strong>\(quarter.quarter.label(language)):</strong> "
            + "\(ReportLines.meetings(language, ["n": quarter.meetings])) (\(dates))</p>\n"
        if !quarter.attendance.isEmpty {
            let shown = quarter.attendance.prefix(limits.organizations)
            var present = shown.map { entry -> HTML in
                let name = entry.organization ?? say(.organizationNotGiven)
                let times = say(.attendedOf, ["attended": String(entry.meetings), "meetings": String(quarter.meetings)])
                let people = ReportLines.people(language, ["n": entry.attendees])
                return "\(name) (\(times), \(people))"
            }
            let hidden = quarter.attendance.count - shown.count
            if hidden > 0 { present.append(HTML(text: say(.more, ["count": String(hidden)]))) }
            html += "<p>\(say(.takingPart)) \(present.joined(separator: "; "))</p>\n"
        }
        return html
    }

    // MARK: Action items

    public func taskSection(_ report: TaskReport, heading: String, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"tasks\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        let lead = say(.tasksLead, ["count": String(report.tasks.count), "overdue": String(report.overdue), "day": day(report.today)])
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.tasks.isEmpty {
            return html + "<p class=\"empty\">\(say(.noOpenTasks))</p>\n" + reviewTable(report) + "</section>\n"
        }
        html += "<table\(limits.isUnlimited ? HTML() : " class=\"compact\"")><thead><tr><th>\(say(.headerDue))</th><th>\(say(.headerTask))</th>"
            + "<th>\(say(.headerResponsible))</th><th>\(say(.headerGivenBy))</th></tr></thead><tbody>"
        // The report lists overdue items first, longest overdue first: its head is the most relevant.
        let shown = report.tasks.prefix(limits.tasks)
        for task in shown {
            var due = HTML(text: task.due.map(day) ?? say(.noDate))
            if let late = task.daysOverdue {
                due += (limits.isUnlimited ? "<br>" : " ") + "<span class=\"overdue\">\(say(.overdueBy, ["days": late]))</span>"
            }
            let source = say(.givenAt, ["body": task.body?.name ?? "–", "day": day(task.meetingDate)])
            html += "<tr><td>\(due)</td><td>\(task.text)</td><td>\(task.owner ?? "–")</td><td>\(source)</td></tr>"
        }
        return html + "</tbody></table>\n" + more(report.tasks.count - shown.count) + reviewTable(report) + "</section>\n"
    }

    /// The agreements due for review, under the action items; nothing when none is due.
    private func reviewTable(_ report: TaskReport) -> HTML {
        let agreements = report.agreementsForReview
        guard !agreements.isEmpty else { return HTML() }
        let title = PlanningText.reviewTitle(language, ["horizon": TaskReport.AgreementReview.horizonDays, "count": agreements.count])
        let shown = agreements.prefix(limits.agreements)
        guard !shown.isEmpty else { return "<p class=\"lead\">\(title)</p>\n" }
        var html: HTML = "<h3>\(title)</h3>\n<table\(limits.isUnlimited ? HTML() : " class=\"compact\"")><thead><tr>"
            + "<th>\(PlanningText.review(language))</th><th>\(PlanningText.title(language))</th><th>\(PlanningText.kind(language))</th>"
            + "<th>\(PlanningText.body(language))</th></tr></thead><tbody>"
        // Soonest review first, so the head of the list is the most pressing.
        for agreement in shown {
            var review = HTML(text: day(agreement.review))
            if let late = agreement.daysOverdue {
                review += " <span class=\"overdue\">\(PlanningText.reviewOverdue(language, ["days": late]))</span>"
            }
            html += "<tr><td>\(review)</td><td>\(agreement.title)</td><td>\(agreement.kind?.label(language) ?? "–")</td>"
                + "<td>\(agreement.body?.name ?? "–")</td></tr>"
        }
        return html + "</tbody></table>\n" + more(agreements.count - shown.count)
    }
}
