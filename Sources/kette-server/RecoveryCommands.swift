import Foundation
import KetteCommandLine
import KetteMessages
import KetteProtocol
import KetteServer

private let backupTarget = Option<String>("to", value: "FILE", help: LocalizedText(
    "where to write the backup (required; replaced if it exists, readable by the owner only)",
    "wohin die Sicherung geschrieben wird (Pflicht; eine vorhandene Datei wird ersetzt, nur für den Eigentümer lesbar)"))
private let backupFile = Argument<String>("FILE", help: LocalizedText("a file written by `kette-server backup`",
                                                                       "eine von `kette-server backup` geschriebene Datei"))

/// Backups and restores of the server's database (SPEC §16.7).
let recoveryCommands: [ServerCommand] = [
    ServerCommand(
        "backup", abstract: LocalizedText("write a consistent copy of the database while the server runs",
                                          "eine stimmige Kopie der Datenbank schreiben, während der Server läuft"),
        options: [backupTarget, jsonFlag],
        discussion: LocalizedText("""
            The copy is one snapshot (SQLite's online backup API), mode 0600. The audit key file is not copied: keep it
            apart from the backups.
            """, """
            Die Kopie ist ein einziger Schnappschuss (die Online-Sicherungsschnittstelle von SQLite), Modus 0600. Die
            Schlüsseldatei des Audit-Protokolls wird nicht kopiert: getrennt von den Sicherungen aufbewahren.
            """),
        validate: { _ = try $0.require(backupTarget) }
    ) { args, context in
        let report = try context.openStore().backup(to: try args.require(backupTarget))
        if context.wantsJSON { return try context.printJSON(report) }
        context.say(ServerText.backupWritten.with(["path": report.path, "versions": report.fieldVersions, "seq": report.seq, "database": report.database]))
    },
    ServerCommand(
        "restore", abstract: LocalizedText("replace the database given with --db by a backup, under a new database id",
                                           "die mit --db angegebene Datenbank durch eine Sicherung ersetzen, mit neuer Datenbank-ID"),
        arguments: [backupFile], options: [jsonFlag],
        discussion: LocalizedText("""
            Stop `kette-server serve` first. Clients see the new id at their next sync, pull everything again and bring
            back what they hold that the backup lacks. Users, tokens and their districts are as they were at the backup:
            make changes since then again.
            """, """
            Zuerst `kette-server serve` beenden. Clients sehen die neue ID beim nächsten Sync, holen alles neu und bringen
            zurück, was sie haben und der Sicherung fehlt. Personen, Tokens und ihre Sozialräume sind wie zur Zeit der
            Sicherung: spätere Änderungen erneut vornehmen.
            """),
        validate: { input in
            guard input[databaseOption] != nil else {
                throw UsageError(ServerText.restoreNeedsDatabase.text)
            }
        }
    ) { args, context in
        let report = try ServerStore.restore(from: args[backupFile], to: context.databasePath)
        if context.wantsJSON { return try context.printJSON(report) }
        context.say(ServerText.restored.with(["backup": args[backupFile], "path": report.path, "database": report.database,
                                              "versions": report.fieldVersions, "seq": report.seq]))
        complain(ServerText.restoreNote.text(context.language))
    },
]
