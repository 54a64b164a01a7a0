/// Messages of `kette remote`, `kette sync` and `kette conflicts`, and why a sync stopped.
public enum SyncText: String, MessageSection {
    case pushProgress, pullProgress
    // The digest check at the end of a sync, and `kette verify` (SPEC §16).
    case verifyBuckets, verifyBroughtBack, leftScope, scopeGained, serverRestored, storeDamaged
    case verified, repaired, notVerified, othersWriting, waitingVersions, keptRecords
    case done, refusedLine, keptRefusals, seeConflicts
    case noServer, serverIs, willSync
    case noConflicts, conflictLine, conflictResolvedMark, conflictNow, conflictLost, thisStore, unknownAuthor, resolved
    // Why a sync stopped.
    case retry, notConfigured, tooLarge, tokenRefused, serverError, serverStorage, protocolViolation
    // An older server (SPEC §2.1), and `kette sync --log FILE`.
    case serverOlder, serverBefore09, levelBase, levelVersioned, levelAntiEntropy, levelOther, logUnwritable

    public static let texts: [SyncText: LocalizedText] = [
        .serverOlder: LocalizedText(
            "kette: warning: the server {url} runs {server} (protocol level {level}); this kette {version} uses level {required} ({missing}). Ask the county's IT to update kette-server; until then syncs may fail.",
            "kette: Warnung: Der Server {url} läuft mit {server} (Protokollstufe {level}); dieses kette {version} nutzt Stufe {required} ({missing}). Bitte die IT des Kreises, kette-server zu aktualisieren; bis dahin kann der Sync scheitern."),
        .serverBefore09: LocalizedText("a kette-server before 0.9", "einem kette-server vor 0.9"),
        .levelBase: LocalizedText("push, pull and user management", "Senden, Holen und Benutzerverwaltung"),
        .levelVersioned: LocalizedText("its version and protocol level in /v1/health", "Version und Protokollstufe in /v1/health"),
        .levelAntiEntropy: LocalizedText("the digest check and repair after a restore (/v1/digests, /v1/repairs)",
                                         "die Prüfsummenprüfung und die Reparatur nach einer Wiederherstellung (/v1/digests, /v1/repairs)"),
        .levelOther: LocalizedText("protocol level {level}", "Protokollstufe {level}"),
        .logUnwritable: LocalizedText("could not write the sync log {path}: {reason}", "Das Sync-Protokoll {path} konnte nicht geschrieben werden: {reason}"),
        .pushProgress: LocalizedText("sending {done} of {total}", "sende {done} von {total}"),
        .pullProgress: LocalizedText("received {changes} {changes:change|changes}", "{changes} {changes:Änderung|Änderungen} empfangen"),
        .verifyBuckets: LocalizedText("checking: {count} of 256 parts differ", "Prüfung: {count} von 256 Teilen unterscheiden sich"),
        .verifyBroughtBack: LocalizedText("checking: {count} {count:version|versions} brought back", "Prüfung: {count} {count:Fassung|Fassungen} zurückgebracht"),
        .leftScope: LocalizedText(
            "  {count} {count:record|records} left your scope (moved to a district you do not work in) and {count:was|were} removed here; {count:it is|they are} not deleted.",
            "  {count} {count:Datensatz hat|Datensätze haben} Ihren Bereich verlassen (in einen Sozialraum verschoben, in dem Sie nicht arbeiten) und {count:wurde|wurden} hier entfernt; gelöscht {count:ist er|sind sie} nicht."),
        .scopeGained: LocalizedText("  You were given a district: its records were pulled.",
                                    "  Ihnen wurde ein Sozialraum zugeteilt: seine Datensätze wurden geholt."),
        .serverRestored: LocalizedText("  The server was restored from a backup or replaced: everything was pulled again.",
                                       "  Der Server wurde aus einer Sicherung wiederhergestellt oder ersetzt: alles wurde neu geholt."),
        .storeDamaged: LocalizedText("  This store was changed outside kette (damage or a hand edit): its check sums were rebuilt.",
                                     "  Dieser Speicher wurde außerhalb von kette verändert (Schaden oder Handbearbeitung): seine Prüfsummen wurden neu berechnet."),
        .verified: LocalizedText("Verified: this store holds the server's versions of everything you work with.",
                                 "Geprüft: Dieser Speicher hat die Fassungen des Servers von allem, womit Sie arbeiten."),
        .repaired: LocalizedText(
            "Repaired and verified: {pulled} {pulled:version|versions} taken from the server, {pushed} brought back to it, {left} {left:record|records} that left your scope removed.",
            "Repariert und geprüft: {pulled} {pulled:Fassung|Fassungen} vom Server übernommen, {pushed} an ihn zurückgegeben, {left} {left:Datensatz|Datensätze} außerhalb Ihres Bereichs entfernt."),
        .notVerified: LocalizedText(
            "Not verified: this store and the server still differ ({pulled} {pulled:version|versions} taken from the server, {pushed} brought back to it, {left} {left:record|records} that left your scope removed).",
            "Nicht geprüft: Dieser Speicher und der Server unterscheiden sich noch ({pulled} {pulled:Fassung|Fassungen} vom Server übernommen, {pushed} an ihn zurückgegeben, {left} {left:Datensatz|Datensätze} außerhalb Ihres Bereichs entfernt)."),
        .othersWriting: LocalizedText("  Others were syncing changes in your districts during the check; nothing needs doing, the next sync checks again.",
                                      "  Während der Prüfung haben andere Änderungen in Ihren Sozialräumen übertragen; es ist nichts zu tun, der nächste Sync prüft erneut."),
        .waitingVersions: LocalizedText("  {count} field {count:version waits|versions wait} in the outbox to be pushed again (see `kette status`).",
                                        "  {count} {count:Feldfassung wartet|Feldfassungen warten} im Postausgang darauf, erneut gesendet zu werden (siehe `kette status`)."),
        .keptRecords: LocalizedText(
            "  {count} {count:record holds|records hold} versions the server lacks where you may not write; {count:it stays|they stay} here. Ask the county office to sync, then sync again.",
            "  {count} {count:Datensatz hat|Datensätze haben} Fassungen, die dem Server fehlen, wo Sie nicht schreiben dürfen; {count:er bleibt|sie bleiben} hier. Den Kreis um einen Sync bitten, dann erneut synchronisieren."),
        .done: LocalizedText(
            "Sync done: pushed {pushed} {pushed:change set|change sets}, pulled {pulled} {pulled:change|changes}; {refused} refused, {conflicts} open {conflicts:conflict|conflicts}.",
            "Sync fertig: {pushed} {pushed:Änderungssatz|Änderungssätze} übertragen, {pulled} {pulled:Änderung|Änderungen} empfangen; {refused} abgelehnt, {conflicts} {conflicts:offener Konflikt|offene Konflikte}."),
        .refusedLine: LocalizedText("  refused: {summary} [{id}]: {reason}", "  abgelehnt: {summary} [{id}]: {reason}"),
        .keptRefusals: LocalizedText("  {count} refused {count:change set|change sets} taken back and kept: see `kette refused`",
                                     "  {count} {count:abgelehnter Änderungssatz|abgelehnte Änderungssätze} zurückgenommen und aufbewahrt: siehe `kette refused`"),
        .seeConflicts: LocalizedText("  see `kette conflicts`", "  siehe `kette conflicts`"),
        .noServer: LocalizedText("No server configured.", "Kein Server eingerichtet."),
        .serverIs: LocalizedText("{url}", "{url}"),
        .willSync: LocalizedText("Will sync with {url}.", "Synchronisiert künftig mit {url}."),
        .noConflicts: LocalizedText("No open conflicts.", "Keine offenen Konflikte."),
        .conflictLine: LocalizedText("{id}  {kind} {record} · {field}{mark}", "{id}  {kind} {record} · {field}{mark}"),
        .conflictResolvedMark: LocalizedText(" (resolved)", " (gelöst)"),
        .conflictNow: LocalizedText("    now: {value}  — {who}, {time}", "    jetzt: {value}  — {who}, {time}"),
        .conflictLost: LocalizedText("    lost: {value}  — {who}, {time}", "    verloren: {value}  — {who}, {time}"),
        .thisStore: LocalizedText("{author} (this store)", "{author} (dieser Speicher)"),
        .unknownAuthor: LocalizedText("unknown", "unbekannt"),
        .resolved: LocalizedText("Resolved conflict {id} ({kind}, {field}); run `kette sync` to share it.",
                                 "Konflikt {id} gelöst ({kind}, {field}); mit `kette sync` teilen."),
        .retry: LocalizedText("Nothing was lost; run `kette sync` again later.", "Nichts ging verloren; `kette sync` später erneut ausführen."),
        .notConfigured: LocalizedText("no server configured: run `kette remote URL --token TOKEN` first.",
                                      "Kein Server eingerichtet: zuerst `kette remote URL --token TOKEN` ausführen."),
        .tooLarge: LocalizedText(
            "a change set is larger than the server accepts. Nothing was lost; ask the county's IT to raise `kette-server serve --max-body-mb`.",
            "Ein Änderungssatz ist größer, als der Server annimmt. Nichts ging verloren; die IT des Kreises kann `kette-server serve --max-body-mb` erhöhen."),
        .tokenRefused: LocalizedText(
            "the server refused your token: it was revoked or replaced, or is unknown to this server. Ask the county office for a new token, then run `kette remote URL --token NEW_TOKEN`. Your changes stay on this device; nothing was lost.",
            "Der Server lehnt Ihren Token ab: Er wurde widerrufen oder ersetzt oder ist diesem Server unbekannt. Bitte beim Kreis einen neuen Token erfragen und dann `kette remote URL --token NEUER_TOKEN` ausführen. Ihre Änderungen bleiben auf diesem Gerät, nichts ging verloren."),
        .serverError: LocalizedText("the server answered with an error ({status} {code}). {retry}",
                                    "Der Server hat mit einem Fehler geantwortet ({status} {code}). {retry}"),
        .serverStorage: LocalizedText("the server could not write to its disk ({status} {code}). {retry}",
                                      "Der Server konnte nicht auf seine Festplatte schreiben ({status} {code}). {retry}"),
        .protocolViolation: LocalizedText("unexpected answer from the server: it was not understood (a fault of the server or of what lies between, not of this device). {retry}",
                                          "Unerwartete Antwort des Servers: Sie war nicht verständlich (ein Fehler des Servers oder der Verbindung dazwischen, nicht dieses Geräts). {retry}"),
    ]
}

