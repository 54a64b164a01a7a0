import Foundation

/// A closed list of values with stable English slugs on the wire and in `--json`, and
/// labels in English and German for people.
public protocol Vocabulary: RawRepresentable, CaseIterable, Hashable, Sendable, Codable where RawValue == String {
    /// What the field is called in messages ("phase", "category").
    static var fieldName: String { get }
    var englishLabel: String { get }
    var germanLabel: String { get }
    /// Shorter German names people type (`Kita` for "Kita-Alter"); the first is the one lists
    /// offer, as its slug. Empty when the label is short enough.
    var germanShortForms: [String] { get }
}

extension Vocabulary {
    public var slug: String { rawValue }

    public func label(_ language: Language) -> String {
        language == .german ? germanLabel : englishLabel
    }

    public static var slugs: [String] { allCases.map(\.rawValue) }

    public var germanShortForms: [String] { [] }

    /// The German name as people type it without quotes: the first short form (else the label)
    /// in lower-case ASCII with hyphens ("fruehe-kindheit", "kita", "freie-traeger").
    public var germanSlug: String { (germanShortForms.first ?? germanLabel).typedForm }

    /// Accepts the slug, the English or German label, a German short form, or any of them typed
    /// as a slug (umlauts as ae/oe/ue, hyphens for spaces), whatever the case: `early-childhood`,
    /// `Frühe Kindheit`, `fruehe-kindheit` and `FRUEHE KINDHEIT` are the same phase.
    public static func parse(_ text: String) -> Self? {
        let wanted = text.typedForm
        guard !wanted.isEmpty else { return nil }
        return allCases.first { value in
            ([value.rawValue, value.englishLabel, value.germanLabel] + value.germanShortForms).contains { $0.typedForm == wanted }
        }
    }
}

