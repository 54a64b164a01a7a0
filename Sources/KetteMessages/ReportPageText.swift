/// The text of the reports as HTML pages (`ReportHTML`, `CoverageHeatMap`): each report's page and
/// the committee report. The page escapes every text it inserts, so these are plain text, not markup.
///
/// Counts the pages have always written as plain digits are passed as text; those passed as
/// numbers get the language's thousands separators.
public enum ReportPageText: String, MessageSection {
    // Pages and their frame.
    case coverageTitle, coverageHeading, indicatorsTitle, indicatorsHeading, meetingsTitle, meetingsHeading, tasksTitle, tasksHeading
    case asOf, offersRunningOn, offersRunningIn, andMore, andMoreInAppendix, reportingPeriod
    // The committee report.
    case committeeTitle, appendixTitle, kicker, coverageSection, indicatorsSection, meetingsSection, tasksSection
    case atAGlance, glanceActiveOffers, glanceGaps, glanceParallel, glanceMeetings, glanceDecisions, glanceOpenTasks, glanceOverdue
    case participationsIn, changeTo
    // Coverage and its heat map.
    case coverageLead, noDistricts, notInMap, endedHeading, noneEnded, plannedHeading, nonePlanned
    case gapsHeading, noGaps, parallelHeading, noParallel, parallelNote, parallelShown
    case headerDistrict, headerPhase, headerCategory, headerOffersProvider, headerOffer, headerStart, headerEnd, headerStatus
    case shadeGap, shadeOne, shadeTwo, shadeThreeOrFour, shadeFiveOrMore, parallelMark, mapReadingDay, mapReadingPeriod, categoryOnly
    case cellTooltip, cellParallel
    // Indicators.
    case noFiguresForPeriod, comparedWithBoth, comparedYearToDate, comparedWith, notComparable
    case noteParticipations, noteLikeWithLike, noteSeveralPhases, noteDash
    case noPhase, byPhase, byDistrict, headerOffers, headerParticipations, headerChange, headerChangeTo, headerSessions, allOffersOnce
    // Bodies and meetings.
    case meetingsLead, meetingsLeadIn, noBodies, idleBodies, headerBody, headerMeetings, headerLatestDecisions, headerMostPresent
    case noMeeting, decisions, organizationNotGiven, attendedOf, more, takingPart
    // Action items.
    case tasksLead, noOpenTasks, headerDue, headerTask, headerResponsible, headerGivenBy, noDate, overdueBy, givenAt

