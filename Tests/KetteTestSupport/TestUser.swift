import KetteProtocol

/// Someone a test server knows: a user name, a role and the districts of their scope.
public struct TestUser: Sendable {
    public let name: String
    public let role: Role
    public let districts: [String]

    public init(_ name: String, role: Role, districts: [String] = []) {
        self.name = name
        self.role = role
        self.districts = districts
    }

    /// A coordinator of the given districts.
    public static func coordinator(_ name: String, _ districts: String...) -> TestUser {
        TestUser(name, role: .coordinator, districts: districts)
    }

    /// The county office: reads and writes everything.
    public static func county(_ name: String) -> TestUser { TestUser(name, role: .county) }

    public static func admin(_ name: String) -> TestUser { TestUser(name, role: .admin) }

    /// The arguments of `kette-server user add` that make this user.
    var adminArguments: [String] {
        ["user", "add", name, "--role", role.rawValue] + districts.flatMap { ["--district", $0] }
    }
}

/// A district as tests make it: an id and a display name.
public struct TestDistrict: Sendable {
    public let id: String
    public let name: String

    public init(_ id: String, _ name: String) {
        self.id = id
        self.name = name
    }

    public static let nordstadt = TestDistrict("nordstadt", "Nordstadt")
    public static let suedstadt = TestDistrict("suedstadt", "Südstadt")
}
