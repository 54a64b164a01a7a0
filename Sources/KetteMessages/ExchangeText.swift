/// What `kette export …` and `kette import offers` say when they are done.
public enum ExchangeText: String, MessageSection {
    case wrote, dryRun, imported, blankRows
    // Why an export or import did not happen (`ExchangeError`, `CSVError`).
    case notADirectory, unwritable, invalidBaseURL, malformedCSV, emptyFile, wrongColumns, unknownColumns, wrongSeparator
    case repeatedColumns, missingColumns, acceptedColumns, importRefused, row, rows, extraCells, idMalformed, idInUse, idDeleted, idRepeated
    case notUTF8, unterminatedQuote, textAfterClosingQuote

    public static let texts: [ExchangeText: LocalizedText] = [
        .wrote: LocalizedText("Wrote {count} {count:file|files} to {directory} (records per file):",
                              "{count} {count:Datei|Dateien} nach {directory} geschrieben (Datensätze je Datei):"),
        .dryRun: LocalizedText("Dry run: {count} {count:offer|offers} would be imported; nothing was written.",
                               "Probelauf: {count} {count:Angebot|Angebote} würden importiert; nichts wurde geschrieben."),
        .imported: LocalizedText("Imported {count} {count:offer|offers} in one change set.",
                                 "{count} {count:Angebot|Angebote} in einem Änderungssatz importiert."),
        .blankRows: LocalizedText("Empty rows skipped: {count}.", "Leere Zeilen übersprungen: {count}."),
        .notADirectory: LocalizedText("{path} is not a directory; --out needs a directory (it is created when missing).",
                                      "{path} ist kein Verzeichnis; --out braucht ein Verzeichnis (es wird angelegt, wenn es fehlt)."),
        .unwritable: LocalizedText("cannot write to {path}: {reason}. Nothing was exported.",
                                   "In {path} kann nicht geschrieben werden: {reason}. Nichts wurde exportiert."),
        .invalidBaseURL: LocalizedText("invalid --base-url '{text}': expected an absolute http(s) URL, e.g. https://county.example/oparl.",
                                       "Ungültige --base-url „{text}“: erwartet eine absolute http(s)-URL, z. B. https://kreis.example/oparl."),
        .malformedCSV: LocalizedText("the file is not a readable CSV table: {problem} Nothing was imported.",
                                     "Die Datei ist keine lesbare CSV-Tabelle: {problem} Nichts wurde importiert."),
        .emptyFile: LocalizedText("the file is empty: expected a header row naming the columns and one row per offer.",
                                  "Die Datei ist leer: erwartet eine Kopfzeile mit den Spaltennamen und eine Zeile je Angebot."),
        .wrongColumns: LocalizedText("the columns do not fit: {problems}. {accepted}", "Die Spalten passen nicht: {problems}. {accepted}"),
        .unknownColumns: LocalizedText("unknown columns: {columns}", "unbekannte Spalten: {columns}"),
        .wrongSeparator: LocalizedText("the columns are separated by ',' or tab instead of ';'", "die Spalten sind mit „,“ oder Tabulator statt „;“ getrennt"),
        .repeatedColumns: LocalizedText("columns given more than once: {columns}", "mehrfach angegebene Spalten: {columns}"),
        .missingColumns: LocalizedText("missing required columns: {columns}", "fehlende Pflichtspalten: {columns}"),
        .acceptedColumns: LocalizedText("Accepted (any case, German headers or these JSON keys): {columns}. Nothing was imported.",
                                        "Erlaubt (Groß-/Kleinschreibung egal, deutsch oder die englischen JSON-Schlüssel): {columns}. Nichts wurde importiert."),
        .importRefused: LocalizedText("import refused, nothing was imported: {bad} of {rows} rows have problems.",
                                      "Import abgelehnt, nichts wurde importiert: {bad} von {rows} Zeilen sind fehlerhaft."),
        .row: LocalizedText("  row {rows}: {message}", "  Zeile {rows}: {message}"),
        .rows: LocalizedText("  rows {rows}: {message}", "  Zeilen {rows}: {message}"),
        .extraCells: LocalizedText("{count} more cell(s) than the header has columns (quotes missing around a ';' in the text?).",
                                   "{count} Zelle(n) mehr als die Kopfzeile Spalten hat (fehlen Anführungszeichen um ein „;“ im Text?)."),
        .idMalformed: LocalizedText("{column} '{value}' is not an id as kette exports them (a UUID). Empty the cell or remove the column to make new offers.",
                                    "{column} „{value}“ ist keine ID, wie kette sie exportiert (eine UUID). Die Zelle leeren oder die Spalte entfernen, um neue Angebote anzulegen."),
        .idInUse: LocalizedText("an offer with {column} {value} is already here: an import only adds offers. To change it use `kette offer edit`; to add a copy, empty the cell.",
                                "Ein Angebot mit der {column} {value} gibt es hier schon: Ein Import legt Angebote nur an. Zum Ändern `kette offer edit`; für Kopien die Zelle leeren."),
        .idDeleted: LocalizedText("the offer with {column} {value} was deleted here; to add it as a new offer, empty the cell.",
                                  "Das Angebot mit der {column} {value} wurde hier gelöscht; für ein neues Angebot die Zelle leeren."),
        .idRepeated: LocalizedText("{column} {value} is already used in row {first}.", "{column} {value} steht schon in Zeile {first}."),
        .notUTF8: LocalizedText("row {row}, column {column} is not UTF-8 text. Save the spreadsheet as \"CSV UTF-8 (comma delimited)\".",
                                "Zeile {row}, Spalte {column} ist kein UTF-8-Text. Die Tabelle als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."),
        .unterminatedQuote: LocalizedText("the quote opened in row {row}, column {column} is never closed.",
                                          "Das Anführungszeichen in Zeile {row}, Spalte {column} wird nie geschlossen."),
        .textAfterClosingQuote: LocalizedText("in row {row}, column {column} text follows the closing quote (quotes inside a cell are doubled: \"\").",
                                              "In Zeile {row}, Spalte {column} folgt Text auf das schließende Anführungszeichen (Anführungszeichen im Text werden verdoppelt: \"\")."),
    ]
}
