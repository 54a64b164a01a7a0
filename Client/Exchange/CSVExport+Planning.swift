import Foundation
import KetteProtocol
import KetteStore

/// The planning records in `kette export csv`, in the same dialect and languages as the rest:
/// needs, goals with one row per target, measures with their progress notes, body members,
/// agreements, and the contacts who consented to publication.
///
/// Contacts are personal data: a contact who did not consent (`--consent given`) is neither a row
/// of `contacts.csv` nor named as a member or measure owner, where their name would otherwise
/// come from the register. Names typed as free text (an owner, a member's person) are exported as
/// action items' owners are.
extension LocalStore {
    func planningCSVFiles(language: Language) throws -> [ExportFile] {
        let names = try PlanningNames(store: self, language: language)
        let needs = try self.needs(language: language)
        let goals = try self.goals(language: language)
        let measures = try self.measures(language: language)
        let members = try self.members(body: nil)
        let agreements = try self.agreements()
        let contacts = try self.contacts().filter(\.mayBePublished)
        func file(_ name: String, _ rows: [[String]], _ count: Int) -> ExportFile {
            ExportFile(name: name, data: CSV.write(rows, dialect: .excel), records: count)
        }
        return [
            file("needs.csv", needRows(needs, names, language), needs.count),
            file("goals.csv", goalRows(goals, names, language), goals.count),
            file("measures.csv", measureRows(measures, names, language), measures.count),
            file("members.csv", memberRows(members, names, language), members.count),
            file("agreements.csv", agreementRows(agreements, names, language), agreements.count),
            file("contacts.csv", contactRows(contacts, names, language), contacts.count),
        ]
    }

    private func needRows(_ needs: [Need], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german
            ? ["ID", "Bedarf", "Sozialraum", "Lebensphasen", "Kategorie", "Quelle", "Sitzung", "Erkannt", "Status"]
            : ["id", "description", "district", "phases", "category", "source", "meeting", "found", "status"]
        return [header] + needs.map { need in
            [need.id, need.description, need.district.map(names.districts.reference) ?? "", CSVCell.list(need.phases, language),
             CSVCell.vocabulary(need.category, language), need.source ?? "", need.meeting ?? "", need.found ?? "", CSVCell.vocabulary(need.status, language)]
        }
    }

    /// One row per target, the goal's columns repeated; a goal without targets has one row.
    private func goalRows(_ goals: [Goal], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german
            ? ["Ziel-ID", "Ziel", "Gremium", "Sozialraum", "Lebensphasen", "Zielwert-ID", "Kennzahl", "Name", "Einheit", "Zellen-Sozialraum",
               "Zellen-Phase", "Ausgangswert", "Ausgangszeitraum", "Zielwert", "Bis", "Erfasste Zahlen"]
            : ["goal", "statement", "body", "district", "phases", "target", "indicator", "name", "unit", "target_district", "target_phase",
               "baseline", "baseline_period", "target_value", "due", "figures"]
        return [header] + goals.flatMap { goal -> [[String]] in
            let common = [goal.id, goal.statement, goal.bodyName ?? goal.body ?? "", goal.district.map(names.districts.reference) ?? "",
                          CSVCell.list(goal.phases, language)]
            guard !goal.targets.isEmpty else { return [common + Array(repeating: "", count: 11)] }
            return goal.targets.map { common + targetCells($0, names, language) }
        }
    }

    private func targetCells(_ target: Target, _ names: PlanningNames, _ language: Language) -> [String] {
        let figures: [String] = target.figures.map { "\($0.period): \($0.value)" }
        let district: String = target.district.map(names.districts.reference) ?? ""
        let baseline: String = target.baseline.map(String.init) ?? ""
        let value: String = target.targetValue.map(String.init) ?? ""
        return [target.id, CSVCell.vocabulary(target.indicator, language), target.name ?? "", target.unit ?? "", district,
                CSVCell.vocabulary(target.phase, language), baseline, target.baselinePeriod ?? "", value, target.due ?? "",
                figures.joined(separator: "\n")]
    }

    private func measureRows(_ measures: [Measure], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german
            ? ["ID", "Maßnahme", "Beschreibung", "Sozialraum", "Status", "Träger", "Verantwortlich", "Beginn", "Fällig", "Bedarfe", "Lücken", "Ziele",
               "Beschluss", "Arbeitsauftrag", "Fortschritt"]
            : ["id", "title", "description", "district", "status", "organization", "owner", "start", "due", "needs", "gaps", "goals",
               "decision", "task", "progress"]
        return [header] + measures.map { measureCells($0, names, language) }
    }

