/// The text reports as `kette report …` and `kette offer duplicates` print them on a terminal (the
/// HTML pages have `ReportPageText`; both share `ReportTerms`). The counts of meetings, decisions
/// and people read the same on a page.
public enum ReportLines: String, MessageSection {
    // Coverage.
    case categoryScope, allCategories, coverageTitle, coverageLegend, columns, gaps, none, parallelTitle, withoutPhase
    case runningOn, runningIn, endedNotCounted, plannedNotCounted
    // Indicators.
    case figuresFor, figuresPerYear, figuresPerQuarter, noFigures, allOffersOnce, indicatorNote
    case comparedWith, comparedWithBoth, noComparablePeriod
    case headerPeriod, headerPhase, headerOffers, headerParticipations, headerChange, headerSessions, headerState, headerMeeting
    case headerToQuarterBefore, headerToYearBefore
    // Tasks.
    case openTasks, overdue, open
    // Meetings.
    case meetingsTitle, meetings, decisions, people, noMeetings, notGiven, takingPart, decisionsHeading
    // Duplicates.
    case likelyDuplicates

    public static let texts: [ReportLines: LocalizedText] = [
        .categoryScope: LocalizedText("category: {category}", "Kategorie: {category}"),
        .allCategories: LocalizedText("all categories", "alle Kategorien"),
        .coverageTitle: LocalizedText("Active offers per district and life phase ({scope})", "Aktive Angebote je Sozialraum und Lebensphase ({scope})"),
        .coverageLegend: LocalizedText("0! gap: no active offer   * possible parallel structure: several active offers of one category",
                                       "0! Lücke: kein aktives Angebot   * mögliche Parallelstruktur: mehrere aktive Angebote einer Kategorie"),
        .columns: LocalizedText("Columns: ", "Spalten: "),
        .gaps: LocalizedText("Gaps ({count}):", "Lücken ({count}):"),
        .none: LocalizedText("  none", "  keine"),
        .parallelTitle: LocalizedText("Possible parallel structures ({count}):", "Mögliche Parallelstrukturen ({count}):"),
        .runningOn: LocalizedText("running on {window}", "laufend am {window}"),
        .runningIn: LocalizedText("running in {window}", "laufend im Zeitraum {window}"),
        .endedNotCounted: LocalizedText("Ended, not counted ({count}):", "Beendet, nicht gezählt ({count}):"),
        .plannedNotCounted: LocalizedText("Planned, not yet counted ({count}):", "Geplant, noch nicht gezählt ({count}):"),
        .withoutPhase: LocalizedText("Active offers without a life phase (not in the table): ", "Aktive Angebote ohne Lebensphase (nicht in der Tabelle): "),
        .figuresFor: LocalizedText("Figures for {comparison}", "Zahlen für {comparison}"),
        .comparedWith: LocalizedText("{period}, compared with {previous}", "{period}, verglichen mit {previous}"),
        .comparedWithBoth: LocalizedText("{period}, compared with {previous} and {yearBefore}", "{period}, verglichen mit {previous} und {yearBefore}"),
        .noComparablePeriod: LocalizedText("{period}, no comparable period", "{period}, ohne vergleichbaren Zeitraum"),
        .figuresPerYear: LocalizedText("Figures per year", "Zahlen je Jahr"),
        .figuresPerQuarter: LocalizedText("Figures per quarter", "Zahlen je Quartal"),
        .noFigures: LocalizedText("No figures recorded.", "Keine Zahlen erfasst."),
        .allOffersOnce: LocalizedText("all (each offer once)", "alle (jedes Angebot einmal)"),
        .indicatorNote: LocalizedText("An offer for several life phases counts in each; \"–\": nothing recorded for the period before.",
                                      "Ein Angebot für mehrere Lebensphasen zählt bei jeder; „–“: für den Vorzeitraum nichts erfasst."),
        .headerPeriod: LocalizedText("PERIOD", "ZEITRAUM"),
        .headerPhase: LocalizedText("LIFE PHASE", "LEBENSPHASE"),
        .headerOffers: LocalizedText("OFFERS", "ANGEBOTE"),
        .headerParticipations: LocalizedText("PARTICIPATIONS", "TEILNAHMEN"),
        .headerChange: LocalizedText("CHANGE", "VERÄNDERUNG"),
        .headerSessions: LocalizedText("SESSIONS", "TERMINE"),
        .headerState: LocalizedText("STATE", "STAND"),
        .headerMeeting: LocalizedText("MEETING", "SITZUNG"),
        .headerToQuarterBefore: LocalizedText("TO QUARTER BEFORE", "ZUM VORQUARTAL"),
        .headerToYearBefore: LocalizedText("TO YEAR BEFORE", "ZUM VORJAHR"),
        .openTasks: LocalizedText("Open action items as of {day}: {count}, {overdue} overdue", "Offene Arbeitsaufträge, Stand {day}: {count}, davon {overdue} überfällig"),
        .overdue: LocalizedText("overdue {days} d", "überfällig {days} T."),
        .open: LocalizedText("open", "offen"),
        .meetingsTitle: LocalizedText("Meetings per body and quarter", "Sitzungen je Gremium und Quartal"),
        .meetings: LocalizedText("{n} {n:meeting|meetings}", "{n} {n:Sitzung|Sitzungen}"),
        .decisions: LocalizedText("{n} {n:decision|decisions}", "{n} {n:Beschluss|Beschlüsse}"),
        .people: LocalizedText("{n} {n:person|people}", "{n} {n:Person|Personen}"),
        .noMeetings: LocalizedText("  no meetings", "  keine Sitzungen"),
        .notGiven: LocalizedText("(not given)", "(ohne Angabe)"),
        .takingPart: LocalizedText("    taking part: ", "    beteiligt: "),
        .decisionsHeading: LocalizedText("    decisions:", "    Beschlüsse:"),
        .likelyDuplicates: LocalizedText("Likely duplicates: {count} {count:group|groups}", "Wahrscheinliche Duplikate: {count} {count:Gruppe|Gruppen}"),
    ]
}
