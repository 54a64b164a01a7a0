import Foundation
import KetteClient
import KetteProtocol

private let outOption = OptionSpec.value("out", "DIR", "the directory to write the files to (made when missing; files of the same name are replaced)")

/// `--out`, required by every export.
private func outputDirectory(_ args: ParsedArguments) throws -> String {
    guard let out = args.value("out"), !out.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw KetteError.missingValue(field: "--out DIR")
    }
    return out
}

/// Runs an exchange step; its refusals end `kette` with exit 1 and the message, as input errors do.
private func refusingOnError(_ context: CommandContext, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExchangeError {
        FileHandle.standardError.write(Data((context.pick("kette: error: ", "kette: Fehler: ") + error.message(context.language) + "\n").utf8))
        throw ExitStatus(code: 1)
    }
}

/// Writes the files and says what was written.
private func writeExport(_ files: [ExportFile], to directory: String, _ context: CommandContext) throws {
    try refusingOnError(context) { try ExportDirectory.write(files, to: directory) }
    context.say(context.pick("Wrote \(files.count) files to \(directory) (records per file):",
                             "\(files.count) Dateien nach \(directory) geschrieben (Datensätze je Datei):"))
    for line in context.table(["", ""], files.map { ["  " + $0.name, String($0.records)] }).dropFirst() { context.say(line) }
}

/// The accepted import headers, three to a line.
private let columnTable: String = {
    let cells = OfferColumn.allCases.map { "\($0.germanHeader) / \($0.key)" }
    return stride(from: 0, to: cells.count, by: 3).map { start in
        "  " + cells[start..<min(start + 3, cells.count)].map { ArgumentParser.pad($0, 34) }.joined().trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}()

let exchangeCommands: [CommandSpec] = [
    CommandSpec(
        path: ["export", "csv"], abstract: "offers, organizations, meetings and action items as spreadsheets (CSV)",
        options: [outOption],
        discussion: """
            Writes offers.csv, organizations.csv, meetings.csv and tasks.csv: UTF-8 with byte-order mark,
            ';' between cells, CRLF, so a German spreadsheet opens them as they are. With LANG=de… the
            headers and values are German labels, otherwise JSON keys and slugs; offers.csv reads back
            with `kette import offers` either way. Deleted records are left out, and so are attendee
            names (personal data; meetings.csv counts the attendees). A cell that a spreadsheet would run
            as a formula (starting with =, +, -, @, tab or CR) is written with a leading ', which
            `kette import offers` takes away again.
            """,
        run: { args, context in
            let directory = try outputDirectory(args)
            try writeExport(try context.store().csvExport(language: context.language), to: directory, context)
        }),
    CommandSpec(
        path: ["export", "hsds"], abstract: "offers as Open Referral HSDS 3.0 (JSON, one file per table)",
        options: [outOption],
        discussion: """
            Writes organizations.json, services.json, locations.json, service_at_location.json, service_areas.json,
            schedules.json, languages.json, contacts.json, accessibility.json, taxonomies.json, taxonomy_terms.json
            and attributes.json: one JSON array per HSDS table. Offers are services, their providers
            organizations, districts service areas; life phases, categories and sectors are taxonomy terms
            attached through attributes. Every id is a UUID that stays the same from one export to the next.
            Deleted records are left out.
            """,
        run: { args, context in
            let directory = try outputDirectory(args)
            try writeExport(try context.store().hsdsExport(), to: directory, context)
        }),
    CommandSpec(
        path: ["export", "oparl"], abstract: "bodies and meetings as OParl 1.1 (JSON lists, ready to publish)",
        options: [outOption,
                  .value("base-url", "URL", "where the files will be published; ids are URLs below it (default: \(OParlExportOptions.defaultBaseURL))"),
                  .value("body-name", "NAME", "the name of the OParl Body, e.g. \"Präventionskette Landkreis Musterland\" (default: Präventionskette)"),
                  .flag("public-people", "export attendees as Person objects (only when they agreed to be published)")],
        discussion: """
            Writes body.json and the lists organizations.json (bodies as Organization of type Gremium, and the
            organizations that sit in them), meetings.json (Meeting with AgendaItems), memberships.json,
            persons.json and papers.json. Deleted bodies, meetings and memberships appear with deleted: true.
            Attendees are personal data (GDPR/DSGVO): persons.json stays empty and meetings list no
            participants unless --public-people is given, for attendees who agreed to be published; then names
            found only on deleted records are listed as deleted persons, so consumers erase them too.
            Minutes, agenda notes, decisions and action items are not exported.
            """,
        run: { args, context in
            let directory = try outputDirectory(args)
            var options = OParlExportOptions(publicPeople: args.flag("public-people"))
            if let base = args.value("base-url") { options.baseURL = base }
            if let name = args.value("body-name") { options.bodyName = try Input.requiredText(name, field: "--body-name") }
            try refusingOnError(context) {
                let files = try context.store().oparlExport(options)
                try writeExport(files, to: directory, context)
            }
        }),
    CommandSpec(
        path: ["import", "offers"], abstract: "add the offers of a spreadsheet (CSV), all in one change set or none",
        arguments: [ArgumentSpec(name: "FILE", help: "the CSV file: ';' between cells, UTF-8 with or without byte-order mark")],
        options: [.flag("dry-run", "check every row and say what would be imported; write nothing")],
        discussion: """
            The first row names the columns, in any case, by German header or by the JSON key of `offer show --json`:
            \(columnTable)
            Titel/title and Sozialraum/district are required; other columns may be left out. Values as for
            `kette offer add`: slugs or German or English labels, district and provider by id or name,
            dates YYYY-MM-DD, several life phases, languages or target groups separated by ',' in one cell.
            An ID column keeps the offers' ids (as `kette export csv` writes them); a row whose id is in the
            store already is refused. If any row is wrong, nothing is imported and every problem is listed.
            """,
        run: { args, context in
            let path = args.positional(0)!
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw KetteError.unreadableFile(path: path, reason: (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription)
            }
            try refusingOnError(context) {
                let result = try context.store().importOffers(csv: data, dryRun: args.flag("dry-run"), language: context.language)
                let count = result.offers
                if result.dryRun {
                    context.say(context.pick("Dry run: \(count) offers would be imported; nothing was written.",
                                             "Probelauf: \(count) Angebote würden importiert; nichts wurde geschrieben."))
                } else {
                    context.say(context.pick("Imported \(count) offers in one change set.", "\(count) Angebote in einem Änderungssatz importiert."))
                }
                if result.blankRows > 0 {
                    context.say(context.pick("Empty rows skipped: \(result.blankRows).", "Leere Zeilen übersprungen: \(result.blankRows)."))
                }
            }
        }),
]
