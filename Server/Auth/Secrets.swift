import CMicroHTTPD

/// Random tokens and their hashes, from GnuTLS (no CryptoKit on Linux).
public enum Secrets {
    /// A new API token: "kette_" and 32 random bytes (256 bits) as hex.
    public static func newToken() -> String {
        "kette_" + hex(randomBytes(32))
    }

    /// The SHA-256 of `text` as lowercase hex: how tokens are stored and looked up.
    public static func sha256Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let input = Array(text.utf8)
        let result = input.withUnsafeBytes { source in
            digest.withUnsafeMutableBytes { gnutls_hash_fast(GNUTLS_DIG_SHA256, source.baseAddress, source.count, $0.baseAddress) }
        }
        precondition(result == 0, "GnuTLS could not hash (\(result))")
        return hex(digest)
    }

    /// The HMAC-SHA-256 of `message` under `key`: what chains the audit log (see `AuditLog`).
    public static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                digest.withUnsafeMutableBytes {
                    gnutls_hmac_fast(GNUTLS_MAC_SHA256, keyBytes.baseAddress, keyBytes.count, messageBytes.baseAddress, messageBytes.count, $0.baseAddress)
                }
            }
        }
        precondition(result == 0, "GnuTLS could not compute an HMAC (\(result))")
        return digest
    }

    /// `count` random bytes from GnuTLS's key-grade generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { gnutls_rnd(GNUTLS_RND_KEY, $0.baseAddress, $0.count) }
        precondition(result == 0, "GnuTLS could not produce random bytes (\(result))")
        return bytes
    }

    /// Compares two strings in time that depends only on their length, not on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
