/// Messages about what people typed and the records they named: every one says what is wrong and
/// what is accepted.
public enum InputText: String, MessageSection {
    case invalidValue, malformedValue, missingValue, notFound, notFoundAmong, noneYet, ambiguous
    case unknownField, unreadableFile, editorFailed, nothingToChange, refusedWrite
    case outsideDistrict, outsideCountyWide, outsideDistrictList
    // What a value is expected to be.
    case expectedDate, expectedTime, expectedWholeNumber, expectedCountOrZero, expectedCountAboveZero, expectedUnusedID
    case expectedAttendee, expectedURL, expectedToken, expectedWritableFile, expectedOnlyOne, expectedOpenConflict
    case expectedKeepOrValue, expectedPeriod, expectedWindow, expectedWinnerOrLoser, expectedAtMost
    // Why a file could not be read.
    case noSuchFile, notUTF8, editorExit, remoteUnreadable
    /// After a list of accepted vocabulary values: the other language's forms work too.
    case acceptedAlso

    public static let texts: [InputText: LocalizedText] = [
        .invalidValue: LocalizedText("unknown {field} '{value}'. Accepted: {accepted}.",
                                     "Unbekannter Wert „{value}“ für {field}. Erlaubt: {accepted}."),
        .malformedValue: LocalizedText("invalid {field} '{value}': expected {expected}.",
                                       "Ungültiger Wert „{value}“ für {field}: erwartet {expected}."),
        .missingValue: LocalizedText("{field} is missing or empty.", "{field} fehlt oder ist leer."),
        .notFound: LocalizedText("no {kind} '{reference}' found.", "Kein Eintrag ({kind}) „{reference}“ gefunden."),
        .notFoundAmong: LocalizedText("no {kind} '{reference}' found. Known: {known}.",
                                      "Kein Eintrag ({kind}) „{reference}“ gefunden. Vorhanden: {known}."),
        .noneYet: LocalizedText("none yet", "noch keine"),
        .ambiguous: LocalizedText("'{reference}' matches more than one {kind}: {candidates}. Give the id instead.",
                                  "„{reference}“ ist mehrdeutig ({kind}). Infrage kommen: {candidates}. Bitte die ID angeben."),
        .unknownField: LocalizedText("unknown field {field} for {type}.", "Unbekanntes Feld {field} für {type}."),
        .unreadableFile: LocalizedText("cannot read {path}: {reason}", "Datei {path} kann nicht gelesen werden: {reason}"),
        .editorFailed: LocalizedText("editor '{command}' failed ({reason}); nothing was saved.",
                                     "Editor „{command}“ fehlgeschlagen ({reason}); nichts gespeichert."),
        .nothingToChange: LocalizedText("nothing to change: no option given.", "Nichts zu ändern: keine Option angegeben."),
        .refusedWrite: LocalizedText("not saved, the server would refuse it: {reason}. Nothing was changed.",
                                     "Nicht gespeichert, der Server würde es ablehnen: {reason}. Nichts wurde geändert."),
        .outsideDistrict: LocalizedText(
            "{kind} '{name}' belongs to district {district}, outside your districts as the server last reported them: {yours}. Nothing was written. If the county office has given you the district since, run `kette sync` and try again.",
            "{kind} „{name}“ gehört zum Sozialraum {district}, außerhalb Ihrer Sozialräume laut letztem Sync: {yours}. Nichts wurde gespeichert. Falls der Kreis Ihnen den Sozialraum inzwischen zugeteilt hat: `kette sync` ausführen und erneut versuchen."),
        .outsideCountyWide: LocalizedText(
            "{kind} '{name}' is county-wide (no district), which only the county office writes; your districts: {yours}. Nothing was written. If the county office has given you the district since, run `kette sync` and try again.",
            "{kind} „{name}“ gilt kreisweit (ohne Sozialraum) und wird nur vom Kreis geschrieben; Ihre Sozialräume: {yours}. Nichts wurde gespeichert. Falls der Kreis Ihnen den Sozialraum inzwischen zugeteilt hat: `kette sync` ausführen und erneut versuchen."),
        .outsideDistrictList: LocalizedText(
            "{kind} '{name}' is in the list of districts, which only the county office writes; your districts: {yours}. Nothing was written. If the county office has given you the district since, run `kette sync` and try again.",
            "{kind} „{name}“ gehört zur Liste der Sozialräume, die nur der Kreis schreibt; Ihre Sozialräume: {yours}. Nichts wurde gespeichert. Falls der Kreis Ihnen den Sozialraum inzwischen zugeteilt hat: `kette sync` ausführen und erneut versuchen."),
        .expectedAtMost: LocalizedText("a whole number of at most {max}", "eine ganze Zahl bis höchstens {max}"),
        .expectedDate: LocalizedText("a date YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-03-14 or 14.03.2026",
                                     "ein Datum TT.MM.JJJJ oder JJJJ-MM-TT, z. B. 14.03.2026 oder 2026-03-14"),
        .expectedTime: LocalizedText("a time HH:MM, e.g. 09:30", "eine Uhrzeit im Format HH:MM, z. B. 09:30"),
        .expectedWholeNumber: LocalizedText("a whole number", "eine ganze Zahl"),
        .expectedCountOrZero: LocalizedText("a whole number of 0 or more, e.g. 12", "eine ganze Zahl ab 0, z. B. 12"),
        .expectedCountAboveZero: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
        .expectedUnusedID: LocalizedText("an id not yet in use", "eine noch nicht vergebene ID"),
        .expectedAttendee: LocalizedText("\"Name; Organization; Role\" (organization and role optional)",
                                         "„Name; Organisation; Rolle“ (Organisation und Rolle optional)"),
        .expectedURL: LocalizedText("http://HOST[:PORT] or https://HOST[:PORT], e.g. https://kette.kreis-example.de",
                                    "http://HOST[:PORT] oder https://HOST[:PORT], z. B. https://kette.kreis-example.de"),
        .expectedToken: LocalizedText("the token `kette-server user add` or `kette-server user token` printed",
                                      "der Token, den `kette-server user add` oder `kette-server user token` ausgegeben hat"),
        .expectedWritableFile: LocalizedText("a file in a writable directory ({reason})", "eine Datei in einem beschreibbaren Verzeichnis ({reason})"),
        .expectedOnlyOne: LocalizedText("only one of {first} and {second}", "nur eine der Angaben {first} und {second}"),
        .expectedOpenConflict: LocalizedText("an open conflict (this one is resolved)", "ein offener Konflikt (dieser ist bereits gelöst)"),
        .expectedKeepOrValue: LocalizedText("--keep mine|theirs|winner|loser or --value V", "--keep mine|theirs|winner|loser oder --value V"),
        .expectedPeriod: LocalizedText("a quarter YYYY-Qn or a year YYYY, e.g. 2026-Q1 or 2026",
                                       "ein Quartal JJJJ-Qn oder ein Jahr JJJJ, z. B. 2026-Q1 oder 2026"),
        .expectedWindow: LocalizedText("a quarter YYYY-Qn, a year YYYY or a month YYYY-MM, e.g. 2026-Q1, 2026 or 2026-03",
                                       "ein Quartal JJJJ-Qn, ein Jahr JJJJ oder ein Monat JJJJ-MM, z. B. 2026-Q1, 2026 oder 2026-03"),
        .expectedWinnerOrLoser: LocalizedText("winner, loser or --value: neither or both sides were written in this store (authors: {authors})",
                                              "winner, loser oder --value: keine oder beide Seiten stammen aus diesem Speicher (von: {authors})"),
        .noSuchFile: LocalizedText("no such readable file", "keine lesbare Datei dieses Namens"),
        .remoteUnreadable: LocalizedText("{reason}; set it again with `kette remote URL --token TOKEN`",
                                         "{reason}; mit `kette remote URL --token TOKEN` neu einrichten"),
        .notUTF8: LocalizedText("not UTF-8 text", "kein UTF-8-Text"),
        .editorExit: LocalizedText("exit status {status}", "Exit-Status {status}"),
        .acceptedAlso: LocalizedText(" (or the German names)", " (oder die englischen Kürzel)"),
    ]
}
