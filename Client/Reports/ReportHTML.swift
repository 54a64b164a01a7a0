import KetteProtocol

/// The reports as HTML: one section per report, a page around a single report, and the
/// committee report that puts all four on one printable page.
///
/// Everything is built as `HTML`, whose interpolated strings are escaped: a title or name typed by
/// anyone in the county cannot become markup on a committee member's screen.
public struct ReportHTML {
    public let language: Language

    public init(language: Language) { self.language = language }

    private func pick(_ english: String, _ german: String) -> String { language.pick(english, german) }
    private func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    private func day(_ text: String?) -> String { ReportFormatting.day(text, language) }

    // MARK: Pages

    public func coveragePage(_ report: CoverageReport, asOf today: String) -> String {
        let title = pick("Coverage and gaps", "Angebote und Lücken")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: asOfLine(today))
                                     + coverageSection(report, heading: pick("Active offers per district and life phase", "Aktive Angebote je Sozialraum und Lebensphase")),
                                 language: language)
    }

    public func indicatorPage(_ report: IndicatorReport) -> String {
        let title = pick("Indicators", "Kennzahlen")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? "")
                                     + indicatorSection(report, heading: pick("Participants and sessions", "Teilnahmen und Termine")),
                                 language: language)
    }

    public func meetingPage(_ report: MeetingReport) -> String {
        let title = pick("Bodies and meetings", "Gremien und Sitzungen")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? "")
                                     + meetingSection(report, heading: pick("Meetings per body and quarter", "Sitzungen je Gremium und Quartal")),
                                 language: language)
    }

    public func taskPage(_ report: TaskReport) -> String {
        let title = pick("Open action items", "Offene Arbeitsaufträge")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: asOfLine(report.today))
                                     + taskSection(report, heading: pick("Open action items of all bodies", "Offene Arbeitsaufträge aller Gremien")),
                                 language: language)
    }

    /// The committee report: at a glance, then coverage, indicators, bodies and action items.
    /// Coverage fills the first page; indicators and the bodies' work each start a page of
    /// their own, so either can be handed out or discussed on its own.
    public func committeePage(_ report: CommitteeReport, title: String?) -> String {
        let title = title ?? pick("Prevention chain: report to the committee", "Präventionskette: Bericht an den Ausschuss")
        let meta = periodLine(report.period) + " · " + asOfLine(report.today)
        var body = header(title: title, meta: meta, kicker: pick("Municipal prevention chain", "Kommunale Präventionskette"))
        body += glance(report)
        body += coverageSection(report.coverage, heading: "1. " + pick("Offers and gaps", "Angebote und Lücken"))
        body += indicatorSection(report.indicators, heading: "2. " + pick("What the offers reached", "Was die Angebote erreicht haben"),
                                 overview: true, newPage: true)
        body += meetingSection(report.meetings, heading: "3. " + pick("Work of the bodies", "Arbeit der Gremien"), newPage: true)
        body += taskSection(report.tasks, heading: "4. " + pick("Open action items", "Offene Arbeitsaufträge"))
        return HTMLDocument.page(title: "\(title) – \(report.period.label(language))", body: body, language: language)
    }

    private func header(title: String, meta: String, kicker: String? = nil) -> HTML {
        var html: HTML = "<header class=\"report\">"
        if let kicker { html += "<p class=\"kicker\">\(kicker)</p>" }
        html += "<h1>\(title)</h1>"
        if !meta.isEmpty { html += "<p class=\"meta\">\(meta)</p>" }
        return html + "</header>\n"
    }

    private func asOfLine(_ today: String) -> String { pick("As of ", "Stand: ") + day(today) }

    private func periodLine(_ period: ReportingPeriod) -> String {
        pick("Reporting period: ", "Berichtszeitraum: ") + period.label(language)
    }

    /// The key figures in boxes, for the reader who looks at nothing else.
    private func glance(_ report: CommitteeReport) -> HTML {
        let total = report.indicators.totals.first { $0.period == report.period }?.figures
        let participants = total.map { number($0.participants) } ?? "–"
        var participantsNote = pick("participations in the period", "Teilnahmen im Zeitraum")
        if let total, total.previousParticipants != nil {
            participantsNote += " (" + ReportFormatting.change(total.participants, from: total.previousParticipants, language)
                + pick(" on the period before)", " zum Vorzeitraum)")
        }
        let boxes: [(String, String)] = [
            (number(report.coverage.activeOffers), pick("active offers in \(report.coverage.districts.count) districts",
                                                        "aktive Angebote in \(report.coverage.districts.count) Sozialräumen")),
            (number(report.coverage.gaps.count), pick("gaps: district and life phase without an offer",
                                                      "Lücken: Sozialraum und Lebensphase ohne Angebot")),
            (number(report.coverage.parallelCandidates.count), pick("possible parallel structures", "mögliche Parallelstrukturen")),
            (participants, participantsNote),
            (number(report.meetings.meetings), pick("meetings of the bodies in the period", "Sitzungen der Gremien im Zeitraum")),
            (number(report.meetings.decisions), pick("decisions taken", "Beschlüsse gefasst")),
            (number(report.tasks.tasks.count), pick("open action items", "offene Arbeitsaufträge")),
            (number(report.tasks.overdue), pick("of them overdue", "davon überfällig")),
        ]
        return "<section class=\"glance\" aria-label=\"\(pick("At a glance", "Auf einen Blick"))\">"
            + boxes.map { box -> HTML in "<div><strong>\(box.0)</strong><span>\(box.1)</span></div>" }.joined()
            + "</section>\n"
    }

    // MARK: Coverage

    public func coverageSection(_ report: CoverageReport, heading: String) -> HTML {
        var html: HTML = "<section class=\"coverage\">\n<h2>\(heading)</h2>\n"
        let lead = pick(
            "\(number(report.activeOffers)) active offers in \(report.districts.count) districts: \(report.gaps.count) gaps, \(report.parallelCandidates.count) possible parallel structures.",
            "\(number(report.activeOffers)) aktive Angebote in \(report.districts.count) Sozialräumen: \(report.gaps.count) Lücken, \(report.parallelCandidates.count) mögliche Parallelstrukturen.")
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.districts.isEmpty {
            return html + "<p class=\"empty\">\(pick("No districts recorded yet.", "Noch keine Sozialräume erfasst."))</p>\n</section>\n"
        }
        html += "<figure>\(CoverageHeatMap.svg(report, language: language))</figure>\n"
        html += CoverageHeatMap.legend(report, language: language)
        html += gapList(report)
        html += parallelStructures(report)
        if !report.offersWithoutPhase.isEmpty {
            html += "<p class=\"note\">\(pick("Not in the map because no life phase is recorded for them: ", "Nicht in der Karte, weil keine Lebensphase erfasst ist: "))"
                + "\(report.offersWithoutPhase.map(\.title).joined(separator: "; "))</p>\n"
        }
        return html + "</section>\n"
    }

    private func gapList(_ report: CoverageReport) -> HTML {
        var html: HTML = "<h3>\(pick("Gaps", "Lücken"))</h3>\n"
        guard !report.gaps.isEmpty else {
            return html + "<p class=\"empty\">\(pick("No gaps: every district has an active offer for every life phase.", "Keine Lücken: Jeder Sozialraum hat für jede Lebensphase ein aktives Angebot."))</p>\n"
        }
        html += "<ul class=\"gap-list\">"
        for district in report.districts {
            let phases = report.gaps.filter { $0.district.id == district.id }.map { ReportFormatting.phaseName($0.phase, language) }
            guard !phases.isEmpty else { continue }
            html += "<li><strong>\(district.name):</strong> \(phases.joined(separator: ", "))</li>"
        }
        return html + "</ul>\n"
    }

    private func parallelStructures(_ report: CoverageReport) -> HTML {
        var html: HTML = "<h3>\(pick("Possible parallel structures", "Mögliche Parallelstrukturen"))</h3>\n"
        guard !report.parallelCandidates.isEmpty else {
            return html + "<p class=\"empty\">\(pick("None: no district has two active offers of the same category for the same life phase.", "Keine: Kein Sozialraum hat zwei aktive Angebote derselben Kategorie für dieselbe Lebensphase."))</p>\n"
        }
        html += "<p class=\"note\">\(pick("Not necessarily a problem: two offers of the same category may reach different families. A reason to look closer and talk to the providers.", "Nicht unbedingt ein Problem: Zwei Angebote derselben Kategorie können unterschiedliche Familien erreichen. Ein Anlass, genauer hinzusehen und mit den Trägern zu sprechen."))</p>\n"
        html += "<table><thead><tr><th>\(pick("District", "Sozialraum"))</th><th>\(pick("Life phase", "Lebensphase"))</th>"
            + "<th>\(pick("Category", "Kategorie"))</th><th>\(pick("Offers (provider)", "Angebote (Träger)"))</th></tr></thead><tbody>"
        for candidate in report.parallelCandidates {
            let offers = candidate.offers.map { offer -> HTML in
                HTML(text: offer.title) + (offer.provider.map { provider -> HTML in " <span class=\"note\">(\(provider))</span>" } ?? HTML())
            }
            html += "<tr><td>\(candidate.district.name)</td><td>\(ReportFormatting.phaseName(candidate.phase, language))</td>"
                + "<td>\(candidate.category.label(language))</td><td>\(offers.joined(separator: "<br>"))</td></tr>"
        }
        return html + "</tbody></table>\n"
    }

    // MARK: Indicators

    /// The indicator figures: in detail (district by life phase), or as an overview for the
    /// committee (per life phase, then per district), which fits a page where 6 × 20 rows would not.
    public func indicatorSection(_ report: IndicatorReport, heading: String, overview: Bool = false, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"indicators\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        if let period = report.period {
            html += "<p class=\"lead\">\(pick("Figures reported by the offers for \(period.label(language)), compared with \(period.previous.label(language)).", "Von den Angeboten gemeldete Zahlen für \(period.label(language)), verglichen mit \(period.previous.label(language))."))</p>\n"
        }
        if report.rows.isEmpty {
            return html + "<p class=\"empty\">\(pick("No figures recorded for this period.", "Für diesen Zeitraum sind keine Zahlen erfasst."))</p>\n</section>\n"
        }
        for period in report.totals.map(\.period) {
            if report.period == nil { html += "<h3>\(period.label(language))</h3>\n" }
            let total = report.totals.first { $0.period == period }
            html += overview ? indicatorOverview(report, period: period, total: total) : indicatorDetail(report, period: period, total: total)
        }
        let notes = [
            pick("Participations are the participant numbers the offers reported, added up: a person who attends two offers, or one offer in two quarters, counts twice.",
                 "Teilnahmen sind die von den Angeboten gemeldeten Teilnehmendenzahlen, zusammengezählt: Wer zwei Angebote oder ein Angebot in zwei Quartalen besucht, zählt doppelt."),
            pick("For a year, an offer's yearly figure counts where one was reported, else the sum of its quarters.",
                 "Für ein Jahr zählt die Jahreszahl eines Angebots, wo sie gemeldet wurde, sonst die Summe seiner Quartale."),
            pick("An offer for several life phases counts in each of them; the last row of a table counts every offer once.",
                 "Ein Angebot für mehrere Lebensphasen zählt bei jeder davon; die letzte Zeile einer Tabelle zählt jedes Angebot einmal."),
            pick("“–”: nothing reported for the period before, so there is nothing to compare with.",
                 "„–“: Für den Vorzeitraum wurde nichts gemeldet, es gibt keinen Vergleich."),
        ]
        html += "<ul class=\"note\">" + notes.map { note -> HTML in "<li>\(note)</li>" }.joined() + "</ul>\n"
        return html + "</section>\n"
    }

    private var noPhase: String { pick("(no life phase)", "(ohne Lebensphase)") }

    /// Per life phase, then per district: the committee's overview.
    private func indicatorOverview(_ report: IndicatorReport, period: ReportingPeriod, total: IndicatorReport.Total?) -> HTML {
        var html: HTML = "<h3>\(pick("By life phase", "Nach Lebensphase"))</h3>\n"
        html += figureTable(firstColumns: [pick("Life phase", "Lebensphase")],
                            rows: report.byPhase.filter { $0.period == period }.map {
                                ([$0.phase.map { ReportFormatting.phaseName($0, language) } ?? noPhase], $0.figures)
                            }, total: total)
        html += "<h3>\(pick("By district", "Nach Sozialraum"))</h3>\n"
        html += figureTable(firstColumns: [pick("District", "Sozialraum")],
                            rows: report.byDistrict.filter { $0.period == period }.map { ([$0.district.name], $0.figures) },
                            total: total)
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
        return figureTable(firstColumns: [pick("District", "Sozialraum"), pick("Life phase", "Lebensphase")], rows: rows, total: total)
    }

    private func figureTable(firstColumns: [String], rows: [([String], IndicatorReport.Figures)], total: IndicatorReport.Total?) -> HTML {
        var html: HTML = "<table><thead><tr>" + firstColumns.map { column -> HTML in "<th>\(column)</th>" }.joined()
            + "<th class=\"num\">\(pick("Offers", "Angebote"))</th><th class=\"num\">\(pick("Participations", "Teilnahmen"))</th>"
            + "<th class=\"num\">\(pick("Change", "Veränderung"))</th><th class=\"num\">\(pick("Sessions", "Termine"))</th>"
            + "<th class=\"num\">\(pick("Change", "Veränderung"))</th></tr></thead><tbody>"
        for (labels, figures) in rows {
            html += "<tr>" + labels.map { label -> HTML in "<td>\(label)</td>" }.joined() + figureCells(figures) + "</tr>"
        }
        if let total {
            html += "<tr class=\"total\"><td colspan=\"\(firstColumns.count)\">\(pick("All offers (each counted once)", "Alle Angebote (jedes einmal gezählt)"))</td>"
                + figureCells(total.figures) + "</tr>"
        }
        return html + "</tbody></table>\n"
    }

    private func figureCells(_ figures: IndicatorReport.Figures) -> HTML {
        "<td class=\"num\">\(number(figures.offers))</td><td class=\"num\">\(number(figures.participants))</td>"
            + "<td class=\"num\">\(ReportFormatting.change(figures.participants, from: figures.previousParticipants, language))</td>"
            + "<td class=\"num\">\(figures.sessions.map(number) ?? "–")</td>"
            + "<td class=\"num\">\(figures.sessions.map { ReportFormatting.change($0, from: figures.previousSessions, language) } ?? "–")</td>"
    }

    // MARK: Meetings

    public func meetingSection(_ report: MeetingReport, heading: String, newPage: Bool = false) -> HTML {
        var html: HTML = "<section class=\"meetings\(newPage ? " new-page" : "")\">\n<h2>\(heading)</h2>\n"
        let lead = ReportFormatting.count(report.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language) + ", "
            + ReportFormatting.count(report.decisions, ("decision", "Beschluss"), ("decisions", "Beschlüsse"), language)
            + (report.period.map { pick(" in \($0.label(language)).", " im Zeitraum \($0.label(language)).") } ?? ".")
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.bodies.isEmpty {
            return html + "<p class=\"empty\">\(pick("No bodies recorded yet.", "Noch keine Gremien erfasst."))</p>\n</section>\n"
        }
        for body in report.bodies { html += bodyWork(body) }
        return html + "</section>\n"
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
        return html + "</div>\n"
    }

    private func quarterWork(_ quarter: MeetingReport.Quarter) -> HTML {
        let dates = quarter.meetingDates.map(day).joined(separator: ", ")
        var html: HTML = "<p><strong>\(quarter.quarter.label(language)):</strong> "
            + "\(ReportFormatting.count(quarter.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language)) (\(dates))</p>\n"
        if !quarter.attendance.isEmpty {
            let present = quarter.attendance.map { entry -> HTML in
                let name = entry.organization ?? pick("organization not given", "ohne Angabe der Organisation")
                let times = pick("\(entry.meetings) of \(quarter.meetings)", "\(entry.meetings) von \(quarter.meetings)")
                let people = ReportFormatting.count(entry.attendees, ("person", "Person"), ("people", "Personen"), language)
                return "\(name) (\(times), \(people))"
            }
            html += "<p>\(pick("Taking part: ", "Beteiligt: "))\(present.joined(separator: "; "))</p>\n"
        }
        if !quarter.decisions.isEmpty {
            html += "<p>\(pick("Decisions:", "Beschlüsse:"))</p><ul class=\"decisions\">"
                + quarter.decisions.map { decision -> HTML in "<li>\(day(decision.date)): \(decision.text)</li>" }.joined() + "</ul>\n"
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
        html += "<table><thead><tr><th>\(pick("Due", "Fällig"))</th><th>\(pick("Action item", "Arbeitsauftrag"))</th>"
            + "<th>\(pick("Responsible", "Verantwortlich"))</th><th>\(pick("Given by", "Vergeben von"))</th></tr></thead><tbody>"
        for task in report.tasks {
            var due = HTML(text: task.due.map(day) ?? pick("no date", "ohne Datum"))
            if let late = task.daysOverdue {
                let lateText = late == 1 ? pick("overdue by 1 day", "seit 1 Tag überfällig")
                                         : pick("overdue by \(late) days", "seit \(late) Tagen überfällig")
                due += "<br><span class=\"overdue\">\(lateText)</span>"
            }
            let source = (task.body?.name ?? "–") + ", " + pick("meeting of ", "Sitzung vom ") + day(task.meetingDate)
            html += "<tr><td>\(due)</td><td>\(task.text)</td><td>\(task.owner ?? "–")</td><td>\(source)</td></tr>"
        }
        return html + "</tbody></table>\n</section>\n"
    }
}
