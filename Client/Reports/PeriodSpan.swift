import KetteMessages
import KetteProtocol

/// The time indicator figures are summed over: one quarter, a whole year, or the first quarters of
/// a year (year to date). Comparisons are always between spans of the same length.
public enum PeriodSpan: Hashable, Sendable, CustomStringConvertible {
    case quarter(year: Int, quarter: Int)
    /// A recorded yearly figure counts where there is one, else the sum of the year's quarters.
    case year(Int)
    /// Quarters 1 through `through` of a year; only quarterly figures count (a yearly figure cannot be split).
    case yearToDate(year: Int, through: Int)

    public var year: Int {
        switch self {
        case .quarter(let year, _), .year(let year), .yearToDate(let year, _): year
        }
    }

    public var isYearToDate: Bool {
        if case .yearToDate = self { return true } else { return false }
    }

    /// The same span one year earlier.
    public var yearEarlier: PeriodSpan {
        switch self {
        case .quarter(let year, let quarter): .quarter(year: year - 1, quarter: quarter)
        case .year(let year): .year(year - 1)
        case .yearToDate(let year, let through): .yearToDate(year: year - 1, through: through)
        }
    }

    /// "2026-Q1", "2026", "2026-Q1..Q2" (year to date through the second quarter).
    public var description: String {
        switch self {
        case .quarter(let year, let quarter): "\(year)-Q\(quarter)"
        case .year(let year): "\(year)"
        case .yearToDate(let year, let through): "\(year)-Q1..Q\(through)"
        }
    }

    /// "Q1 2026" / "1. Quartal 2026"; "2026"; "Q1–Q2 2026 (year to date)" / "1.–2. Quartal 2026 (bisheriges Jahr)".
    public func label(_ language: Language) -> String {
        switch self {
        case .quarter(let year, let quarter):
            return ReportingPeriod.quarter(year: year, quarter: quarter).label(language)
        case .year(let year):
            return "\(year)"
        case .yearToDate(let year, let through):
            let quarters = through == 1 ? ReportTerms.firstQuarter(language, ["year": String(year)])
                                        : ReportTerms.quartersThrough(language, ["through": String(through), "year": String(year)])
            return ReportTerms.yearToDate(language, ["quarters": quarters])
        }
    }

    /// Parses what `description` writes.
    init?(exactly text: String) {
        if let period = ReportingPeriod(exactly: text) {
            switch period {
            case .year(let year): self = .year(year)
            case .quarter(let year, let quarter): self = .quarter(year: year, quarter: quarter)
            }
            return
        }
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), parts[1].hasPrefix("Q1..Q"),
              let through = Int(parts[1].dropFirst(5)), (1...4).contains(through) else { return nil }
        self = .yearToDate(year: year, through: through)
    }
}

extension PeriodSpan: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let span = Self(exactly: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a span: \(text)"))
        }
        self = span
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension IndicatorReport.Comparison {
    /// Like with like for `period` as of `today`: a quarter with the quarter before and the same
    /// quarter a year before; a year with the year before when both are over; an unfinished year's
    /// quarters so far (through `latestQuarter`, the last with figures) with the same quarters of
    /// the year before. An unfinished year with no quarterly figures is shown without comparison.
    static func likeWithLike(_ period: ReportingPeriod, today: CalendarDay, latestQuarter: Int?) -> Self {
        switch period {
        case .quarter(let year, let quarter):
            let current = PeriodSpan.quarter(year: year, quarter: quarter)
            guard case .quarter(let previousYear, let previousQuarter) = period.previous else { preconditionFailure("a quarter's previous is a quarter") }
            return .init(period: period, current: current, previous: .quarter(year: previousYear, quarter: previousQuarter),
                         yearBefore: current.yearEarlier)
        case .year(let year):
            if today.year > year { return .init(period: period, current: .year(year), previous: .year(year - 1), yearBefore: nil) }
            guard let latestQuarter else { return .init(period: period, current: .year(year), previous: nil, yearBefore: nil) }
            let current = PeriodSpan.yearToDate(year: year, through: latestQuarter)
            return .init(period: period, current: current, previous: current.yearEarlier, yearBefore: nil)
        }
    }
}
