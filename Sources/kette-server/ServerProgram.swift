import KetteCommandLine
import KetteProtocol
import KetteServer

typealias ServerCommand = Command<ServerContext>

/// `kette-server` and every command of it, in the order `kette-server --help` lists them.
let server = Program<ServerContext>(
    name: "kette-server",
    abstract: LocalizedText("the county sync server for Kette", "der Sync-Server des Kreises für Kette"),
    commands: [serveCommand] + adminCommands + recoveryCommands + [migrateCommand],
    globalOptions: [databaseOption, auditKeyOption],
    epilogue: LocalizedText("""
        Admin commands open the same database file and work while the server runs; a revocation
        takes effect on the next request.

        exit codes: 0 ok, 1 usage or input error, 4 storage error (database unusable), 5 address in use or server failure,
                    6 audit log altered (`audit verify` names the first broken entry)
        """, """
        Verwaltungsbefehle öffnen dieselbe Datenbankdatei und funktionieren, während der Server läuft; ein
        Widerruf wirkt ab der nächsten Anfrage.

        Exit-Codes: 0 in Ordnung, 1 Aufruf- oder Eingabefehler, 4 Speicherfehler (Datenbank unbrauchbar),
                    5 Adresse belegt oder Serverfehler, 6 Audit-Protokoll verändert (`audit verify` nennt den ersten beschädigten Eintrag)
        """),
    version: "\(KetteVersion.release) (commit \(BuildStamp.commit))")

/// `--db PATH|URL`, the database every command works on.
let databaseOption = Option<String>("db", value: "PATH|URL", help: LocalizedText(
    "the database: a SQLite file (default: \(ServerDefaults.databasePath)) or PostgreSQL as postgres://USER@HOST/DB or postgresql://… (PG* variables fill in)",
    "die Datenbank: eine SQLite-Datei (Standard: \(ServerDefaults.databasePath)) oder PostgreSQL als postgres://USER@HOST/DB oder postgresql://… (PG*-Variablen ergänzen)"))

/// `--audit-key FILE`, the audit log's key; needed with a PostgreSQL database.
let auditKeyOption = Option<String>("audit-key", value: "FILE", help: LocalizedText(
    "the audit log's key file, its signed head beside it (default: PATH.audit-key next to a SQLite file; required with PostgreSQL)",
    "die Schlüsseldatei des Audit-Protokolls, sein signierter Kopf daneben (Standard: PATH.audit-key neben einer SQLite-Datei; Pflicht bei PostgreSQL)"))

/// `--limit N`, for the commands that list.
let limitOption = Option<Int>.integer(
    "limit", in: 1...Int.max, expected: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
    help: LocalizedText("show at most N items", "höchstens N Einträge anzeigen"))

/// `--json`, for the commands that list or report.
let jsonFlag = Flag("json", help: LocalizedText("print JSON for scripts", "JSON für Skripte ausgeben"))
