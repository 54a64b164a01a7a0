/// The names reports give to periods, months, life phases and the districts they cover, and the
/// reasons `offer duplicates` gives: shared by the terminal text (`ReportLines`), the HTML pages
/// (`ReportPageText`) and the JSON reports that carry a label or a reason.
///
/// Years and quarter numbers are passed as text: 2026 is a name, not a quantity to group.
public enum ReportTerms: String, MessageSection {
    // Periods.
    case quarter, firstQuarter, quartersThrough, yearToDate
    case january, february, march, april, may, june, july, august, september, october, november, december
    // Life phases in narrow columns.
    case pregnancyShort, ageRange
    // The districts a report covers (`ReportScope`).
    case districts, noDistricts, scopeStore, scopeUser, scopeUnknownUser, scopeCounty, scopeUnknown, scopeChosen
    // Why offers are likely duplicates.
    case duplicateReason, sameTitle, similarTitles, noSharedPhase

    /// The months in calendar order.
    public static let months: [ReportTerms] = [.january, .february, .march, .april, .may, .june, .july, .august, .september, .october,
                                               .november, .december]

    public static let texts: [ReportTerms: LocalizedText] = [
        .quarter: LocalizedText("Q{quarter} {year}", "{quarter}. Quartal {year}"),
        .firstQuarter: LocalizedText("Q1 {year}", "1. Quartal {year}"),
        .quartersThrough: LocalizedText("Q1–Q{through} {year}", "1.–{through}. Quartal {year}"),
        .yearToDate: LocalizedText("{quarters} (year to date)", "{quarters} (bisheriges Jahr)"),
        .january: LocalizedText("January", "Januar"),
        .february: LocalizedText("February", "Februar"),
        .march: LocalizedText("March", "März"),
        .april: LocalizedText("April", "April"),
        .may: LocalizedText("May", "Mai"),
        .june: LocalizedText("June", "Juni"),
        .july: LocalizedText("July", "Juli"),
        .august: LocalizedText("August", "August"),
        .september: LocalizedText("September", "September"),
        .october: LocalizedText("October", "Oktober"),
        .november: LocalizedText("November", "November"),
        .december: LocalizedText("December", "Dezember"),
        .pregnancyShort: LocalizedText("Pregnancy", "Schwangerschaft"),
        .ageRange: LocalizedText("{range} yrs", "{range} J."),
        .districts: LocalizedText("Districts ({count}): {names} ({reason})", "Sozialräume ({count}): {names} ({reason})"),
        .noDistricts: LocalizedText("none", "keine"),
        .scopeStore: LocalizedText("every district in this store", "alle Sozialräume dieses Speichers"),
        .scopeUser: LocalizedText("the districts of {user} as the server last reported them", "die Sozialräume von {user} laut letztem Sync"),
        .scopeUnknownUser: LocalizedText("the user", "der Person"),
        .scopeCounty: LocalizedText("every district of the county", "alle Sozialräume des Kreises"),
        .scopeUnknown: LocalizedText("every district in this store; sync once to limit the report to your districts",
                                     "alle Sozialräume dieses Speichers; nach dem ersten Sync nur Ihre"),
        .scopeChosen: LocalizedText("as asked for", "wie angefragt"),
        .duplicateReason: LocalizedText("same provider ({provider}) and district ({district}), {titles}, life phases in common: {phases}",
                                        "gleicher Träger ({provider}) und Sozialraum ({district}), {titles}, gemeinsame Lebensphasen: {phases}"),
        .sameTitle: LocalizedText("the same title after folding", "denselben Titel (nach Vereinheitlichung der Schreibung)"),
        .similarTitles: LocalizedText("similar titles ({percent} %)", "ähnliche Titel ({percent} %)"),
        .noSharedPhase: LocalizedText("no life phase recorded", "keine Lebensphase erfasst"),
    ]
}
