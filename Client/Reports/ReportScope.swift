import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// The districts a report covers, and why those: exactly the districts the store can see.
///
/// A coordinator's store holds the county's list of districts (everyone reads it) but only her
/// districts' offers: a report over every district in the list would show the others as empty
/// cells, gaps that are not there. So a store that syncs covers the districts the server last
/// reported for the user (`GET /v1/me`, stored at every sync); a county office or admin, and a
/// store without a server, cover every district the store holds.
public struct ReportScope: Codable, Hashable, Sendable {
    public enum Basis: String, Codable, Sendable {
        /// No server: the store's own districts.
        case store
        /// The user's districts as the server last reported them.
        case user
        /// A county office or admin: every district.
        case county
        /// A server is set but has not told the store who the user is yet (no sync so far).
        case unknown
        /// One district asked for with `--district`.
        case chosen
    }

    public var basis: Basis
    /// By name.
    public var districts: [NamedReference]
    /// The user the server named, when it did.
    public var user: String?

    public func contains(_ district: String?) -> Bool {
        guard let district else { return false }
        return districts.contains { $0.id == district }
    }

    /// "Sozialräume (2): Nordstadt, Südstadt – Ihre laut letztem Sync" and the like: the header line.
    public func label(_ language: Language) -> String {
        let names = districts.isEmpty ? ReportTerms.noDistricts(language) : districts.map(\.name).joined(separator: ", ")
        let reason = switch basis {
        case .store: ReportTerms.scopeStore(language)
        case .user: ReportTerms.scopeUser(language, ["user": user ?? ReportTerms.scopeUnknownUser(language)])
        case .county: ReportTerms.scopeCounty(language)
        case .unknown: ReportTerms.scopeUnknown(language)
        case .chosen: ReportTerms.scopeChosen(language)
        }
        return ReportTerms.districts(language, ["count": String(districts.count), "names": names, "reason": reason])
    }
}

extension LocalStore {
    /// The districts reports cover (see `ReportScope`), narrowed to `district` when one is asked
    /// for; a district outside the scope is refused by name, like one that does not exist.
    public func reportScope(district: String? = nil, language: Language) throws -> ReportScope {
        let held = try districts().map { NamedReference(id: $0.id, name: $0.name) }
        var scope: ReportScope
        if let identity = try userScope() {
            scope = identity.role.seesEverything
                ? ReportScope(basis: .county, districts: held, user: identity.user)
                : ReportScope(basis: .user, districts: held.filter { identity.districts.contains($0.id) }, user: identity.user)
        } else {
            let hasServer = FileManager.default.fileExists(atPath: RemoteConfiguration.path(in: (path as NSString).deletingLastPathComponent))
            scope = ReportScope(basis: hasServer ? .unknown : .store, districts: held, user: nil)
        }
        guard let district else { return scope }
        let id = try Resolver.resolve(district, as: .district, in: database, language: language)
        guard let chosen = scope.districts.first(where: { $0.id == id }) else {
            throw KetteError.notFoundAmong(kind: FieldText.kind(.district), reference: district, known: scope.districts.map { "\($0.name) (\($0.id))" })
        }
        return ReportScope(basis: .chosen, districts: [chosen], user: scope.user)
    }
}
