/// What `kette export …` and `kette import offers` say when they are done.
public enum ExchangeText: String, MessageSection {
    case wrote, dryRun, imported, blankRows

    public static let texts: [ExchangeText: LocalizedText] = [
        .wrote: LocalizedText("Wrote {count} {count:file|files} to {directory} (records per file):",
                              "{count} {count:Datei|Dateien} nach {directory} geschrieben (Datensätze je Datei):"),
        .dryRun: LocalizedText("Dry run: {count} {count:offer|offers} would be imported; nothing was written.",
                               "Probelauf: {count} {count:Angebot|Angebote} würden importiert; nichts wurde geschrieben."),
        .imported: LocalizedText("Imported {count} {count:offer|offers} in one change set.",
                                 "{count} {count:Angebot|Angebote} in einem Änderungssatz importiert."),
        .blankRows: LocalizedText("Empty rows skipped: {count}.", "Leere Zeilen übersprungen: {count}."),
    ]
}
