import Foundation
import KetteMessages

/// The server a store syncs with and the token it uses, kept in `remote.json` beside the store,
/// readable only by its owner (mode 0600): the token is a password.
public struct RemoteConfiguration: Codable, Equatable, Sendable {
    public static let fileName = "remote.json"

    public var url: String
    public var token: String
    /// A CA certificate (PEM) to trust, for a municipality's own certificate authority.
    public var caCertificate: String?

    public init(url: String, token: String, caCertificate: String?) {
        self.url = url
        self.token = token
        self.caCertificate = caCertificate
    }

    /// Checks the URL and token people type; the message says what is accepted.
    public static func validated(url: String, token: String, caCertificate: String?) throws -> RemoteConfiguration {
        var url = url.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else {
            throw KetteError.malformedValue(field: FieldText.url.text, value: url, expected: InputText.expectedURL.text)
        }
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.count <= 200, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw KetteError.malformedValue(field: FieldText.token.text, value: token.isEmpty ? "" : "…", expected: InputText.expectedToken.text)
        }
        if let caCertificate, !FileManager.default.isReadableFile(atPath: caCertificate) {
            throw KetteError.unreadableFile(path: caCertificate, reason: InputText.noSuchFile.text)
        }
        return RemoteConfiguration(url: url, token: token, caCertificate: caCertificate)
    }

    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    public static func load(from directory: String) throws -> RemoteConfiguration? {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(RemoteConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw KetteError.unreadableFile(path: path, reason: InputText.remoteUnreadable.with(["reason": error.localizedDescription]))
        }
    }

    /// Writes the file with mode 0600 from the start: the token is never readable by others,
    /// not even for a moment.
    public func save(in directory: String) throws {
        let path = Self.path(in: directory)
        let temporary = path + ".tmp"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw KetteError.storeUnwritable(directory: directory, reason: .verbatim(String(cString: strerror(errno)))) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw KetteError.storeUnwritable(directory: directory, reason: .verbatim(String(cString: strerror(errno))))
        }
    }
}
