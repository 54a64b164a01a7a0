/// What `kette` says about records: shown records' labels and headings, and what a write did.
public enum RecordText: String, MessageSection {
    // `offer show`.
    case title, district, phases, category, sector, provider, status, cost, languages, targetGroups, location, schedule
    case contact, accessibility, start, end, description
    // `meeting show`.
    case attendees, agenda, agendaItem, decisions, tasks, due, offers, minutes
    // Writes.
    case deletedOffer, deletedMeeting, taskDone
    case noMatches

    public static let texts: [RecordText: LocalizedText] = [
        .title: LocalizedText("Title", "Titel"),
        .district: LocalizedText("District", "Sozialraum"),
        .phases: LocalizedText("Life phases", "Lebensphasen"),
        .category: LocalizedText("Category", "Kategorie"),
        .sector: LocalizedText("Sector", "Bereich"),
        .provider: LocalizedText("Provider", "Träger"),
        .status: LocalizedText("Status", "Status"),
        .cost: LocalizedText("Cost", "Kosten"),
        .languages: LocalizedText("Languages", "Sprachen"),
        .targetGroups: LocalizedText("Target groups", "Zielgruppen"),
        .location: LocalizedText("Location", "Ort"),
        .schedule: LocalizedText("Schedule", "Zeiten"),
        .contact: LocalizedText("Contact", "Ansprechperson"),
        .accessibility: LocalizedText("Accessibility", "Barrierefreiheit"),
        .start: LocalizedText("Start", "Beginn"),
        .end: LocalizedText("End", "Ende"),
        .description: LocalizedText("Description", "Beschreibung"),
        .attendees: LocalizedText("Attendees:", "Teilnehmende:"),
        .agenda: LocalizedText("Agenda:", "Tagesordnung:"),
        .agendaItem: LocalizedText("  Item {number}: {title}  ({id})", "  TOP {number}: {title}  ({id})"),
        .decisions: LocalizedText("Decisions:", "Beschlüsse:"),
        .tasks: LocalizedText("Action items:", "Arbeitsaufträge:"),
        .due: LocalizedText(", due {date}", ", fällig {date}"),
        .offers: LocalizedText("Offers: ", "Angebote: "),
        .minutes: LocalizedText("Minutes:", "Protokoll:"),
        .deletedOffer: LocalizedText("Deleted offer {id}.", "Angebot {id} gelöscht."),
        .deletedMeeting: LocalizedText("Deleted meeting {id}.", "Sitzung {id} gelöscht."),
        .taskDone: LocalizedText("Action item {id} done.", "Arbeitsauftrag {id} erledigt."),
        .noMatches: LocalizedText("No matches.", "Keine Treffer."),
    ]
}
