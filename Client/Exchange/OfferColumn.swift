import Foundation
import KetteProtocol

/// A column of an offer spreadsheet: what `kette export csv` writes in `offers.csv` and what
/// `kette import offers` reads, so the two cannot drift apart.
///
/// A header is the German label ("Lebensphasen") or the offer's JSON key ("phases"), in any case;
/// spaces, `-` and `_` do not count ("Target groups", "target-groups").
public enum OfferColumn: String, CaseIterable, Sendable {
    case id, title, district, phases, category, sector, provider, status, cost, languages, targetGroups
    case location, schedule, contact, accessibility, start, end, description

    /// The JSON key of `offer show --json`: the English header.
    public var key: String { rawValue }

    public var germanHeader: String {
        switch self {
        case .id: "ID"
        case .title: "Titel"
        case .district: "Sozialraum"
        case .phases: "Lebensphasen"
        case .category: "Kategorie"
        case .sector: "Bereich"
        case .provider: "Träger"
        case .status: "Status"
        case .cost: "Kosten"
        case .languages: "Sprachen"
        case .targetGroups: "Zielgruppen"
        case .location: "Ort"
        case .schedule: "Zeiten"
        case .contact: "Ansprechperson"
        case .accessibility: "Barrierefreiheit"
        case .start: "Beginn"
        case .end: "Ende"
        case .description: "Beschreibung"
        }
    }

    public func header(_ language: Language) -> String { language == .german ? germanHeader : key }

    /// Other headers that mean the same column: singulars people write, and the name keys of the
    /// JSON form (`districtName` holds a name, which is as good as an id here).
    private var aliases: [String] {
        switch self {
        case .district: ["districtName"]
        case .provider: ["providerName"]
        case .phases: ["Lebensphase", "phase"]
        case .languages: ["Sprache", "language"]
        case .targetGroups: ["Zielgruppe", "targetGroup"]
        default: []
        }
    }

    /// The columns every imported row needs.
    public static let required: [OfferColumn] = [.title, .district]

    /// The column a header names, if any.
    public static func matching(_ header: String) -> OfferColumn? {
        let wanted = normalized(header)
        return byNormalizedHeader[wanted]
    }

    private static let byNormalizedHeader: [String: OfferColumn] = {
        var map: [String: OfferColumn] = [:]
        for column in allCases {
            for header in [column.key, column.germanHeader] + column.aliases { map[normalized(header)] = column }
        }
        return map
    }()

    static func normalized(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespacesAndNewlines).folded.filter { $0 != " " && $0 != "-" && $0 != "_" }
    }
}
