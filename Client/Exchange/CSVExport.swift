import Foundation
import KetteProtocol
import KetteStore

/// `kette export csv`: offers, organizations, meetings and action items (and the planning records,
/// `CSVExport+Planning.swift`) as spreadsheets a
/// coordinator opens in a German spreadsheet program (see `CSV` for the dialect), one file per
/// record type. Deleted records are left out.
///
/// Headers and closed-list values follow the reader's language: German labels ("Frühe Kindheit")
/// for German, JSON keys and slugs ("early-childhood") otherwise. `offers.csv` reads back through
/// `kette import offers` unchanged in either form.
extension LocalStore {
    public func csvExport(language: Language) throws -> [ExportFile] {
        let districtNames = try ReferenceNames(table: "districts", in: database)
        let providerNames = try ReferenceNames(table: "organizations", in: database)
        let offers = try self.offers(OfferFilter(), language: language)
        let organizations = try self.organizations()
        let meetings = try self.meetings(body: nil, language: language)
        let tasks = try self.tasks(openOnly: false, owner: nil)
        return [
            ExportFile(name: "offers.csv", data: CSV.write(offerRows(offers, districtNames, providerNames, language), dialect: .excel), records: offers.count),
            ExportFile(name: "organizations.csv", data: CSV.write(organizationRows(organizations, language), dialect: .excel), records: organizations.count),
            ExportFile(name: "meetings.csv", data: CSV.write(try meetingRows(meetings, language), dialect: .excel), records: meetings.count),
            ExportFile(name: "tasks.csv", data: CSV.write(try taskRows(tasks, language), dialect: .excel), records: tasks.count),
        ] + (try planningCSVFiles(language: language))
    }

    private func offerRows(_ offers: [Offer], _ districts: ReferenceNames, _ providers: ReferenceNames, _ language: Language) -> [[String]] {
        let header = OfferColumn.allCases.map { $0.header(language) }
        return [header] + offers.map { offer in
            OfferColumn.allCases.map { column -> String in
                switch column {
                case .id: offer.id
                case .title: offer.title
                case .district: offer.district.map(districts.reference) ?? ""
                case .phases: offer.phases.map { CSVCell.vocabulary($0, language) }.joined(separator: ", ")
                case .category: CSVCell.vocabulary(offer.category, language)
                case .sector: CSVCell.vocabulary(offer.sector, language)
                case .provider: offer.provider.map(providers.reference) ?? ""
                case .status: CSVCell.vocabulary(offer.status, language)
                case .cost: CSVCell.vocabulary(offer.cost, language)
                case .languages: offer.languages.joined(separator: ", ")
                case .targetGroups: offer.targetGroups.joined(separator: ", ")
                case .location: offer.location ?? ""
                case .schedule: offer.schedule ?? ""
                case .contact: offer.contact ?? ""
                case .accessibility: offer.accessibility ?? ""
                case .start: offer.start ?? ""
                case .end: offer.end ?? ""
                case .description: offer.description ?? ""
                }
            }
        }
    }

    private func organizationRows(_ organizations: [Organization], _ language: Language) -> [[String]] {
        let header = language == .german ? ["ID", "Name", "Art", "Bereich", "Kontakt"] : ["id", "name", "kind", "sector", "contact"]
        return [header] + organizations.map {
            [$0.id, $0.name, $0.kind ?? "", CSVCell.vocabulary($0.sector, language), $0.contact ?? ""]
        }
    }

