import KetteClient
import KetteProtocol

/// Fills a local store with a plausible county: districts, providers, offers, bodies, meetings
/// with minutes, agenda items, decisions and action items, all through the normal write path.
struct CountyGenerator {
    var random: SeededGenerator
    let store: LocalStore

    static let districtNames = ["Nordstadt", "Südstadt", "Weststadt", "Oststadt", "Altstadt", "Neustadt", "Hafenviertel",
                                "Bahnhofsviertel", "Am Rosenhügel", "Lindenau", "Eichenkamp", "Mühlental", "Birkenfeld",
                                "Sonnenberg", "Kirchdorf", "Wiesental", "Auenfeld", "Bergheim", "Talheim", "Waldstetten"]
    static let topics = ["Sprachförderung", "Elterncafé", "Hebammensprechstunde", "Familienpatenschaft", "Hausaufgabenhilfe",
                         "Bewegungsangebot", "Erziehungsberatung", "Jugendtreff", "Bewerbungstraining", "Schwimmkurs",
                         "Lesepatenschaft", "Babymassage", "Krabbelgruppe", "Ferienprogramm", "Schulsozialarbeit",
                         "Berufsorientierung", "Ernährungsberatung", "Medienkompetenz", "Mädchentreff", "Vätergruppe"]
    static let audiences = ["für Familien", "für Alleinerziehende", "für neu Zugewanderte", "im Quartier", "an der Grundschule",
                            "in der Kita", "für Jugendliche", "für werdende Eltern", "am Familienzentrum", "mit Dolmetschung"]
    static let providerKinds = ["freier Träger", "Kita", "Grundschule", "Gesundheitsamt", "Jugendamt", "Verein", "Familienzentrum"]
    static let people = ["Petra Müller", "Ali Öztürk", "Jana Schäfer", "Mehmet Yılmaz", "Sabine Krüger", "Thomas Weiß",
                         "Aylin Demir", "Jörg Hoffmann", "Katarzyna Nowak", "Lena Fuchs", "Uwe Bäcker", "Olga Petrenko"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func number(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// Creates the county in one store: districts, organizations, offers and meetings; returns
    /// the district ids.
    mutating func generate(districts districtCount: Int, organizations: Int, offers: Int, meetings: Int,
                           progress: (String) -> Void) throws -> [String] {
        var districts: [String] = []
        for index in 0..<districtCount {
            districts.append(try store.addDistrict(name: Self.districtName(index), id: "d\(index + 1)", parent: nil, language: .english))
        }
        let providers = try addOrganizations(organizations)
        progress("districts and organizations")
        for index in 0..<offers {
            _ = try addOffer(district: pick(districts), providers: providers)
            if (index + 1) % 5_000 == 0 { progress("\(index + 1) offers") }
        }
        var bodies: [String] = []
        for (index, district) in districts.enumerated() {
            bodies.append(try store.addBody(name: "Sozialraumgruppe \(index + 1)", level: "working", district: district, language: .english))
        }
        bodies.append(try store.addBody(name: "Steuerungsgruppe Präventionskette", level: "steering", district: nil, language: .english))
        bodies.append(try store.addBody(name: "Netzwerk Frühe Hilfen", level: "network", district: nil, language: .english))
        for index in 0..<meetings {
            try addMeeting(index: index, bodies: bodies)
            if (index + 1) % 1_000 == 0 { progress("\(index + 1) meetings") }
        }
        return districts
    }

    /// Fills a coordinator's store with the records of their districts (which the store already
    /// knows from a first sync) until its outbox holds at least `changes` field changes: offers,
    /// and for every four offers a meeting with minutes, agenda items, a decision and a task.
    mutating func generate(changes target: Int, districts: [String], progress: (String) -> Void) throws {
        let providers = try addOrganizations(5)
        var bodies: [String] = []
        for district in districts {
            bodies.append(try store.addBody(name: "Sozialraumgruppe \(district)", level: "working", district: district, language: .english))
        }
        var made = 0
        var count = try Outbox.pendingChanges(in: store.database)
        while count < target {
            _ = try addOffer(district: pick(districts), providers: providers)
            made += 1
            if made % 4 == 0 { try addMeeting(index: made, bodies: bodies) }
            if made % 10 == 0 {
                count = try Outbox.pendingChanges(in: store.database)
                if made % 5_000 == 0 { progress("\(count) changes") }
            }
        }
    }

    static func districtName(_ index: Int) -> String {
        let base = districtNames[index % districtNames.count]
        return index < districtNames.count ? base : "\(base) \(index / districtNames.count + 1)"
    }

    private mutating func addOrganizations(_ count: Int) throws -> [String] {
        var providers: [String] = []
        for index in 0..<count {
            providers.append(try store.addOrganization(name: "\(pick(Self.providerKinds)) \(index + 1)", kind: pick(Self.providerKinds),
                                                       sector: pick(Sector.slugs), contact: nil, language: .english))
        }
        return providers
    }

    private mutating func addOffer(district: String, providers: [String]) throws -> String {
        var input = OfferInput()
        input.title = "\(pick(Self.topics)) \(pick(Self.audiences))"
        input.district = district
        input.phases = (0..<number(1...2)).map { _ in pick(LifePhase.slugs) }.joined(separator: ",")
        input.category = pick(OfferCategory.slugs)
        input.sector = pick(Sector.slugs)
        input.provider = pick(providers)
        input.status = pick(["active", "active", "active", "planned", "ended"])
        input.cost = pick(["free", "free", "paid"])
        input.languages = pick(["de", "de,tr", "de,ar", "de,en,uk", "de,ru"])
        input.location = "\(pick(Self.districtNames))straße \(number(1...120))"
        input.description = "\(pick(Self.topics)) und \(pick(Self.topics)) \(pick(Self.audiences)); Kontakt über \(pick(Self.people))."
        return try store.addOffer(input, language: .english)
    }

    private mutating func addMeeting(index: Int, bodies: [String]) throws {
        var input = MeetingInput()
        input.body = pick(bodies)
        input.date = String(format4: 2020 + index % 7) + "-" + String(format2: number(1...12)) + "-" + String(format2: number(1...28))
        input.time = "\(String(format2: number(8...17))):\(pick(["00", "15", "30", "45"]))"
        input.place = "Rathaus, Raum \(number(1...20))"
        input.attendees = (0..<number(3...8)).map { _ in "\(pick(Self.people)); \(pick(Self.providerKinds)); Fachkraft" }
        input.minutes = "Bestandsaufnahme: \(pick(Self.topics)) \(pick(Self.audiences)). Bedarf an \(pick(Self.topics)) festgestellt."
        let meeting = try store.addMeeting(input, language: .english)
        for item in 0..<3 {
            _ = try store.addAgendaItem(meeting: meeting, title: "TOP \(item + 1): \(pick(Self.topics))",
                                        notes: "Diskussion zu \(pick(Self.topics)) \(pick(Self.audiences))", language: .english)
        }
        _ = try store.addDecision(meeting: meeting, text: "\(pick(Self.topics)) wird ausgebaut", language: .english)
        _ = try store.addTask(meeting: meeting, text: "\(pick(Self.topics)) vorbereiten", owner: pick(Self.people),
                              due: "2026-\(String(format2: number(1...12)))-15", language: .english)
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    init(format4 value: Int) { self = "\(value)" }
}
