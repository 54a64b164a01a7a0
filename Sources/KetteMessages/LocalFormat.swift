#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KetteProtocol

/// Numbers, days and times as people in each language write them, by hand: commands stay fast
/// because nothing here loads ICU or a `DateFormatter`.
public enum LocalFormat {
    /// "1,234" / "1.234"; negative numbers with a real minus sign.
    public static func number(_ value: Int, _ language: Language) -> String {
        (value < 0 ? "−" : "") + grouped(value.magnitude, language)
    }

    /// The digits of `magnitude` in groups of three: "1,234,567" / "1.234.567".
    public static func grouped(_ magnitude: UInt, _ language: Language) -> String {
        let digits = String(magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += language == .german ? "." : "," }
            grouped.append(digit)
        }
        return grouped
    }

    /// `2026-03-14` → `14.03.2026` in German; as it is in English, and for text that is no day.
    public static func day(_ iso: String, _ language: Language) -> String {
        guard language == .german, let (year, month, day) = isoDay(iso) else { return iso }
        return pad(day) + "." + pad(month) + "." + String(year)
    }

    /// Year, month and day of `YYYY-MM-DD` (the range of each part checked, not the month's length).
    public static func isoDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        return (year, month, day)
    }

    /// `DD.MM.YYYY` (day and month with one or two digits) → `YYYY-MM-DD`; nil for other text.
    /// Whether the day exists is for the caller to check.
    public static func isoDay(german text: String) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return String(year) + "-" + pad(month) + "-" + pad(day)
    }

    /// Local time of a moment: `14.03.2026 10:30` / `2026-03-14 10:30`.
    public static func localTime(_ secondsSince1970: Int, _ language: Language) -> String {
        _ = zoneIsSet
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return String(secondsSince1970) }
        let iso = String(Int(parts.tm_year) + 1900) + "-" + pad(Int(parts.tm_mon) + 1) + "-" + pad(Int(parts.tm_mday))
        return day(iso, language) + " " + pad(Int(parts.tm_hour)) + ":" + pad(Int(parts.tm_min))
    }

    /// Seconds since 1970 of local midnight at the start of the day `iso` (`YYYY-MM-DD`), in the
    /// zone `localTime` shows; nil for no such day.
    public static func localMidnight(_ iso: String) -> Int? {
        _ = zoneIsSet
        guard let (year, month, day) = isoDay(iso) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_isdst = -1
        let seconds = mktime(&parts)
        return seconds == -1 ? nil : Int(seconds)
    }

    /// Seconds since 1970 of an ISO 8601 UTC stamp `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    public static func epochSeconds(iso: String) -> Int? {
        guard iso.count >= 20, iso.hasSuffix("Z"), let (year, month, day) = isoDay(String(iso.prefix(10))) else { return nil }
        let time = iso.dropFirst(11).prefix(8).split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return daysSince1970(year: year, month: month, day: day) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }

    /// The ISO 8601 UTC stamp of a moment, `YYYY-MM-DDTHH:MM:SSZ` (the seconds cut, not rounded),
    /// as `ISO8601DateFormatter` writes it, without loading ICU or making a formatter: the local
    /// history stamps every entry it lists, the outbox every change set.
    public static func isoTimestamp(milliseconds: Int64) -> String {
        // Floor, not truncation towards zero, for a moment before 1970.
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return String(milliseconds) }
        let year = Int(parts.tm_year) + 1900
        let yearText = year >= 0 && year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return yearText + "-" + pad(Int(parts.tm_mon) + 1) + "-" + pad(Int(parts.tm_mday)) + "T"
            + pad(Int(parts.tm_hour)) + ":" + pad(Int(parts.tm_min)) + ":" + pad(Int(parts.tm_sec)) + "Z"
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    public static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Times are local: `TZ` when set, else Europe/Berlin, where Kette's users are. The rule is
    /// given in POSIX form, so no zone file needs to be read (CET, CEST from the last Sunday of
    /// March to the last Sunday of October, as in force since 1996).
    private static let zoneIsSet: Bool = {
        if getenv("TZ") == nil { setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1) }
        tzset()
        return true
    }()

    private static func pad(_ number: Int) -> String {
        number < 10 ? "0" + String(number) : String(number)
    }
}
