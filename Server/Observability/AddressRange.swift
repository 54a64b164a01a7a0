#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of IP addresses written as a CIDR (`10.0.0.0/8`, `2001:db8::/32`, or one address), for
/// `--metrics-allow`. An IPv4 client reaching a server bound to `::` arrives as `::ffff:a.b.c.d`
/// and is matched as the IPv4 address it is.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's bytes (4 or 16) and how many leading bits must match.
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Nil when `text` is not an address, or the prefix is longer than the address.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        let length: Int
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bytes.count * 8).contains(given), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = given
        } else {
            length = bytes.count * 8
        }
        network = bytes
        prefixLength = length
        description = parts.count == 2 ? text : "\(text)/\(length)"
    }

    /// Whether the client address `text` (as the HTTP layer gives it) lies in this range.
    public func contains(_ text: String) -> Bool {
        guard var address = Self.bytes(of: text) else { return false }
        if address.count == 16, network.count == 4, address.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            address = Array(address.suffix(4))
        }
        guard address.count == network.count else { return false }
        for bit in 0..<prefixLength where (address[bit / 8] ^ network[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 {
            return false
        }
        return true
    }

    /// The address's bytes in network order, or nil when it is neither IPv4 nor IPv6.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
