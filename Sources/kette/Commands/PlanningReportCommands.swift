import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

private let goalsPeriod = Option<String>("period", value: "YYYY-Qn|YYYY", help: LocalizedText(
    "evaluate the targets over this quarter or year (default: as of today, with the latest figures)",
    "die Zielwerte über dieses Quartal oder Jahr auswerten (Standard: heute, mit den neuesten Zahlen)"))
let planningReportCommands: [KetteCommand] = [
    KetteCommand(
        "report goals", abstract: LocalizedText("each goal's targets: baseline, target, current value, trend, on track or not",
                                                "die Zielwerte jedes Ziels: Ausgangswert, Ziel, aktueller Wert, Trend, im Plan oder nicht"),
        options: [goalsPeriod, todayOption, jsonFlag],
        discussion: LocalizedText("Current values are computed: participants and sessions from the offers' figures in the target's district and phase, active offers from the offers running there, custom indicators from `kette goal figure`.",
                                  "Aktuelle Werte werden berechnet: Teilnehmende und Termine aus den Kennzahlen der Angebote in Sozialraum und Lebensphase des Zielwerts, aktive Angebote aus den dort laufenden Angeboten, eigene Kennzahlen aus `kette goal figure`.")
    ) { args, context in
        let period = try args[goalsPeriod].map { try ReportingPeriod(parsing: $0) }
        let report = try context.store().goalReport(period: period, today: try reportDay(args, context), language: context.language)
        if context.wantsJSON { return try context.printJSON(report) }
        for line in PlanningReportText(context).goals(report) { context.say(line) }
    },
    KetteCommand(
        "report measures", abstract: LocalizedText("measures by status, overdue first, with the gaps and needs they address and whether those are closed now",
                                                   "Maßnahmen nach Status, überfällige zuerst, mit den Lücken und Bedarfen, die sie angehen, und ob diese jetzt geschlossen sind"),
        options: [todayOption, jsonFlag]
    ) { args, context in
        let report = try context.store().measureReport(today: try reportDay(args, context), language: context.language)
        if context.wantsJSON { return try context.printJSON(report) }
        for line in PlanningReportText(context).measures(report) { context.say(line) }
    },
]

/// The goals and measures reports as text for the terminal, in the reader's language.
struct PlanningReportText {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    private var language: Language { context.language }

    func goals(_ report: GoalReport) -> [String] {
        var out = [report.period.map { PlanningText.goalsInPeriod(language, ["period": $0]) }
                   ?? PlanningText.goalsAsOf(language, ["day": Day(report.today)])]
        if report.goals.isEmpty { out.append(context.text(.noGoals)) }
        for goal in report.goals {
            out.append("")
            out.append("\(goal.statement)  (\(shortID(goal.id)))" + (goal.body.map { " — \($0.name)" } ?? ""))
            let header = [context.text(.headerTarget), context.text(.headerBaseline), context.text(.headerGoal), OutputText.headerDue(language),
                          context.text(.headerCurrent), context.text(.headerTrend), context.text(.headerStanding)]
            out += context.table(header, goal.targets.map { target in
                [targetName(target), target.baseline.map(String.init) ?? "–", target.targetValue.map(String.init) ?? "–", target.due ?? "–",
                 target.current.map { "\($0) (\(target.period.map { Day($0).text(language) } ?? ""))" } ?? "–",
                 target.trend.symbol + (target.previous.map { " \($0)" } ?? ""), target.standing.text(language)]
            }).map { "  " + $0 }
        }
        return out
    }

    private func targetName(_ target: GoalReport.TargetLine) -> String {
        let what = target.indicator == .custom ? (target.name ?? "–") + (target.unit.map { " (\($0))" } ?? "") : context.label(target.indicator)
        let cell = [target.district?.name, target.phase.map { ReportFormatting.shortLabel($0, language) }].compactMap { $0 }
        return what + (cell.isEmpty ? "" : " · " + cell.joined(separator: " × "))
    }

    func measures(_ report: MeasureReport) -> [String] {
        let counts = MeasureStatus.allCases.map { "\($0.label(language)) \(report.byStatus[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        var out = [PlanningText.measuresAsOf(language, ["day": Day(report.today), "count": report.measures.count, "statuses": counts,
                                                        "overdue": report.overdue])]
        for measure in report.measures {
            out.append("")
            let late = measure.daysOverdue.map { PlanningText.overdueDays(language, ["days": $0]) } ?? ""
            out.append("[\(measure.status.label(language))] \(measure.title)  (\(shortID(measure.id)))"
                       + (measure.due.map { " — " + PlanningText.due(language) + " " + Day($0).text(language) } ?? "") + late)
            if let owner = measure.owner ?? measure.organization?.name { out.append("  " + PlanningText.ownerLine(language, ["owner": owner])) }
            for gap in measure.gaps {
                let state = gap.closedNow ? PlanningText.gapClosed.with(["offers": gap.runningOffers]) : PlanningText.gapOpen.text
                out.append("  " + PlanningText.gapLine(language, ["district": gap.district.name, "phase": gap.phase.label(language), "state": state]))
            }
            for need in measure.needs {
                let state = need.status == .closed ? PlanningText.needClosed.text
                    : need.covered ? PlanningText.needCovered.text : LocalizedText(need.status.englishLabel, need.status.germanLabel)
                out.append("  " + PlanningText.needLine(language, ["need": need.description, "state": state]))
            }
            if let note = measure.lastNote {
                out.append("  " + PlanningText.latestLine(language, ["date": Day(note.date ?? "–"), "text": note.text]))
            }
        }
        return out
    }
}
