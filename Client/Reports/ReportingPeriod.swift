import Foundation
import KetteMessages
import KetteProtocol

/// A period that figures are reported for: a calendar year ("2025") or a quarter ("2026-Q1").
///
/// Indicator records carry it as text in their `period` field; reports compare a period with the
/// one before it (2026-Q1 with 2025-Q4, 2025 with 2024).
public enum ReportingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    case year(Int)
    case quarter(year: Int, quarter: Int)

    /// Parses "2026-Q1" (also "2026-q1") or "2026"; anything else is an input error naming the field.
    public init(parsing text: String, field: String = "period") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let period = Self(exactly: trimmed.uppercased()) {
            self = period
        } else {
            throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: InputText.expectedPeriod.text)
        }
    }

    /// The canonical form only ("2026-Q1", "2026"); nil for anything else.
    init?(exactly text: String) {
        func year(_ digits: Substring) -> Int? {
            guard digits.count == 4, digits.allSatisfy(\.isASCII), let year = Int(digits), year >= 1900 else { return nil }
            return year
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let year = year(parts[0]) else { return nil }
            self = .year(year)
        case 2:
            let quarterText = parts[1]
            guard let year = year(parts[0]), quarterText.count == 2, quarterText.first == "Q",
                  let quarter = Int(quarterText.dropFirst()), (1...4).contains(quarter) else { return nil }
            self = .quarter(year: year, quarter: quarter)
        default:
            return nil
        }
    }

    /// The canonical text, as stored in indicator records.
    public var description: String {
        switch self {
        case .year(let year): "\(year)"
        case .quarter(let year, let quarter): "\(year)-Q\(quarter)"
        }
    }

    public var year: Int {
        switch self {
        case .year(let year), .quarter(let year, _): year
        }
    }

    public var isQuarter: Bool {
        if case .quarter = self { return true } else { return false }
    }

    /// The period just before this one, of the same length.
    public var previous: ReportingPeriod {
        switch self {
        case .year(let year): .year(year - 1)
        case .quarter(let year, 1): .quarter(year: year - 1, quarter: 4)
        case .quarter(let year, let quarter): .quarter(year: year, quarter: quarter - 1)
        }
    }

    /// The year a quarter belongs to; a year is its own.
    public var enclosingYear: ReportingPeriod { .year(year) }

    /// The quarter a day (YYYY-MM-DD) falls in; nil for text that is not such a day.
    public static func quarter(of day: String) -> ReportingPeriod? {
        guard let date = CalendarDay(day) else { return nil }
        return .quarter(year: date.year, quarter: (date.month - 1) / 3 + 1)
    }

    /// Whether a day (YYYY-MM-DD) falls in this period.
    public func contains(day: String) -> Bool {
        guard let quarter = Self.quarter(of: day) else { return false }
        return isQuarter ? quarter == self : quarter.year == year
    }

    /// The quarters this period spans: four for a year, itself for a quarter.
    public var quarters: [ReportingPeriod] {
        switch self {
        case .year(let year): (1...4).map { .quarter(year: year, quarter: $0) }
        case .quarter: [self]
        }
    }

    /// "1. Quartal 2026" / "Q1 2026"; a year is just the year.
    public func label(_ language: Language) -> String {
        switch self {
        case .year(let year): "\(year)"
        case .quarter(let year, let quarter): ReportTerms.quarter(language, ["quarter": String(quarter), "year": String(year)])
        }
    }

    /// Years sort before their quarters, then by time.
    public static func < (lhs: ReportingPeriod, rhs: ReportingPeriod) -> Bool {
        func key(_ period: ReportingPeriod) -> (Int, Int) {
            switch period {
            case .year(let year): (year, 0)
            case .quarter(let year, let quarter): (year, quarter)
            }
        }
        return key(lhs) < key(rhs)
    }
}

/// In JSON a period is its canonical text, as in the indicator record.
extension ReportingPeriod: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let period = Self(exactly: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a period: \(text)"))
        }
        self = period
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Whether indicator figures are shown per quarter or per year.
public enum PeriodGranularity: String, Codable, Sendable, CaseIterable {
    case quarter, year
}

/// A day of the calendar (YYYY-MM-DD) without time or time zone: due dates and "today" are days,
/// and comparing them through `Date` would shift them across midnight in some time zones.
public struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless `text` is a day that exists, written YYYY-MM-DD or DD.MM.YYYY.
    public init?(_ text: String) {
        guard let iso = (try? Input.date(text, field: "date")) ?? nil else { return nil }
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        (year, month, day) = (parts[0], parts[1], parts[2])
    }

    /// The day it is now on this machine, in its time zone: what "today" means to the person at it.
    public static func today(now: Date = Date()) -> CalendarDay {
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: now)
        return CalendarDay(String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1))!
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    public var dayNumber: Int {
        LocalFormat.daysSince1970(year: year, month: month, day: day)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: CalendarDay) -> Int { other.dayNumber - dayNumber }

    /// "14.03.2026" / "2026-03-14".
    public func label(_ language: Language) -> String {
        language == .german ? String(format: "%02d.%02d.%04d", day, month, year) : description
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.dayNumber < rhs.dayNumber }
}
