import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// `kette export hsds`: the county's offers as an Open Referral HSDS 3.0 data set, the standard
/// that service directories and referral platforms read. One JSON array per HSDS table, in a file
/// named after the table's own path (`services.json`, `organizations.json`, …). Deleted records
/// are left out: HSDS has no tombstones, a consumer replaces its copy with each export.
///
/// How an offer maps:
/// - offer → `service` (status: planned → inactive, active → active, ended → defunct; cost →
///   `fees_description`; target groups → `eligibility_description`); its provider → `organization`.
/// - district → `service_area`; location text → `location` (one per place and district, shared by
///   the offers there) and `service_at_location`; accessibility notes → `accessibility` of that
///   location; schedule text, start and end → `schedule`; languages → `language`; contact → `contact`.
/// - life phases, categories and sectors → `taxonomy` and `taxonomy_term` rows (German names,
///   English descriptions, slugs as codes), attached to services (and organizations, for sectors)
///   through `attribute`.
///
/// Every id is a UUID, as HSDS requires: records keep theirs; rows that exist only in the export
/// get a name-based one (`NameBasedID`) that stays the same from one export to the next.
extension LocalStore {
    public func hsdsExport() throws -> [ExportFile] {
        var tables = HSDSTables()
        tables.addTaxonomies()
        let organizations = try self.organizations()
        for organization in organizations { tables.add(organization) }
        let context = HSDSTables.OfferContext(
            districtNames: Dictionary(try districts().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }),
            organizationIDs: Set(organizations.map(\.id)),
            lastModified: try offersLastModified())
        for offer in try offers(OfferFilter(), language: .german) { tables.add(offer, context) }
        return try tables.files()
    }

    /// When each offer last changed (ms since 1970): its newest field version's clock time.
    private func offersLastModified() throws -> [String: Int64] {
        var lastModified: [String: Int64] = [:]
        // The newest write time: the timestamps' millisecond part (15 digits), not a merge decision.
        for row in try database.rows("SELECT record_id, max(substr(hlc, 1, 15)) AS newest FROM field_versions WHERE record_type = 'offer' GROUP BY record_id") {
            if let id = row.string("record_id"), let hlc = row.string("newest"), let millis = Int64(hlc.prefix(15)) { lastModified[id] = millis }
        }
        return lastModified
    }
}

/// The rows of an HSDS export, table by table.
struct HSDSTables {
    var organizations: [HSDS.Organization] = []
    var services: [HSDS.Service] = []
    var locations: [HSDS.Location] = []
    var serviceAtLocations: [HSDS.ServiceAtLocation] = []
    var serviceAreas: [HSDS.ServiceArea] = []
    var schedules: [HSDS.Schedule] = []
    var languages: [HSDS.Language] = []
    var contacts: [HSDS.Contact] = []
    var accessibility: [HSDS.Accessibility] = []
    var taxonomies: [HSDS.Taxonomy] = []
    var taxonomyTerms: [HSDS.TaxonomyTerm] = []
    var attributes: [HSDS.Attribute] = []
    private var locationIDs: Set<String> = []

    /// What turning an offer into rows needs to know about the rest of the store.
    struct OfferContext {
        let districtNames: [String: String]
        let organizationIDs: Set<String>
        let lastModified: [String: Int64]
    }

    mutating func addTaxonomies() {
        addTaxonomy(LifePhase.self, key: "life-phase", name: "Lebensphasen der Präventionskette",
                    description: "Phases of growing up along which a prevention chain is ordered")
        addTaxonomy(OfferCategory.self, key: "category", name: "Angebotskategorien", description: "Kinds of offers of a prevention chain")
        addTaxonomy(Sector.self, key: "sector", name: "Bereiche", description: "Sectors that providers and offers belong to")
    }

    mutating func add(_ organization: KetteProtocol.Organization) {
        let id = HSDS.id(organization.id, type: "organization")
        organizations.append(HSDS.Organization(id: id, name: organization.name, description: organization.kind ?? ""))
        if let sector = organization.sector { attach(sector, key: "sector", to: id, entity: "organization") }
        if let contact = organization.contact {
            contacts.append(HSDS.Contact(id: HSDS.derived("organization/\(organization.id)/contact"), organizationId: id, name: contact))
        }
    }