    public static let texts: [ReportPageText: LocalizedText] = [
        .coverageTitle: LocalizedText("Coverage and gaps", "Angebote und Lücken"),
        .coverageHeading: LocalizedText("Active offers per district and life phase", "Aktive Angebote je Sozialraum und Lebensphase"),
        .indicatorsTitle: LocalizedText("Indicators", "Kennzahlen"),
        .indicatorsHeading: LocalizedText("Participants and sessions", "Teilnahmen und Termine"),
        .meetingsTitle: LocalizedText("Bodies and meetings", "Gremien und Sitzungen"),
        .meetingsHeading: LocalizedText("Meetings per body and quarter", "Sitzungen je Gremium und Quartal"),
        .tasksTitle: LocalizedText("Open action items", "Offene Arbeitsaufträge"),
        .tasksHeading: LocalizedText("Open action items of all bodies", "Offene Arbeitsaufträge aller Gremien"),
        .asOf: LocalizedText("As of {day}", "Stand: {day}"),
        .offersRunningOn: LocalizedText("Offers running on {window}", "Angebote, die laufen am {window}"),
        .offersRunningIn: LocalizedText("Offers running in {window}", "Angebote, die liefen im Zeitraum {window}"),
        .andMore: LocalizedText("… and {count} more", "… und {count} weitere"),
        .andMoreInAppendix: LocalizedText("… and {count} more (all in the appendix {file})", "… und {count} weitere (alle im Anhang {file})"),
        .reportingPeriod: LocalizedText("Reporting period: {period}", "Berichtszeitraum: {period}"),

        .committeeTitle: LocalizedText("Prevention chain: report to the committee", "Präventionskette: Bericht an den Ausschuss"),
        .appendixTitle: LocalizedText("{title} – appendix: complete lists", "{title} – Anhang: vollständige Listen"),
        .kicker: LocalizedText("Municipal prevention chain", "Kommunale Präventionskette"),
        .coverageSection: LocalizedText("1. Offers and gaps", "1. Angebote und Lücken"),
        .indicatorsSection: LocalizedText("2. What the offers reached", "2. Was die Angebote erreicht haben"),
        .meetingsSection: LocalizedText("3. Work of the bodies", "3. Arbeit der Gremien"),
        .tasksSection: LocalizedText("4. Open action items", "4. Offene Arbeitsaufträge"),
        .atAGlance: LocalizedText("At a glance", "Auf einen Blick"),
        .glanceActiveOffers: LocalizedText("active offers in {districts} districts", "aktive Angebote in {districts} Sozialräumen"),
        .glanceGaps: LocalizedText("gaps: district and life phase without an offer", "Lücken: Sozialraum und Lebensphase ohne Angebot"),
        .glanceParallel: LocalizedText("possible parallel structures", "mögliche Parallelstrukturen"),
        .glanceMeetings: LocalizedText("meetings of the bodies in the period", "Sitzungen der Gremien im Zeitraum"),
        .glanceDecisions: LocalizedText("decisions taken", "Beschlüsse gefasst"),
        .glanceOpenTasks: LocalizedText("open action items", "offene Arbeitsaufträge"),
        .glanceOverdue: LocalizedText("of them overdue", "davon überfällig"),
        .participationsIn: LocalizedText("participations in {period}", "Teilnahmen im Zeitraum {period}"),
        .changeTo: LocalizedText("{change} to {period}", "{change} zu {period}"),

        .coverageLead: LocalizedText("{offers} active offers in {districts} districts: {gaps} gaps, {parallel} possible parallel structures.",
                                     "{offers} aktive Angebote in {districts} Sozialräumen: {gaps} Lücken, {parallel} mögliche Parallelstrukturen."),
        .noDistricts: LocalizedText("No districts recorded yet.", "Noch keine Sozialräume erfasst."),
        .notInMap: LocalizedText("Not in the map because no life phase is recorded for them: {offers}",
                                 "Nicht in der Karte, weil keine Lebensphase erfasst ist: {offers}"),
        .endedHeading: LocalizedText("Ended: not counted any more ({count})", "Beendet: nicht mehr gezählt ({count})"),
        .noneEnded: LocalizedText("No offer ended in the period.", "Kein Angebot ist im Zeitraum ausgelaufen."),
        .plannedHeading: LocalizedText("Planned: not counted yet ({count})", "Geplant: noch nicht gezählt ({count})"),
        .nonePlanned: LocalizedText("No offer is planned.", "Kein Angebot ist geplant."),
        .gapsHeading: LocalizedText("Gaps", "Lücken"),
        .noGaps: LocalizedText("No gaps: every district has an active offer for every life phase.",
                               "Keine Lücken: Jeder Sozialraum hat für jede Lebensphase ein aktives Angebot."),
        .parallelHeading: LocalizedText("Possible parallel structures", "Mögliche Parallelstrukturen"),
        .noParallel: LocalizedText("None: no district has two active offers of the same category for the same life phase.",
                                   "Keine: Kein Sozialraum hat zwei aktive Angebote derselben Kategorie für dieselbe Lebensphase."),
        .parallelNote: LocalizedText("Not necessarily a problem: two offers of the same category may reach different families. A reason to look closer and talk to the providers.",
                                     "Nicht unbedingt ein Problem: Zwei Angebote derselben Kategorie können unterschiedliche Familien erreichen. Ein Anlass, genauer hinzusehen und mit den Trägern zu sprechen."),
        .parallelShown: LocalizedText("Shown: those with most offers.", "Gezeigt: die mit den meisten Angeboten."),
        .headerDistrict: LocalizedText("District", "Sozialraum"),
        .headerPhase: LocalizedText("Life phase", "Lebensphase"),
        .headerCategory: LocalizedText("Category", "Kategorie"),
        .headerOffersProvider: LocalizedText("Offers (provider)", "Angebote (Träger)"),
        .headerOffer: LocalizedText("Offer", "Angebot"),
        .headerStart: LocalizedText("Start", "Beginn"),
        .headerEnd: LocalizedText("End", "Ende"),
        .headerStatus: LocalizedText("Status", "Status"),
        .shadeGap: LocalizedText("0 – gap: no active offer", "0 – Lücke: kein aktives Angebot"),
        .shadeOne: LocalizedText("1 offer", "1 Angebot"),
        .shadeTwo: LocalizedText("2 offers", "2 Angebote"),
        .shadeThreeOrFour: LocalizedText("3–4 offers", "3–4 Angebote"),
        .shadeFiveOrMore: LocalizedText("5 or more offers", "5 und mehr Angebote"),
        .parallelMark: LocalizedText("yellow corner: two or more offers of the same category – a possible parallel structure (see list)",
                                     "Gelbe Ecke: zwei oder mehr Angebote derselben Kategorie – mögliche Parallelstruktur (siehe Liste)"),
        .mapReadingDay: LocalizedText(
            "How to read the map: each row is a district, each column a phase of growing up, from pregnancy to the start of working life. The number in a field says how many offers run there on {day} (status “active”, within their start and end dates). An offer for several phases counts in each of them.",
            "So lesen Sie die Karte: Jede Zeile ist ein Sozialraum, jede Spalte eine Lebensphase – von der Schwangerschaft bis zum Einstieg ins Berufsleben. Die Zahl im Feld sagt, wie viele Angebote dort am {day} laufen (Status „aktiv“, zwischen Beginn und Ende). Ein Angebot für mehrere Lebensphasen zählt in jeder davon."),
        .mapReadingPeriod: LocalizedText(
            "How to read the map: each row is a district, each column a phase of growing up, from pregnancy to the start of working life. The number in a field says how many offers ran there in the period (status “active”, running on at least one of its days). An offer for several phases counts in each of them.",
            "So lesen Sie die Karte: Jede Zeile ist ein Sozialraum, jede Spalte eine Lebensphase – von der Schwangerschaft bis zum Einstieg ins Berufsleben. Die Zahl im Feld sagt, wie viele Angebote dort im Zeitraum liefen (Status „aktiv“, an mindestens einem seiner Tage). Ein Angebot für mehrere Lebensphasen zählt in jeder davon."),
        .categoryOnly: LocalizedText("Only offers of the category “{category}” are counted.", "Gezählt sind nur Angebote der Kategorie „{category}“."),
        .cellTooltip: LocalizedText("{district} – {phase}: {count} {count:active offer|active offers}", "{district} – {phase}: {count} {count:aktives Angebot|aktive Angebote}"),
        .cellParallel: LocalizedText("several offers of the same category: {categories}", "mehrere Angebote derselben Kategorie: {categories}"),

        .noFiguresForPeriod: LocalizedText("No figures recorded for this period.", "Für diesen Zeitraum sind keine Zahlen erfasst."),
        .comparedWithBoth: LocalizedText(
            "Figures reported by the offers for {period}, compared with the quarter before ({previous}) and the same quarter a year before ({yearBefore}).",
            "Von den Angeboten gemeldete Zahlen für {period}, verglichen mit dem Vorquartal ({previous}) und demselben Quartal des Vorjahres ({yearBefore})."),
        .comparedYearToDate: LocalizedText(
            "Figures reported by the offers for {period}, compared with the same quarters of the year before ({previous}): the year is not over as of {day}.",
            "Von den Angeboten gemeldete Zahlen für {period}, verglichen mit denselben Quartalen des Vorjahres ({previous}): Das Jahr ist am {day} noch nicht vorbei."),
        .comparedWith: LocalizedText("Figures reported by the offers for {period}, compared with {previous}.",
                                     "Von den Angeboten gemeldete Zahlen für {period}, verglichen mit {previous}."),
        .notComparable: LocalizedText(
            "Figures reported by the offers for {period}. The year is not over and no quarterly figures are recorded, so there is nothing of the same length to compare with.",
            "Von den Angeboten gemeldete Zahlen für {period}. Das Jahr ist nicht vorbei und es sind keine Quartalszahlen erfasst, daher gibt es keinen gleich langen Vergleichszeitraum."),
        .noteParticipations: LocalizedText(
            "Participations are the participant numbers the offers reported, added up: a person who attends two offers, or one offer in two quarters, counts twice.",
            "Teilnahmen sind die von den Angeboten gemeldeten Teilnehmendenzahlen, zusammengezählt: Wer zwei Angebote oder ein Angebot in zwei Quartalen besucht, zählt doppelt."),
        .noteLikeWithLike: LocalizedText(
            "Only periods of the same length are compared. For a whole year, an offer's yearly figure counts where one was reported, else the sum of its quarters; a year not yet over is compared quarter for quarter with the year before.",
            "Verglichen werden nur gleich lange Zeiträume. Für ein ganzes Jahr zählt die Jahreszahl eines Angebots, wo sie gemeldet wurde, sonst die Summe seiner Quartale; ein noch laufendes Jahr wird Quartal für Quartal mit dem Vorjahr verglichen."),
        .noteSeveralPhases: LocalizedText("An offer for several life phases counts in each of them; the last row of a table counts every offer once.",
                                          "Ein Angebot für mehrere Lebensphasen zählt bei jeder davon; die letzte Zeile einer Tabelle zählt jedes Angebot einmal."),
        .noteDash: LocalizedText("“–”: nothing reported for the period compared with.", "„–“: Für den Vergleichszeitraum wurde nichts gemeldet."),
        .noPhase: LocalizedText("(no life phase)", "(ohne Lebensphase)"),
        .byPhase: LocalizedText("By life phase", "Nach Lebensphase"),
        .byDistrict: LocalizedText("By district", "Nach Sozialraum"),
        .headerOffers: LocalizedText("Offers", "Angebote"),
        .headerParticipations: LocalizedText("Participations", "Teilnahmen"),
        .headerChange: LocalizedText("Change", "Veränderung"),
        .headerChangeTo: LocalizedText("Change to {period}", "Veränderung zu {period}"),
        .headerSessions: LocalizedText("Sessions", "Termine"),
        .allOffersOnce: LocalizedText("All offers (each counted once)", "Alle Angebote (jedes einmal gezählt)"),

        .meetingsLead: LocalizedText("{meetings} {meetings:meeting|meetings}, {decisions} {decisions:decision|decisions}.",
                                     "{meetings} {meetings:Sitzung|Sitzungen}, {decisions} {decisions:Beschluss|Beschlüsse}."),
        .meetingsLeadIn: LocalizedText("{meetings} {meetings:meeting|meetings}, {decisions} {decisions:decision|decisions} in {period}.",
                                       "{meetings} {meetings:Sitzung|Sitzungen}, {decisions} {decisions:Beschluss|Beschlüsse} im Zeitraum {period}."),
        .noBodies: LocalizedText("No bodies recorded yet.", "Noch keine Gremien erfasst."),
        .idleBodies: LocalizedText("{count} more {count:body|bodies} did not meet in the period.",
                                   "{count} {count:weiteres Gremium hat|weitere Gremien haben} im Zeitraum nicht getagt."),
        .headerBody: LocalizedText("Body", "Gremium"),
        .headerMeetings: LocalizedText("Meetings", "Sitzungen"),
        .headerLatestDecisions: LocalizedText("Latest decisions", "Neueste Beschlüsse"),
        .headerMostPresent: LocalizedText("Most present", "Am häufigsten beteiligt"),
        .noMeeting: LocalizedText("No meeting in the period.", "Keine Sitzung im Zeitraum."),
        .decisions: LocalizedText("Decisions:", "Beschlüsse:"),
        .organizationNotGiven: LocalizedText("organization not given", "ohne Angabe der Organisation"),
        .attendedOf: LocalizedText("{attended} of {meetings}", "{attended} von {meetings}"),
        .more: LocalizedText("{count} more", "{count} weitere"),
        .takingPart: LocalizedText("Taking part:", "Beteiligt:"),

        .tasksLead: LocalizedText("{count} open, {overdue} of them overdue, as of {day}.", "{count} offen, davon {overdue} überfällig, Stand {day}."),
        .noOpenTasks: LocalizedText("No open action items.", "Keine offenen Arbeitsaufträge."),
        .headerDue: LocalizedText("Due", "Fällig"),
        .headerTask: LocalizedText("Action item", "Arbeitsauftrag"),
        .headerResponsible: LocalizedText("Responsible", "Verantwortlich"),
        .headerGivenBy: LocalizedText("Given by", "Vergeben von"),
        .noDate: LocalizedText("no date", "ohne Datum"),
        .overdueBy: LocalizedText("overdue by {days} {days:day|days}", "seit {days} {days:Tag|Tagen} überfällig"),
        .givenAt: LocalizedText("{body}, meeting of {day}", "{body}, Sitzung vom {day}"),
    ]
}
