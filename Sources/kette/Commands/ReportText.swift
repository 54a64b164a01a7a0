import KetteClient
import KetteProtocol

/// The reports as plain text for the terminal, in the reader's language.
struct ReportText {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    private var language: Language { context.language }
    private func pick(_ english: String, _ german: String) -> String { language.pick(english, german) }
    private func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    private func day(_ text: String?) -> String { ReportFormatting.day(text, language) }
    private func lines(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    func coverage(_ report: CoverageReport) -> String {
        var out: [String] = []
        let scope = report.category.map { pick("category: \($0.label(language))", "Kategorie: \($0.label(language))") }
            ?? pick("all categories", "alle Kategorien")
        out.append(pick("Active offers per district and life phase (\(scope))", "Aktive Angebote je Sozialraum und Lebensphase (\(scope))"))
        out.append("")
        let header = [pick("DISTRICT", "SOZIALRAUM")] + report.phases.map { ReportFormatting.shortLabel($0, language).uppercased() }
        let rows = report.districts.map { district in
            [district.name] + report.phases.map { phase -> String in
                guard let cell = report.cell(district: district.id, phase: phase) else { return "" }
                // Marks as well as numbers: the table must say "gap" without colour.
                return "\(cell.activeOffers)" + (cell.isGap ? "!" : cell.parallelCategories.isEmpty ? "" : "*")
            }
        }
        out += context.table(header, rows)
        out.append(pick("0! gap: no active offer   * possible parallel structure: several active offers of one category",
                        "0! Lücke: kein aktives Angebot   * mögliche Parallelstruktur: mehrere aktive Angebote einer Kategorie"))
        out.append(pick("Columns: ", "Spalten: ") + report.phases.map { $0.label(language) }.joined(separator: " | "))
        out.append("")
        out.append(pick("Gaps (\(report.gaps.count)):", "Lücken (\(report.gaps.count)):"))
        if report.gaps.isEmpty { out.append(pick("  none", "  keine")) }
        for district in report.districts {
            let phases = report.gaps.filter { $0.district.id == district.id }.map { ReportFormatting.phaseName($0.phase, language) }
            if !phases.isEmpty { out.append("  \(district.name): \(phases.joined(separator: ", "))") }
        }
        out.append("")
        out.append(pick("Possible parallel structures (\(report.parallelCandidates.count)):",
                        "Mögliche Parallelstrukturen (\(report.parallelCandidates.count)):"))
        if report.parallelCandidates.isEmpty { out.append(pick("  none", "  keine")) }
        for candidate in report.parallelCandidates {
            let offers = candidate.offers.map { $0.title + ($0.provider.map { " (\($0))" } ?? "") + " [\(shortID($0.id))]" }
            out.append("  \(candidate.district.name) · \(ReportFormatting.phaseName(candidate.phase, language)) · \(candidate.category.label(language)): "
                       + offers.joined(separator: "; "))
        }
        if !report.offersWithoutPhase.isEmpty {
            out.append("")
            out.append(pick("Active offers without a life phase (not in the table): ", "Aktive Angebote ohne Lebensphase (nicht in der Tabelle): ")
                       + report.offersWithoutPhase.map { "\($0.title) [\(shortID($0.id))]" }.joined(separator: "; "))
        }
        return lines(out)
    }

    func indicators(_ report: IndicatorReport) -> String {
        var out: [String] = []
        if let period = report.period {
            out.append(pick("Figures for \(period.label(language)), change to \(period.previous.label(language))",
                            "Zahlen für \(period.label(language)), Veränderung zu \(period.previous.label(language))"))
        } else {
            out.append(report.granularity == .year ? pick("Figures per year", "Zahlen je Jahr") : pick("Figures per quarter", "Zahlen je Quartal"))
        }
        if report.rows.isEmpty {
            out.append(pick("No figures recorded.", "Keine Zahlen erfasst."))
            return lines(out)
        }
        out.append("")
        let header = [pick("PERIOD", "ZEITRAUM"), pick("DISTRICT", "SOZIALRAUM"), pick("LIFE PHASE", "LEBENSPHASE"), pick("OFFERS", "ANGEBOTE"),
                      pick("PARTICIPATIONS", "TEILNAHMEN"), pick("CHANGE", "VERÄNDERUNG"), pick("SESSIONS", "TERMINE"), pick("CHANGE", "VERÄNDERUNG")]
        func figures(_ f: IndicatorReport.Figures) -> [String] {
            [number(f.offers), number(f.participants), ReportFormatting.change(f.participants, from: f.previousParticipants, language),
             f.sessions.map(number) ?? "–", f.sessions.map { ReportFormatting.change($0, from: f.previousSessions, language) } ?? "–"]
        }
        var rows = report.rows.map { row in
            [row.period.label(language), row.district.name, row.phase.map { ReportFormatting.phaseName($0, language) } ?? "–"] + figures(row.figures)
        }
        rows += report.totals.map { [$0.period.label(language), pick("all (each offer once)", "alle (jedes Angebot einmal)"), ""] + figures($0.figures) }
        out += context.table(header, rows)
        out.append("")
        out.append(pick("An offer for several life phases counts in each; \"–\": nothing recorded for the period before.",
                        "Ein Angebot für mehrere Lebensphasen zählt bei jeder; „–“: für den Vorzeitraum nichts erfasst."))
        return lines(out)
    }

    func tasks(_ report: TaskReport) -> String {
        var out = [pick("Open action items as of \(day(report.today)): \(report.tasks.count), \(report.overdue) overdue",
                        "Offene Arbeitsaufträge, Stand \(day(report.today)): \(report.tasks.count), davon \(report.overdue) überfällig")]
        guard !report.tasks.isEmpty else { return lines(out) }
        out.append("")
        let header = ["ID", pick("DUE", "FÄLLIG"), pick("STATE", "STAND"), pick("OWNER", "VERANTWORTLICH"), pick("ACTION ITEM", "AUFTRAG"),
                      pick("BODY", "GREMIUM"), pick("MEETING", "SITZUNG")]
        out += context.table(header, report.tasks.map { task in
            let state = task.daysOverdue.map { pick("overdue \($0) d", "überfällig \($0) T.") } ?? pick("open", "offen")
            return [shortID(task.id), task.due.map(day) ?? "–", state, task.owner ?? "–", task.text, task.body?.name ?? "–",
                    "\(day(task.meetingDate)) [\(shortID(task.meeting))]"]
        })
        return lines(out)
    }

    func meetings(_ report: MeetingReport) -> String {
        var out = [pick("Meetings per body and quarter", "Sitzungen je Gremium und Quartal")
                   + (report.period.map { " (\($0.label(language)))" } ?? "")
                   + ": " + ReportFormatting.count(report.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language)
                   + ", " + ReportFormatting.count(report.decisions, ("decision", "Beschluss"), ("decisions", "Beschlüsse"), language)]
        for body in report.bodies {
            out.append("")
            out.append(body.body.name + (body.level.map { " (\($0.label(language)))" } ?? ""))
            if body.quarters.isEmpty { out.append(pick("  no meetings", "  keine Sitzungen")) }
            for quarter in body.quarters {
                out.append("  \(quarter.quarter.label(language)): "
                           + ReportFormatting.count(quarter.meetings, ("meeting", "Sitzung"), ("meetings", "Sitzungen"), language)
                           + " (" + quarter.meetingDates.map(day).joined(separator: ", ") + ")")
                if !quarter.attendance.isEmpty {
                    let present = quarter.attendance.map { entry in
                        (entry.organization ?? pick("(not given)", "(ohne Angabe)")) + " \(entry.meetings)/\(quarter.meetings) ("
                            + ReportFormatting.count(entry.attendees, ("person", "Person"), ("people", "Personen"), language) + ")"
                    }
                    out.append(pick("    taking part: ", "    beteiligt: ") + present.joined(separator: "; "))
                }
                if !quarter.decisions.isEmpty {
                    out.append(pick("    decisions:", "    Beschlüsse:"))
                    for decision in quarter.decisions { out.append("      - \(day(decision.date)): \(decision.text)") }
                }
            }
        }
        return lines(out)
    }
}
