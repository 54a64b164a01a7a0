import KetteMessages
import KetteProtocol
import KetteStore

/// How people's input becomes the fields of contacts, body members and agreements.
enum NetworkRules {
    static let contact: [FieldRule] = [
        .text("name", required: true), .reference("organization", .organization), .text("role"), .text("phone"), .email("email"),
        .vocabulary("consent", PublicationConsent.self),
    ]
    static let member: [FieldRule] = [
        .reference("organization", .organization), .vocabulary("sector", Sector.self), .text("person"), .reference("contact", .contact),
        .text("role"),
    ]
    static let agreement: [FieldRule] = [
        .text("title", required: true), .vocabulary("kind", AgreementKind.self, required: true), .references("parties", .organization),
        .reference("body", .body), .reference("district", .district), .date("signed"), .date("review"), .text("summary"),
        .text("reference"),
    ]
}

extension FieldRule {
    /// An e-mail address: something before and after one `@`, no spaces.
    static func email(_ field: String) -> FieldRule {
        FieldRule(field: field, required: false) { text, _, _ in
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !text.contains(where: \.isWhitespace) else {
                throw KetteError.malformedValue(field: FieldText.named(field), value: text, expected: PlanningText.expectedEmail.text)
            }
            return .string(text)
        }
    }
}

/// The network: contacts (a register like the organizations), who sits in which body, and the
/// agreements partners signed.
extension LocalStore {
    // MARK: Contacts

    public func addContact(_ input: RecordInput, language: Language) throws -> String {
        try addRecord(.contact, try fieldValues(NetworkRules.contact, input, creating: true, language: language), summary: "contact add")
    }

    public func editContact(_ reference: String, _ input: RecordInput, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .contact, in: database, language: language)
        return try editRecord(.contact, id: id, try fieldValues(NetworkRules.contact, input, creating: false, language: language),
                              summary: "contact edit")
    }

    /// A contact's name and organization's name, to copy into the minutes (an attendee, an owner):
    /// minutes keep what was true that day when the register changes later.
    func contactForMinutes(_ reference: String, language: Language) throws -> (id: String, name: String, organization: String?, role: String?) {
        let id = try Resolver.resolve(reference, as: .contact, in: database, language: language)
        let row = try database.firstRow("""
            SELECT c.name, o.name AS organization, c.role FROM contacts c LEFT JOIN organizations o ON o.id = c.organization WHERE c.id = ?
            """, [id])
        return (id, row?.string("name") ?? "", row?.string("organization"), row?.string("role"))
    }

    // MARK: Body members

    /// Adds a member to a body: an organization, the sector it stands for (by default the
    /// organization's) and the person who sits there (by default the contact's name).
    public func addMember(body reference: String, _ input: RecordInput, language: Language) throws -> String {
        let body = try Resolver.resolve(reference, as: .body, in: database, language: language)
        var fields = try fieldValues(NetworkRules.member, input, creating: true, language: language)
        if case .string(let contact)? = fields.value(of: "contact") {
            let row = try database.firstRow("SELECT name, organization FROM contacts WHERE id = ?", [contact])
            fields.setDefault("person", row?.string("name").map(FieldValue.string))
            fields.setDefault("organization", row?.string("organization").map(FieldValue.string))
        }
        if case .string(let organization)? = fields.value(of: "organization") {
            fields.setDefault("sector", try database.scalarString("SELECT sector FROM organizations WHERE id = ?", [organization]).map(FieldValue.string))
        }
        guard fields.value(of: "organization") != nil || fields.value(of: "person") != nil else {
            throw KetteError.missingValue(field: PlanningText.memberWho.text)
        }
        fields.append(("body", .string(body)))
        return try addRecord(.member, fields, summary: "body member add")
    }

    // MARK: Agreements

    /// Records an agreement; its district defaults to that of its body.
    public func addAgreement(_ input: RecordInput, language: Language) throws -> String {
        var fields = try fieldValues(NetworkRules.agreement, input, creating: true, language: language)
        if case .string(let body)? = fields.value(of: "body"), input["district"] == nil {
            fields.setDefault("district", try database.scalarString("SELECT district FROM bodies WHERE id = ?", [body]).map(FieldValue.string))
        }
        return try addRecord(.agreement, fields, summary: "agreement add")
    }

    public func editAgreement(_ reference: String, _ input: RecordInput, language: Language) throws -> String {
        let id = try Resolver.resolve(reference, as: .agreement, in: database, language: language)
        return try editRecord(.agreement, id: id, try fieldValues(NetworkRules.agreement, input, creating: false, language: language),
                              summary: "agreement edit")
    }
}