    private func measureCells(_ measure: Measure, _ names: PlanningNames, _ language: Language) -> [String] {
        let needs: [String] = measure.needs.map { names.needs[$0] ?? $0 }
        let goals: [String] = measure.goals.map { names.goals[$0] ?? $0 }
        let notes: [String] = measure.notes.map { "\($0.date ?? ""): \($0.text)" }
        let district: String = measure.district.map(names.districts.reference) ?? ""
        let organization: String = measure.organization.map(names.organizations.reference) ?? ""
        return [measure.id, measure.title, measure.description ?? "", district, CSVCell.vocabulary(measure.status, language), organization,
                names.person(measure.owner, contact: measure.contact), measure.start ?? "", measure.due ?? "", needs.joined(separator: "\n"),
                measure.gaps.joined(separator: ", "), goals.joined(separator: "\n"), measure.decision ?? "", measure.task ?? "",
                notes.joined(separator: "\n")]
    }

    private func memberRows(_ members: [Member], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german ? ["ID", "Gremium", "Träger", "Bereich", "Person", "Rolle"] : ["id", "body", "organization", "sector", "person", "role"]
        return [header] + members.map { member in
            [member.id, names.bodies[member.body] ?? member.body, member.organization.map(names.organizations.reference) ?? "",
             CSVCell.vocabulary(member.sector, language), names.person(member.person, contact: member.contact), member.role ?? ""]
        }
    }

    private func agreementRows(_ agreements: [Agreement], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german
            ? ["ID", "Titel", "Art", "Parteien", "Gremium", "Sozialraum", "Unterzeichnet", "Überprüfung", "Inhalt", "Dokument"]
            : ["id", "title", "kind", "parties", "body", "district", "signed", "review", "summary", "reference"]
        return [header] + agreements.map { agreement in
            [agreement.id, agreement.title, CSVCell.vocabulary(agreement.kind, language), agreement.parties.map(names.organizations.reference).joined(separator: "\n"),
             agreement.bodyName ?? agreement.body ?? "", agreement.district.map(names.districts.reference) ?? "", agreement.signed ?? "",
             agreement.review ?? "", agreement.summary ?? "", agreement.reference ?? ""]
        }
    }

    private func contactRows(_ contacts: [Contact], _ names: PlanningNames, _ language: Language) -> [[String]] {
        let header = language == .german ? ["ID", "Name", "Träger", "Rolle", "Telefon", "E-Mail"] : ["id", "name", "organization", "role", "phone", "email"]
        return [header] + contacts.map { contact in
            [contact.id, contact.name, contact.organization.map(names.organizations.reference) ?? "", contact.role ?? "", contact.phone ?? "",
             contact.email ?? ""]
        }
    }
}

/// The names the planning files write for references, read once per export.
private struct PlanningNames {
    let districts: ReferenceNames
    let organizations: ReferenceNames
    let bodies: [String: String]
    let needs: [String: String]
    let goals: [String: String]
    /// Contacts who did not consent to publication (or were deleted): their names stay out.
    let unpublished: Set<String>

    init(store: LocalStore, language: Language) throws {
        districts = try ReferenceNames(table: "districts", in: store.database)
        organizations = try ReferenceNames(table: "organizations", in: store.database)
        bodies = Dictionary(try store.bodies().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        needs = Dictionary(try store.needs(language: language).map { ($0.id, $0.description) }, uniquingKeysWith: { first, _ in first })
        goals = Dictionary(try store.goals(language: language).map { ($0.id, $0.statement) }, uniquingKeysWith: { first, _ in first })
        let published = Set(try store.contacts().filter(\.mayBePublished).map(\.id))
        unpublished = Set(try store.database.rows("SELECT id FROM contacts").compactMap { $0.string("id") }).subtracting(published)
    }

    /// A person's name as typed, unless it came from a contact who did not consent.
    func person(_ name: String?, contact: String?) -> String {
        if let contact, unpublished.contains(contact) { return "" }
        return name ?? ""
    }
}

extension CSVCell {
    static func list<V: Vocabulary>(_ values: [V], _ language: Language) -> String {
        values.map { vocabulary($0, language) }.joined(separator: ", ")
    }
}
