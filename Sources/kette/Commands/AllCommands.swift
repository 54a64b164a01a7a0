import KetteClient
import KetteCommandLine
import KetteProtocol

typealias KetteCommand = Command<CommandContext>

/// `kette` and every command of it, in the order `kette --help` lists them.
let kette = Program<CommandContext>(
    name: "kette",
    abstract: LocalizedText("offline record keeper for prevention-chain coordinators (Präventionsketten)",
                            "Offline-Erfassung für Koordinator*innen von Präventionsketten"),
    commands: storeCommands + registerCommands + offerCommands + bodyCommands + memberCommands + meetingCommands + minutesCommands + taskCommands
        + needCommands + goalCommands + measureCommands + contactCommands + agreementCommands + findCommands + historyCommands
        + syncCommands + refusalCommands + reportCommands + planningReportCommands + exchangeCommands,
    globalOptions: [homeOption],
    epilogue: LocalizedText("""
        exit codes: 0 ok, 1 usage or input error (also a write outside your districts), 2 sync finished but received
                    a new refusal or has open conflicts, 3 server unreachable or transport error, 4 local storage error,
                    5 token refused (ask the county office for a new token)
        """, """
        Exit-Codes: 0 in Ordnung, 1 Aufruf- oder Eingabefehler (auch ein Schreiben außerhalb Ihrer Sozialräume), 2 Sync beendet,
                    aber mit neuer Ablehnung oder offenen Konflikten, 3 Server nicht erreichbar oder Übertragungsfehler,
                    4 Fehler im lokalen Speicher, 5 Token abgelehnt (beim Kreis einen neuen Token erfragen)
        """),
    version: "\(KetteVersion.release) (commit \(BuildStamp.commit))")

/// `--home DIR`: every command's store; also before the command (`kette --home DIR offer list`).
let homeOption = Option<String>(
    "home", value: "DIR",
    help: LocalizedText("the store's directory (default: $KETTE_HOME, else $XDG_DATA_HOME/kette, else ~/.local/share/kette)",
                        "Verzeichnis des Speichers (Standard: $KETTE_HOME, sonst $XDG_DATA_HOME/kette, sonst ~/.local/share/kette)"))

/// `--json`, for the commands that print records or results.
let jsonFlag = Flag("json", help: LocalizedText("print JSON (stable English keys and slugs) for scripts",
                                                "JSON ausgeben (feste englische Schlüssel und Kürzel) für Skripte"))

/// `--limit N`, for every command that lists: at most N items, the total said at the end.
let limitOption = Option<Int>.integer(
    "limit", in: 1...Int.max, expected: LocalizedText("a whole number above 0", "eine ganze Zahl größer als 0"),
    help: LocalizedText("show at most N items", "höchstens N Einträge anzeigen"))

/// A vocabulary's values as German help lists them: the German slug people type, with its label
/// where it differs ("kita (Kita-Alter)").
func germanChoices<V: Vocabulary>(_ type: V.Type) -> String {
    Input.accepted(V.self).german
}
