import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

/// The forms a report can take.
enum ReportFormat: String, CaseIterable, Sendable {
    case text, csv, json, html

    /// `--format F`, or `--json` where the command offers it; `fallback` when neither is given.
    static func chosen(_ args: ParsedInput, _ option: Option<ReportFormat>, fallback: ReportFormat = .text) -> ReportFormat {
        args.accepts(jsonFlag) && args[jsonFlag] ? .json : args[option] ?? fallback
    }

    /// Refuses `--json` together with a `--format` other than json.
    static func validate(_ args: ParsedInput, _ option: Option<ReportFormat>) throws {
        guard args.accepts(jsonFlag), args[jsonFlag], let format = args[option], format != .json else { return }
        throw UsageError("--json and --format \(format.rawValue) exclude each other: give only one of --json and --format",
                         "--json und --format \(format.rawValue) schließen einander aus: nur eines von --json und --format angeben")
    }
}

private let formatOption = Option<ReportFormat>.choice("format", value: "F", help: LocalizedText(
    "text (default), csv, json or html (a page in German, for the committee)",
    "text (Standard), csv, json oder html (eine Seite auf Deutsch, für den Ausschuss)"))
private let outOption = Option<String>("out", value: "FILE", help: LocalizedText(
    "write the report to FILE instead of standard output", "den Bericht in DATEI schreiben statt auf die Standardausgabe"))
let todayOption = Option<CalendarDay>(
    "today", value: "DATE",
    help: LocalizedText("the day to report as of (default: $KETTE_TODAY, else today)", "der Stichtag des Berichts (Standard: $KETTE_TODAY, sonst heute)"),
    expected: InputText.expectedDate.text, read: CalendarDay.init)
private let districtFilter = Option<String>("district", value: "D", help: LocalizedText("only this district (id or name)", "nur dieser Sozialraum (ID oder Name)"))
private let bodyFilter = Option<String>("body", value: "B", help: LocalizedText("only this body (id or name)", "nur dieses Gremium (ID oder Name)"))

/// The day reports count "overdue" and "as of" from: `--today`, else `$KETTE_TODAY`, else the
/// machine's date. Injectable so a report can be prepared for a meeting day, and tests are
/// deterministic.
func reportDay(_ args: ParsedInput, _ context: CommandContext) throws -> CalendarDay {
    if let day = args[todayOption] { return day }
    guard let value = context.environment["KETTE_TODAY"], !value.isEmpty else { return CalendarDay.today() }
    guard let day = CalendarDay(value) else {
        throw KetteError.malformedValue(field: .verbatim("KETTE_TODAY"), value: value, expected: InputText.expectedDate.text)
    }
    return day
}

/// Writes a finished report to `--out` or standard output. A file is written whole or not at
/// all: a report that fails half way never replaces the last good one. Text reports are for
/// people and escaped as all human output is (and paged on a terminal); CSV, JSON and HTML stay exact.
private func deliver(_ text: String, as format: ReportFormat, to path: String?, _ context: CommandContext) throws {
    let text = format == .text ? TerminalText.escaped(text) : text
    guard let path else {
        if format == .text {
            context.startPaging()
            return context.write(escaped: text)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: [.atomic])
    } catch {
        let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
        throw KetteError.malformedValue(field: .verbatim("--out"), value: path, expected: InputText.expectedWritableFile.with(["reason": reason]))
    }
}

/// Writes a report in the form `--format` or `--json` chose (JSON is the same for every
/// report) to `--out` or standard output.
private func deliverReport<Report: Encodable>(_ report: Report, _ args: ParsedInput, _ context: CommandContext, csv: (Report) -> String,
                                              html: (ReportHTML, Report) -> String, text: (ReportText, Report) -> String) throws {
    let format = ReportFormat.chosen(args, formatOption)
    let output = switch format {
    case .json: try JSONOutput.text(report) + "\n"
    case .csv: csv(report)
    case .html: html(ReportHTML(language: committeeLanguage), report)
    case .text: text(ReportText(context), report)
    }
    try deliver(output, as: format, to: args[outOption], context)
}

/// HTML reports are read by committee members: German, whatever the coordinator's terminal speaks.
private let committeeLanguage = Language.german

private enum IndicatorOption {
    static let period = Option<String>("period", value: "YYYY-Qn|YYYY", help: LocalizedText(
        "the quarter or year the figures are for (required)", "das Quartal oder Jahr, für das die Zahlen gelten (Pflicht)"))
    static let participants = Option<String>("participants", value: "N", help: LocalizedText(
        "participants in the period (required)", "Teilnehmende im Zeitraum (Pflicht)"))
    static let sessions = Option<String>("sessions", value: "N", help: LocalizedText("sessions held in the period", "durchgeführte Termine im Zeitraum"))