/// Why a request reached no server, by libcurl's error class, in plain words: what happened, that
/// nothing was lost, what to do. libcurl's own text stays out of the message (it is English); it
/// is kept in the error for `--json` and logs.
public enum TransportText: String, MessageSection {
    case unreachable, hostUnknown, refused, timedOut, untrusted, wrongHost, handshake, caFile, tls, tooLarge, failed, kept

    public static let texts: [TransportText: LocalizedText] = [
        .unreachable: LocalizedText("the connection to the server broke off or no answer came.",
                                    "Die Verbindung zum Server ist abgebrochen oder es kam keine Antwort."),
        .hostUnknown: LocalizedText("the server's name cannot be found (no network, or a typing error in the address?).",
                                    "Der Name des Servers ist nicht auffindbar (kein Netz oder ein Tippfehler in der Adresse?)."),
        .refused: LocalizedText("the server cannot be reached: nothing answers at that address (is it running, is the port right?).",
                                "Der Server ist nicht erreichbar: Unter der Adresse antwortet nichts (läuft er, stimmt der Port?)."),
        .timedOut: LocalizedText("the server did not answer in time (slow or broken connection).",
                                 "Der Server hat nicht rechtzeitig geantwortet (langsame oder gestörte Verbindung)."),
        .untrusted: LocalizedText(
            "no secure connection: the server's certificate is not trusted. If the county uses its own certificate authority, give its certificate with `kette remote URL --token TOKEN --cacert FILE`.",
            "Keine sichere Verbindung: Dem Zertifikat des Servers wird nicht vertraut. Nutzt der Kreis eine eigene Zertifizierungsstelle, deren Zertifikat mit `kette remote URL --token TOKEN --cacert DATEI` angeben."),
        .wrongHost: LocalizedText("no secure connection: the server's certificate is not valid for this host name. Check the address.",
                                  "Keine sichere Verbindung: Das Zertifikat des Servers gilt nicht für diese Adresse. Bitte die Adresse prüfen."),
        .handshake: LocalizedText("no secure connection: the secure handshake failed (is the address really an https server?).",
                                  "Keine sichere Verbindung: Der sichere Verbindungsaufbau ist gescheitert (ist die Adresse wirklich ein HTTPS-Server?)."),
        .caFile: LocalizedText("no secure connection: the trusted certificate file (--cacert) cannot be read.",
                               "Keine sichere Verbindung: Die Zertifikatsdatei (--cacert) kann nicht gelesen werden."),
        .tls: LocalizedText("no secure connection to the server. Check the address or ask whoever runs the server.",
                            "Keine sichere Verbindung zum Server. Bitte die Adresse prüfen oder die Administration fragen."),
        .tooLarge: LocalizedText("the server's answer is larger than Kette accepts.", "Die Antwort des Servers ist größer, als Kette annimmt."),
        .failed: LocalizedText("the request to the server failed.", "Die Anfrage an den Server ist fehlgeschlagen."),
        .kept: LocalizedText("Your changes stay on this device; nothing was lost. Try again later.",
                             "Ihre Änderungen bleiben auf diesem Gerät gespeichert, nichts ist verloren. Bitte später noch einmal versuchen."),
    ]
}
