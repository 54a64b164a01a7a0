import KetteProtocol

/// What `kette` says about the planning cycle: needs, goals and targets, measures, contacts, body
/// members and agreements, and the goals and measures reports.
public enum PlanningText: String, MessageSection {
    // What input must be.
    case cellFields, customName, memberWho, expectedCustomTarget, expectedCell, expectedEmail, titleOrFrom, periodAndValue
    // How a target stands.
    case met, onTrack, behind, missed, noData
    // Labels of `show`.
    case need, goal, measure, source, meeting, found, body, decision, countyWide, county, phases, district, status, category, start, due
    case targets, baseline, target, by, organization, owner, contact, needs, gaps, goals, task, progress, description
    case name, role, phone, email, publication, title, kind, parties, signed, review, summary, document, level
    case sectorsRepresented, sectorsMissing, none
    // Table headers.
    case headerFound, headerPhases, headerNeed, headerTargets, headerGoal, headerMeasure, headerOrganization, headerRole, headerPublished
    case headerReview, headerPerson, headerSector, headerTarget, headerBaseline, headerCurrent, headerTrend, headerStanding, headerKind
    // Writes.
    case deleted, removedMember
    // List nouns.
    case nounNeeds, nounGoals, nounMeasures, nounContacts, nounAgreements, nounMembers
    // The goals and measures reports.
    case goalsInPeriod, goalsAsOf, noGoals, measuresAsOf, overdueDays, gapClosed, gapOpen, gapLine, needLine, needClosed, needCovered
    case ownerLine, latestLine
    // Agreements in `report tasks`.
    case reviewTitle, reviewOverdue, reviewComing, headerAgreement
    // Marks on `report coverage`.
    case coverageMarks, markedCells, cellMarks
    // The committee page's section on goals and measures.
    case goalsAndMeasures, noPlanning, planningLead, headerTargetName, columnBaseline, columnTarget, currentValue, standing, addresses, addressedCounts

