import KetteProtocol

/// The committee report as HTML: a page with a fixed budget (long lists cut to their most
/// relevant entries, see `ListLimits.committee`), and the appendix with every list in full.
extension ReportHTML {
    /// The committee report: at a glance, then coverage, indicators, bodies and action items.
    /// Indicators start a page of their own, so they can be handed out or discussed on their own.
    public func committeePage(_ report: CommitteeReport, title: String?) -> String {
        let title = title ?? pick("Prevention chain: report to the committee", "Präventionskette: Bericht an den Ausschuss")
        let meta = periodLine(report.period) + " · " + asOfLine(report.today)
        var body = header(title: title, meta: meta, kicker: pick("Municipal prevention chain", "Kommunale Präventionskette"),
                          scope: report.coverage.scope)
        body += glance(report)
        body += sections(report)
        return HTMLDocument.page(title: "\(title) – \(report.period.label(language))", body: body, language: language)
    }

    /// The appendix to the committee report: the same sections with nothing cut.
    public func committeeAppendix(_ report: CommitteeReport, title: String?) -> String {
        let full = ReportHTML(language: language)
        let title = (title ?? pick("Prevention chain: report to the committee", "Präventionskette: Bericht an den Ausschuss"))
            + pick(" – appendix: complete lists", " – Anhang: vollständige Listen")
        let meta = periodLine(report.period) + " · " + asOfLine(report.today)
        let body = full.header(title: title, meta: meta, kicker: pick("Municipal prevention chain", "Kommunale Präventionskette"),
                               scope: report.coverage.scope) + full.sections(report, detail: true)
        return HTMLDocument.page(title: "\(title) – \(report.period.label(language))", body: body, language: language)
    }

    private func sections(_ report: CommitteeReport, detail: Bool = false) -> HTML {
        coverageSection(report.coverage, heading: "1. " + pick("Offers and gaps", "Angebote und Lücken"))
            + indicatorSection(report.indicators, heading: "2. " + pick("What the offers reached", "Was die Angebote erreicht haben"),
                               overview: !detail, newPage: true)
            + meetingSection(report.meetings, heading: "3. " + pick("Work of the bodies", "Arbeit der Gremien"))
            + taskSection(report.tasks, heading: "4. " + pick("Open action items", "Offene Arbeitsaufträge"))
    }

    /// The key figures in boxes, for the reader who looks at nothing else.
    private func glance(_ report: CommitteeReport) -> HTML {
        let boxes: [(String, String)] = [
            (number(report.coverage.activeOffers), pick("active offers in \(report.coverage.districts.count) districts",
                                                        "aktive Angebote in \(report.coverage.districts.count) Sozialräumen")),
            (number(report.coverage.gaps.count), pick("gaps: district and life phase without an offer",
                                                      "Lücken: Sozialraum und Lebensphase ohne Angebot")),
            (number(report.coverage.parallelCandidates.count), pick("possible parallel structures", "mögliche Parallelstrukturen")),
            participationsBox(report.indicators, period: report.period),
            (number(report.meetings.meetings), pick("meetings of the bodies in the period", "Sitzungen der Gremien im Zeitraum")),
            (number(report.meetings.decisions), pick("decisions taken", "Beschlüsse gefasst")),
            (number(report.tasks.tasks.count), pick("open action items", "offene Arbeitsaufträge")),
            (number(report.tasks.overdue), pick("of them overdue", "davon überfällig")),
        ]
        return "<section class=\"glance\" aria-label=\"\(pick("At a glance", "Auf einen Blick"))\">"
            + boxes.map { box -> HTML in "<div><strong>\(box.0)</strong><span>\(box.1)</span></div>" }.joined()
            + "</section>\n"
    }

    /// The headline figure: participations in the period, with the change to spans of the same
    /// length only, each named ("+5 (+25 %) to Q4 2025"), and "year to date" where the year is not over.
    func participationsBox(_ indicators: IndicatorReport, period: ReportingPeriod) -> (String, String) {
        let total = indicators.totals.first { $0.period == period }?.figures
        let comparison = indicators.comparison(for: period)
        var note = pick("participations in ", "Teilnahmen im Zeitraum ") + (comparison?.current.label(language) ?? period.label(language))
        var changes: [String] = []
        if let total, let span = comparison?.previous, total.previousParticipants != nil {
            changes.append(ReportFormatting.change(total.participants, from: total.previousParticipants, language)
                           + pick(" to ", " zu ") + span.label(language))
        }
        if let total, let span = comparison?.yearBefore, total.yearBeforeParticipants != nil {
            changes.append(ReportFormatting.change(total.participants, from: total.yearBeforeParticipants, language)
                           + pick(" to ", " zu ") + span.label(language))
        }
        if !changes.isEmpty { note += " (" + changes.joined(separator: "; ") + ")" }
        return (total.map { number($0.participants) } ?? "–", note)
    }
}
