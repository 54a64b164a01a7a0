/// Messages about the local store: creating it, its owner, its state, and its failures.
public enum StoreText: String, MessageSection {
    case storeMissing, storeUnwritable, storeDamaged, emptyFile, foreignFile, unreadableOutbox, unreadableRefusal
    case locked, diskFull, readOnly, cannotOpen, notADatabase, ioError, storageError
    case created, createdNamed, exists, renamed, nameUnchanged
    // Both programs at start, about a file with personal data that others may read.
    case privateFileOpen
    // `kette status`.
    case statusStore, statusName, statusNoName, statusDistricts, statusOrganizations, statusOffers, statusBodies, statusMeetings
    case statusOpenTasks, statusWaiting, statusServer, statusNoServer, statusLastSync, statusNever, statusConflicts, statusRefused

    public static let texts: [StoreText: LocalizedText] = [
        .storeMissing: LocalizedText("no Kette store in {directory}. Run `kette init` first (or point --home/KETTE_HOME at your store).",
                                     "Kein Kette-Speicher in {directory}. Zuerst `kette init` ausführen (oder --home/KETTE_HOME angeben)."),
        .storeUnwritable: LocalizedText("cannot create the store in {directory}: {reason}",
                                        "Der Speicher in {directory} kann nicht angelegt werden: {reason}"),
        .storeDamaged: LocalizedText("the store {path} is damaged: {reason}", "Der Speicher {path} ist beschädigt: {reason}"),
        .emptyFile: LocalizedText("the file is empty; move it away and run `kette init` again",
                                  "die Datei ist leer; sie beiseitelegen und `kette init` erneut ausführen"),
        .foreignFile: LocalizedText("it is not a Kette store (written by another program); move it away and run `kette init` again",
                                    "sie ist kein Kette-Speicher (von einem anderen Programm geschrieben); beiseitelegen und `kette init` erneut ausführen"),
        .unreadableOutbox: LocalizedText("the outbox holds an unreadable change", "der Postausgang enthält eine unlesbare Änderung"),
        .unreadableRefusal: LocalizedText("a kept refusal holds an unreadable change set", "eine aufbewahrte Ablehnung enthält einen unlesbaren Änderungssatz"),
        .locked: LocalizedText("the store is locked by another process; try again in a moment.",
                               "Der Speicher ist durch ein anderes Programm gesperrt; später erneut versuchen."),
        .diskFull: LocalizedText("the disk is full; free some space and try again. Nothing was partially saved.",
                                 "Der Datenträger ist voll; Platz schaffen und erneut versuchen. Nichts wurde teilweise gespeichert."),
        .readOnly: LocalizedText("the store is read-only.", "Der Speicher ist schreibgeschützt."),
        .cannotOpen: LocalizedText("the store file cannot be opened (permissions, path?).",
                                   "Die Speicherdatei kann nicht geöffnet werden (Rechte, Pfad?)."),
        .notADatabase: LocalizedText("the store file is not a valid Kette database or is damaged.",
                                     "Die Speicherdatei ist keine gültige Kette-Datenbank oder beschädigt."),
        .ioError: LocalizedText("the disk reported an I/O error. Nothing was partially saved.",
                                "Lese-/Schreibfehler des Datenträgers. Nichts wurde teilweise gespeichert."),
        .storageError: LocalizedText("storage error.", "Speicherfehler."),
        .created: LocalizedText("Created a Kette store in {directory}.", "Kette-Speicher in {directory} angelegt."),
        .createdNamed: LocalizedText("Created a Kette store in {directory} for {name}.", "Kette-Speicher in {directory} für {name} angelegt."),
        .exists: LocalizedText("A Kette store already exists in {directory}; left unchanged.",
                               "In {directory} gibt es bereits einen Kette-Speicher; unverändert gelassen."),
        .renamed: LocalizedText("This store's owner is now {name}; later changes carry this name as their author (earlier ones keep theirs).",
                                "Der Speicher gehört jetzt {name}; spätere Änderungen tragen diesen Namen als Autor (frühere behalten ihren)."),
        .nameUnchanged: LocalizedText("This store's owner is already {name}.", "Der Speicher gehört bereits {name}."),
        .privateFileOpen: LocalizedText("warning: {path} holds personal data but other users may read it (mode {mode}); run: chmod 600 {path}",
                                        "Warnung: {path} enthält personenbezogene Daten, ist aber für andere Benutzer lesbar (Modus {mode}); Abhilfe: chmod 600 {path}"),
        .statusStore: LocalizedText("Store", "Speicher"),
        .statusName: LocalizedText("Owner", "Inhaber*in"),
        .statusNoName: LocalizedText("none (kette init --name NAME)", "keiner (kette init --name NAME)"),
        .statusDistricts: LocalizedText("Districts", "Sozialräume"),
        .statusOrganizations: LocalizedText("Organizations", "Träger"),
        .statusOffers: LocalizedText("Offers", "Angebote"),
        .statusBodies: LocalizedText("Bodies", "Gremien"),
        .statusMeetings: LocalizedText("Meetings", "Sitzungen"),
        .statusOpenTasks: LocalizedText("Open action items", "Offene Arbeitsaufträge"),
        .statusWaiting: LocalizedText("Change sets waiting to sync", "Änderungssätze, die auf Sync warten"),
        .statusServer: LocalizedText("Server address", "Serveradresse"),
        .statusNoServer: LocalizedText("none (kette remote URL --token T)", "keine (kette remote URL --token T)"),
        .statusLastSync: LocalizedText("Last successful sync", "Letzter erfolgreicher Sync"),
        .statusNever: LocalizedText("never", "noch nie"),
        .statusConflicts: LocalizedText("Open conflicts", "Offene Konflikte"),
        .statusRefused: LocalizedText("Refused change sets", "Abgelehnte Änderungssätze"),
    ]
}
