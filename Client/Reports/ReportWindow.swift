import KetteMessages
import KetteProtocol

/// The days a report counts: one day (`--today`) or a period (`--period 2026-Q1`, `2026`,
/// `2026-03`), from its first to its last day.
///
/// An offer runs on a day when its status is `active` and the day lies within its start and end
/// dates (either may be open). A report over a period counts an offer that ran on any day of it.
public struct ReportWindow: Hashable, Sendable, Codable {
    public let from: CalendarDay
    public let to: CalendarDay
    /// The period as given ("2026-Q1", "2026", "2026-03"); nil for a single day.
    public let period: String?

    /// What `--period` accepts for reports that count by date, for messages.
    public static var expectedForm: LocalizedText { InputText.expectedWindow.text }

    public init(day: CalendarDay) {
        self.init(from: day, to: day, period: nil)
    }

    private init(from: CalendarDay, to: CalendarDay, period: String?) {
        self.from = from
        self.to = to
        self.period = period
    }

    /// A quarter or a year.
    public init(_ period: ReportingPeriod) {
        let first = period.quarters.first!, last = period.quarters.last!
        self.init(from: Self.firstDay(year: period.year, month: Self.firstMonth(of: first)),
                  to: Self.lastDay(year: period.year, month: Self.firstMonth(of: last) + 2), period: period.description)
    }

    /// "2026-Q1", "2026" or "2026-03"; anything else is an input error naming the field.
    public init(parsing text: String, field: String = "period") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        if let period = ReportingPeriod(exactly: trimmed) {
            self.init(period)
            return
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
              let year = Int(parts[0]), year >= 1900, let month = Int(parts[1]), (1...12).contains(month) else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: Self.expectedForm)
        }
        self.init(from: Self.firstDay(year: year, month: month), to: Self.lastDay(year: year, month: month), period: trimmed)
    }

    public var isDay: Bool { period == nil }

    /// Whether an offer with this status and these dates ran on some day of the window. A date
    /// that is not a day (a value synced from elsewhere) counts as open.
    public func counts(status: String?, start: String?, end: String?) -> Bool {
        guard status == OfferStatus.active.slug else { return false }
        if let start = start.flatMap(CalendarDay.init), start > to { return false }
        if let end = end.flatMap(CalendarDay.init), end < from { return false }
        return true
    }

    /// Whether an offer stopped running because of its end date: it ended within the period, or
    /// it is still marked active although its end date lies before the window (a record to
    /// update). For a single day only the latter: an offer whose last day it is still runs.
    public func ended(status: String?, end: String?) -> Bool {
        guard status != OfferStatus.planned.slug, let end = end.flatMap(CalendarDay.init) else { return false }
        if status == OfferStatus.active.slug, end < from { return true }
        return !isDay && end >= from && end <= to
    }

    /// Whether an offer is yet to come: planned, or marked active with a start after the window.
    public func planned(status: String?, start: String?) -> Bool {
        if status == OfferStatus.planned.slug { return true }
        guard status == OfferStatus.active.slug, let start = start.flatMap(CalendarDay.init) else { return false }
        return start > to
    }

    /// "20.03.2026" for a day; "1. Quartal 2026 (01.01.–31.03.2026)" for a period.
    public func label(_ language: Language) -> String {
        guard let period else { return from.label(language) }
        let name: String
        if let reporting = ReportingPeriod(exactly: period) {
            name = reporting.label(language)
        } else {
            name = ReportTerms.months[from.month - 1](language) + " \(from.year)"
        }
        return "\(name) (\(from.label(language)) – \(to.label(language)))"
    }

    private static func firstMonth(of quarter: ReportingPeriod) -> Int {
        guard case .quarter(_, let number) = quarter else { return 1 }
        return (number - 1) * 3 + 1
    }

    private static func firstDay(year: Int, month: Int) -> CalendarDay {
        CalendarDay(String(format: "%04d-%02d-01", year, month))!
    }

    private static func lastDay(year: Int, month: Int) -> CalendarDay {
        for day in stride(from: 31, through: 28, by: -1) {
            if let last = CalendarDay(String(format: "%04d-%02d-%02d", year, month, day)) { return last }
        }
        preconditionFailure("every month has a 28th")
    }

    enum CodingKeys: String, CodingKey { case from, to, period }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let from = CalendarDay(try c.decode(String.self, forKey: .from)), let to = CalendarDay(try c.decode(String.self, forKey: .to)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a day"))
        }
        self.init(from: from, to: to, period: try c.decodeIfPresent(String.self, forKey: .period))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from.description, forKey: .from); try c.encode(to.description, forKey: .to); try c.encode(period, forKey: .period)
    }
}