    /// Meetings with their agenda and decisions in one row each. Attendee names are left out: they
    /// are personal data, and a spreadsheet copy could not be erased with the meeting's record
    /// (`kette meeting show` has them); the row counts them.
    private func meetingRows(_ meetings: [Meeting], _ language: Language) throws -> [[String]] {
        var attendees: [String: Int] = [:]
        for row in try database.rows("SELECT meeting, count(*) AS attendees FROM attendees WHERE deleted = 0 GROUP BY meeting") {
            if let meeting = row.string("meeting") { attendees[meeting] = row.int("attendees") ?? 0 }
        }
        var agenda: [String: [String]] = [:]
        for row in try database.rows("SELECT meeting, title FROM agenda_items WHERE deleted = 0 ORDER BY meeting, \(AgendaOrder.sql)") {
            // Numbered by their place in the agenda's order, as `meeting show` numbers them.
            if let meeting = row.string("meeting") {
                agenda[meeting, default: []].append("\((agenda[meeting]?.count ?? 0) + 1). \(row.string("title") ?? "")")
            }
        }
        var decisions: [String: [String]] = [:]
        for row in try database.rows("SELECT meeting, decision_text FROM decisions WHERE deleted = 0 ORDER BY rowid") {
            if let meeting = row.string("meeting") { decisions[meeting, default: []].append(row.string("decision_text") ?? "") }
        }
        var offerTitles: [String: String] = [:]
        for row in try database.rows("SELECT id, title FROM offers") {
            if let id = row.string("id") { offerTitles[id] = row.string("title") ?? id }
        }
        let header = language == .german
            ? ["ID", "Gremium", "Datum", "Uhrzeit", "Ort", "Teilnehmende", "Tagesordnung", "Beschlüsse", "Angebote", "Protokoll"]
            : ["id", "body", "date", "time", "place", "attendees", "agenda", "decisions", "offers", "minutes"]
        return [header] + meetings.map { meeting in
            [meeting.id, meeting.bodyName ?? meeting.body ?? "", meeting.date, meeting.time ?? "", meeting.place ?? "",
             String(attendees[meeting.id] ?? 0),
             (agenda[meeting.id] ?? []).joined(separator: "\n"),
             (decisions[meeting.id] ?? []).joined(separator: "\n"),
             meeting.offers.map { offerTitles[$0] ?? $0 }.joined(separator: "\n"),
             meeting.minutes ?? ""]
        }
    }

    private func taskRows(_ tasks: [ActionItem], _ language: Language) throws -> [[String]] {
        var meetings: [String: (date: String, body: String)] = [:]
        for row in try database.rows("SELECT m.id, m.meeting_date, b.name AS body_name FROM meetings m LEFT JOIN bodies b ON b.id = m.body") {
            if let id = row.string("id") { meetings[id] = (row.string("meeting_date") ?? "", row.string("body_name") ?? "") }
        }
        let header = language == .german
            ? ["ID", "Arbeitsauftrag", "Verantwortlich", "Fällig", "Status", "Sitzungs-ID", "Gremium", "Sitzungsdatum"]
            : ["id", "text", "owner", "due", "status", "meeting", "body", "meetingDate"]
        return [header] + tasks.map { task in
            [task.id, task.text, task.owner ?? "", task.due ?? "", CSVCell.vocabulary(task.status, language),
             task.meeting, meetings[task.meeting]?.body ?? "", meetings[task.meeting]?.date ?? ""]
        }
    }
}

/// How values read in a spreadsheet cell.
enum CSVCell {
    static func vocabulary<V: Vocabulary>(_ value: V?, _ language: Language) -> String {
        guard let value else { return "" }
        return language == .german ? value.germanLabel : value.slug
    }
}

/// Writes references as people read them, by name, and falls back to the id where a name would
/// not find its way back through `Resolver` on import: a name two records share, a name that is
/// another record's id, a record that is deleted or not here.
struct ReferenceNames {
    private var names: [String: String] = [:]

    init(table: String, in db: Database) throws {
        var live: [(id: String, name: String)] = []
        for row in try db.rows("SELECT id, name FROM \(table) WHERE deleted = 0 AND name IS NOT NULL") {
            if let id = row.string("id"), let name = row.string("name") { live.append((id, name)) }
        }
        let ids = Set(live.map(\.id))
        var uses: [String: Int] = [:]
        for record in live { uses[record.name.folded, default: 0] += 1 }
        for record in live where uses[record.name.folded] == 1 && !ids.contains(record.name) && !record.name.isEmpty {
            names[record.id] = record.name
        }
    }

    func reference(_ id: String) -> String { names[id] ?? id }
}
