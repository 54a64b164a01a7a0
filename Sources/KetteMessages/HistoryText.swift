/// What `kette undo`, `trash`, `restore` and `log` say, and the question before a deletion.
public enum HistoryText: String, MessageSection {
    // Deleting.
    case deletionQuestion, deletionNeedsConfirmation, deletionDeclined, recordNamed, recordUnnamed, dropQuestion, everyRefusal
    // `kette undo`.
    case nothingToUndo, undoForgotten, tookBack, nothingTakenBack, keptHeader, fieldsOfRecord
    // `kette trash` and `kette restore`.
    case trashEmpty, trashHint, headerDeleted, restored, trashEntry
    // `kette log`.
    case noChanges, headerWhen, headerFrom, headerBy, headerRecord, headerWhat
    case originHere, originServer, eventCreated, eventDeleted, eventRestored, eventConflict, eventConflictResolved, undoneMark
    case sinceExclusive

    public static let texts: [HistoryText: LocalizedText] = [
        .deletionQuestion: LocalizedText("Delete {what}? Its texts stay in this laptop's trash for 30 days (kette restore). [y/N] ",
                                         "{what} löschen? Die Texte bleiben 30 Tage im Papierkorb dieses Rechners (kette restore). [j/N] "),
        .deletionNeedsConfirmation: LocalizedText("not deleting {what}: there is no terminal to ask on. Confirm with --yes.",
                                                  "{what} wird nicht gelöscht: ohne Terminal kann nicht nachgefragt werden. Mit --yes bestätigen."),
        .deletionDeclined: LocalizedText("not deleted.", "Nicht gelöscht."),
        .recordNamed: LocalizedText("{kind} '{title}' ({id})", "{kind} „{title}“ ({id})"),
        .recordUnnamed: LocalizedText("{kind} {id}", "{kind} {id}"),
        .dropQuestion: LocalizedText("Forget {what}? What it would have written cannot be brought back. [y/N] ",
                                     "{what} verwerfen? Was er geschrieben hätte, lässt sich nicht zurückholen. [j/N] "),
        .everyRefusal: LocalizedText("every refused change set kept here ({count})", "alle hier aufbewahrten abgelehnten Änderungssätze ({count})"),
        .nothingToUndo: LocalizedText("nothing to undo: no action of this laptop's from the last 30 days is left.",
                                      "Nichts rückgängig zu machen: keine Aktion auf diesem Rechner aus den letzten 30 Tagen übrig."),
        .undoForgotten: LocalizedText("cannot undo `{action}`: its earlier values were dropped when the server erased a name.",
                                      "`{action}` kann nicht rückgängig gemacht werden: die früheren Werte wurden verworfen, als der Server einen Namen löschte."),
        .tookBack: LocalizedText("Took back `{action}` ({time}):", "`{action}` ({time}) zurückgenommen:"),
        .nothingTakenBack: LocalizedText(
            "Nothing taken back of `{action}` ({time}): someone else wrote every field since. The next `kette undo` goes further back.",
            "Von `{action}` ({time}) nichts zurückgenommen: jedes Feld hat seither jemand anderes geschrieben. Das nächste `kette undo` geht weiter zurück."),
        .keptHeader: LocalizedText("Kept, because someone else wrote them after it:", "Beibehalten, weil danach von anderen geschrieben:"),
        .fieldsOfRecord: LocalizedText("  {kind} {id}: {fields}", "  {kind} {id}: {fields}"),
        .trashEmpty: LocalizedText("The trash is empty.", "Der Papierkorb ist leer."),
        .trashHint: LocalizedText("Restore with `kette restore ID`; kept for 30 days after the deletion.",
                                  "Wiederherstellen mit `kette restore ID`; aufbewahrt 30 Tage nach dem Löschen."),
        .headerDeleted: LocalizedText("DELETED", "GELÖSCHT"),
        .restored: LocalizedText("Restored {kind} “{title}” ({id}).", "{kind} „{title}“ ({id}) wiederhergestellt."),
        .trashEntry: LocalizedText("record in the trash", "Eintrag im Papierkorb"),
        .noChanges: LocalizedText("No changes.", "Keine Änderungen."),
        .headerWhen: LocalizedText("WHEN", "WANN"),
        .headerFrom: LocalizedText("FROM", "HERKUNFT"),
        .headerBy: LocalizedText("BY", "VON"),
        .headerRecord: LocalizedText("RECORD", "EINTRAG"),
        .headerWhat: LocalizedText("WHAT", "WAS"),
        .originHere: LocalizedText("here", "hier"),
        .originServer: LocalizedText("server", "Server"),
        .eventCreated: LocalizedText("created", "angelegt"),
        .eventDeleted: LocalizedText("deleted", "gelöscht"),
        .eventRestored: LocalizedText("restored", "wiederhergestellt"),
        .eventConflict: LocalizedText("conflict opened", "Konflikt eröffnet"),
        .eventConflictResolved: LocalizedText("conflict resolved", "Konflikt gelöst"),
        .undoneMark: LocalizedText(" (undone)", " (rückgängig gemacht)"),
        .sinceExclusive: LocalizedText("--since-sync and --since exclude each other: give only one",
                                       "--since-sync und --since schließen einander aus: nur eines angeben"),
    ]
}

