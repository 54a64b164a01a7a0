import KetteProtocol

/// What `kette-server` prints: its admin commands' output, its refusals, its start and stop.
public enum ServerText: String, MessageSection {
    case districtAdded, tokenShownOnce, newTokenShownOnce, userRevoked, revokedMark, userDistricts, userNoDistricts
    case auditIntact, auditAltered, auditAlteredAt
    case erased, erasedAccounts, erasureLimits, erasureWAL
    case listening, stopped, startFailed, keyReadable, tlsFailed, databaseUnusable
    // `serve --config FILE`, `--tls-cert` and `--tls-key`, `--rate-burst`.
    case configUnreadable, configNotText
    // Admin refusals (`AdminError`).
    case userExists, unknownUser, unknownDistrict, noDistrictsYet, districtExists, needsName, needsDistrict
    case districtIDForm, districtNeedsName, personForm, personUnsearchable
    // Moving a county to PostgreSQL (`CountyMove`).
    case moveTargetNotEmpty, moveNoSource, moveSourceForeign, moveNeedsURL, moveTargetUnreachable, moveTargetFailed, moved, moveAuditKey
    // Backups and restores (SPEC §16.7).
    case backupWritten, restored, restoreNote, restoreNeedsDatabase, cannotWrite, cannotCreate, notSingleFile
    case noBackupFile, backupDamaged, notServerDatabase, databaseInUse, backupOnPostgres
    // Serving from PostgreSQL.
    case auditKeyNeeded, postgresUnusable
    // Audit actions in `audit list`.
    case actionDistrictAdd, actionErase, actionPush, actionRead, actionUserAdd, actionUserRevoke, actionUserToken
    case actionUserDistricts, actionBackup, actionRestore, actionRepair
    // Roles in `user list`.
    case roleCoordinator, roleDistrictOffice, roleCounty, roleAdmin

