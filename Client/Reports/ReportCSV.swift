import KetteProtocol

/// The reports as CSV: one row per cell, figure or item, so a spreadsheet can filter and pivot
/// them. Written by the one CSV codec in the dialect of every CSV Kette writes (`CSVDialect.excel`:
/// UTF-8 with byte-order mark, `;`, CRLF, formula-like text neutralized), so German Excel opens a
/// report as it opens `kette export csv`. Headers and closed-list values follow the reader's
/// language as in `export csv`: German labels under a German locale, the report's JSON keys and
/// slugs otherwise. Names are given beside ids.
public struct ReportCSV {
    /// The dialect of every report's CSV.
    public static let dialect = CSVDialect.excel

    public let language: Language

    public init(language: Language) { self.language = language }

    /// A whole table, header first; a header is (JSON key, German label).
    public func table(_ header: [(String, String)], _ rows: [[String]]) -> String {
        CSV.text([header.map { language == .german ? $0.1 : $0.0 }] + rows, dialect: Self.dialect)
    }

    private func optional(_ value: Int?) -> String { value.map(String.init) ?? "" }
    private func yesNo(_ value: Bool) -> String { language == .german ? (value ? "ja" : "nein") : (value ? "true" : "false") }
    private func vocabulary<V: Vocabulary>(_ value: V?) -> String { CSVCell.vocabulary(value, language) }

    public func coverage(_ report: CoverageReport) -> String {
        let names = Dictionary(report.districts.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return table([("district", "Sozialraum-ID"), ("districtName", "Sozialraum"), ("phase", "Lebensphase"),
                      ("activeOffers", "Aktive Angebote"), ("gap", "Lücke"), ("parallelCategories", "Mögliche Parallelstrukturen"),
                      ("ended", "Beendet"), ("planned", "Geplant"), ("openNeeds", "Offene Bedarfe"), ("runningMeasures", "Laufende Maßnahmen")],
                     report.cells.map { cell in
                         [cell.district, names[cell.district] ?? "", vocabulary(cell.phase), String(cell.activeOffers), yesNo(cell.isGap),
                          cell.parallelCategories.map(vocabulary).joined(separator: ", "), String(cell.ended), String(cell.planned),
                          String(cell.openNeeds.count), String(cell.runningMeasures.count)]
                     })
    }

    public func indicators(_ report: IndicatorReport) -> String {
        func figures(_ f: IndicatorReport.Figures) -> [String] {
            [String(f.offers), String(f.participants), optional(f.previousParticipants), optional(f.participantsChange),
             optional(f.yearBeforeParticipants), optional(f.yearBeforeParticipantsChange),
             optional(f.sessions), optional(f.previousSessions), optional(f.sessionsChange)]
        }
        func spans(_ period: ReportingPeriod) -> [String] {
            let comparison = report.comparison(for: period)
            return [comparison?.current.description ?? period.description, comparison?.previous?.description ?? "",
                    comparison?.yearBefore?.description ?? ""]
        }
        var rows = report.rows.map { row in
            [row.period.description] + spans(row.period) + [row.district.id, row.district.name, vocabulary(row.phase)] + figures(row.figures)
        }
        // Totals as rows of their own, marked by an empty district, so sums stay out of the way
        // of a pivot over the district rows.
        rows += report.totals.map { [$0.period.description] + spans($0.period) + ["", "", ""] + figures($0.figures) }
        return table([("period", "Zeitraum"), ("span", "Summiert über"), ("comparedWith", "Verglichen mit"),
                      ("yearBefore", "Vorjahreszeitraum"), ("district", "Sozialraum-ID"), ("districtName", "Sozialraum"),
                      ("phase", "Lebensphase"), ("offers", "Angebote"), ("participants", "Teilnahmen"),
                      ("previousParticipants", "Teilnahmen Vergleichszeitraum"), ("participantsChange", "Veränderung"),
                      ("yearBeforeParticipants", "Teilnahmen Vorjahreszeitraum"), ("yearBeforeParticipantsChange", "Veränderung zum Vorjahr"),
                      ("sessions", "Termine"), ("previousSessions", "Termine Vergleichszeitraum"), ("sessionsChange", "Veränderung Termine")],
                     rows)
    }

    public func tasks(_ report: TaskReport) -> String {
        table([("id", "ID"), ("due", "Fällig"), ("overdue", "Überfällig"), ("daysOverdue", "Tage überfällig"), ("owner", "Verantwortlich"),
               ("text", "Arbeitsauftrag"), ("body", "Gremium-ID"), ("bodyName", "Gremium"), ("meeting", "Sitzungs-ID"),
               ("meetingDate", "Sitzungsdatum")],
              report.tasks.map { task in
                  [task.id, task.due ?? "", yesNo(task.overdue), optional(task.daysOverdue), task.owner ?? "", task.text,
                   task.body?.id ?? "", task.body?.name ?? "", task.meeting, task.meetingDate ?? ""]
              })
    }

    /// One row per body, quarter and attending organization; a quarter without attendees still
    /// has its row, with the organization empty.
    public func meetings(_ report: MeetingReport) -> String {
        var rows: [[String]] = []
        for body in report.bodies {
            for quarter in body.quarters {
                let common = [body.body.id, body.body.name, vocabulary(body.level), quarter.quarter.description,
                              String(quarter.meetings), String(quarter.decisions.count)]
                if quarter.attendance.isEmpty { rows.append(common + ["", "", ""]) }
                for entry in quarter.attendance {
                    rows.append(common + [entry.organization ?? "", String(entry.meetings), String(entry.attendees)])
                }
            }
        }
        return table([("body", "Gremium-ID"), ("bodyName", "Gremium"), ("level", "Ebene"), ("quarter", "Quartal"), ("meetings", "Sitzungen"),
                      ("decisions", "Beschlüsse"), ("organization", "Organisation"), ("meetingsAttended", "Sitzungen besucht"),
                      ("attendees", "Teilnehmende")], rows)
    }
}
