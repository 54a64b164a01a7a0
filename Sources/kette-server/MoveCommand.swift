import Foundation
import KetteCommandLine
import KetteMessages
import KettePostgres
import KetteServer

private let source = Option<String>("from", value: "FILE", help: LocalizedText(
    "the county's SQLite database, the file `serve --db` used (required; only read)",
    "die SQLite-Datenbank des Landkreises, die Datei, die `serve --db` benutzt hat (Pflicht; wird nur gelesen)"))
private let target = Option<String>("to", value: "URL", help: LocalizedText(
    "an empty PostgreSQL database: postgres://USER@HOST/DB or postgresql://…; PG* environment variables fill in what the URL leaves out (required)",
    "eine leere PostgreSQL-Datenbank: postgres://USER@HOST/DB oder postgresql://…; PG*-Umgebungsvariablen ergänzen, was die URL auslässt (Pflicht)"))

/// `kette-server migrate --from county.db --to postgres://…`: moves a county to PostgreSQL
/// (`CountyMove`), so that its clients continue with their cursors.
let migrateCommand = ServerCommand(
    "migrate", abstract: LocalizedText("copy a SQLite county into an empty PostgreSQL database; clients continue from their cursors",
                                       "einen SQLite-Landkreis in eine leere PostgreSQL-Datenbank kopieren; Clients machen an ihrer Position weiter"),
    options: [source, target, jsonFlag],
    discussion: LocalizedText("""
        Users, tokens, every field version with its sequence number, conflicts, change-set outcomes, the audit log with
        its chain and the database id move in one transaction: a failure leaves the target as it was. Stop `serve` first;
        the source is only read. The audit log's key stays a file next to the source: give it with --audit-key.
        """, """
        Personen, Tokens, jede Feldversion mit ihrer Sequenznummer, Konflikte, Ergebnisse der Änderungssätze, das
        Audit-Protokoll mit seiner Kette und die Datenbank-ID ziehen in einer Transaktion um: ein Fehler lässt das Ziel,
        wie es war. Zuerst `serve` beenden; die Quelle wird nur gelesen. Der Schlüssel des Audit-Protokolls bleibt eine
        Datei neben der Quelle: mit --audit-key angeben.
        """),
    validate: { input in
        _ = try input.require(source)
        let url = try input.require(target)
        guard PostgresURL.isPostgres(url) else { throw UsageError(ServerText.moveNeedsURL.with(["value": url])) }
    }
) { args, context in
    let path = try args.require(source)
    let url = try args.require(target)
    let shownURL = PostgresURL.withoutPassword(url)
    let summary: CountyMove.Summary
    do {
        summary = try CountyMove.copy(from: path, to: url)
    } catch let error as PostgresError where error.code == .connectionFailure {
        fail(ServerText.moveTargetUnreachable.with(["url": shownURL, "reason": error.message]), code: 4)
    } catch let error as PostgresError {
        fail(ServerText.moveTargetFailed.with(["url": shownURL, "code": error.code.rawValue, "reason": error.message]), code: 4)
    } catch let error as CountyMove.Problem {
        fail(error.text, code: 1)
    }
    if context.wantsJSON { return try context.printJSON(summary) }
    context.say(ServerText.moved.with(["path": path, "url": shownURL, "versions": summary.rows["field_state"] ?? 0, "users": summary.rows["users"] ?? 0,
                                       "audit": summary.rows["audit_log"] ?? 0, "seq": summary.sequence]))
    complain(ServerText.moveAuditKey.with(["key": AuditLog.keyPath(for: path)])(context.language))
}
