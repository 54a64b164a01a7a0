import KetteProtocol

/// The reports as CSV: one row per cell, figure or item, stable English column names and slugs,
/// so a spreadsheet can filter and pivot them. Names are given beside ids. Written by the one CSV
/// codec in `CSVDialect.rfc4180` (`,`, CRLF, no mark), with formula-like text neutralized as in
/// every CSV Kette writes.
public enum ReportCSV {
    /// The dialect of every report's CSV.
    public static let dialect = CSVDialect.rfc4180

    /// A whole table, header first.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        CSV.text([header] + rows, dialect: dialect)
    }

    private static func optional(_ value: Int?) -> String { value.map(String.init) ?? "" }

    public static func coverage(_ report: CoverageReport) -> String {
        let names = Dictionary(report.districts.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return table(["district", "district_name", "phase", "active_offers", "gap", "parallel_categories"],
                     report.cells.map { cell in
                         [cell.district, names[cell.district] ?? "", cell.phase.slug, String(cell.activeOffers),
                          cell.isGap ? "true" : "false", cell.parallelCategories.map(\.slug).joined(separator: " ")]
                     })
    }

    public static func indicators(_ report: IndicatorReport) -> String {
        func figures(_ f: IndicatorReport.Figures) -> [String] {
            [String(f.offers), String(f.participants), optional(f.previousParticipants), optional(f.participantsChange),
             optional(f.sessions), optional(f.previousSessions), optional(f.sessionsChange)]
        }
        var rows = report.rows.map { row in
            [row.period.description, row.district.id, row.district.name, row.phase?.slug ?? ""] + figures(row.figures)
        }
        // Totals as rows of their own, marked by an empty district, so sums stay out of the way
        // of a pivot over the district rows.
        rows += report.totals.map { [$0.period.description, "", "", ""] + figures($0.figures) }
        return table(["period", "district", "district_name", "phase", "offers", "participants", "previous_participants",
                      "participants_change", "sessions", "previous_sessions", "sessions_change"], rows)
    }

    public static func tasks(_ report: TaskReport) -> String {
        table(["id", "due", "overdue", "days_overdue", "owner", "text", "body", "body_name", "meeting", "meeting_date"],
              report.tasks.map { task in
                  [task.id, task.due ?? "", task.overdue ? "true" : "false", optional(task.daysOverdue), task.owner ?? "", task.text,
                   task.body?.id ?? "", task.body?.name ?? "", task.meeting, task.meetingDate ?? ""]
              })
    }

    /// One row per body, quarter and attending organization; a quarter without attendees still
    /// has its row, with the organization empty.
    public static func meetings(_ report: MeetingReport) -> String {
        var rows: [[String]] = []
        for body in report.bodies {
            for quarter in body.quarters {
                let common = [body.body.id, body.body.name, body.level?.slug ?? "", quarter.quarter.description,
                              String(quarter.meetings), String(quarter.decisions.count)]
                if quarter.attendance.isEmpty { rows.append(common + ["", "", ""]) }
                for entry in quarter.attendance {
                    rows.append(common + [entry.organization ?? "", String(entry.meetings), String(entry.attendees)])
                }
            }
        }
        return table(["body", "body_name", "level", "quarter", "meetings", "decisions", "organization",
                      "meetings_attended", "attendees"], rows)
    }
}