    /// An offer as a service with its taxonomy terms, then the rows around it.
    mutating func add(_ offer: Offer, _ context: OfferContext) {
        let id = HSDS.id(offer.id, type: "offer")
        var service = HSDS.Service(id: id, name: offer.title, status: HSDS.status(offer.status))
        service.organizationId = offer.provider.flatMap { context.organizationIDs.contains($0) ? HSDS.id($0, type: "organization") : nil }
        service.description = offer.description
        service.feesDescription = offer.cost?.germanLabel
        service.eligibilityDescription = offer.targetGroups.isEmpty ? nil : offer.targetGroups.joined(separator: ", ")
        service.lastModified = context.lastModified[offer.id].map { LocalFormat.isoTimestamp(milliseconds: $0) }
        services.append(service)

        for phase in offer.phases { attach(phase, key: "life-phase", to: id, entity: "service") }
        if let category = offer.category { attach(category, key: "category", to: id, entity: "service") }
        if let sector = offer.sector { attach(sector, key: "sector", to: id, entity: "service") }
        addPlace(of: offer, service: id, districtNames: context.districtNames)
        addTimesLanguagesAndContact(of: offer, service: id)
    }

    /// Where: the district as service area, the place as a shared location with its accessibility notes.
    private mutating func addPlace(of offer: Offer, service id: String, districtNames: [String: String]) {
        if let district = offer.district {
            serviceAreas.append(HSDS.ServiceArea(id: HSDS.derived("offer/\(offer.id)/district"), serviceId: id,
                                                 name: districtNames[district] ?? district))
        }
        guard let place = offer.location else { return }
        let location = location(named: place, district: offer.district)
        serviceAtLocations.append(HSDS.ServiceAtLocation(id: HSDS.derived("offer/\(offer.id)/location"), serviceId: id, locationId: location))
        if let notes = offer.accessibility {
            accessibility.append(HSDS.Accessibility(id: HSDS.derived("offer/\(offer.id)/accessibility"), locationId: location, description: notes))
        }
    }

    private mutating func addTimesLanguagesAndContact(of offer: Offer, service id: String) {
        if offer.schedule != nil || offer.start != nil || offer.end != nil {
            schedules.append(HSDS.Schedule(id: HSDS.derived("offer/\(offer.id)/schedule"), serviceId: id,
                                           validFrom: offer.start, validTo: offer.end, description: offer.schedule))
        }
        var seenLanguages: Set<String> = []
        for language in offer.languages where seenLanguages.insert(language).inserted {
            // Codes as people type them ("de", "tr"); a word that is no ISO 639 code is kept as the name.
            let isCode = (2...3).contains(language.count) && language.allSatisfy { $0.isASCII && $0.isLetter }
            languages.append(HSDS.Language(id: HSDS.derived("offer/\(offer.id)/language/\(language)"), serviceId: id,
                                           name: isCode ? nil : language, code: isCode ? language : nil))
        }
        if let contact = offer.contact {
            contacts.append(HSDS.Contact(id: HSDS.derived("offer/\(offer.id)/contact"), serviceId: id, name: contact))
        }
    }

    mutating func addTaxonomy<V: Vocabulary>(_ type: V.Type, key: String, name: String, description: String) {
        let taxonomy = HSDS.derived("taxonomy/\(key)")
        taxonomies.append(HSDS.Taxonomy(id: taxonomy, name: name, description: description, version: "1"))
        for value in V.allCases {
            taxonomyTerms.append(HSDS.TaxonomyTerm(id: HSDS.term(key, value.slug), code: value.slug, name: value.germanLabel,
                                                   description: value.englishLabel, taxonomy: name, taxonomyId: taxonomy, language: "de"))
        }
    }

    mutating func attach<V: Vocabulary>(_ value: V, key: String, to link: String, entity: String) {
        attributes.append(HSDS.Attribute(id: HSDS.derived("\(entity)/\(link)/\(key)/\(value.slug)"), linkId: link,
                                         taxonomyTermId: HSDS.term(key, value.slug), linkType: key, linkEntity: entity))
    }

