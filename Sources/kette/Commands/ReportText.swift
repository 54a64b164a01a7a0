import KetteClient
import KetteCommandLine
import KetteProtocol

/// The reports as plain text for the terminal, in the reader's language.
struct ReportText {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    private var language: Language { context.language }
    private func say(_ line: ReportLines, _ values: MessageValues = [:]) -> String { line(language, values) }
    /// Lines of issue 15 not yet in the catalog (`ReportLines`).
    private func pick(_ english: String, _ german: String) -> String { context.language.pick(english, german) }
    private func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    private func day(_ text: String?) -> String { ReportFormatting.day(text, language) }
    private func lines(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    func coverage(_ report: CoverageReport) -> String {
        var out: [String] = []
        let scope = report.category.map { say(.categoryScope, ["category": Label($0)]) } ?? say(.allCategories)
        let counted = report.window.isDay ? pick("running on ", "laufend am ") : pick("running in ", "laufend im Zeitraum ")
        out.append(say(.coverageTitle, ["scope": scope]) + ", " + counted + report.window.label(language))
        out.append(report.scope.label(language))
        out.append("")
        let header = [OutputText.headerDistrict(language)] + report.phases.map { ReportFormatting.shortLabel($0, language).uppercased() }
        let rows = report.districts.map { district in
            [district.name] + report.phases.map { phase -> String in
                guard let cell = report.cell(district: district.id, phase: phase) else { return "" }
                // Marks as well as numbers: the table must say "gap" without colour.
                return "\(cell.activeOffers)" + (cell.isGap ? "!" : cell.parallelCategories.isEmpty ? "" : "*")
            }
        }
        out += context.table(header, rows)
        out.append(say(.coverageLegend))
        out.append(say(.columns) + report.phases.map { $0.label(language) }.joined(separator: " | "))
        out.append("")
        out.append(say(.gaps, ["count": report.gaps.count]))
        if report.gaps.isEmpty { out.append(say(.none)) }
        for district in report.districts {
            let phases = report.gaps.filter { $0.district.id == district.id }.map { ReportFormatting.phaseName($0.phase, language) }
            if !phases.isEmpty { out.append("  \(district.name): \(phases.joined(separator: ", "))") }
        }
        out.append("")
        out.append(say(.parallelTitle, ["count": report.parallelCandidates.count]))
        if report.parallelCandidates.isEmpty { out.append(say(.none)) }
        for candidate in report.parallelCandidates {
            let offers = candidate.offers.map { $0.title + ($0.provider.map { " (\($0))" } ?? "") + " [\(shortID($0.id))]" }
            out.append("  \(candidate.district.name) · \(ReportFormatting.phaseName(candidate.phase, language)) · \(candidate.category.label(language)): "
                       + offers.joined(separator: "; "))
        }
        if !report.offersWithoutPhase.isEmpty {
            out.append("")
            out.append(say(.withoutPhase)
                       + report.offersWithoutPhase.map { "\($0.title) [\(shortID($0.id))]" }.joined(separator: "; "))
        }
        out += datedOffers(pick("Ended, not counted (\(report.ended.count)):", "Beendet, nicht gezählt (\(report.ended.count)):"), report.ended)
        out += datedOffers(pick("Planned, not yet counted (\(report.planned.count)):", "Geplant, noch nicht gezählt (\(report.planned.count)):"),
                           report.planned)
        return lines(out)
    }

    /// The ended or planned offers, one a line with district and dates.
    private func datedOffers(_ heading: String, _ offers: [CoverageReport.DatedOffer]) -> [String] {
        var out = ["", heading]
        if offers.isEmpty { out.append(pick("  none", "  keine")) }
        for offer in offers {
            let dates = "\(offer.start.map(day) ?? "…") – \(offer.end.map(day) ?? "…")"
            let status = offer.status.map { " (\($0.label(language)))" } ?? ""
            out.append("  \(offer.title) · \(offer.district.name) · \(dates)\(status) [\(shortID(offer.id))]")
        }
        return out
    }

    func indicators(_ report: IndicatorReport) -> String {
        var out: [String] = []
        if let period = report.period, let comparison = report.comparison(for: period) {
            out.append(pick("Figures for ", "Zahlen für ") + comparisonLine(comparison))
        } else {
            out.append(report.granularity == .year ? pick("Figures per year", "Zahlen je Jahr") : pick("Figures per quarter", "Zahlen je Quartal"))
            out += report.comparisons.map { "  " + comparisonLine($0) }
        }
        out.append(report.scope.label(language))
        if report.rows.isEmpty {
            out.append(say(.noFigures))
            return lines(out)
        }
        out.append("")
        let quarters = report.granularity == .quarter
        var header = [say(.headerPeriod), OutputText.headerDistrict(language), say(.headerPhase), say(.headerOffers),
                      say(.headerParticipations), quarters ? pick("TO QUARTER BEFORE", "ZUM VORQUARTAL") : say(.headerChange)]
        if quarters { header.append(pick("TO YEAR BEFORE", "ZUM VORJAHR")) }
        header += [say(.headerSessions), say(.headerChange)]
        func figures(_ f: IndicatorReport.Figures) -> [String] {
            var cells = [number(f.offers), number(f.participants), ReportFormatting.change(f.participants, from: f.previousParticipants, language)]
            if quarters { cells.append(ReportFormatting.change(f.participants, from: f.yearBeforeParticipants, language)) }
            return cells + [f.sessions.map(number) ?? "–", f.sessions.map { ReportFormatting.change($0, from: f.previousSessions, language) } ?? "–"]
        }
        func label(_ period: ReportingPeriod) -> String { report.comparison(for: period)?.current.label(language) ?? period.label(language) }
        var rows = report.rows.map { row in
            [label(row.period), row.district.name, row.phase.map { ReportFormatting.phaseName($0, language) } ?? "–"] + figures(row.figures)
        }
        rows += report.totals.map { [label($0.period), say(.allOffersOnce), ""] + figures($0.figures) }
        out += context.table(header, rows)
        out.append("")
        out.append(say(.indicatorNote))
        return lines(out)
    }

    /// "Q1 2026, compared with Q4 2025 and Q1 2025" and the like: what a period's figures are compared with.
    private func comparisonLine(_ comparison: IndicatorReport.Comparison) -> String {
        let compared = [comparison.previous, comparison.yearBefore].compactMap { $0?.label(language) }
        guard !compared.isEmpty else {
            return comparison.current.label(language) + pick(", no comparable period", ", ohne vergleichbaren Zeitraum")
        }
        return comparison.current.label(language) + pick(", compared with ", ", verglichen mit ") + compared.joined(separator: pick(" and ", " und "))
    }

    func tasks(_ report: TaskReport) -> String {
        var out = [say(.openTasks, ["day": day(report.today), "count": report.tasks.count, "overdue": report.overdue])]
        guard !report.tasks.isEmpty else { return lines(out) }
        out.append("")
        let header = [OutputText.headerID(language), OutputText.headerDue(language), say(.headerState), OutputText.headerOwner(language),
                      OutputText.headerTask(language), OutputText.headerBody(language), say(.headerMeeting)]
        out += context.table(header, report.tasks.map { task in
            let state = task.daysOverdue.map { say(.overdue, ["days": $0]) } ?? say(.open)
            return [shortID(task.id), task.due.map(day) ?? "–", state, task.owner ?? "–", task.text, task.body?.name ?? "–",
                    "\(day(task.meetingDate)) [\(shortID(task.meeting))]"]
        })
        return lines(out)
    }

    func meetings(_ report: MeetingReport) -> String {
        var out = [say(.meetingsTitle) + (report.period.map { " (\($0.label(language)))" } ?? "")
                   + ": " + say(.meetings, ["n": report.meetings]) + ", " + say(.decisions, ["n": report.decisions])]
        for body in report.bodies {
            out.append("")
            out.append(body.body.name + (body.level.map { " (\($0.label(language)))" } ?? ""))
            if body.quarters.isEmpty { out.append(say(.noMeetings)) }
            for quarter in body.quarters {
                out.append("  \(quarter.quarter.label(language)): "
                           + say(.meetings, ["n": quarter.meetings])
                           + " (" + quarter.meetingDates.map(day).joined(separator: ", ") + ")")
                if !quarter.attendance.isEmpty {
                    let present = quarter.attendance.map { entry in
                        (entry.organization ?? say(.notGiven)) + " \(entry.meetings)/\(quarter.meetings) ("
                            + say(.people, ["n": entry.attendees]) + ")"
                    }
                    out.append(say(.takingPart) + present.joined(separator: "; "))
                }
                if !quarter.decisions.isEmpty {
                    out.append(say(.decisionsHeading))
                    for decision in quarter.decisions { out.append("      - \(day(decision.date)): \(decision.text)") }
                }
            }
        }
        return lines(out)
    }
}