    public static let texts: [PlanningText: LocalizedText] = [
        .cellFields: LocalizedText("--district and --phase (the coverage cell whose active offers are counted)",
                                   "--district und --phase (die Zelle, deren aktive Angebote gezählt werden)"),
        .customName: LocalizedText("--name (what the custom indicator counts)", "--name (was die eigene Kennzahl zählt)"),
        .memberWho: LocalizedText("--organization, --person or --contact (who sits in the body)",
                                  "--organization, --person oder --contact (wer im Gremium sitzt)"),
        .expectedCustomTarget: LocalizedText(
            "a target on a custom indicator; participants, sessions and active offers are computed from the offers and their figures (`kette offer indicator`)",
            "ein Zielwert mit eigener Kennzahl; Teilnehmende, Termine und aktive Angebote werden aus den Angeboten und ihren Kennzahlen berechnet (`kette offer indicator`)"),
        .expectedCell: LocalizedText("a cell DISTRICT:PHASE, e.g. nordstadt:early-childhood", "eine Zelle SOZIALRAUM:PHASE, z. B. nordstadt:fruehe-kindheit"),
        .expectedEmail: LocalizedText("an e-mail address, e.g. name@jugendamt.example", "eine E-Mail-Adresse, z. B. name@jugendamt.example"),
        .titleOrFrom: LocalizedText("give TITLE, --from-decision or --from-task", "TITEL, --from-decision oder --from-task angeben"),
        .periodAndValue: LocalizedText("--period and --value are required", "--period und --value sind Pflicht"),
        .met: LocalizedText("met", "erreicht"),
        .onTrack: LocalizedText("on track", "im Plan"),
        .behind: LocalizedText("behind", "im Rückstand"),
        .missed: LocalizedText("missed", "verfehlt"),
        .noData: LocalizedText("no data", "keine Daten"),
        .need: LocalizedText("Need", "Bedarf"),
        .goal: LocalizedText("Goal", "Ziel"),
        .measure: LocalizedText("Measure", "Maßnahme"),
        .source: LocalizedText("Source", "Quelle"),
        .meeting: LocalizedText("Meeting", "Sitzung"),
        .found: LocalizedText("Found", "Erkannt"),
        .body: LocalizedText("Body", "Gremium"),
        .decision: LocalizedText("Decision", "Beschluss"),
        .countyWide: LocalizedText("county-wide", "kreisweit"),
        .county: LocalizedText("county", "Kreis"),
        .phases: LocalizedText("Life phases", "Lebensphasen"),
        .district: LocalizedText("District", "Sozialraum"),
        .status: LocalizedText("Status", "Status"),
        .category: LocalizedText("Category", "Kategorie"),
        .start: LocalizedText("Start", "Beginn"),
        .due: LocalizedText("Due", "Fällig"),
        .targets: LocalizedText("Targets:", "Zielwerte:"),
        .baseline: LocalizedText("baseline", "Ausgangswert"),
        .target: LocalizedText("target", "Ziel"),
        .by: LocalizedText(" by ", " bis "),
        .organization: LocalizedText("Organization", "Träger"),
        .owner: LocalizedText("Owner", "Verantwortlich"),
        .contact: LocalizedText("Contact", "Kontakt"),
        .needs: LocalizedText("Needs", "Bedarfe"),
        .gaps: LocalizedText("Gaps", "Lücken"),
        .goals: LocalizedText("Goals", "Ziele"),
        .task: LocalizedText("Action item", "Arbeitsauftrag"),
        .progress: LocalizedText("Progress:", "Fortschritt:"),
        .description: LocalizedText("Description", "Beschreibung"),
        .name: LocalizedText("Name", "Name der Person"),
        .role: LocalizedText("Role", "Rolle"),
        .phone: LocalizedText("Phone", "Telefon"),
        .email: LocalizedText("E-mail", "E-Mail"),
        .publication: LocalizedText("Publication", "Veröffentlichung"),
        .title: LocalizedText("Title", "Titel"),
        .kind: LocalizedText("Kind", "Art"),
        .parties: LocalizedText("Parties", "Parteien"),
        .signed: LocalizedText("Signed", "Unterzeichnet"),
        .review: LocalizedText("Review", "Überprüfung"),
        .summary: LocalizedText("Summary", "Inhalt"),
        .document: LocalizedText("Document", "Dokument"),
        .level: LocalizedText("Level", "Ebene"),
        .sectorsRepresented: LocalizedText("Sectors represented", "Vertretene Bereiche"),
        .sectorsMissing: LocalizedText("Sectors missing", "Fehlende Bereiche"),
        .none: LocalizedText("none", "keine"),
        .headerFound: LocalizedText("FOUND", "ERKANNT"),
        .headerPhases: LocalizedText("PHASES", "PHASEN"),
        .headerNeed: LocalizedText("NEED", "BEDARF"),
        .headerTargets: LocalizedText("TARGETS", "ZIELWERTE"),
        .headerGoal: LocalizedText("GOAL", "ZIEL"),
        .headerMeasure: LocalizedText("MEASURE", "MASSNAHME"),
        .headerOrganization: LocalizedText("ORGANIZATION", "TRÄGER"),
        .headerRole: LocalizedText("ROLE", "ROLLE"),
        .headerPublished: LocalizedText("PUBLISHED", "VERÖFFENTLICHT"),
        .headerReview: LocalizedText("REVIEW", "ÜBERPRÜFUNG"),
        .headerPerson: LocalizedText("PERSON", "PERSON"),
        .headerSector: LocalizedText("SECTOR", "BEREICH"),
        .headerTarget: LocalizedText("TARGET", "ZIELWERT"),
        .headerBaseline: LocalizedText("BASELINE", "AUSGANG"),
        .headerCurrent: LocalizedText("CURRENT", "AKTUELL"),
        .headerTrend: LocalizedText("TREND", "TREND"),
        .headerStanding: LocalizedText("STANDING", "STAND"),
        .headerKind: LocalizedText("KIND", "ART"),
        .deleted: LocalizedText("Deleted {kind} {id}.", "{kind} {id} gelöscht."),
        .removedMember: LocalizedText("Removed member {id}.", "Mitglied {id} entfernt."),
        .nounNeeds: LocalizedText("{n:need|needs}", "{n:Bedarf|Bedarfe}"),
        .nounGoals: LocalizedText("{n:goal|goals}", "{n:Ziel|Ziele}"),
        .nounMeasures: LocalizedText("{n:measure|measures}", "{n:Maßnahme|Maßnahmen}"),
        .nounContacts: LocalizedText("{n:contact|contacts}", "{n:Kontakt|Kontakte}"),
        .nounAgreements: LocalizedText("{n:agreement|agreements}", "{n:Vereinbarung|Vereinbarungen}"),
        .nounMembers: LocalizedText("{n:member|members}", "{n:Mitglied|Mitglieder}"),
        .goalsInPeriod: LocalizedText("Goals and targets in {period}", "Ziele und Zielwerte im Zeitraum {period}"),
        .goalsAsOf: LocalizedText("Goals and targets as of {day}", "Ziele und Zielwerte, Stand {day}"),
        .noGoals: LocalizedText("No goals recorded.", "Keine Ziele erfasst."),
        .measuresAsOf: LocalizedText("Measures as of {day}: {count} ({statuses}), {overdue} overdue",
                                     "Maßnahmen, Stand {day}: {count} ({statuses}), davon {overdue} überfällig"),
        .overdueDays: LocalizedText(", {days} {days:day|days} overdue", ", {days} {days:Tag|Tage} überfällig"),
        .gapLine: LocalizedText("Gap {district} × {phase}: {state}", "Lücke {district} × {phase}: {state}"),
        .gapClosed: LocalizedText("closed ({offers} running {offers:offer|offers})", "geschlossen ({offers} {offers:laufendes Angebot|laufende Angebote})"),
        .gapOpen: LocalizedText("open", "offen"),
        .needLine: LocalizedText("Need: {need} — {state}", "Bedarf: {need} — {state}"),
        .needClosed: LocalizedText("closed", "geschlossen"),
        .needCovered: LocalizedText("covered by running offers: close it?", "durch laufende Angebote gedeckt: schließen?"),
        .ownerLine: LocalizedText("Owner: {owner}", "Verantwortlich: {owner}"),
        .latestLine: LocalizedText("Latest: {date} {text}", "Zuletzt: {date} {text}"),
        .reviewTitle: LocalizedText("Agreements due for review within {horizon} days: {count}",
                                    "Vereinbarungen, die in den nächsten {horizon} Tagen zu überprüfen sind: {count}"),
        .reviewOverdue: LocalizedText("overdue by {days} {days:day|days}", "seit {days} {days:Tag|Tagen} überfällig"),
        .reviewComing: LocalizedText("in {days} {days:day|days}", "in {days} {days:Tag|Tagen}"),
        .headerAgreement: LocalizedText("AGREEMENT", "VEREINBARUNG"),
        .goalsAndMeasures: LocalizedText("5. Goals and measures", "5. Ziele und Maßnahmen"),
        .noPlanning: LocalizedText("No goals or measures recorded.", "Keine Ziele oder Maßnahmen erfasst."),
        .planningLead: LocalizedText(
            "{goals} {goals:goal|goals} with {targets} {targets:target|targets}: {standings}. {measures} {measures:measure|measures}: {statuses}; {overdue} overdue.",
            "{goals} {goals:Ziel|Ziele} mit {targets} {targets:Zielwert|Zielwerten}: {standings}. {measures} {measures:Maßnahme|Maßnahmen}: {statuses}; davon {overdue} überfällig."),
        .headerTargetName: LocalizedText("Goal and its targets (indicator, where)", "Ziel und seine Zielwerte (Kennzahl, wo)"),
        .columnBaseline: LocalizedText("Baseline", "Ausgangswert"),
        .columnTarget: LocalizedText("Target", "Zielwert"),
        .currentValue: LocalizedText("Current value", "Aktueller Wert"),
        .standing: LocalizedText("Standing", "Stand"),
        .addresses: LocalizedText("Gaps, needs", "Lücken, Bedarfe"),
        .addressedCounts: LocalizedText("closed: gaps {closedGaps}/{gaps}, needs {closedNeeds}/{needs}",
                                        "geschlossen: Lücken {closedGaps}/{gaps}, Bedarfe {closedNeeds}/{needs}"),
        .coverageMarks: LocalizedText("? open need (not closed)   + running measure", "? offener Bedarf (nicht geschlossen)   + laufende Maßnahme"),
        .markedCells: LocalizedText("Cells with open needs or running measures ({count}):",
                                    "Zellen mit offenen Bedarfen oder laufenden Maßnahmen ({count}):"),
        .cellMarks: LocalizedText("{needs} open {needs:need|needs}, {measures} running {measures:measure|measures}",
                                  "{needs} {needs:offener Bedarf|offene Bedarfe}, {measures} {measures:laufende Maßnahme|laufende Maßnahmen}"),
    ]
}
