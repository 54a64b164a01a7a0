import Foundation
import KetteClient
import KetteProtocol

/// The forms a report can take.
enum ReportFormat: String, CaseIterable {
    case text, csv, json, html

    /// `--format F`, or `--json`; `fallback` when neither is given. Refuses formats the command
    /// does not offer, naming the ones it does.
    static func from(_ args: ParsedArguments, accepted: [ReportFormat] = ReportFormat.allCases, fallback: ReportFormat = .text) throws -> ReportFormat {
        if args.flag("json") {
            if let text = args.value("format"), text != "json" {
                throw KetteError.malformedValue(field: "format", value: "--json + --format \(text)", expected: "only one of --json and --format")
            }
            return .json
        }
        guard let text = args.value("format") else { return fallback }
        guard let format = ReportFormat(rawValue: text.lowercased()), accepted.contains(format) else {
            throw KetteError.invalidValue(field: "format", value: text, accepted: accepted.map(\.rawValue))
        }
        return format
    }
}

private let formatOption = OptionSpec.value("format", "F", "text (default), csv, json or html (a page in German, for the committee)")
private let outOption = OptionSpec.value("out", "FILE", "write the report to FILE instead of standard output")
private let todayOption = OptionSpec.value("today", "YYYY-MM-DD", "the day to report as of (default: $KETTE_TODAY, else today)")

/// The day reports count "overdue" and "as of" from: `--today`, else `$KETTE_TODAY`, else the
/// machine's date. Injectable so a report can be prepared for a meeting day, and tests are
/// deterministic.
private func reportDay(_ args: ParsedArguments, _ context: CommandContext) throws -> CalendarDay {
    for (field, value) in [("today", args.value("today")), ("KETTE_TODAY", context.environment["KETTE_TODAY"])] {
        guard let value, !value.isEmpty else { continue }
        guard let day = CalendarDay(value) else {
            throw KetteError.malformedValue(field: field, value: value, expected: "a date YYYY-MM-DD, e.g. 2026-03-14")
        }
        return day
    }
    return CalendarDay.today()
}

/// Writes a finished report to `--out` or standard output. A file is written whole or not at
/// all: a report that fails half way never replaces the last good one.
private func deliver(_ text: String, _ args: ParsedArguments) throws {
    guard let path = args.value("out") else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: [.atomic])
    } catch {
        let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
        throw KetteError.malformedValue(field: "out", value: path, expected: "a file in a writable directory (\(reason))")
    }
}

private func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

/// HTML reports are read by committee members: German, whatever the coordinator's terminal speaks.
private let committeeLanguage = Language.german

