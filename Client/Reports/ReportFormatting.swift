import KetteMessages
import KetteProtocol

/// How reports write numbers, changes and life phases for people, in every output format that
/// people read (text, HTML); JSON and CSV keep plain numbers and slugs.
public enum ReportFormatting {
    /// "1.234" / "1,234" (the message catalog's number format).
    public static func number(_ value: Int, _ language: Language) -> String {
        LocalFormat.number(value, language)
    }

    private static func grouped(_ magnitude: UInt, _ language: Language) -> String {
        LocalFormat.grouped(magnitude, language)
    }

    /// The change from `previous` to `current`: "+12 (+8 %)", "−3 (−20 %)", "±0"; "–" when there
    /// is nothing to compare with. No percentage when the previous value was 0.
    ///
    /// Exact for any two `Int`s: the difference of figures from beyond the protocol's bounds
    /// (2^63 − 1 participants from an older server) does not fit an `Int` but fits its magnitude.
    public static func change(_ current: Int, from previous: Int?, _ language: Language) -> String {
        guard let previous else { return "–" }
        let rising = current >= previous
        let difference = rising ? UInt(bitPattern: current &- previous) : UInt(bitPattern: previous &- current)
        let sign = difference == 0 ? "±" : rising ? "+" : "−"
        var text = sign + grouped(difference, language)
        if previous > 0, difference != 0, let percent = UInt(exactly: (Double(difference) / Double(previous) * 100).rounded()) {
            text += language == .german ? " (\(sign)\(percent) %)" : " (\(sign)\(percent)%)"
        }
        return text
    }

    /// The ages a life phase covers ("3–6 J." / "3–6 yrs"); nil for pregnancy and birth.
    public static func ageRange(_ phase: LifePhase, _ language: Language) -> String? {
        let range: String
        switch phase {
        case .pregnancy: return nil
        case .earlyChildhood: range = "0–3"
        case .preschool: range = "3–6"
        case .primary: range = "6–10"
        case .adolescence: range = "10–16"
        case .transition: range = "16–27"
        }
        return ReportTerms.ageRange(language, ["range": range])
    }

    /// A life phase in few characters, for narrow table columns.
    public static func shortLabel(_ phase: LifePhase, _ language: Language) -> String {
        switch phase {
        case .pregnancy: ReportTerms.pregnancyShort(language)
        case .earlyChildhood: "0–3"
        case .preschool: "3–6"
        case .primary: "6–10"
        case .adolescence: "10–16"
        case .transition: "16–27"
        }
    }

    /// A life phase's name without the ages the English labels carry ("Early childhood").
    public static func phaseName(_ phase: LifePhase, _ language: Language) -> String {
        let label = phase.label(language)
        guard let open = label.firstIndex(of: "(") else { return label }
        return label[..<open].trimmingCharacters(in: .whitespaces)
    }

    /// A day as people read it ("14.03.2026" / "2026-03-14"); text that is no day stays as it is.
    public static func day(_ text: String?, _ language: Language) -> String {
        guard let text else { return "–" }
        return CalendarDay(text)?.label(language) ?? text
    }
}