    /// The location for a place text in a district, made on first use: offers at "Familienzentrum
    /// Regenbogen" share one location, while a "Gemeindehaus" in two villages stays two.
    mutating func location(named place: String, district: String?) -> String {
        let id = HSDS.derived("location/\(district ?? "")/\(place.folded)")
        if locationIDs.insert(id).inserted {
            locations.append(HSDS.Location(id: id, locationType: "physical", name: place))
        }
        return id
    }

    func files() throws -> [ExportFile] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        func file<Row: Encodable>(_ name: String, _ rows: [Row]) throws -> ExportFile {
            ExportFile(name: name, data: try encoder.encode(rows) + Data("\n".utf8), records: rows.count)
        }
        // File names are the tables' `path` in the HSDS schemas, with .json for .csv.
        return [
            try file("organizations.json", organizations),
            try file("services.json", services),
            try file("locations.json", locations),
            try file("service_at_location.json", serviceAtLocations),
            try file("service_areas.json", serviceAreas),
            try file("schedules.json", schedules),
            try file("languages.json", languages),
            try file("contacts.json", contacts),
            try file("accessibility.json", accessibility),
            try file("taxonomies.json", taxonomies),
            try file("taxonomy_terms.json", taxonomyTerms),
            try file("attributes.json", attributes),
        ]
    }
}

/// HSDS 3.0 rows, with the fields Kette fills. Property names are the schema's in camel case
/// (encoded to snake case); unset optionals are left out, as the schemas allow no nulls.
enum HSDS {
    /// A record's id as HSDS needs it (format `uuid`): ours where it is one (offers and organizations
    /// get UUIDs), else a name-based UUID of it (district ids like "nordstadt").
    static func id(_ id: String, type: String) -> String {
        UUID(uuidString: id) != nil ? id.lowercased() : derived("\(type)/\(id)")
    }

    /// The id of a row that exists only in the export, from what it is about.
    static func derived(_ name: String) -> String { NameBasedID.uuid("hsds/" + name) }

    static func term(_ key: String, _ slug: String) -> String { derived("taxonomy/\(key)/\(slug)") }

    static func status(_ status: OfferStatus?) -> String {
        switch status {
        case .planned: "inactive"
        case .ended: "defunct"
        case .active, nil: "active"
        }
    }

    struct Organization: Encodable {
        var id: String
        var name: String
        var description: String
    }

    struct Service: Encodable {
        var id: String
        var organizationId: String?
        var name: String
        var description: String?
        var status: String
        var feesDescription: String?
        var eligibilityDescription: String?
        var lastModified: String?
        init(id: String, name: String, status: String) { self.id = id; self.name = name; self.status = status }
    }

    struct Location: Encodable {
        var id: String
        var locationType: String
        var name: String
    }

    struct ServiceAtLocation: Encodable {
        var id: String
        var serviceId: String
        var locationId: String
    }

    struct ServiceArea: Encodable {
        var id: String
        var serviceId: String
        var name: String
    }

    struct Schedule: Encodable {
        var id: String
        var serviceId: String
        var validFrom: String?
        var validTo: String?
        var description: String?
    }

    struct Language: Encodable {
        var id: String
        var serviceId: String
        var name: String?
        var code: String?
    }

    struct Contact: Encodable {
        var id: String
        var organizationId: String?
        var serviceId: String?
        var name: String
        init(id: String, organizationId: String? = nil, serviceId: String? = nil, name: String) {
            self.id = id; self.organizationId = organizationId; self.serviceId = serviceId; self.name = name
        }
    }

    struct Accessibility: Encodable {
        var id: String
        var locationId: String
        var description: String
    }

    struct Taxonomy: Encodable {
        var id: String
        var name: String
        var description: String
        var version: String
    }

    struct TaxonomyTerm: Encodable {
        var id: String
        var code: String
        var name: String
        var description: String
        var taxonomy: String
        var taxonomyId: String
        var language: String
    }

    struct Attribute: Encodable {
        var id: String
        var linkId: String
        var taxonomyTermId: String
        var linkType: String
        var linkEntity: String
    }
}