    public static let texts: [ServerText: LocalizedText] = [
        .districtAdded: LocalizedText("district {id} added", "Sozialraum {id} angelegt"),
        .tokenShownOnce: LocalizedText("token for {name} shown once; only its hash is stored",
                                       "Token für {name} nur dieses eine Mal angezeigt; gespeichert wird nur sein Hash"),
        .newTokenShownOnce: LocalizedText("new token for {name} shown once; the old one no longer works. Only its hash is stored.",
                                          "Neuer Token für {name} nur dieses eine Mal angezeigt; der alte gilt nicht mehr. Gespeichert wird nur sein Hash."),
        .userRevoked: LocalizedText("user {name} revoked", "Zugang von {name} widerrufen"),
        .userDistricts: LocalizedText("user {name} now has districts {districts}", "{name} hat jetzt die Sozialräume {districts}"),
        .userNoDistricts: LocalizedText("user {name} now has no districts", "{name} hat jetzt keine Sozialräume"),
        .revokedMark: LocalizedText("revoked", "widerrufen"),
        .auditIntact: LocalizedText("audit log intact: {count} {count:entry|entries}", "Audit-Protokoll unversehrt: {count} {count:Eintrag|Einträge}"),
        .auditAltered: LocalizedText("audit log altered: {reason}", "Audit-Protokoll verändert: {reason}"),
        .auditAlteredAt: LocalizedText("audit log altered at entry {entry}: {reason}", "Audit-Protokoll bei Eintrag {entry} verändert: {reason}"),
        .erased: LocalizedText(
            "erased: {versions} field versions in {records} records, {contactDetails} contact details, {authored} author entries, {changeSets} change-set users",
            "gelöscht: {versions} Feldversionen in {records} Datensätzen, {contactDetails} Kontaktangaben, {authored} Autor-Einträge, {changeSets} Änderungssatz-Personen"),
        .erasedAccounts: LocalizedText(
            "note: {count} user {count:account carries|accounts carry} this name; accounts are not renamed (revoke them with `kette-server user revoke`)",
            "Hinweis: {count} {count:Zugang trägt|Zugänge tragen} diesen Namen; Zugänge werden nicht umbenannt (mit `kette-server user revoke` widerrufen)"),
        .erasureLimits: LocalizedText("""
            clients receive the erasure on their next sync. A change written offline before the erasure
            and pushed after it can bring the name back: run the erasure again once every client has synced.

            """, """
            Clients erhalten die Löschung beim nächsten Sync. Eine Änderung, die vor der Löschung offline geschrieben
            und danach gesendet wird, kann den Namen zurückbringen: die Löschung wiederholen, wenn alle Clients synchronisiert haben.

            """),
        .erasureWAL: LocalizedText("the erasure is done, but a reader kept the write-ahead log {path}-wal from being emptied; run the command again",
                                   "Die Löschung ist erfolgt, aber ein Leser hat verhindert, dass das Write-Ahead-Log {path}-wal geleert wurde; den Befehl erneut ausführen"),
        .configUnreadable: LocalizedText("cannot read the configuration file {path}: {reason}; give another with --config FILE",
                                         "Die Konfigurationsdatei {path} ist nicht lesbar: {reason}; eine andere mit --config FILE angeben"),
        .configNotText: LocalizedText("the configuration file {path} is not UTF-8 text", "Die Konfigurationsdatei {path} ist kein UTF-8-Text"),
        .listening: LocalizedText("kette-server listening on {url} (database {path})", "kette-server lauscht auf {url} (Datenbank {path})"),
        .stopped: LocalizedText("kette-server stopped", "kette-server beendet"),
        .startFailed: LocalizedText("the server cannot start: {reason}", "Der Server kann nicht starten: {reason}"),
        .keyReadable: LocalizedText("warning: the private key {path} is readable by other users (mode {mode}); chmod 600 it",
                                    "Warnung: Der private Schlüssel {path} ist für andere lesbar (Modus {mode}); chmod 600 ausführen"),
        .tlsFailed: LocalizedText("HTTPS cannot start: {reason}", "HTTPS kann nicht starten: {reason}"),
        .databaseUnusable: LocalizedText("the database {path} is unusable ({code}): {reason}", "Die Datenbank {path} ist unbrauchbar ({code}): {reason}"),
        .userExists: LocalizedText("a user named '{name}' already exists; give a new token with `kette-server user token {name}`, or choose another name",
                                   "Eine Person namens „{name}“ gibt es schon; einen neuen Token gibt `kette-server user token {name}`, sonst einen anderen Namen wählen"),
        .unknownUser: LocalizedText("no user named '{name}'", "Keine Person namens „{name}“"),
        .unknownDistrict: LocalizedText("no district '{id}' on this server; known: {known}", "Kein Sozialraum „{id}“ auf diesem Server; vorhanden: {known}"),
        .noDistrictsYet: LocalizedText("none yet (kette-server district add ID NAME)", "noch keiner (kette-server district add ID NAME)"),
        .districtExists: LocalizedText("a district with id '{id}' already exists", "Einen Sozialraum mit der ID „{id}“ gibt es schon"),
        .needsName: LocalizedText("a user needs a name (at most 200 characters, no control characters)",
                                  "Eine Person braucht einen Namen (höchstens 200 Zeichen, keine Steuerzeichen)"),
        .districtIDForm: LocalizedText("a district id is a short word without spaces or commas, e.g. nordstadt",
                                       "Eine Sozialraum-ID ist ein kurzes Wort ohne Leerzeichen und Kommas, z. B. nordstadt"),
        .districtNeedsName: LocalizedText("a district needs a name", "Ein Sozialraum braucht einen Namen"),
        .personForm: LocalizedText(
            "--person needs the name to erase, 3 to 200 characters (it is matched ignoring case, accents written either way and spacing; no wildcards); got '{name}'",
            "--person braucht den zu löschenden Namen, 3 bis 200 Zeichen (gefunden ohne Rücksicht auf Groß- und Kleinschreibung, Schreibweise der Akzente und Leerraum; ohne Platzhalter); angegeben: „{name}“"),
        .personUnsearchable: LocalizedText("the name '{name}' has fewer than 3 visible characters to search for",
                                           "Der Name „{name}“ hat weniger als 3 sichtbare Zeichen, nach denen gesucht werden kann"),
        .moveTargetNotEmpty: LocalizedText("the PostgreSQL database already holds data (table {table}); a county moves only into an empty database",
                                           "Die PostgreSQL-Datenbank enthält schon Daten (Tabelle {table}); ein Landkreis zieht nur in eine leere Datenbank um"),
        .moveNoSource: LocalizedText("no county database {path}; --from names the SQLite file that `kette-server serve --db` used",
                                     "Keine Datenbank eines Landkreises unter {path}; --from nennt die SQLite-Datei, die `kette-server serve --db` benutzt hat"),
        .moveSourceForeign: LocalizedText("{path} is not a kette-server database; --from names the SQLite file that `kette-server serve --db` used",
                                          "{path} ist keine kette-server-Datenbank; --from nennt die SQLite-Datei, die `kette-server serve --db` benutzt hat"),
        .moveNeedsURL: LocalizedText(
            "--to needs a PostgreSQL database as postgres://USER@HOST/DB or postgresql://USER@HOST/DB (postgresql:// alone takes PGHOST, PGUSER, PGDATABASE, … from the environment); got '{value}'",
            "--to braucht eine PostgreSQL-Datenbank als postgres://USER@HOST/DB oder postgresql://USER@HOST/DB (postgresql:// allein nimmt PGHOST, PGUSER, PGDATABASE, … aus der Umgebung); angegeben: „{value}“"),
        .moveTargetUnreachable: LocalizedText(
            "cannot reach the PostgreSQL database {url}: {reason}; nothing was copied. Check host, port, user and that the database exists (createdb)",
            "Die PostgreSQL-Datenbank {url} ist nicht erreichbar: {reason}; nichts wurde kopiert. Host, Port, Benutzer prüfen und ob die Datenbank existiert (createdb)"),
        .moveTargetFailed: LocalizedText("the PostgreSQL database {url} refused the move ({code}): {reason}; nothing was copied",
                                         "Die PostgreSQL-Datenbank {url} hat den Umzug abgelehnt ({code}): {reason}; nichts wurde kopiert"),
        .moved: LocalizedText(
            "moved {path} to {url}: {versions} field versions, {users} {users:user|users}, {audit} audit {audit:entry|entries}, pull sequence at {seq}; clients continue from their cursors",
            "{path} nach {url} umgezogen: {versions} Feldversionen, {users} {users:Person|Personen}, {audit} Audit-{audit:Eintrag|Einträge}, Abrufsequenz bei {seq}; Clients machen an ihrer Position weiter"),
        .moveAuditKey: LocalizedText("the audit log's key stays in the file {key}: give it to every command on the new database with --audit-key {key}",
                                     "Der Schlüssel des Audit-Protokolls bleibt in der Datei {key}: jedem Befehl auf der neuen Datenbank mit --audit-key {key} angeben"),
        // English shows the action codes scripts and the audit chain use.
        .backupWritten: LocalizedText("backup written to {path}: {versions} field versions up to sequence {seq} (database {database})",
                                      "Sicherung nach {path} geschrieben: {versions} Feldversionen bis Sequenz {seq} (Datenbank {database})"),
        .restored: LocalizedText("restored {backup} into {path}: new database id {database}, {versions} field versions up to sequence {seq}",
                                 "{backup} nach {path} wiederhergestellt: neue Datenbank-ID {database}, {versions} Feldversionen bis Sequenz {seq}"),
        .restoreNote: LocalizedText(
            "clients pull everything again at their next sync and bring back what the backup lacks; users, tokens and their districts are as at the backup",
            "Clients holen beim nächsten Sync alles neu und bringen zurück, was der Sicherung fehlt; Personen, Tokens und ihre Sozialräume sind wie zur Zeit der Sicherung"),
        .restoreNeedsDatabase: LocalizedText("restore needs --db PATH, the database to replace (or to make)",
                                             "restore braucht --db PFAD, die zu ersetzende (oder anzulegende) Datenbank"),
        .cannotWrite: LocalizedText("cannot write {path}: {error}", "{path} kann nicht geschrieben werden: {error}"),
        .cannotCreate: LocalizedText("cannot create {path}: {error}", "{path} kann nicht angelegt werden: {error}"),
        .notSingleFile: LocalizedText("the restored copy {path} could not be made a single file",
                                      "Die wiederhergestellte Kopie {path} ließ sich nicht zu einer einzigen Datei machen"),
        .noBackupFile: LocalizedText("no backup file {path}", "Keine Sicherungsdatei {path}"),
        .backupDamaged: LocalizedText("the backup {path} is damaged (SQLite's integrity check failed); use another backup",
                                      "Die Sicherung {path} ist beschädigt (die Integritätsprüfung von SQLite schlug fehl); eine andere Sicherung nehmen"),
        .notServerDatabase: LocalizedText("{path} is not a kette-server database; give a file written by `kette-server backup`",
                                          "{path} ist keine kette-server-Datenbank; eine von `kette-server backup` geschriebene Datei angeben"),
        .databaseInUse: LocalizedText("the database {path} is in use: stop `kette-server serve` (and other admin commands) before restoring",
                                      "Die Datenbank {path} ist in Gebrauch: vor dem Wiederherstellen `kette-server serve` (und andere Verwaltungsbefehle) beenden"),
        .backupOnPostgres: LocalizedText(
            "backup and restore copy a SQLite file; a PostgreSQL database is backed up with its own tools (pg_dump, pg_basebackup), the audit key file apart from it",
            "backup und restore kopieren eine SQLite-Datei; eine PostgreSQL-Datenbank wird mit ihren eigenen Werkzeugen gesichert (pg_dump, pg_basebackup), die Schlüsseldatei des Audit-Protokolls getrennt davon"),
        .auditKeyNeeded: LocalizedText(
            "a PostgreSQL database needs --audit-key FILE: the audit log's key file (made on first use; after `migrate`, the source's FILE.audit-key)",
            "Eine PostgreSQL-Datenbank braucht --audit-key DATEI: die Schlüsseldatei des Audit-Protokolls (wird beim ersten Mal angelegt; nach `migrate` die DATEI.audit-key der Quelle)"),
        .postgresUnusable: LocalizedText("the PostgreSQL database {url} is unusable ({code}): {reason}",
                                         "Die PostgreSQL-Datenbank {url} ist unbrauchbar ({code}): {reason}"),
        .actionDistrictAdd: LocalizedText("district-add", "Sozialraum-angelegt"),
        .actionErase: LocalizedText("erase", "Name-gelöscht"),
        .actionPush: LocalizedText("push", "Änderungen-gesendet"),
        .actionRead: LocalizedText("read", "Datensätze-gelesen"),
        .actionUserAdd: LocalizedText("user-add", "Person-angelegt"),
        .actionUserDistricts: LocalizedText("user-districts", "Person-Sozialräume"),
        .actionBackup: LocalizedText("backup", "Sicherung"),
        .actionRestore: LocalizedText("restore", "Wiederherstellung"),
        .actionRepair: LocalizedText("repair", "Reparatur"),
        .actionUserRevoke: LocalizedText("user-revoke", "Zugang-widerrufen"),
        .actionUserToken: LocalizedText("user-token", "neuer-Token"),
        // English shows the role names `--role` takes.
        .roleCoordinator: LocalizedText("coordinator", "Koordination"),
        .roleDistrictOffice: LocalizedText("district", "Bezirksbüro"),
        .roleCounty: LocalizedText("county", "Kreis"),
        .roleAdmin: LocalizedText("admin", "Verwaltung"),
        .needsDistrict: LocalizedText("a {role} needs at least one --district", "Die Rolle {role} braucht mindestens einen --district"),
    ]
}

extension ServerText {
    /// An audit log action (`user-add`) in words; an unknown action as it is.
    public static func auditAction(_ action: String) -> LocalizedText {
        let known: [String: ServerText] = ["district-add": .actionDistrictAdd, "erase": .actionErase, "push": .actionPush, "read": .actionRead,
                                           "user-add": .actionUserAdd, "user-revoke": .actionUserRevoke, "user-token": .actionUserToken,
                                           "user-districts": .actionUserDistricts, "backup": .actionBackup, "restore": .actionRestore,
                                           "repair": .actionRepair]
        return known[action]?.text ?? .verbatim(action)
    }
}

extension ServerText {
    /// A role in words (`county` → "Kreis"); an unknown role as it is.
    public static func role(_ role: Role) -> LocalizedText {
        switch role {
        case .coordinator: roleCoordinator.text
        case .district: roleDistrictOffice.text
        case .county: roleCounty.text
        case .admin: roleAdmin.text
        }
    }
}
