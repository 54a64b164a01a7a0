/// What lists end with, and the nouns they count.
public enum ListText: String, MessageSection {
    case total, shownOf, noneFound
    case offers, districts, organizations, bodies, meetings, tasks, conflicts, matches, users, auditEntries, changes, deletedRecords

    public static let texts: [ListText: LocalizedText] = [
        .total: LocalizedText("{total} {noun}", "{total} {noun}"),
        .shownOf: LocalizedText("{shown} of {total} {noun} shown (--limit)", "{total} {noun}, davon {shown} angezeigt (--limit)"),
        .noneFound: LocalizedText("None found.", "Nichts gefunden."),
        .offers: LocalizedText("{n:offer|offers}", "{n:Angebot|Angebote}"),
        .districts: LocalizedText("{n:district|districts}", "{n:Sozialraum|Sozialräume}"),
        .organizations: LocalizedText("{n:organization|organizations}", "{n:Träger|Träger}"),
        .bodies: LocalizedText("{n:body|bodies}", "{n:Gremium|Gremien}"),
        .meetings: LocalizedText("{n:meeting|meetings}", "{n:Sitzung|Sitzungen}"),
        .tasks: LocalizedText("{n:action item|action items}", "{n:Arbeitsauftrag|Arbeitsaufträge}"),
        .conflicts: LocalizedText("{n:conflict|conflicts}", "{n:Konflikt|Konflikte}"),
        .matches: LocalizedText("{n:match|matches}", "{n:Treffer|Treffer}"),
        .users: LocalizedText("{n:user|users}", "{n:Person|Personen}"),
        .auditEntries: LocalizedText("{n:entry|entries}", "{n:Eintrag|Einträge}"),
        .changes: LocalizedText("{n:change|changes}", "{n:Änderung|Änderungen}"),
        .deletedRecords: LocalizedText("{n:deleted record|deleted records}", "{n:gelöschter Eintrag|gelöschte Einträge}"),
    ]
}

/// Words of `kette`'s own output that belong to no one command: the error prefix, table headers,
/// record labels.
public enum OutputText: String, MessageSection {
    case errorPrefix, unexpected, none, yes, no
    // Table headers.
    case headerID, headerName, headerTitle, headerDistrict, headerCategory, headerStatus, headerLevel, headerKind, headerSector
    case headerDate, headerBody, headerPlace, headerDue, headerOwner, headerTask
    // Record kinds in lists.
    case kindOffer, kindMeeting

    public static let texts: [OutputText: LocalizedText] = [
        .errorPrefix: LocalizedText("{program}: error: ", "{program}: Fehler: "),
        .unexpected: LocalizedText("unexpected error: {error}", "Unerwarteter Fehler: {error}"),
        .none: LocalizedText("–", "–"),
        .yes: LocalizedText("yes", "ja"),
        .no: LocalizedText("no", "nein"),
        .headerID: LocalizedText("ID", "ID"),
        .headerName: LocalizedText("NAME", "NAME"),
        .headerTitle: LocalizedText("TITLE", "TITEL"),
        .headerDistrict: LocalizedText("DISTRICT", "SOZIALRAUM"),
        .headerCategory: LocalizedText("CATEGORY", "KATEGORIE"),
        .headerStatus: LocalizedText("STATUS", "STATUS"),
        .headerLevel: LocalizedText("LEVEL", "EBENE"),
        .headerKind: LocalizedText("KIND", "ART"),
        .headerSector: LocalizedText("SECTOR", "BEREICH"),
        .headerDate: LocalizedText("DATE", "DATUM"),
        .headerBody: LocalizedText("BODY", "GREMIUM"),
        .headerPlace: LocalizedText("PLACE", "ORT"),
        .headerDue: LocalizedText("DUE", "FÄLLIG"),
        .headerOwner: LocalizedText("OWNER", "VERANTWORTLICH"),
        .headerTask: LocalizedText("ACTION ITEM", "AUFTRAG"),
        .kindOffer: LocalizedText("offer", "Angebot"),
        .kindMeeting: LocalizedText("meeting", "Sitzung"),
    ]
}
