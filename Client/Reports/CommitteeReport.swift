import KetteProtocol

/// The report to the youth welfare committee: where the chain has offers and gaps, what the
/// offers reached in the period, how the bodies worked, which action items are open, and where
/// the goals and measures stand.
public struct CommitteeReport: Encodable, Sendable {
    public var period: ReportingPeriod
    /// The day the report was made; open action items are as of this day, and a year not over
    /// on it is compared year to date. Coverage counts the offers that ran in the period.
    public var today: String
    public var coverage: CoverageReport
    public var indicators: IndicatorReport
    public var meetings: MeetingReport
    public var tasks: TaskReport
    /// The goals' targets over the period.
    public var goals: GoalReport
    /// The measures as of `today`.
    public var measures: MeasureReport
}

extension LocalStore {
    /// Everything the committee report holds, for one period (a year or a quarter).
    public func committeeReport(period periodText: String, today: CalendarDay, language: Language) throws -> CommitteeReport {
        let period = try ReportingPeriod(parsing: periodText)
        return CommitteeReport(period: period, today: today.description,
                               coverage: try coverageReport(window: ReportWindow(period), language: language),
                               indicators: try indicatorReport(period: period.description, today: today, language: language),
                               meetings: try meetingReport(period: period.description, language: language),
                               tasks: try taskReport(today: today, language: language),
                               goals: try goalReport(period: period, today: today, language: language),
                               measures: try measureReport(today: today, language: language))
    }
}
