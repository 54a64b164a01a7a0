import KetteMessages
import KetteProtocol

/// The reports as HTML: one section per report, a page around a single report, and the
/// committee report that puts all four on one printable page.
///
/// Everything is built as `HTML`, whose interpolated strings are escaped: a title or name typed by
/// anyone in the county cannot become markup on a committee member's screen.
public struct ReportHTML {
    public let language: Language
    /// How long lists may get; the committee page cuts them, pages of one report do not.
    public var limits: ListLimits
    /// Where the full lists are, when they were written beside a cut page (`--appendix`).
    public var appendixName: String?

    public init(language: Language, limits: ListLimits = .unlimited, appendixName: String? = nil) {
        self.language = language
        self.limits = limits
        self.appendixName = appendixName
    }

    func say(_ text: ReportPageText, _ values: MessageValues = [:]) -> String { text(language, values) }
    func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    func day(_ text: String?) -> String { ReportFormatting.day(text, language) }

    // MARK: Pages

    public func coveragePage(_ report: CoverageReport) -> String {
        let title = say(.coverageTitle)
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: windowLine(report.window))
                                     + coverageSection(report, heading: say(.coverageHeading)),
                                 language: language)
    }

    public func indicatorPage(_ report: IndicatorReport) -> String {
        let title = say(.indicatorsTitle)
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? asOfLine(report.today))
                                     + indicatorSection(report, heading: say(.indicatorsHeading)),
                                 language: language)
    }

    public func meetingPage(_ report: MeetingReport) -> String {
        let title = say(.meetingsTitle)
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? "")
                                     + meetingSection(report, heading: say(.meetingsHeading)),
                                 language: language)
    }

    public func taskPage(_ report: TaskReport) -> String {
        let title = say(.tasksTitle)
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: asOfLine(report.today))
                                     + taskSection(report, heading: say(.tasksHeading)),
                                 language: language)
    }

    func header(title: String, meta: String, kicker: String? = nil, scope: ReportScope? = nil) -> HTML {
        var html: HTML = "<header class=\"report\">"
        if let kicker { html += "<p class=\"kicker\">\(kicker)</p>" }
        html += "<h1>\(title)</h1>"
        if !meta.isEmpty { html += "<p class=\"meta\">\(meta)</p>" }
        if let scope { html += "<p class=\"meta scope\">\(scope.label(language))</p>" }
        return html + "</header>\n"
    }

    func asOfLine(_ today: String) -> String { say(.asOf, ["day": day(today)]) }

    private func windowLine(_ window: ReportWindow) -> String {
        say(window.isDay ? .offersRunningOn : .offersRunningIn, ["window": window.label(language)])
    }

    /// "… and 12 more", pointing to the appendix when there is one.
    func more(_ count: Int) -> HTML {
        guard count > 0 else { return HTML() }
        let text = appendixName.map { say(.andMoreInAppendix, ["count": count, "file": $0]) } ?? say(.andMore, ["count": count])
        return "<p class=\"more\">\(text)</p>\n"
    }

    func periodLine(_ period: ReportingPeriod) -> String {
        say(.reportingPeriod, ["period": period.label(language)])
    }
}
