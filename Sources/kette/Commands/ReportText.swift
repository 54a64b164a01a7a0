import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// The reports as plain text for the terminal, in the reader's language.
struct ReportText {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    private var language: Language { context.language }
    private func say(_ line: ReportLines, _ values: MessageValues = [:]) -> String { line(language, values) }
    private func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    private func day(_ text: String?) -> String { ReportFormatting.day(text, language) }
    private func lines(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    func coverage(_ report: CoverageReport) -> String {
        var out: [String] = []
        let scope = report.category.map { say(.categoryScope, ["category": Label($0)]) } ?? say(.allCategories)
        let counted = say(report.window.isDay ? .runningOn : .runningIn, ["window": report.window.label(language)])
        out.append(say(.coverageTitle, ["scope": scope]) + ", " + counted)
        out.append(report.scope.label(language))
        out.append("")
        let header = [OutputText.headerDistrict(language)] + report.phases.map { ReportFormatting.shortLabel($0, language).uppercased() }
        let rows = report.districts.map { district in
            [district.name] + report.phases.map { phase -> String in
                guard let cell = report.cell(district: district.id, phase: phase) else { return "" }
                // Marks as well as numbers: the table must say "gap" without colour.
                return "\(cell.activeOffers)" + (cell.isGap ? "!" : cell.parallelCategories.isEmpty ? "" : "*")
                    + (cell.openNeeds.isEmpty ? "" : "?") + (cell.runningMeasures.isEmpty ? "" : "+")
            }
        }
        out += context.table(header, rows)
        out.append(say(.coverageLegend))
        out.append(PlanningText.coverageMarks(language))
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
        out += planningMarks(report)
        out += datedOffers(say(.endedNotCounted, ["count": String(report.ended.count)]), report.ended)
        out += datedOffers(say(.plannedNotCounted, ["count": String(report.planned.count)]), report.planned)
        return lines(out)
    }

    /// The cells with open needs or running measures, district by district.
    private func planningMarks(_ report: CoverageReport) -> [String] {
        let marked = report.cells.filter { !$0.openNeeds.isEmpty || !$0.runningMeasures.isEmpty }
        var out = ["", PlanningText.markedCells(language, ["count": marked.count])]
        let names = Dictionary(report.districts.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for cell in marked {
            let counts = PlanningText.cellMarks(language, ["needs": cell.openNeeds.count, "measures": cell.runningMeasures.count])
            out.append("  \(names[cell.district] ?? cell.district) · \(ReportFormatting.phaseName(cell.phase, language)): \(counts)")
        }
        return out
    }

    /// The ended or planned offers, one a line with district and dates.
    private func datedOffers(_ heading: String, _ offers: [CoverageReport.DatedOffer]) -> [String] {
        var out = ["", heading]
        if offers.isEmpty { out.append(say(.none)) }
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
            out.append(say(.figuresFor, ["comparison": comparisonLine(comparison)]))
        } else {
            out.append(say(report.granularity == .year ? .figuresPerYear : .figuresPerQuarter))
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
                      say(.headerParticipations), say(quarters ? .headerToQuarterBefore : .headerChange)]
        if quarters { header.append(say(.headerToYearBefore)) }
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
        let current = comparison.current.label(language)
        switch (comparison.previous, comparison.yearBefore) {
        case (let previous?, let yearBefore?):
            return say(.comparedWithBoth, ["period": current, "previous": previous.label(language), "yearBefore": yearBefore.label(language)])
        case (let previous?, nil), (nil, let previous?):
            return say(.comparedWith, ["period": current, "previous": previous.label(language)])
        case (nil, nil):
            return say(.noComparablePeriod, ["period": current])
        }
    }

    func tasks(_ report: TaskReport) -> String {
        var out = [say(.openTasks, ["day": day(report.today), "count": report.tasks.count, "overdue": report.overdue])]
        if !report.tasks.isEmpty {
            out.append("")
            let header = [OutputText.headerID(language), OutputText.headerDue(language), say(.headerState), OutputText.headerOwner(language),
                          OutputText.headerTask(language), OutputText.headerBody(language), say(.headerMeeting)]
            out += context.table(header, report.tasks.map { task in
                let state = task.daysOverdue.map { say(.overdue, ["days": $0]) } ?? say(.open)
                return [shortID(task.id), task.due.map(day) ?? "–", state, task.owner ?? "–", task.text, task.body?.name ?? "–",
                        "\(day(task.meetingDate)) [\(shortID(task.meeting))]"]
            })
        }
        return lines(out + agreementsForReview(report))
    }

    /// The agreements due for review, below the action items: reviewing one is work of the bodies too.
    private func agreementsForReview(_ report: TaskReport) -> [String] {
        let agreements = report.agreementsForReview
        var out = ["", PlanningText.reviewTitle(language, ["horizon": TaskReport.AgreementReview.horizonDays, "count": agreements.count])]
        guard !agreements.isEmpty else { return out }
        let header = [OutputText.headerID(language), PlanningText.headerReview(language), say(.headerState), PlanningText.headerAgreement(language),
                      PlanningText.headerKind(language), OutputText.headerBody(language)]
        out += context.table(header, agreements.map { agreement in
            let coming = CalendarDay(report.today).flatMap { today in CalendarDay(agreement.review).map(today.days(until:)) }
            let state = agreement.daysOverdue.map { PlanningText.reviewOverdue(language, ["days": $0]) }
                ?? coming.map { PlanningText.reviewComing(language, ["days": $0]) } ?? "–"
            return [shortID(agreement.id), day(agreement.review), state, agreement.title, agreement.kind?.label(language) ?? "–",
                    agreement.body?.name ?? "–"]
        })
        return out
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