let reportCommands: [CommandSpec] = [
    CommandSpec(
        path: ["offer", "indicator"], abstract: "record an offer's figures for a period (participants, sessions held); prints the record's id",
        arguments: [ArgumentSpec(name: "ID", help: "the offer's id, the start of it, or its title")],
        options: [.value("period", "YYYY-Qn|YYYY", "the quarter or year the figures are for (required)"),
                  .value("participants", "N", "participants in the period (required)"),
                  .value("sessions", "N", "sessions held in the period"),
                  jsonFlag],
        discussion: "Recording the same offer and period again updates those figures; --sessions left out keeps the recorded number.",
        run: { args, context in
            // Shapes first, so a bad value is named before the store is even opened.
            guard let period = args.value("period") else { throw KetteError.missingValue(field: "--period (YYYY-Qn or YYYY)") }
            _ = try ReportingPeriod(parsing: period)
            guard let participants = args.value("participants") else { throw KetteError.missingValue(field: "--participants") }
            let record = try context.store().recordIndicator(offer: args.positional(0)!, period: period, participants: participants,
                                                             sessions: args.value("sessions"), language: context.language)
            if context.wantsJSON { return try context.printJSON(record) }
            context.say(record.id)
        }),
    CommandSpec(
        path: ["report", "coverage"], abstract: "active offers per district and life phase: gaps and possible parallel structures",
        options: [.value("district", "D", "only this district (id or name)"),
                  .value("category", "C", "only offers of this category: " + OfferCategory.slugs.joined(separator: ", ")),
                  formatOption, outOption, todayOption, jsonFlag],
        discussion: "An empty cell is a gap. A cell with two or more active offers of one category is listed as a possible parallel structure.",
        run: { args, context in
            let format = try ReportFormat.from(args)
            let today = try reportDay(args, context)
            let report = try context.store().coverageReport(district: args.value("district"), category: args.value("category"),
                                                            language: context.language)
            switch format {
            case .json: try deliver(try json(report), args)
            case .csv: try deliver(ReportCSV.coverage(report), args)
            case .html: try deliver(ReportHTML(language: committeeLanguage).coveragePage(report, asOf: today.description), args)
            case .text: try deliver(ReportText(context).coverage(report), args)
            }
        }),
    CommandSpec(
        path: ["report", "indicators"], abstract: "participants and sessions per period, district and life phase, with the change to the period before",
        options: [.value("period", "YYYY-Qn|YYYY", "only this quarter or year (its form sets the granularity)"),
                  .value("by", "quarter|year", "without --period: figures per quarter (default) or per year"),
                  .value("district", "D", "only this district (id or name)"),
                  .value("phase", "P", "only this life phase: " + LifePhase.slugs.joined(separator: ", ")),
                  formatOption, outOption, jsonFlag],
        discussion: "Per year an offer counts with its yearly figure where one was recorded, else with the sum of its quarters.",
        run: { args, context in
            let format = try ReportFormat.from(args)
            var granularity = PeriodGranularity.quarter
            if let by = args.value("by") {
                guard let parsed = PeriodGranularity(rawValue: by.lowercased()) else {
                    throw KetteError.invalidValue(field: "by", value: by, accepted: PeriodGranularity.allCases.map(\.rawValue))
                }
                granularity = parsed
            }
            let report = try context.store().indicatorReport(period: args.value("period"), granularity: granularity,
                                                             district: args.value("district"), phase: args.value("phase"),
                                                             language: context.language)
            switch format {
            case .json: try deliver(try json(report), args)
            case .csv: try deliver(ReportCSV.indicators(report), args)
            case .html: try deliver(ReportHTML(language: committeeLanguage).indicatorPage(report), args)
            case .text: try deliver(ReportText(context).indicators(report), args)
            }
        }),
    CommandSpec(
        path: ["report", "tasks"], abstract: "open action items of all bodies, overdue first, with owner and meeting",
        options: [.value("body", "B", "only this body's action items (id or name)"), todayOption, formatOption, outOption, jsonFlag],
        run: { args, context in
            let format = try ReportFormat.from(args)
            let report = try context.store().taskReport(today: try reportDay(args, context), body: args.value("body"),
                                                        language: context.language)
            switch format {
            case .json: try deliver(try json(report), args)
            case .csv: try deliver(ReportCSV.tasks(report), args)
            case .html: try deliver(ReportHTML(language: committeeLanguage).taskPage(report), args)
            case .text: try deliver(ReportText(context).tasks(report), args)
            }
        }),
    CommandSpec(
        path: ["report", "meetings"], abstract: "meetings per body and quarter: attendance by organization, decisions taken",
        options: [.value("period", "YYYY-Qn|YYYY", "only meetings in this quarter or year"),
                  .value("body", "B", "only this body (id or name)"), formatOption, outOption, jsonFlag],
        run: { args, context in
            let format = try ReportFormat.from(args)
            let report = try context.store().meetingReport(period: args.value("period"), body: args.value("body"), language: context.language)
            switch format {
            case .json: try deliver(try json(report), args)
            case .csv: try deliver(ReportCSV.meetings(report), args)
            case .html: try deliver(ReportHTML(language: committeeLanguage).meetingPage(report), args)
            case .text: try deliver(ReportText(context).meetings(report), args)
            }
        }),
    CommandSpec(
        path: ["report", "committee"], abstract: "the report to the committee: coverage, indicators, meetings and action items on one printable page",
        options: [.value("period", "YYYY-Qn|YYYY", "the quarter or year reported on (required)"),
                  .value("out", "FILE", "write the page to FILE (e.g. report.html) instead of standard output"),
                  .value("title", "T", "the page's title (default: \"Präventionskette: Bericht an den Ausschuss\")"),
                  todayOption,
                  .value("format", "F", "html (default; in German, A4, ready to print) or json")],
        discussion: "Open the page in a browser and print it, or save it as PDF; it needs no network and no other files.",
        run: { args, context in
            let format = try ReportFormat.from(args, accepted: [.html, .json], fallback: .html)
            guard let period = args.value("period") else { throw KetteError.missingValue(field: "--period (YYYY-Qn or YYYY)") }
            let report = try context.store().committeeReport(period: period, today: try reportDay(args, context), language: committeeLanguage)
            switch format {
            case .json: try deliver(try json(report), args)
            default: try deliver(ReportHTML(language: committeeLanguage).committeePage(report, title: args.value("title").flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }), args)
            }
        }),
]
