import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

private let outOption = Option<String>("out", value: "DIR", help: LocalizedText(
    "the directory to write the files to (made when missing; files of the same name are replaced)",
    "das Verzeichnis für die Dateien (wird angelegt, wenn es fehlt; gleichnamige Dateien werden ersetzt)"))

/// `--out`, required by every export: checked before anything is read.
private func outputDirectory(_ args: ParsedInput) throws -> String {
    guard let out = args[outOption], !out.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw KetteError.missingValue(field: .verbatim("--out DIR"))
    }
    return out
}

private let baseURL = Option<String>("base-url", value: "URL", help: LocalizedText(
    "where the files will be published; ids are URLs below it (default: \(OParlExportOptions.defaultBaseURL))",
    "wo die Dateien veröffentlicht werden; IDs sind URLs darunter (Standard: \(OParlExportOptions.defaultBaseURL))"))
private let bodyName = Option<String>("body-name", value: "NAME", help: LocalizedText(
    "the name of the OParl Body, e.g. \"Präventionskette Landkreis Musterland\" (default: Präventionskette)",
    "Name des OParl-„Body“, z. B. \"Präventionskette Landkreis Musterland\" (Standard: Präventionskette)"))
private let publicPeople = Flag("public-people", help: LocalizedText(
    "export attendees as Person objects (only when they agreed to be published)",
    "Teilnehmende als Person-Objekte exportieren (nur wenn sie der Veröffentlichung zugestimmt haben)"))
private let importFile = Argument<String>("FILE", help: LocalizedText(
    "the CSV file: ';', ',' or tab between cells; UTF-8 (with or without byte-order mark), Windows-1252 or ISO-8859-15",
    "die CSV-Datei: ';', ',' oder Tabulator zwischen Zellen; UTF-8 (mit oder ohne Byte-Order-Mark), Windows-1252 oder ISO-8859-15"))
private let dryRun = Flag("dry-run", help: LocalizedText(
    "check every row and list the new, updated and unchanged offers; write nothing",
    "jede Zeile prüfen und die neuen, geänderten und unveränderten Angebote auflisten; nichts schreiben"))
private let encodingOption = Option<CSVTextEncoding>(
    "encoding", value: "E",
    help: LocalizedText("the file's text encoding: utf-8, windows-1252 or iso-8859-15 (default: detected)",
                        "die Textkodierung der Datei: utf-8, windows-1252 oder iso-8859-15 (Standard: erkannt)"),
    expected: LocalizedText("utf-8, windows-1252 or iso-8859-15", "utf-8, windows-1252 oder iso-8859-15"), read: CSVTextEncoding.init(name:))
private let matchOption = Option<[OfferColumn]>(
    "match", value: "COLUMNS",
    help: LocalizedText("the columns that find the offer a row without id means (default: `title,provider,district`)",
                        "die Spalten, über die eine Zeile ohne ID ihr Angebot findet (Standard: `title,provider,district`)"),
    expected: LocalizedText("column keys separated by ',', e.g. `title,provider,district`", "Spaltenschlüssel durch ',' getrennt, z. B. `title,provider,district`"),
    read: { text in
        let columns = text.split(separator: ",").map { OfferColumn.matching(String($0)) }
        return columns.isEmpty || columns.contains(nil) ? nil : columns.compactMap { $0 }
    })
private let duplicateOption = Option<OfferImportOptions.DuplicatePolicy>.choice("on-duplicate", value: "MODE", help: LocalizedText(
    "a row without id that matches an offer here: `skip` leaves it out, `update` updates the offer, `error` refuses the import (default)",
    "eine Zeile ohne ID, die einem Angebot hier gleicht: `skip` lässt sie aus, `update` aktualisiert das Angebot, `error` lehnt den Import ab (Standard)"))

/// Writes the files and says what was written.
private func writeExport(_ files: [ExportFile], to directory: String, _ context: CommandContext) throws {
    try ExportDirectory.write(files, to: directory)
    context.say(ExchangeText.wrote.with(["count": files.count, "directory": directory]))
    for line in context.table(["", ""], files.map { ["  " + $0.name, String($0.records)] }).dropFirst() { context.say(line) }
}

