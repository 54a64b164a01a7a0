import KetteMessages
import KetteProtocol

/// The committee report as HTML: a page with a fixed budget (long lists cut to their most
/// relevant entries, see `ListLimits.committee`), and the appendix with every list in full.
extension ReportHTML {
    /// The committee report: at a glance, then coverage, indicators, bodies and action items.
    /// Indicators start a page of their own, so they can be handed out or discussed on their own.
    public func committeePage(_ report: CommitteeReport, title: String?) -> String {
        let title = title ?? say(.committeeTitle)
        let meta = periodLine(report.period) + " · " + asOfLine(report.today)
        var body = header(title: title, meta: meta, kicker: say(.kicker),
                          scope: report.coverage.scope)
        body += glance(report)
        body += sections(report)
        return HTMLDocument.page(title: "\(title) – \(report.period.label(language))", body: body, language: language)
    }

    /// The appendix to the committee report: the same sections with nothing cut.
    public func committeeAppendix(_ report: CommitteeReport, title: String?) -> String {
        let full = ReportHTML(language: language)
        let title = say(.appendixTitle, ["title": title ?? say(.committeeTitle)])
        let meta = periodLine(report.period) + " · " + asOfLine(report.today)
        let body = full.header(title: title, meta: meta, kicker: say(.kicker),
                               scope: report.coverage.scope) + full.sections(report, detail: true)
        return HTMLDocument.page(title: "\(title) – \(report.period.label(language))", body: body, language: language)
    }

    private func sections(_ report: CommitteeReport, detail: Bool = false) -> HTML {
        coverageSection(report.coverage, heading: say(.coverageSection))
            + indicatorSection(report.indicators, heading: say(.indicatorsSection), overview: !detail, newPage: true)
            + meetingSection(report.meetings, heading: say(.meetingsSection))
            + taskSection(report.tasks, heading: say(.tasksSection))
            + planningSection(goals: report.goals, measures: report.measures, heading: PlanningText.goalsAndMeasures(language))
    }

    /// The key figures in boxes, for the reader who looks at nothing else.
    private func glance(_ report: CommitteeReport) -> HTML {
        let boxes: [(String, String)] = [
            (number(report.coverage.activeOffers), say(.glanceActiveOffers, ["districts": String(report.coverage.districts.count)])),
            (number(report.coverage.gaps.count), say(.glanceGaps)),
            (number(report.coverage.parallelCandidates.count), say(.glanceParallel)),
            participationsBox(report.indicators, period: report.period),
            (number(report.meetings.meetings), say(.glanceMeetings)),
            (number(report.meetings.decisions), say(.glanceDecisions)),
            (number(report.tasks.tasks.count), say(.glanceOpenTasks)),
            (number(report.tasks.overdue), say(.glanceOverdue)),
        ]
        return "<section class=\"glance\" aria-label=\"\(say(.atAGlance))\">"
            + boxes.map { box -> HTML in "<div><strong>\(box.0)</strong><span>\(box.1)</span></div>" }.joined()
            + "</section>\n"
    }

    /// The headline figure: participations in the period, with the change to spans of the same
    /// length only, each named ("+5 (+25 %) to Q4 2025"), and "year to date" where the year is not over.
    func participationsBox(_ indicators: IndicatorReport, period: ReportingPeriod) -> (String, String) {
        let total = indicators.totals.first { $0.period == period }?.figures
        let comparison = indicators.comparison(for: period)
        var note = say(.participationsIn, ["period": comparison?.current.label(language) ?? period.label(language)])
        var changes: [String] = []
        if let total, let span = comparison?.previous, total.previousParticipants != nil {
            changes.append(say(.changeTo, ["change": ReportFormatting.change(total.participants, from: total.previousParticipants, language),
                                           "period": span.label(language)]))
        }
        if let total, let span = comparison?.yearBefore, total.yearBeforeParticipants != nil {
            changes.append(say(.changeTo, ["change": ReportFormatting.change(total.participants, from: total.yearBeforeParticipants, language),
                                           "period": span.label(language)]))
        }
        if !changes.isEmpty { note += " (" + changes.joined(separator: "; ") + ")" }
        return (total.map { number($0.participants) } ?? "–", note)
    }
}
