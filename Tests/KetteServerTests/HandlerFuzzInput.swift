import Foundation
import KetteProtocol
import KetteServer

// Shared by the libFuzzer target (Fuzz/Handler, compiled together with this file by
// Fuzz/build.sh) and by `HandlerCorpusTests`, which replays the kept corpus in the normal run.

/// A real `ServerStore` on a temporary SQLite file with two districts and three users, and the
/// API in front of it.
final class HandlerFuzzFixture: @unchecked Sendable {
    // @unchecked: built once, read-only afterwards; the store and API are thread-safe.
    let api: SyncAPI
    /// Placeholder in an input → the user's real token.
    let tokens: [String: String]
    let directory: URL

    init(log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kette-fuzz-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try ServerStore(path: directory.appendingPathComponent("server.db").path)
        try store.addDistrict(id: "nordstadt", name: "Nordstadt")
        try store.addDistrict(id: "suedstadt", name: "Südstadt")
        tokens = [
            "$ANNA": try store.addUser(name: "anna", role: .coordinator, districts: ["nordstadt"]),
            "$KREIS": try store.addUser(name: "kreis", role: .county, districts: []),
            "$ADMIN": try store.addUser(name: "admin", role: .admin, districts: []),
        ]
        api = SyncAPI(storage: store, log: log)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// How a fuzz input becomes a request, and what counts as a wrong answer.
///
/// An input is an HTTP-like text, so that the corpus is readable and mutations stay near real
/// requests:
///
///     METHOD PATH[?QUERY]
///     Header: value
///     …
///     (empty line)
///     body bytes
///
/// `$ANNA`, `$KREIS` and `$ADMIN` in a header value become the users' tokens, so pushes and pulls
/// with valid tokens are reached. An input without an empty line is all head.
enum HandlerFuzzInput {
    static func request(from bytes: [UInt8], tokens: [String: String]) -> HTTPRequest {
        var headEnd = bytes.count
        var bodyStart = bytes.count
        if bytes.count >= 2 {
            for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
                headEnd = index
                bodyStart = index + 2
                break
            }
        }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.isEmpty ? "" : lines.removeFirst()
        let parts = requestLine.split(separator: " ", maxSplits: 1).map(String.init)
        let method = parts.first ?? ""
        let target = parts.count > 1 ? parts[1] : "/"
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var query: [String: String] = [:]
        if pathAndQuery.count > 1 {
            for pair in pathAndQuery[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(keyValue[0])] = keyValue.count > 1 ? String(keyValue[1]) : ""
            }
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            for (placeholder, token) in tokens { value = value.replacingOccurrences(of: placeholder, with: token) }
            headers[String(line[..<colon]).lowercased()] = value
        }
        return HTTPRequest(method: method, path: pathAndQuery.first ?? "/", query: query, headers: headers,
                           body: Array(bytes[bodyStart...]), remoteAddress: "127.0.0.1")
    }

    /// What is wrong with the handler's answer, or nil: a status outside 200...599, a 500 (an
    /// error the handler did not expect) or a body that is not JSON.
    static func problem(with response: HTTPResponse) -> String? {
        guard (200...599).contains(response.status), response.status != 500 else {
            return "status \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))"
        }
        if !response.body.isEmpty, (try? JSONSerialization.jsonObject(with: Data(response.body))) == nil {
            return "status \(response.status) with a body that is not JSON: \(String(decoding: response.body.prefix(300), as: UTF8.self))"
        }
        return nil
    }
}
