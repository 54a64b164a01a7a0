import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

private let goalsPeriod = Option<String>("period", value: "YYYY-Qn|YYYY", help: LocalizedText(
    "evaluate the targets over this quarter or year (default: as of today, with the latest figures)",
    "die Zielwerte über dieses Quartal oder Jahr auswerten (Standard: heute, mit den neuesten Zahlen)"))
private let asOf = Option<CalendarDay>(
    "today", value: "YYYY-MM-DD",
    help: LocalizedText("the day to report as of (default: $KETTE_TODAY, else today)", "der Stichtag des Berichts (Standard: $KETTE_TODAY, sonst heute)"),
    expected: LocalizedText("a date YYYY-MM-DD, e.g. 2026-03-14", "ein Datum JJJJ-MM-TT (YYYY-MM-DD), z. B. 2026-03-14"), read: CalendarDay.init)

/// `--today`, else `$KETTE_TODAY`, else the machine's date.
private func planningDay(_ args: ParsedInput, _ context: CommandContext) throws -> CalendarDay {
    if let day = args[asOf] { return day }
    guard let value = context.environment["KETTE_TODAY"], !value.isEmpty else { return CalendarDay.today() }
    guard let day = CalendarDay(value) else {
        throw KetteError.malformedValue(field: "KETTE_TODAY", value: value, expected: "a date YYYY-MM-DD, e.g. 2026-03-14")
    }
    return day
}

let planningReportCommands: [KetteCommand] = [
    KetteCommand(
        "report goals", abstract: LocalizedText("each goal's targets: baseline, target, current value, trend, on track or not",
                                                "die Zielwerte jedes Ziels: Ausgangswert, Ziel, aktueller Wert, Trend, im Plan oder nicht"),
        options: [goalsPeriod, asOf, jsonFlag],
        discussion: LocalizedText("Current values are computed: participants and sessions from the offers' figures in the target's district and phase, active offers from the offers running there, custom indicators from `kette goal figure`.",
                                  "Aktuelle Werte werden berechnet: Teilnehmende und Termine aus den Kennzahlen der Angebote in Sozialraum und Phase des Zielwerts, aktive Angebote aus den dort laufenden Angeboten, eigene Kennzahlen aus `kette goal figure`.")
    ) { args, context in
        let period = try args[goalsPeriod].map { try ReportingPeriod(parsing: $0) }
        let report = try context.store().goalReport(period: period, today: try planningDay(args, context), language: context.language)
        if context.wantsJSON { return try context.printJSON(report) }
        for line in PlanningReportText(context).goals(report) { context.say(line) }
    },
    KetteCommand(
        "report measures", abstract: LocalizedText("measures by status, overdue first, with the gaps and needs they address and whether those are closed now",
                                                   "Maßnahmen nach Status, überfällige zuerst, mit den Lücken und Bedarfen, die sie angehen, und ob diese jetzt geschlossen sind"),
        options: [asOf, jsonFlag]
    ) { args, context in
        let report = try context.store().measureReport(today: try planningDay(args, context), language: context.language)
        if context.wantsJSON { return try context.printJSON(report) }
        for line in PlanningReportText(context).measures(report) { context.say(line) }
    },
]

/// The goals and measures reports as text for the terminal, in the reader's language.
struct PlanningReportText {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    private func pick(_ english: String, _ german: String) -> String { context.pick(english, german) }

    func goals(_ report: GoalReport) -> [String] {
        var out = [report.period.map { pick("Goals and targets in \($0)", "Ziele und Zielwerte im Zeitraum \($0)") }
                   ?? pick("Goals and targets as of \(report.today)", "Ziele und Zielwerte, Stand \(report.today)")]
        if report.goals.isEmpty { out.append(pick("No goals recorded.", "Keine Ziele erfasst.")) }
        for goal in report.goals {
            out.append("")
            out.append("\(goal.statement)  (\(shortID(goal.id)))" + (goal.body.map { " — \($0.name)" } ?? ""))
            let header = [pick("TARGET", "ZIELWERT"), pick("BASELINE", "AUSGANG"), pick("TARGET", "ZIEL"), pick("DUE", "BIS"),
                          pick("CURRENT", "AKTUELL"), pick("TREND", "TREND"), pick("STANDING", "STAND")]
            out += context.table(header, goal.targets.map { target in
                [targetName(target), target.baseline.map(String.init) ?? "–", target.targetValue.map(String.init) ?? "–", target.due ?? "–",
                 target.current.map { "\($0) (\(target.period ?? ""))" } ?? "–",
                 target.trend.symbol + (target.previous.map { " \($0)" } ?? ""), target.standing.label(context.language)]
            }).map { "  " + $0 }
        }
        return out
    }

    private func targetName(_ target: GoalReport.TargetLine) -> String {
        let what = target.indicator == .custom ? (target.name ?? "–") + (target.unit.map { " (\($0))" } ?? "") : context.label(target.indicator)
        let cell = [target.district?.name, target.phase.map { ReportFormatting.shortLabel($0, context.language) }].compactMap { $0 }
        return what + (cell.isEmpty ? "" : " · " + cell.joined(separator: " × "))
    }

    func measures(_ report: MeasureReport) -> [String] {
        let counts = MeasureStatus.allCases.map { "\($0.label(context.language)) \(report.byStatus[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        var out = [pick("Measures as of \(report.today): \(report.measures.count) (\(counts)), \(report.overdue) overdue",
                        "Maßnahmen, Stand \(report.today): \(report.measures.count) (\(counts)), davon \(report.overdue) überfällig")]
        for measure in report.measures {
            out.append("")
            let late = measure.daysOverdue.map { pick(", \($0) days overdue", ", \($0) Tage überfällig") } ?? ""
            out.append("[\(measure.status.label(context.language))] \(measure.title)  (\(shortID(measure.id)))"
                       + (measure.due.map { pick(" — due ", " — fällig ") + $0 } ?? "") + late)
            if let owner = measure.owner ?? measure.organization?.name { out.append("  " + pick("Owner: ", "Verantwortlich: ") + owner) }
            for gap in measure.gaps {
                out.append("  " + pick("Gap ", "Lücke ") + "\(gap.district.name) × \(gap.phase.label(context.language)): "
                           + (gap.closedNow ? pick("closed (\(gap.runningOffers) running offers)", "geschlossen (\(gap.runningOffers) laufende Angebote)")
                                            : pick("open", "offen")))
            }
            for need in measure.needs {
                let state = need.status == .closed ? pick("closed", "geschlossen")
                    : need.covered ? pick("covered by running offers: close it?", "durch laufende Angebote gedeckt: schließen?") : need.status.label(context.language)
                out.append("  " + pick("Need: ", "Bedarf: ") + "\(need.description) — \(state)")
            }
            if let note = measure.lastNote { out.append("  " + pick("Latest: ", "Zuletzt: ") + "\(note.date ?? "–") \(note.text)") }
        }
        return out
    }
}
