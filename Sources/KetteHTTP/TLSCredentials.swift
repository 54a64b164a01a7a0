import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The certificate chain and private key the server presents for HTTPS, both PEM.
///
/// Checked with GnuTLS when made, so a wrong file is named at start-up with GnuTLS's reason
/// instead of libmicrohttpd failing later without one.
public struct TLSCredentials: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) throws(TLSCredentialsError) {
        guard certificatePEM.contains("-----BEGIN CERTIFICATE-----") else { throw .notACertificate }
        guard privateKeyPEM.contains("PRIVATE KEY-----") else { throw .notAPrivateKey }
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        try Self.checkPair(certificatePEM, privateKeyPEM)
    }

    /// Reads both files; the message names the file that is missing or wrong.
    public static func load(certificatePath: String, privateKeyPath: String) throws(TLSCredentialsError) -> TLSCredentials {
        let certificate = try read(certificatePath)
        let key = try read(privateKeyPath)
        do {
            return try TLSCredentials(certificatePEM: certificate, privateKeyPEM: key)
        } catch {
            switch error {
            case .notACertificate: throw .invalidFile(certificatePath, "no PEM certificate (\"-----BEGIN CERTIFICATE-----\") in it")
            case .notAPrivateKey: throw .invalidFile(privateKeyPath, "no PEM private key (\"-----BEGIN … PRIVATE KEY-----\") in it")
            default: throw error
            }
        }
    }

    private static func read(_ path: String) throws(TLSCredentialsError) -> String {
        guard let file = fopen(path, "rb") else { throw .unreadable(path, String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count { break }
            // A certificate chain is a few KiB; a huge file is the wrong file.
            if bytes.count > 1 << 20 { throw .invalidFile(path, "larger than 1 MiB, not a PEM file") }
        }
        guard ferror(file) == 0 else { throw .unreadable(path, "read error") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Loads the pair into a throw-away GnuTLS credential: this parses both and checks that the
    /// key belongs to the certificate.
    private static func checkPair(_ certificate: String, _ key: String) throws(TLSCredentialsError) {
        guard MHD_is_feature_supported(.FEATURE_TLS) == .YES else { throw .unsupported }
        var credentials: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&credentials) == GNUTLS_E_SUCCESS else { throw .rejected("out of memory") }
        defer { gnutls_certificate_free_credentials(credentials) }
        var certificateBytes = Array(certificate.utf8)
        var keyBytes = Array(key.utf8)
        defer { for index in keyBytes.indices { keyBytes[index] = 0 } }
        let result = certificateBytes.withUnsafeMutableBufferPointer { certificateBuffer in
            keyBytes.withUnsafeMutableBufferPointer { keyBuffer in
                var certificateDatum = gnutls_datum_t(data: certificateBuffer.baseAddress, size: UInt32(certificateBuffer.count))
                var keyDatum = gnutls_datum_t(data: keyBuffer.baseAddress, size: UInt32(keyBuffer.count))
                return gnutls_certificate_set_x509_key_mem(credentials, &certificateDatum, &keyDatum, GNUTLS_X509_FMT_PEM)
            }
        }
        guard result >= 0 else {
            if result == GNUTLS_E_CERTIFICATE_KEY_MISMATCH { throw .keyMismatch }
            throw .rejected(String(cString: gnutls_strerror(result)))
        }
    }
}

/// Why the HTTPS credentials cannot be used.
public enum TLSCredentialsError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String, String)
    case invalidFile(String, String)
    case notACertificate
    case notAPrivateKey
    case keyMismatch
    case rejected(String)
    case unsupported

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidFile(let path, let reason):
            return "\(path) is not usable for HTTPS: \(reason)"
        case .notACertificate:
            return "the certificate is not PEM (\"-----BEGIN CERTIFICATE-----\")"
        case .notAPrivateKey:
            return "the private key is not PEM (\"-----BEGIN … PRIVATE KEY-----\")"
        case .keyMismatch:
            return "the private key does not belong to the certificate (--tls-key must be the key the certificate was issued for)"
        case .rejected(let reason):
            return "GnuTLS cannot use the certificate and key: \(reason) (expected a PEM certificate chain and an unencrypted PEM private key)"
        case .unsupported:
            return "this libmicrohttpd was built without TLS support"
        }
    }
}
