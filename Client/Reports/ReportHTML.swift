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

    func pick(_ english: String, _ german: String) -> String { language.pick(english, german) }
    func number(_ value: Int) -> String { ReportFormatting.number(value, language) }
    func day(_ text: String?) -> String { ReportFormatting.day(text, language) }

    // MARK: Pages

    public func coveragePage(_ report: CoverageReport) -> String {
        let title = pick("Coverage and gaps", "Angebote und Lücken")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: windowLine(report.window))
                                     + coverageSection(report, heading: pick("Active offers per district and life phase", "Aktive Angebote je Sozialraum und Lebensphase")),
                                 language: language)
    }

    public func indicatorPage(_ report: IndicatorReport) -> String {
        let title = pick("Indicators", "Kennzahlen")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? asOfLine(report.today))
                                     + indicatorSection(report, heading: pick("Participants and sessions", "Teilnahmen und Termine")),
                                 language: language)
    }

    public func meetingPage(_ report: MeetingReport) -> String {
        let title = pick("Bodies and meetings", "Gremien und Sitzungen")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: report.period.map(periodLine) ?? "")
                                     + meetingSection(report, heading: pick("Meetings per body and quarter", "Sitzungen je Gremium und Quartal")),
                                 language: language)
    }

    public func taskPage(_ report: TaskReport) -> String {
        let title = pick("Open action items", "Offene Arbeitsaufträge")
        return HTMLDocument.page(title: title,
                                 body: header(title: title, meta: asOfLine(report.today))
                                     + taskSection(report, heading: pick("Open action items of all bodies", "Offene Arbeitsaufträge aller Gremien")),
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

    func asOfLine(_ today: String) -> String { pick("As of ", "Stand: ") + day(today) }

    private func windowLine(_ window: ReportWindow) -> String {
        (window.isDay ? pick("Offers running on ", "Angebote, die laufen am ") : pick("Offers running in ", "Angebote, die liefen im Zeitraum "))
            + window.label(language)
    }

    /// "… and 12 more", pointing to the appendix when there is one.
    func more(_ count: Int) -> HTML {
        guard count > 0 else { return HTML() }
        let where_ = appendixName.map { pick(" (all in the appendix \($0))", " (alle im Anhang \($0))") } ?? ""
        return "<p class=\"more\">\(pick("… and \(number(count)) more", "… und \(number(count)) weitere") + where_)</p>\n"
    }

    func periodLine(_ period: ReportingPeriod) -> String {
        pick("Reporting period: ", "Berichtszeitraum: ") + period.label(language)
    }
}
