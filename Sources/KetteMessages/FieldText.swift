import KetteProtocol

/// What people call the fields and the kinds of records that messages name.
public enum FieldText: String, MessageSection {
    // Fields, by the name the store and the vocabularies use.
    case phase, category, sector, status, cost, level, date, time, title, text, id, owner, due, district, body
    case attendee, url, token, participants, sessions, period, name, start, end
    case parent, kind, contact, description, provider, phases, targetGroups, location, schedule, languages, accessibility
    case role, place, minutes, offers, position, notes, deleted, resolution
    // Kinds of records, by their record type.
    case offer, organization, meeting, task, agendaItem, decision, member, indicator, conflict, refusal
    // The planning cycle's fields and kinds of records (record schema 2).
    case statement, source, found, unit, baseline, baselinePeriod, targetValue, value, consent, email, phone, person
    case signed, review, summary, reference, parties, needs, gaps, goals
    case need, goal, target, targetFigure, measure, measureNote, agreement

    public static let texts: [FieldText: LocalizedText] = [
        .phase: LocalizedText("life phase", "Lebensphase"),
        .category: LocalizedText("category", "Kategorie"),
        .sector: LocalizedText("sector", "Bereich"),
        .status: LocalizedText("status", "Status"),
        .cost: LocalizedText("cost", "Kosten"),
        .level: LocalizedText("level", "Ebene"),
        .date: LocalizedText("date", "Datum"),
        .time: LocalizedText("time", "Uhrzeit"),
        .title: LocalizedText("title", "Titel"),
        .text: LocalizedText("text", "Text"),
        .id: LocalizedText("id", "ID"),
        .owner: LocalizedText("owner", "Verantwortliche*r"),
        .due: LocalizedText("due date", "Fälligkeit"),
        .district: LocalizedText("district", "Sozialraum"),
        .body: LocalizedText("body", "Gremium"),
        .attendee: LocalizedText("attendee", "Teilnehmende*r"),
        .url: LocalizedText("server address", "Serveradresse"),
        .token: LocalizedText("token", "Token"),
        .participants: LocalizedText("participants", "Teilnehmende"),
        .sessions: LocalizedText("sessions held", "durchgeführte Termine"),
        .period: LocalizedText("period", "Zeitraum"),
        .name: LocalizedText("name", "Name"),
        .start: LocalizedText("start", "Beginn"),
        .end: LocalizedText("end", "Ende"),
        .parent: LocalizedText("parent district", "übergeordneter Sozialraum"),
        .kind: LocalizedText("kind", "Art"),
        .contact: LocalizedText("contact", "Kontakt"),
        .description: LocalizedText("description", "Beschreibung"),
        .provider: LocalizedText("provider", "Träger"),
        .phases: LocalizedText("life phases", "Lebensphasen"),
        .targetGroups: LocalizedText("target groups", "Zielgruppen"),
        .location: LocalizedText("location", "Ort"),
        .schedule: LocalizedText("schedule", "Zeiten"),
        .languages: LocalizedText("languages", "Sprachen"),
        .accessibility: LocalizedText("accessibility", "Barrierefreiheit"),
        .role: LocalizedText("role", "Rolle"),
        .place: LocalizedText("place", "Ort"),
        .minutes: LocalizedText("minutes", "Protokoll"),
        .offers: LocalizedText("linked offers", "verknüpfte Angebote"),
        .position: LocalizedText("position", "Position"),
        .notes: LocalizedText("notes", "Notizen"),
        .deleted: LocalizedText("deleted", "gelöscht"),
        .resolution: LocalizedText("resolution", "Lösung"),
        .offer: LocalizedText("offer", "Angebot"),
        .organization: LocalizedText("organization", "Träger"),
        .meeting: LocalizedText("meeting", "Sitzung"),
        .task: LocalizedText("action item", "Arbeitsauftrag"),
        .agendaItem: LocalizedText("agenda item", "Tagesordnungspunkt"),
        .decision: LocalizedText("decision", "Beschluss"),
        .member: LocalizedText("member", "Mitglied"),
        .indicator: LocalizedText("indicator", "Kennzahl"),
        .conflict: LocalizedText("conflict", "Konflikt"),
        .refusal: LocalizedText("refused change set", "abgelehnter Änderungssatz"),
        .statement: LocalizedText("statement", "Aussage"),
        .source: LocalizedText("source", "Quelle"),
        .found: LocalizedText("date found", "Erkennungsdatum"),
        .unit: LocalizedText("unit", "Einheit"),
        .baseline: LocalizedText("baseline", "Ausgangswert"),
        .baselinePeriod: LocalizedText("baseline period", "Ausgangszeitraum"),
        .targetValue: LocalizedText("target value (--value)", "Zielwert (--value)"),
        .value: LocalizedText("value", "Wert"),
        .consent: LocalizedText("consent to publication", "Einwilligung zur Veröffentlichung"),
        .email: LocalizedText("e-mail address", "E-Mail-Adresse"),
        .phone: LocalizedText("phone number", "Telefonnummer"),
        .person: LocalizedText("person", "Person"),
        .signed: LocalizedText("signing date", "Unterzeichnungsdatum"),
        .review: LocalizedText("review date", "Überprüfungsdatum"),
        .summary: LocalizedText("summary", "Inhalt"),
        .reference: LocalizedText("link or file reference", "Link oder Ablage"),
        .parties: LocalizedText("parties", "Parteien"),
        .needs: LocalizedText("needs", "Bedarfe"),
        .gaps: LocalizedText("gaps", "Lücken"),
        .goals: LocalizedText("goals", "Ziele"),
        .need: LocalizedText("need", "Bedarf"),
        .goal: LocalizedText("goal", "Ziel"),
        .target: LocalizedText("target", "Zielwert"),
        .targetFigure: LocalizedText("target figure", "Zahl einer eigenen Kennzahl"),
        .measure: LocalizedText("measure", "Maßnahme"),
        .measureNote: LocalizedText("progress note", "Fortschrittsnotiz"),
        .agreement: LocalizedText("agreement", "Vereinbarung"),
    ]

    /// A field or record kind by its name in the store ("phase", "agendaItem"); an unknown name as
    /// it is (an option such as `--keep`, a column header).
    public static func named(_ name: String) -> LocalizedText {
        FieldText(rawValue: name)?.text ?? LocalizedText(verbatim: name)
    }
}

extension FieldText {
    /// The kind of record as people call it ("action item", "Arbeitsauftrag").
    public static func kind(_ type: RecordType) -> LocalizedText {
        switch type {
        case .agendaItem: FieldText.agendaItem.text
        case .targetFigure: FieldText.targetFigure.text
        case .measureNote: FieldText.measureNote.text
        default: named(type.rawValue)
        }
    }
}
