import KetteProtocol

/// The bodies' work and the open action items as HTML.
extension ReportHTML {
    public func meetingSection(_ report: MeetingReport, heading: String, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"meetings\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        let lead = ReportFormatting.count(report.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language) + ", "
            + ReportFormatting.count(report.decisions, ("decision", "Beschluss"), ("decisions", "Beschlüsse"), language)
            + (report.period.map { pick(" in \($0.label(language)).", " im Zeitraum \($0.label(language)).") } ?? ".")
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.bodies.isEmpty {
            return html + "<p class=\"empty\">\(pick("No bodies recorded yet.", "Noch keine Gremien erfasst."))</p>\n</section>\n"
        }
        // Cut: the bodies that met most are the most relevant; those that did not meet are summed up.
        let met = report.bodies.filter { !$0.quarters.isEmpty }
        let shown = limits.isUnlimited ? report.bodies[...] : met.mostRelevant(limits.bodies) { $0.quarters.reduce(0) { $0 + $1.meetings } }
        html += limits.isUnlimited ? shown.map(bodyWork).joined() : bodyTable(Array(shown))
        html += more(met.count - shown.filter { !$0.quarters.isEmpty }.count)
        if !limits.isUnlimited, met.count < report.bodies.count {
            let idle = report.bodies.count - met.count
            html += "<p class=\"note\">\(pick("\(idle) more bodies did not meet in the period.", "\(idle) weitere Gremien haben im Zeitraum nicht getagt."))</p>\n"
        }
        return html + "</section>\n"
    }

    /// The bodies' work in a table of one row each, for a page with a budget: meetings, the
    /// latest decisions, the organizations most present.
    private func bodyTable(_ bodies: [MeetingReport.BodySummary]) -> HTML {
        var html: HTML = "<table class=\"compact\"><thead><tr><th>\(pick("Body", "Gremium"))</th><th class=\"num\">\(pick("Meetings", "Sitzungen"))</th>"
            + "<th>\(pick("Latest decisions", "Neueste Beschlüsse"))</th><th>\(pick("Most present", "Am häufigsten beteiligt"))</th></tr></thead><tbody>"
        for body in bodies {
            let decisions = body.quarters.flatMap(\.decisions)
            let latest = decisions.suffix(limits.decisions).reversed().map { "\(day($0.date)): \($0.text)" }
            let hiddenDecisions = decisions.count - latest.count
            var attendance: [String: Int] = [:]
            for entry in body.quarters.flatMap(\.attendance) { attendance[entry.organization ?? "–", default: 0] += entry.meetings }
            let present = attendance.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limits.organizations).map(\.key)
            html += "<tr><td>\(body.body.name)</td><td class=\"num\">\(body.quarters.reduce(0) { $0 + $1.meetings })</td><td>"
                + latest.map { HTML(text: $0) }.joined(separator: "<br>")
                + (hiddenDecisions > 0 ? "<br><span class=\"more\">\(pick("… and \(hiddenDecisions) more", "… und \(hiddenDecisions) weitere"))</span>" : HTML())
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
            return html + "<p class=\"empty\">\(pick("No meeting in the period.", "Keine Sitzung im Zeitraum."))</p></div>\n"
        }
        for quarter in body.quarters { html += quarterWork(quarter) }
        let decisions = body.quarters.flatMap(\.decisions)
        if !decisions.isEmpty {
            // Latest first when cut: the newest decisions are what the committee has not heard of.
            let shown = decisions.count > limits.decisions ? Array(decisions.suffix(limits.decisions).reversed()) : decisions
            html += "<p>\(pick("Decisions:", "Beschlüsse:"))</p><ul class=\"decisions\">"
                + shown.map { decision -> HTML in "<li>\(day(decision.date)): \(decision.text)</li>" }.joined() + "</ul>\n"
                + more(decisions.count - shown.count)
        }
        return html + "</div>\n"
    }

    private func quarterWork(_ quarter: MeetingReport.Quarter) -> HTML {
        let dates = quarter.meetingDates.map(day).joined(separator: ", ")
        var html: HTML = "<p><strong>\(quarter.quarter.label(language)):</strong> "
            + "\(ReportFormatting.count(quarter.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language)) (\(dates))</p>\n"
        if !quarter.attendance.isEmpty {
            let shown = quarter.attendance.prefix(limits.organizations)
            var present = shown.map { entry -> HTML in
                let name = entry.organization ?? pick("organization not given", "ohne Angabe der Organisation")
                let times = pick("\(entry.meetings) of \(quarter.meetings)", "\(entry.meetings) von \(quarter.meetings)")
                let people = ReportFormatting.count(entry.attendees, ("person", "Person"), ("people", "Personen"), language)
                return "\(name) (\(times), \(people))"
            }
            let hidden = quarter.attendance.count - shown.count
            if hidden > 0 { present.append(HTML(text: pick("\(hidden) more", "\(hidden) weitere"))) }
            html += "<p>\(pick("Taking part: ", "Beteiligt: "))\(present.joined(separator: "; "))</p>\n"
        }
        return html
    }

    // MARK: Action items

    public func taskSection(_ report: TaskReport, heading: String, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"tasks\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        html += "<p class=\"lead\">\(pick("\(report.tasks.count) open, \(report.overdue) of them overdue, as of \(day(report.today)).", "\(report.tasks.count) offen, davon \(report.overdue) überfällig, Stand \(day(report.today))."))</p>\n"
        if report.tasks.isEmpty {
            return html + "<p class=\"empty\">\(pick("No open action items.", "Keine offenen Arbeitsaufträge."))</p>\n</section>\n"
        }
        html += "<table\(limits.isUnlimited ? HTML() : " class=\"compact\"")><thead><tr><th>\(pick("Due", "Fällig"))</th><th>\(pick("Action item", "Arbeitsauftrag"))</th>"
            + "<th>\(pick("Responsible", "Verantwortlich"))</th><th>\(pick("Given by", "Vergeben von"))</th></tr></thead><tbody>"
        // The report lists overdue items first, longest overdue first: its head is the most relevant.
        let shown = report.tasks.prefix(limits.tasks)
        for task in shown {
            var due = HTML(text: task.due.map(day) ?? pick("no date", "ohne Datum"))
            if let late = task.daysOverdue {
                let lateText = late == 1 ? pick("overdue by 1 day", "seit 1 Tag überfällig")
                                         : pick("overdue by \(late) days", "seit \(late) Tagen überfällig")
                due += (limits.isUnlimited ? "<br>" : " ") + "<span class=\"overdue\">\(lateText)</span>"
            }
            let source = (task.body?.name ?? "–") + ", " + pick("meeting of ", "Sitzung vom ") + day(task.meetingDate)
            html += "<tr><td>\(due)</td><td>\(task.text)</td><td>\(task.owner ?? "–")</td><td>\(source)</td></tr>"
        }
        return html + "</tbody></table>\n" + more(report.tasks.count - shown.count) + "</section>\n"
    }
}
