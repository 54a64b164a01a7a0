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
            return html + "<p class=\"empty\">\(pick("No figures recorded for this period.", "Für diesen Zeitraum sind keine Zahlen erfasst."))</p>\n</section>\n"
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
            return pick("Figures reported by the offers for \(current), compared with the quarter before (\(previous.label(language))) and the same quarter a year before (\(yearBefore.label(language))).",
                        "Von den Angeboten gemeldete Zahlen für \(current), verglichen mit dem Vorquartal (\(previous.label(language))) und demselben Quartal des Vorjahres (\(yearBefore.label(language))).")
        case (let previous?, nil) where comparison.yearToDate:
            return pick("Figures reported by the offers for \(current), compared with the same quarters of the year before (\(previous.label(language))): the year is not over as of \(day(today)).",
                        "Von den Angeboten gemeldete Zahlen für \(current), verglichen mit denselben Quartalen des Vorjahres (\(previous.label(language))): Das Jahr ist am \(day(today)) noch nicht vorbei.")
        case (let previous?, nil):
            return pick("Figures reported by the offers for \(current), compared with \(previous.label(language)).",
                        "Von den Angeboten gemeldete Zahlen für \(current), verglichen mit \(previous.label(language)).")
        default:
            return pick("Figures reported by the offers for \(current). The year is not over and no quarterly figures are recorded, so there is nothing of the same length to compare with.",
                        "Von den Angeboten gemeldete Zahlen für \(current). Das Jahr ist nicht vorbei und es sind keine Quartalszahlen erfasst, daher gibt es keinen gleich langen Vergleichszeitraum.")
        }
    }

    private var indicatorNotes: [String] {
        [pick("Participations are the participant numbers the offers reported, added up: a person who attends two offers, or one offer in two quarters, counts twice.",
              "Teilnahmen sind die von den Angeboten gemeldeten Teilnehmendenzahlen, zusammengezählt: Wer zwei Angebote oder ein Angebot in zwei Quartalen besucht, zählt doppelt."),
         pick("Only periods of the same length are compared. For a whole year, an offer's yearly figure counts where one was reported, else the sum of its quarters; a year not yet over is compared quarter for quarter with the year before.",
              "Verglichen werden nur gleich lange Zeiträume. Für ein ganzes Jahr zählt die Jahreszahl eines Angebots, wo sie gemeldet wurde, sonst die Summe seiner Quartale; ein noch laufendes Jahr wird Quartal für Quartal mit dem Vorjahr verglichen."),
         pick("An offer for several life phases counts in each of them; the last row of a table counts every offer once.",
              "Ein Angebot für mehrere Lebensphasen zählt bei jeder davon; die letzte Zeile einer Tabelle zählt jedes Angebot einmal."),
         pick("“–”: nothing reported for the period compared with.", "„–“: Für den Vergleichszeitraum wurde nichts gemeldet.")]
    }

    private var noPhase: String { pick("(no life phase)", "(ohne Lebensphase)") }

    /// Per life phase, then per district: the committee's overview.
    private func indicatorOverview(_ report: IndicatorReport, period: ReportingPeriod, total: IndicatorReport.Total?) -> HTML {
        let comparison = report.comparison(for: period)
        var html: HTML = "<h3>\(pick("By life phase", "Nach Lebensphase"))</h3>\n"
        html += figureTable(firstColumns: [pick("Life phase", "Lebensphase")],
                            rows: report.byPhase.filter { $0.period == period }.map {
                                ([$0.phase.map { ReportFormatting.phaseName($0, language) } ?? noPhase], $0.figures)
                            }, total: total, comparison: comparison)
        html += "<h3>\(pick("By district", "Nach Sozialraum"))</h3>\n"
        html += figureTable(firstColumns: [pick("District", "Sozialraum")],
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
        return figureTable(firstColumns: [pick("District", "Sozialraum"), pick("Life phase", "Lebensphase")], rows: rows, total: total,
                           comparison: report.comparison(for: period))
    }

    /// A table of figures; a quarter has a column for the same quarter a year before.
    private func figureTable(firstColumns: [String], rows: [([String], IndicatorReport.Figures)], total: IndicatorReport.Total?,
                             comparison: IndicatorReport.Comparison?) -> HTML {
        let yearBefore = comparison?.yearBefore != nil
        let previousHeading = comparison?.previous.map { pick("Change to ", "Veränderung zu ") + $0.label(language) } ?? pick("Change", "Veränderung")
        var html: HTML = "<table class=\"figures\(limits.isUnlimited ? "" : " compact")\"><thead><tr>" + firstColumns.map { column -> HTML in "<th>\(column)</th>" }.joined()
            + "<th class=\"num\">\(pick("Offers", "Angebote"))</th><th class=\"num\">\(pick("Participations", "Teilnahmen"))</th>"
            + "<th class=\"num\">\(previousHeading)</th>"
        if let span = comparison?.yearBefore { html += "<th class=\"num\">\(pick("Change to ", "Veränderung zu ") + span.label(language))</th>" }
        html += "<th class=\"num\">\(pick("Sessions", "Termine"))</th><th class=\"num\">\(pick("Change", "Veränderung"))</th></tr></thead><tbody>"
        for (labels, figures) in rows {
            html += "<tr>" + labels.map { label -> HTML in "<td>\(label)</td>" }.joined() + figureCells(figures, yearBefore: yearBefore) + "</tr>"
        }
        if let total {
            html += "<tr class=\"total\"><td colspan=\"\(firstColumns.count)\">\(pick("All offers (each counted once)", "Alle Angebote (jedes einmal gezählt)"))</td>"
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