    /// Shapes first, so a bad value is named before the store is even opened.
    static func validate(_ args: ParsedInput) throws {
        _ = try ReportingPeriod(parsing: try args.require(period))
        _ = try args.require(participants)
    }
}

private let reportPeriod = Option<String>("period", value: "YYYY-Qn|YYYY", help: LocalizedText(
    "only this quarter or year (its form sets the granularity)", "nur dieses Quartal oder Jahr (seine Form bestimmt die Gliederung)"))
private let granularity = Option<PeriodGranularity>.choice("by", value: "quarter|year", help: LocalizedText(
    "without --period: figures per quarter (default) or per year", "ohne --period: Zahlen je Quartal (Standard) oder je Jahr"))
/// `--period` of the reports that count by date (coverage): a month is fine there.
private let windowPeriod = Option<String>("period", value: "YYYY-Qn|YYYY|YYYY-MM", help: LocalizedText(
    "count the offers that ran at any time in this quarter, year or month (instead of --today)",
    "die Angebote zählen, die irgendwann in diesem Quartal, Jahr oder Monat liefen (statt --today)"))

/// The day or period a report counts: `--period`, else `--today` (or its default).
private func reportWindow(_ args: ParsedInput, _ context: CommandContext) throws -> ReportWindow {
    if let period = args[windowPeriod] { return try ReportWindow(parsing: period) }
    return ReportWindow(day: try reportDay(args, context))
}

/// Refuses `--today` together with `--period`: a report counts one day or one period.
private func validateWindow(_ args: ParsedInput) throws {
    guard args[todayOption] != nil, args[windowPeriod] != nil else { return }
    throw UsageError("--today and --period exclude each other: give a day or a period",
                     "--today und --period schließen einander aus: einen Tag oder einen Zeitraum angeben")
}

private let categoryFilter = Option<String>("category", value: "C", help: LocalizedText(
    "only offers of this category: " + OfferCategory.slugs.joined(separator: ", "),
    "nur Angebote dieser Kategorie: " + germanChoices(OfferCategory.self)))
private let phaseFilter = Option<String>("phase", value: "P", help: LocalizedText(
    "only this life phase: " + LifePhase.slugs.joined(separator: ", "), "nur diese Lebensphase: " + germanChoices(LifePhase.self)))

/// The options of `report committee`, whose page has its own defaults.
private enum CommitteeOption {
    static let period = Option<String>("period", value: "YYYY-Qn|YYYY", help: LocalizedText(
        "the quarter or year reported on (required)", "das Quartal oder Jahr, über das berichtet wird (Pflicht)"))
    static let out = Option<String>("out", value: "FILE", help: LocalizedText(
        "write the page to FILE (e.g. report.html) instead of standard output", "die Seite in DATEI schreiben (z. B. bericht.html) statt auf die Standardausgabe"))
    static let title = Option<String>("title", value: "T", help: LocalizedText(
        "the page's title (default: \"Präventionskette: Bericht an den Ausschuss\")",
        "Titel der Seite (Standard: \"Präventionskette: Bericht an den Ausschuss\")"))
    static let format = Option<ReportFormat>.choice("format", value: "F", among: [.html, .json], help: LocalizedText(
        "html (default; in German, A4, ready to print) or json", "html (Standard; deutsch, A4, druckfertig) oder json"))
    static let appendix = Option<String>("appendix", value: "FILE", help: LocalizedText(
        "also write the complete lists the page cuts short to FILE (an HTML page)",
        "die vollständigen Listen, die die Seite kürzt, zusätzlich in DATEI schreiben (eine HTML-Seite)"))

    static func validate(_ args: ParsedInput) throws {
        _ = try ReportingPeriod(parsing: try args.require(period))
        if args[appendix] != nil, args[format] == .json {
            throw UsageError("--appendix goes with the HTML page; --format json holds every list in full already",
                             "--appendix gehört zur HTML-Seite; --format json enthält schon jede Liste vollständig")
        }
    }
}

