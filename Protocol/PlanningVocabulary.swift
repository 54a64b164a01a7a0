/// The closed lists of the planning cycle (record schema 2).

/// Where a need ("Bedarf") stands: found, taken up by a measure, or met.
public enum NeedStatus: String, Vocabulary {
    case open, addressed, closed
    public static let fieldName = "status"
    public var englishLabel: String {
        switch self {
        case .open: "open"
        case .addressed: "addressed"
        case .closed: "closed"
        }
    }
    public var germanLabel: String {
        switch self {
        case .open: "offen"
        case .addressed: "aufgegriffen"
        case .closed: "geschlossen"
        }
    }
}

/// What a goal's target measures. Participants and sessions add up the figures recorded for the
/// offers of a cell (district × life phase), active offers counts the cell's offers in the
/// period, and a custom indicator has figures of its own (`target-figure`).
public enum TargetIndicator: String, Vocabulary {
    case participants, sessions, activeOffers = "active-offers", custom
    public static let fieldName = "indicator"
    public var englishLabel: String {
        switch self {
        case .participants: "participants"
        case .sessions: "sessions held"
        case .activeOffers: "active offers"
        case .custom: "custom indicator"
        }
    }
    public var germanLabel: String {
        switch self {
        case .participants: "Teilnehmende"
        case .sessions: "durchgeführte Termine"
        case .activeOffers: "aktive Angebote"
        case .custom: "eigene Kennzahl"
        }
    }
    public var germanShortForms: [String] {
        switch self {
        case .sessions: ["Termine"]
        case .activeOffers, .custom, .participants: []
        }
    }
}

/// Where a measure ("Maßnahme") stands.
public enum MeasureStatus: String, Vocabulary {
    case planned, running, done, dropped
    public static let fieldName = "status"
    public var englishLabel: String {
        switch self {
        case .planned: "planned"
        case .running: "running"
        case .done: "done"
        case .dropped: "dropped"
        }
    }
    public var germanLabel: String {
        switch self {
        case .planned: "geplant"
        case .running: "läuft"
        case .done: "abgeschlossen"
        case .dropped: "verworfen"
        }
    }
}

/// Whether a contact agreed to be named in published documents (OParl `Person`). Without an
/// answer, nothing is published.
public enum PublicationConsent: String, Vocabulary {
    case given, withheld
    public static let fieldName = "consent"
    public var englishLabel: String { self == .given ? "consented to publication" : "no consent to publication" }
    public var germanLabel: String { self == .given ? "Veröffentlichung erlaubt" : "Veröffentlichung nicht erlaubt" }
    public var germanShortForms: [String] { self == .given ? ["erteilt", "ja"] : ["verweigert", "nein"] }
}

/// The kind of an agreement between the partners of a network or body.
public enum AgreementKind: String, Vocabulary {
    case cooperation, rulesOfProcedure = "rules-of-procedure", other
    public static let fieldName = "kind"
    public var englishLabel: String {
        switch self {
        case .cooperation: "Cooperation agreement"
        case .rulesOfProcedure: "Rules of procedure"
        case .other: "Other agreement"
        }
    }
    public var germanLabel: String {
        switch self {
        case .cooperation: "Kooperationsvereinbarung"
        case .rulesOfProcedure: "Geschäftsordnung"
        case .other: "Sonstige Vereinbarung"
        }
    }
    public var germanShortForms: [String] {
        switch self {
        case .cooperation: ["Kooperation"]
        case .rulesOfProcedure: []
        case .other: ["sonstige"]
        }
    }
}

/// The sectors a steering group brings together (seeds: "Die Steuerungsgruppe setzt sich in der
/// Regel zusammen aus" youth welfare, public health, education, social affairs, free providers);
/// `kette body show` names those a body lacks.
extension Sector {
    public static let steeringGroupSectors: [Sector] = [.youthWelfare, .health, .education, .social, .freeProviders]
}

/// A coverage cell: a district and a life phase, written `DISTRICT:PHASE` (`nordstadt:early-childhood`)
/// in a measure's `gaps`.
public struct CoverageCell: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var district: String
    public var phase: LifePhase

    public init(district: String, phase: LifePhase) {
        self.district = district
        self.phase = phase
    }

    /// Reads `DISTRICT:PHASE`; the district id must be non-empty and the phase a slug.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let district = String(text[..<colon]), phase = String(text[text.index(after: colon)...])
        guard !district.isEmpty, let phase = LifePhase(rawValue: phase) else { return nil }
        self.init(district: district, phase: phase)
    }

    public var description: String { "\(district):\(phase.rawValue)" }

    public static func < (lhs: CoverageCell, rhs: CoverageCell) -> Bool {
        (lhs.district, LifePhase.allCases.firstIndex(of: lhs.phase)!) < (rhs.district, LifePhase.allCases.firstIndex(of: rhs.phase)!)
    }
}