/// What `kette` says when the minutes are corrected after the meeting, and the labels of search
/// snippets.
public enum MinutesText: String, MessageSection {
    case removed, movedTo, expectedTOP, taskReopened, deletedTask, minutesUnchanged, editorNew, editorEditing
    case snippetProvider, snippetAttendee, snippetDecision, snippetTask, snippetAgenda

    public static let texts: [MinutesText: LocalizedText] = [
        .removed: LocalizedText("Removed {kind} {id}.", "{kind} {id} entfernt."),
        .movedTo: LocalizedText("Agenda item {id} is now item {number}.", "Tagesordnungspunkt {id} ist jetzt TOP {number}."),
        .expectedTOP: LocalizedText("a number from 1 to {count}", "eine Zahl von 1 bis {count}"),
        .taskReopened: LocalizedText("Action item {id} is open again.", "Arbeitsauftrag {id} ist wieder offen."),
        .deletedTask: LocalizedText("Deleted action item {id}.", "Arbeitsauftrag {id} gelöscht."),
        .minutesUnchanged: LocalizedText("Minutes unchanged.", "Protokoll unverändert."),
        .editorNew: LocalizedText(
            "{marker} Write the minutes below. Lines starting with {marker} are left out.\n{marker} Save and close the editor to record the meeting; leave it empty for no minutes.\n\n",
            "{marker} Protokoll unten eintragen. Zeilen, die mit {marker} beginnen, werden nicht übernommen.\n{marker} Speichern und Editor schließen, um die Sitzung zu erfassen; leer lassen für kein Protokoll.\n\n"),
        .editorEditing: LocalizedText(
            "{marker} Change the minutes below. Lines starting with {marker} are left out.\n{marker} Save and close the editor to keep the change; an empty text changes nothing.\n\n",
            "{marker} Protokoll unten ändern. Zeilen, die mit {marker} beginnen, werden nicht übernommen.\n{marker} Speichern und Editor schließen, um die Änderung zu übernehmen; ein leerer Text ändert nichts.\n\n"),
        .snippetProvider: LocalizedText("Provider: ", "Träger: "),
        .snippetAttendee: LocalizedText("Attendee: ", "Teilnehmend: "),
        .snippetDecision: LocalizedText("Decision: ", "Beschluss: "),
        .snippetTask: LocalizedText("Action item: ", "Arbeitsauftrag: "),
        .snippetAgenda: LocalizedText("Item: ", "TOP: "),
    ]
}