let reportCommands: [KetteCommand] = [
    KetteCommand(
        "offer indicator", abstract: LocalizedText("record an offer's figures for a period (participants, sessions held); prints the record's id",
                                                   "Kennzahlen eines Angebots für einen Zeitraum erfassen (Teilnehmende, Termine); gibt die ID des Eintrags aus"),
        arguments: [offerID], options: [IndicatorOption.period, IndicatorOption.participants, IndicatorOption.sessions, jsonFlag],
        discussion: LocalizedText("Recording the same offer and period again updates those figures; --sessions left out keeps the recorded number.",
                                  "Dasselbe Angebot und denselben Zeitraum erneut zu erfassen, aktualisiert die Zahlen; ohne --sessions bleibt die erfasste Zahl."),
        validate: IndicatorOption.validate
    ) { args, context in
        let record = try context.store().recordIndicator(offer: args[offerID], period: try args.require(IndicatorOption.period),
                                                         participants: try args.require(IndicatorOption.participants),
                                                         sessions: args[IndicatorOption.sessions], language: context.language)
        if context.wantsJSON { return try context.printJSON(record) }
        context.say(record.id)
    },
    KetteCommand(
        "report coverage", abstract: LocalizedText("active offers per district and life phase: gaps and possible parallel structures",
                                                   "aktive Angebote je Sozialraum und Lebensphase: Lücken und mögliche Parallelstrukturen"),
        options: [districtFilter, categoryFilter, todayOption, windowPeriod, formatOption, outOption, jsonFlag],
        discussion: LocalizedText("""
            An offer counts when its status is active and the day (--today) or some day of the period (--period) lies
            within its start and end dates; open ends are allowed. Offers that ended in the period (or are still marked
            active after their end date) and offers yet to come are listed apart, as "ended" and "planned".
            The report covers the districts this store can see: for a coordinator, her districts as the server last
            reported them; without a server, every district in the store. An empty cell is a gap. A cell with two or
            more active offers of one category is listed as a possible parallel structure.
            A cell with a need not closed (`kette need`) is marked ?, one with a running measure (`kette measure`,
            through its gaps or needs) +; both as the store holds them now.
            """, """
            Ein Angebot zählt, wenn sein Status aktiv ist und der Tag (--today) oder ein Tag des Zeitraums (--period)
            zwischen Beginn und Ende liegt; offene Enden sind erlaubt. Angebote, die im Zeitraum endeten (oder nach ihrem
            Ende noch als aktiv geführt werden), und künftige Angebote stehen getrennt, als „beendet“ und „geplant“.
            Der Bericht umfasst die Sozialräume, die dieser Speicher sehen kann: für eine Koordinatorin ihre Sozialräume
            laut letztem Sync; ohne Server alle Sozialräume im Speicher. Eine leere Zelle ist eine Lücke. Eine Zelle mit
            zwei oder mehr aktiven Angeboten einer Kategorie wird als mögliche Parallelstruktur aufgeführt.
            Eine Zelle mit einem nicht geschlossenen Bedarf (`kette need`) ist mit ? markiert, eine mit einer laufenden
            Maßnahme (`kette measure`, über ihre Lücken oder Bedarfe) mit +; beides nach heutigem Stand.
            """),
        validate: { try ReportFormat.validate($0, formatOption); try validateWindow($0) }
    ) { args, context in
        let window = try reportWindow(args, context)
        let report = try context.store().coverageReport(district: args[districtFilter], category: args[categoryFilter], window: window,
                                                        language: context.language)
        try deliverReport(report, args, context, csv: { ReportCSV(language: context.language).coverage($0) },
                          html: { $0.coveragePage($1) }, text: { $0.coverage($1) })
    },
    KetteCommand(
        "report indicators", abstract: LocalizedText("participants and sessions per period, district and life phase, with the change to the period before",
                                                     "Teilnehmende und Termine je Zeitraum, Sozialraum und Lebensphase, mit der Veränderung zum Vorzeitraum"),
        options: [reportPeriod, granularity, districtFilter, phaseFilter, todayOption, formatOption, outOption, jsonFlag],
        discussion: LocalizedText("""
            Like is compared with like: a quarter with the quarter before and with the same quarter a year before; a
            year with the year before when both are over (as of --today); an unfinished year's quarters so far with the
            same quarters of the year before, labelled "year to date". Per whole year an offer counts with its yearly
            figure where one was recorded, else with the sum of its quarters.
            """, """
            Verglichen wird Gleiches mit Gleichem: ein Quartal mit dem Vorquartal und mit demselben Quartal des Vorjahres;
            ein Jahr mit dem Vorjahr, wenn beide vorbei sind (Stichtag --today); von einem laufenden Jahr die bisherigen
            Quartale mit denselben Quartalen des Vorjahres, bezeichnet als „bisheriges Jahr“. Je ganzem Jahr zählt ein
            Angebot mit seiner Jahreszahl, wo eine erfasst wurde, sonst mit der Summe seiner Quartale.
            """),
        validate: { try ReportFormat.validate($0, formatOption) }
    ) { args, context in
        let report = try context.store().indicatorReport(period: args[reportPeriod], granularity: args[granularity] ?? .quarter,
                                                         district: args[districtFilter], phase: args[phaseFilter],
                                                         today: try reportDay(args, context), language: context.language)
        try deliverReport(report, args, context, csv: { ReportCSV(language: context.language).indicators($0) },
                          html: { $0.indicatorPage($1) }, text: { $0.indicators($1) })
    },
    KetteCommand(
        "report tasks", abstract: LocalizedText("open action items of all bodies, overdue first, with owner and meeting; agreements due for review",
                                                "offene Arbeitsaufträge aller Gremien, überfällige zuerst, mit Verantwortlichen und Sitzung; zu überprüfende Vereinbarungen"),
        options: [bodyFilter, todayOption, formatOption, outOption, jsonFlag],
        discussion: LocalizedText("""
            Below the action items: the agreements (`kette agreement`) whose review date has passed or comes within
            90 days, soonest first; with --body, those of that body. CSV holds the action items only.
            """, """
            Unter den Arbeitsaufträgen: die Vereinbarungen (`kette agreement`), deren Überprüfungsdatum vorbei ist oder
            in den nächsten 90 Tagen kommt, früheste zuerst; mit --body die dieses Gremiums. CSV enthält nur die Arbeitsaufträge.
            """),
        validate: { try ReportFormat.validate($0, formatOption) }
    ) { args, context in
        let report = try context.store().taskReport(today: try reportDay(args, context), body: args[bodyFilter], language: context.language)
        try deliverReport(report, args, context, csv: { ReportCSV(language: context.language).tasks($0) }, html: { $0.taskPage($1) }, text: { $0.tasks($1) })
    },
    KetteCommand(
        "report meetings", abstract: LocalizedText("meetings per body and quarter: attendance by organization, decisions taken",
                                                   "Sitzungen je Gremium und Quartal: Teilnahme nach Organisation, gefasste Beschlüsse"),
        options: [reportPeriod, bodyFilter, formatOption, outOption, jsonFlag],
        validate: { try ReportFormat.validate($0, formatOption) }
    ) { args, context in
        let report = try context.store().meetingReport(period: args[reportPeriod], body: args[bodyFilter], language: context.language)
        try deliverReport(report, args, context, csv: { ReportCSV(language: context.language).meetings($0) }, html: { $0.meetingPage($1) }, text: { $0.meetings($1) })
    },
    KetteCommand(
        "report committee", abstract: LocalizedText("the report to the committee: coverage, indicators, meetings, action items, goals and measures on a few printable pages",
                                                    "der Bericht an den Ausschuss: Abdeckung, Kennzahlen, Sitzungen, Arbeitsaufträge, Ziele und Maßnahmen auf wenigen druckbaren Seiten"),
        options: [CommitteeOption.period, CommitteeOption.out, CommitteeOption.appendix, CommitteeOption.title, todayOption, CommitteeOption.format],
        discussion: LocalizedText("""
            Open the page in a browser and print it, or save it as PDF; it needs no network and no other files.
            Coverage counts the offers that ran in the period; indicators compare like with like (see
            `report indicators --help`); the report covers the districts this store can see. Long lists are cut
            to their most relevant entries with "… and N more", so a county of 30 districts and 20,000 offers
            prints on at most four A4 pages; --appendix FILE writes every list in full.
            """, """
            Die Seite im Browser öffnen und drucken oder als PDF speichern; sie braucht kein Netz und keine weiteren Dateien.
            Die Abdeckung zählt die Angebote, die im Zeitraum liefen; Kennzahlen vergleichen Gleiches mit Gleichem (siehe
            `report indicators --help`); der Bericht umfasst die Sozialräume, die dieser Speicher sehen kann. Lange Listen
            werden auf die wichtigsten Einträge gekürzt, mit „… und N weitere“, sodass ein Kreis mit 30 Sozialräumen und
            20.000 Angeboten auf höchstens vier A4-Seiten passt; --appendix DATEI schreibt jede Liste vollständig.
            """),
        validate: CommitteeOption.validate
    ) { args, context in
        let format = args[CommitteeOption.format] ?? .html
        let report = try context.store().committeeReport(period: try args.require(CommitteeOption.period), today: try reportDay(args, context), language: committeeLanguage)
        let title = args[CommitteeOption.title].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        guard format == .html else { return try deliver(try JSONOutput.text(report) + "\n", as: format, to: args[CommitteeOption.out], context) }
        let appendix = args[CommitteeOption.appendix]
        let page = ReportHTML(language: committeeLanguage, limits: .committee,
                              appendixName: appendix.map { ($0 as NSString).lastPathComponent })
        if let appendix { try deliver(page.committeeAppendix(report, title: title), as: .html, to: appendix, context) }
        try deliver(page.committeePage(report, title: title), as: .html, to: args[CommitteeOption.out], context)
    },
]