/// The accepted import headers, three to a line: the JSON key (code) with the German header in
/// English help, the German header with the key in German help.
private func columnTable(german: Bool) -> String {
    let cells = OfferColumn.allCases.map { german ? "\($0.germanHeader) (`\($0.key)`)" : "`\($0.key)` (\($0.germanHeader))" }
    return stride(from: 0, to: cells.count, by: 3).map { start in
        "  " + cells[start..<min(start + 3, cells.count)].map { HelpLayout.pad($0, 34) }.joined().trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}

let exchangeCommands: [KetteCommand] = [
    KetteCommand(
        "export csv", abstract: LocalizedText("offers, organizations, meetings, action items and the planning records as spreadsheets (CSV)",
                                              "Angebote, Träger, Sitzungen, Arbeitsaufträge und die Planungsdaten als Tabellen (CSV)"),
        options: [outOption],
        discussion: LocalizedText("""
            Writes offers.csv, organizations.csv, meetings.csv and tasks.csv, and needs.csv, goals.csv (a row
            per target), measures.csv, members.csv, agreements.csv and contacts.csv: UTF-8 with byte-order mark,
            ';' between cells, CRLF, so a German spreadsheet opens them as they are. With LANG=de… the
            headers and values are German labels, otherwise JSON keys and slugs; offers.csv reads back
            with `kette import offers` either way. Deleted records are left out, and so are attendee
            names (personal data; meetings.csv counts the attendees) and contacts who did not consent to
            publication (not in contacts.csv, nor named as members or owners). A cell that a spreadsheet would run
            as a formula (starting with =, +, -, @, tab or CR) is written with a leading ', which
            `kette import offers` takes away again.
            """, """
            Schreibt offers.csv, organizations.csv, meetings.csv und tasks.csv sowie needs.csv, goals.csv (eine Zeile
            je Zielwert), measures.csv, members.csv, agreements.csv und contacts.csv: UTF-8 mit Byte-Order-Mark,
            ';' zwischen Zellen, CRLF, sodass eine deutsche Tabellenkalkulation sie direkt öffnet. Mit LANG=de…
            sind Überschriften und Werte deutsche Bezeichnungen, sonst JSON-Schlüssel und Kürzel; offers.csv
            lässt sich in beiden Fällen mit `kette import offers` wieder einlesen. Gelöschte Datensätze fehlen,
            ebenso die Namen der Teilnehmenden (personenbezogene Daten; meetings.csv zählt die Teilnehmenden)
            und Kontakte ohne Einwilligung zur Veröffentlichung (nicht in contacts.csv, nicht als Mitglied oder Verantwortliche).
            Eine Zelle, die eine Tabellenkalkulation als Formel ausführen würde (beginnt mit =, +, -, @,
            Tabulator oder CR), erhält ein vorangestelltes ', das `kette import offers` wieder entfernt.
            """)
    ) { args, context in
        let directory = try outputDirectory(args)
        try writeExport(try context.store().csvExport(language: context.language), to: directory, context)
    },
    KetteCommand(
        "export hsds", abstract: LocalizedText("offers as Open Referral HSDS 3.0 (JSON, one file per table)",
                                               "Angebote als „Open Referral HSDS 3.0“ (JSON, eine Datei je Tabelle)"),
        options: [outOption],
        discussion: LocalizedText("""
            Writes organizations.json, services.json, locations.json, service_at_location.json, service_areas.json,
            schedules.json, languages.json, contacts.json, accessibility.json, taxonomies.json, taxonomy_terms.json
            and attributes.json: one JSON array per HSDS table. Offers are services, their providers
            organizations, districts service areas; life phases, categories and sectors are taxonomy terms
            attached through attributes. Every id is a UUID that stays the same from one export to the next.
            Deleted records are left out.
            """, """
            Schreibt organizations.json, services.json, locations.json, service_at_location.json, service_areas.json,
            schedules.json, languages.json, contacts.json, accessibility.json, taxonomies.json, taxonomy_terms.json
            und attributes.json: ein JSON-Array je HSDS-Tabelle. Angebote sind „Services“, ihre Träger
            „Organizations“, Sozialräume „Service Areas“; Lebensphasen, Kategorien und Bereiche sind „Taxonomy Terms“,
            verknüpft über „Attributes“. Jede ID ist eine UUID, die von Export zu Export gleich bleibt.
            Gelöschte Datensätze fehlen.
            """)
    ) { args, context in
        let directory = try outputDirectory(args)
        try writeExport(try context.store().hsdsExport(), to: directory, context)
    },
    KetteCommand(
        "export oparl", abstract: LocalizedText("bodies and meetings as OParl 1.1 (JSON lists, ready to publish)",
                                                "Gremien und Sitzungen als OParl 1.1 (JSON-Listen, bereit zur Veröffentlichung)"),
        options: [outOption, baseURL, bodyName, publicPeople],
        discussion: LocalizedText("""
            Writes body.json and the lists organizations.json (bodies as Organization of type "Gremium", and the
            organizations that sit in them), meetings.json (Meeting with AgendaItems), memberships.json,
            persons.json and papers.json. Deleted bodies, meetings and memberships appear with deleted: true.
            Attendees are personal data (GDPR/DSGVO): persons.json stays empty and meetings list no
            participants unless --public-people is given, for attendees who agreed to be published; then names
            found only on deleted records are listed as deleted persons, so consumers erase them too.
            Minutes, agenda notes, decisions and action items are not exported.
            """, """
            Schreibt body.json und die Listen organizations.json (Gremien als „Organization“ vom Typ „Gremium“ und die
            Träger, die darin sitzen), meetings.json („Meeting“ mit „AgendaItems“), memberships.json,
            persons.json und papers.json. Gelöschte Gremien, Sitzungen und Mitgliedschaften erscheinen mit `deleted: true`.
            Teilnehmende sind personenbezogene Daten (DSGVO): persons.json bleibt leer, und Sitzungen nennen keine
            Teilnehmenden, außer mit --public-people, für Teilnehmende, die der Veröffentlichung zugestimmt haben; dann
            werden Namen, die nur in gelöschten Datensätzen stehen, als gelöschte Personen geführt, damit Abnehmer sie
            ebenfalls löschen. Protokolle, Notizen zu Tagesordnungspunkten, Beschlüsse und Arbeitsaufträge werden nicht exportiert.
            """)
    ) { args, context in
        let directory = try outputDirectory(args)
        var options = OParlExportOptions(publicPeople: args[publicPeople])
        if let base = args[baseURL] { options.baseURL = base }
        if let name = args[bodyName] { options.bodyName = try Input.requiredText(name, field: "--body-name") }
        try writeExport(try context.store().oparlExport(options), to: directory, context)
    },
    KetteCommand(
        "import offers", abstract: LocalizedText("add and update offers from a spreadsheet (CSV), all in one change set or none",
                                                 "Angebote aus einer Tabelle (CSV) anlegen und aktualisieren, alle in einem Änderungssatz oder keines"),
        arguments: [importFile], options: [dryRun, encodingOption, matchOption, duplicateOption],
        discussion: LocalizedText("""
            The first row names the columns, in any case, by German header or by the JSON key of `offer show --json`:
            \(columnTable(german: false))
            Titel/title and Sozialraum/district are required; other columns may be left out (and are left alone).
            Values as for `kette offer add`: slugs or German or English labels, district and provider by id or name,
            dates YYYY-MM-DD or DD.MM.YYYY, several life phases, languages or target groups separated by ',' in one cell.
            A row with the ID of an offer here updates it: only cells that differ become changes, and an empty cell
            empties the field (an empty status means active). Other rows make new offers, keeping a given ID. A row
            without ID that matches an offer here by the --match columns is a duplicate: `--on-duplicate error` (the
            default) refuses the import and lists the rows, `skip` leaves them out, `update` updates the offer.
            So an offers.csv from `kette export csv`, edited in a spreadsheet and saved in any of the accepted forms,
            reads back changing exactly the edited cells. If any row is wrong, nothing is imported and every problem is listed.
            """, """
            Die erste Zeile benennt die Spalten, in beliebiger Schreibung, mit deutscher Überschrift oder dem JSON-Schlüssel von `offer show --json`:
            \(columnTable(german: true))
            Titel/title und Sozialraum/district sind Pflicht; andere Spalten dürfen fehlen (und bleiben unverändert).
            Werte wie bei `kette offer add`: Kürzel oder deutsche oder englische Bezeichnungen, Sozialraum und Träger per ID
            oder Name, Datumsangaben JJJJ-MM-TT oder TT.MM.JJJJ, mehrere Lebensphasen, Sprachen oder Zielgruppen durch ','
            getrennt in einer Zelle. Eine Zeile mit der ID eines Angebots hier aktualisiert es: Nur abweichende Zellen werden
            Änderungen, und eine leere Zelle leert das Feld (ein leerer Status bedeutet aktiv). Andere Zeilen legen neue
            Angebote an und behalten eine angegebene ID. Eine Zeile ohne ID, die einem Angebot hier in den --match-Spalten
            gleicht, ist ein Duplikat: `--on-duplicate error` (Standard) lehnt den Import ab und nennt die Zeilen, `skip` lässt
            sie aus, `update` aktualisiert das Angebot. So lässt sich eine offers.csv aus `kette export csv`, in einer
            Tabellenkalkulation bearbeitet und in einer der erlaubten Formen gespeichert, wieder einlesen und ändert genau die
            bearbeiteten Zellen. Ist eine Zeile fehlerhaft, wird nichts importiert und jedes Problem aufgeführt.
            """)
    ) { args, context in
        let path = args[importFile]
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw KetteError.unreadableFile(path: path, reason: .verbatim((error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription))
        }
        let options = OfferImportOptions(dryRun: args[dryRun], encoding: args[encodingOption],
                                         match: args[matchOption] ?? OfferImportOptions.defaultMatch,
                                         onDuplicate: args[duplicateOption] ?? .error)
        ImportReport(context).say(try context.store().importOffers(csv: data, options: options, language: context.language))
    },
]

/// What an import did, or would do, in the reader's words.
private struct ImportReport {
    let context: CommandContext

    init(_ context: CommandContext) { self.context = context }

    func say(_ result: OfferImportResult) {
        if result.encoding != .utf8 || result.separator != ";" {
            let separator = result.separator == "\t" ? "tab" : "'\(result.separator)'"
            context.say(ExchangeText.readAs.with(["encoding": result.encoding.rawValue, "separator": separator]))
        }
        let onlyNew = result.updated.isEmpty && result.unchanged.isEmpty && result.skipped.isEmpty
        if onlyNew {
            context.say((result.dryRun ? ExchangeText.dryRun : ExchangeText.imported).with(["count": result.created.count]))
        } else {
            let counts: MessageValues = ["created": result.created.count, "updated": result.updated.count, "fields": result.changedFields,
                                         "unchanged": result.unchanged.count, "skipped": result.skipped.count]
            context.say((result.dryRun ? ExchangeText.dryRunSummary : ExchangeText.importedSummary).with(counts))
            if result.dryRun { rows(result) }
        }
        if result.blankRows > 0 { context.say(ExchangeText.blankRows.with(["count": result.blankRows])) }
    }

    /// The dry run's rows: every new and updated offer, unchanged and skipped rows as ranges.
    private func rows(_ result: OfferImportResult) {
        for row in result.created { context.say(ExchangeText.rowNew.with(["row": String(row.row), "title": row.title])) }
        for row in result.updated {
            context.say(ExchangeText.rowUpdate.with(["row": String(row.row), "title": row.title, "id": shortID(row.id),
                                                     "fields": row.changedFields.joined(separator: ", ")]))
        }
        if !result.unchanged.isEmpty { context.say(ExchangeText.rowsUnchanged.with(["rows": ImportProblem.ranges(result.unchanged.map(\.row))])) }
        if !result.skipped.isEmpty { context.say(ExchangeText.rowsSkipped.with(["rows": ImportProblem.ranges(result.skipped.map(\.row))])) }
    }
}