extension String {
    /// The form used to compare names: Unicode-normalized (NFC) and lowercased, umlauts kept distinct from their
    /// base letters ("Übergang" matches "übergang", not "Ubergang").
    public var folded: String {
        self.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// The form a vocabulary value is compared in: lower case, ä/ö/ü/ß as ae/oe/ue/ss, every run
    /// of other characters than letters and digits one hyphen ("Übergang Schule–Beruf" →
    /// "uebergang-schule-beruf", "Early childhood (0–3)" → "early-childhood-0-3").
    var typedForm: String {
        var result = ""
        var pendingHyphen = false
        for character in folded {
            let spelled: String
            switch character {
            case "ä": spelled = "ae"
            case "ö": spelled = "oe"
            case "ü": spelled = "ue"
            case "ß": spelled = "ss"
            default: spelled = character.isLetter || character.isNumber ? String(character) : ""
            }
            if spelled.isEmpty { pendingHyphen = !result.isEmpty; continue }
            if pendingHyphen { result += "-"; pendingHyphen = false }
            result += spelled
        }
        return result
    }
}

/// The phases of growing up along which a prevention chain is ordered.
public enum LifePhase: String, Vocabulary {
    case pregnancy, earlyChildhood = "early-childhood", preschool, primary, adolescence, transition
    public static let fieldName = "phase"
    public var englishLabel: String {
        switch self {
        case .pregnancy: "Pregnancy and birth"
        case .earlyChildhood: "Early childhood (0–3)"
        case .preschool: "Preschool age (3–6)"
        case .primary: "Primary school age (6–10)"
        case .adolescence: "Adolescence (10–16)"
        case .transition: "Transition to work (16–27)"
        }
    }
    public var germanLabel: String {
        switch self {
        case .pregnancy: "Schwangerschaft und Geburt"
        case .earlyChildhood: "Frühe Kindheit"
        case .preschool: "Kita-Alter"
        case .primary: "Grundschulalter"
        case .adolescence: "Jugend"
        case .transition: "Übergang Schule–Beruf"
        }
    }
    public var germanShortForms: [String] {
        switch self {
        case .pregnancy: ["Schwangerschaft", "Geburt"]
        case .earlyChildhood: ["Frühe Kindheit"]
        case .preschool: ["Kita", "Kita-Alter"]
        case .primary: ["Grundschule", "Grundschulalter"]
        case .adolescence: ["Jugend"]
        case .transition: ["Übergang", "Schule-Beruf"]
        }
    }
}

public enum OfferCategory: String, Vocabulary {
    case counselling, education, leisure, sport, support, promotion, health
    public static let fieldName = "category"
    public var englishLabel: String {
        switch self {
        case .counselling: "Counselling"
        case .education: "Education"
        case .leisure: "Leisure"
        case .sport: "Sport"
        case .support: "Support"
        case .promotion: "Early support"
        case .health: "Health"
        }
    }
    public var germanLabel: String {
        switch self {
        case .counselling: "Beratung"
        case .education: "Bildung"
        case .leisure: "Freizeit"
        case .sport: "Sport"
        case .support: "Unterstützung"
        case .promotion: "Förderung"
        case .health: "Gesundheit"
        }
    }
}

public enum Sector: String, Vocabulary {
    case youthWelfare = "youth-welfare", health, education, social, urbanDevelopment = "urban-development", freeProviders = "free-providers"
    public static let fieldName = "sector"
    public var englishLabel: String {
        switch self {
        case .youthWelfare: "Youth welfare"
        case .health: "Health"
        case .education: "Education"
        case .social: "Social affairs"
        case .urbanDevelopment: "Urban development"
        case .freeProviders: "Free providers"
        }
    }
    public var germanLabel: String {
        switch self {
        case .youthWelfare: "Kinder- und Jugendhilfe"
        case .health: "Gesundheit"
        case .education: "Bildung"
        case .social: "Soziales"
        case .urbanDevelopment: "Stadtentwicklung"
        case .freeProviders: "Freie Träger"
        }
    }
    public var germanShortForms: [String] {
        switch self {
        case .youthWelfare: ["Jugendhilfe", "Kinder- und Jugendhilfe"]
        default: []
        }
    }
}

public enum OfferStatus: String, Vocabulary {
    case planned, active, ended
    public static let fieldName = "status"
    public var englishLabel: String {
        switch self {
        case .planned: "planned"
        case .active: "active"
        case .ended: "ended"
        }
    }
    public var germanLabel: String {
        switch self {
        case .planned: "geplant"
        case .active: "aktiv"
        case .ended: "beendet"
        }
    }
}

public enum Cost: String, Vocabulary {
    case free, paid
    public static let fieldName = "cost"
    public var englishLabel: String { self == .free ? "free of charge" : "with a fee" }
    public var germanLabel: String { self == .free ? "kostenfrei" : "kostenpflichtig" }
    public var germanShortForms: [String] { self == .free ? ["kostenfrei", "kostenlos"] : [] }
}

public enum BodyLevel: String, Vocabulary {
    case steering, planning, working, network
    public static let fieldName = "level"
    public var englishLabel: String {
        switch self {
        case .steering: "Steering group"
        case .planning: "Planning group / core team"
        case .working: "Working group"
        case .network: "Network"
        }
    }
    public var germanLabel: String {
        switch self {
        case .steering: "Steuerungsgruppe"
        case .planning: "Planungsgruppe/Kernteam"
        case .working: "Facharbeitsgruppe/Sozialraumgruppe"
        case .network: "Netzwerk"
        }
    }
    public var germanShortForms: [String] {
        switch self {
        case .steering: []
        case .planning: ["Planungsgruppe", "Kernteam"]
        case .working: ["Facharbeitsgruppe", "Sozialraumgruppe", "Arbeitsgruppe"]
        case .network: []
        }
    }
}

public enum TaskStatus: String, Vocabulary {
    case open, done
    public static let fieldName = "status"
    public var englishLabel: String { self == .open ? "open" : "done" }
    public var germanLabel: String { self == .open ? "offen" : "erledigt" }
}
