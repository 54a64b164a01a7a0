/// What `kette-server audit verify` and the audit key say when something is wrong.
public enum AuditText: String, MessageSection {
    case alteredBeforeErasure, keyMissing, keyUnreadable, keyNotReadable, keyNotHex, keyNotCreated, keyNotWritten, headUnwritable
    case entryMissing, entryMisplaced, entryUnsigned, headMissing, headAltered, entriesRemoved, headEntryDiffers, triggersDropped

    public static let texts: [AuditText: LocalizedText] = [
        .alteredBeforeErasure: LocalizedText(
            "the audit log does not verify ({reason}); an erasure would sign its entries anew and hide that, so nothing was erased. Check it with `kette-server audit verify` and restore the database and its audit files from a backup",
            "Das Audit-Protokoll ist nicht unversehrt ({reason}); eine Löschung würde seine Einträge neu signieren und das verdecken, daher wurde nichts gelöscht. Mit `kette-server audit verify` prüfen und Datenbank und Audit-Dateien aus einer Sicherung wiederherstellen"),
        .keyMissing: LocalizedText(
            "the audit key file {path} is missing, but the audit log holds {entries} entries signed with it; restore the key file (a new key would make the whole log unverifiable)",
            "Die Audit-Schlüsseldatei {path} fehlt, aber das Audit-Protokoll enthält {entries} damit signierte Einträge; die Schlüsseldatei wiederherstellen (ein neuer Schlüssel machte das ganze Protokoll unprüfbar)"),
        .keyUnreadable: LocalizedText("the audit key file {path} cannot be used: {reason}; it must hold 64 hex digits",
                                      "Die Audit-Schlüsseldatei {path} ist unbrauchbar: {reason}; sie muss 64 Hexadezimalziffern enthalten"),
        .keyNotReadable: LocalizedText("it cannot be read", "sie kann nicht gelesen werden"),
        .keyNotHex: LocalizedText("it is not 64 hex digits", "sie enthält keine 64 Hexadezimalziffern"),
        .headUnwritable: LocalizedText("the signed head {path} could not be written; check the directory's permissions and free space",
                                       "Der signierte Kopf {path} konnte nicht geschrieben werden; Rechte und freien Platz des Verzeichnisses prüfen"),
        .keyNotCreated: LocalizedText("it cannot be created ({error})", "sie kann nicht angelegt werden ({error})"),
        .keyNotWritten: LocalizedText("it cannot be written ({error})", "sie kann nicht geschrieben werden ({error})"),
        .entryMissing: LocalizedText("entry {entry} is missing (the log goes from {before} to {after})",
                                     "Eintrag {entry} fehlt (das Protokoll springt von {before} auf {after})"),
        .entryMisplaced: LocalizedText("entry {entry} appears where {expected} belongs", "Eintrag {entry} steht dort, wo {expected} hingehört"),
        .entryUnsigned: LocalizedText("entry {entry} does not match its signature: it was changed, inserted, reordered or an entry before it was removed",
                                      "Eintrag {entry} passt nicht zu seiner Signatur: Er wurde geändert, eingefügt, umgestellt, oder ein Eintrag davor wurde entfernt"),
        .headMissing: LocalizedText("the signed head {path} is missing, so removal of the newest entries cannot be ruled out",
                                    "Der signierte Kopf {path} fehlt; daher ist nicht auszuschließen, dass die neuesten Einträge entfernt wurden"),
        .headAltered: LocalizedText("the signed head {path} was altered (its signature does not match)",
                                    "Der signierte Kopf {path} wurde verändert (seine Signatur passt nicht)"),
        .entriesRemoved: LocalizedText("the log ends at entry {last}, but its signed head says {head}: entries {first}…{head} were removed",
                                       "Das Protokoll endet bei Eintrag {last}, sein signierter Kopf nennt aber {head}: Die Einträge {first}…{head} wurden entfernt"),
        .headEntryDiffers: LocalizedText("entry {entry} differs from the one the signed head names",
                                         "Eintrag {entry} weicht von dem ab, den der signierte Kopf nennt"),
        .triggersDropped: LocalizedText("the chain is intact, but the triggers that keep audit_log append-only were dropped",
                                        "Die Kette ist unversehrt, aber die Trigger, die audit_log nur ergänzbar halten, wurden entfernt"),
    ]
}
