import KetteMessages
import KetteProtocol

/// The indicator figures as HTML, each beside the figures of spans of the same length.
extension ReportHTML {
    /// The indicator figures: in detail (district by life phase), or as an overview for the
    /// committee (per life phase, then per district), which fits a page where 6 × 20 rows would not.
    public func indicatorSection(_ report: IndicatorReport, heading: String, overview: Bool = false, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"indicators\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        if let period = report.period, let comparison = report.comparison(for: period) {
            html += "<p class=\"lead\">\(comparisonLead(comparison, today: report.today))</p>\n"
        }
        if report.rows.isEmpty {
            return html + "<p class=\"empty\">\(say(.noFiguresForPeriod))</p>\n</section>\n"
        }
        for period in report.totals.map(\.period) {
            let comparison = report.comparison(for: period)
            if report.period == nil { html += "<h3>\(comparison?.current.label(language) ?? period.label(language))</h3>\n" }
            let total = report.totals.first { $0.period == period }
            html += overview ? indicatorOverview(report, period: period, total: total) : indicatorDetail(report, period: period, total: total)
        }
        html += "<ul class=\"note\">" + indicatorNotes.map { note -> HTML in "<li>\(note)</li>" }.joined() + "</ul>\n"
        return html + "</section>\n"
    }

    /// What the figures are and what they are compared with, in words.
    func comparisonLead(_ comparison: IndicatorReport.Comparison, today: String) -> String {
        let current = comparison.current.label(language)
        switch (comparison.previous, comparison.yearBefore) {
        case (let previous?, let yearBefore?):
            return say(.comparedWithBoth, ["period": current, "previous": previous.label(language), "yearBefore": yearBefore.label(language)])
        case (let previous?, nil) where comparison.yearToDate:
            return say(.comparedYearToDate, ["period": current, "previous": previous.label(language), "day": day(today)])
        case (let previous?, nil):
            return say(.comparedWith, ["period": current, "previous": previous.label(language)])
        default:
            return say(.notComparable, ["period": current])
        }
    }

    private var indicatorNotes: [String] {
        [say(.noteParticipations), say(.noteLikeWithLike), say(.noteSeveralPhases), say(.noteDash)]
    }

    private var noPhase: String { say(.noPhase) }

    /// Per life phase, then per district: the committee's overview.
    private func indicatorOverview(_ report: IndicatorReport, period: ReportingPeriod, total: IndicatorReport.Total?) -> HTML {
        let comparison = report.comparison(for: period)
        var html: HTML = "<h3>\(say(.byPhase))</h3>\n"
        html += figureTable(firstColumns: [say(.headerPhase)],
                            rows: report.byPhase.filter { $0.period == period }.map {
                                ([$0.phase.map { ReportFormatting.phaseName($0, language) } ?? noPhase], $0.figures)
                            }, total: total, comparison: comparison)
        html += "<h3>\(say(.byDistrict))</h3>\n"
        html += figureTable(firstColumns: [say(.headerDistrict)],
                            rows: report.byDistrict.filter { $0.period == period }.map { ([$0.district.name], $0.figures) },
                            total: total, comparison: comparison)
        return html
    }

    /// District by life phase, the district's name once at its first row: the table reads as groups.
    private func indicatorDetail(_ report: IndicatorReport, period: ReportingPeriod, total: IndicatorReport.Total?) -> HTML {
        var lastDistrict: String?
        let rows = report.rows.filter { $0.period == period }.map { row -> ([String], IndicatorReport.Figures) in
            let district = row.district.id == lastDistrict ? "" : row.district.name
            lastDistrict = row.district.id
            return ([district, row.phase.map { ReportFormatting.phaseName($0, language) } ?? noPhase], row.figures)
        }
        return figureTable(firstColumns: [say(.headerDistrict), say(.headerPhase)], rows: rows, total: total,
                           comparison: report.comparison(for: period))
    }

    /// A table of figures; a quarter has a column for the same quarter a year before.
    private func figureTable(firstColumns: [String], rows: [([String], IndicatorReport.Figures)], total: IndicatorReport.Total?,
                             comparison: IndicatorReport.Comparison?) -> HTML {
        let yearBefore = comparison?.yearBefore != nil
        let previousHeading = comparison?.previous.map { say(.headerChangeTo, ["period": $0.label(language)]) } ?? say(.headerChange)
        var html: HTML = "<table class=\"figures\(limits.isUnlimited ? "" : " compact")\"><thead><tr>" + firstColumns.map { column -> HTML in "<th>\(column)</th>" }.joined()
            + "<th class=\"num\">\(say(.headerOffers))</th><th class=\"num\">\(say(.headerParticipations))</th>"
            + "<th class=\"num\">\(previousHeading)</th>"
        if let span = comparison?.yearBefore { html += "<th class=\"num\">\(say(.headerChangeTo, ["period": span.label(language)]))</th>" }
        html += "<th class=\"num\">\(say(.headerSessions))</th><th class=\"num\">\(say(.headerChange))</th></tr></thead><tbody>"
        for (labels, figures) in rows {
            html += "<tr>" + labels.map { label -> HTML in "<td>\(label)</td>" }.joined() + figureCells(figures, yearBefore: yearBefore) + "</tr>"
        }
        if let total {
            html += "<tr class=\"total\"><td colspan=\"\(firstColumns.count)\">\(say(.allOffersOnce))</td>"
                + figureCells(total.figures, yearBefore: yearBefore) + "</tr>"
        }
        return html + "</tbody></table>\n"
    }

    private func figureCells(_ figures: IndicatorReport.Figures, yearBefore: Bool) -> HTML {
        var html: HTML = "<td class=\"num\">\(number(figures.offers))</td><td class=\"num\">\(number(figures.participants))</td>"
            + "<td class=\"num\">\(ReportFormatting.change(figures.participants, from: figures.previousParticipants, language))</td>"
        if yearBefore { html += "<td class=\"num\">\(ReportFormatting.change(figures.participants, from: figures.yearBeforeParticipants, language))</td>" }
        return html + "<td class=\"num\">\(figures.sessions.map(number) ?? "–")</td>"
            + "<td class=\"num\">\(figures.sessions.map { ReportFormatting.change($0, from: figures.previousSessions, language) } ?? "–")</td>"
    }
}
