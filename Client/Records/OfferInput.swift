import KetteProtocol

/// What a person gave for an offer, as typed: nil means "not given" (on edit: leave as it is),
/// an empty text clears an optional field.
public struct OfferInput: Sendable {
    public var title: String?
    public var district: String?
    public var phases: String?
    public var category: String?
    public var sector: String?
    public var provider: String?
    public var description: String?
    public var status: String?
    public var contact: String?
    public var location: String?
    public var cost: String?
    public var languages: String?
    public var targetGroups: String?
    public var schedule: String?
    public var accessibility: String?
    public var start: String?
    public var end: String?

    public init() {}

    public var isEmpty: Bool {
        [title, district, phases, category, sector, provider, description, status, contact, location, cost,
         languages, targetGroups, schedule, accessibility, start, end].allSatisfy { $0 == nil }
    }
}

/// A meeting as typed on the command line.
public struct MeetingInput: Sendable {
    public var body: String?
    public var date: String?
    public var time: String?
    public var place: String?
    public var minutes: String?
    /// "Name; Organization; Role", organization and role optional.
    public var attendees: [String] = []
    /// Attendees from the contact register (id or name): their name, organization and role are
    /// copied into the minutes, with a reference to the contact.
    public var attendeeContacts: [String] = []
    public var offers: [String] = []
    public init() {}

    public var isEmpty: Bool {
        [body, date, time, place, minutes].allSatisfy { $0 == nil } && attendees.isEmpty && attendeeContacts.isEmpty && offers.isEmpty
    }
}
