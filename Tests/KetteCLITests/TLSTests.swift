import Foundation
import KetteTestSupport
import XCTest

/// A throw-away PKI made with the openssl command line: a county CA, a server certificate it
/// issued for 127.0.0.1 and localhost, one it issued for another host, and an unrelated CA.
struct TestCertificates {
    let directory: URL
    var countyCA: String { path("county-ca.pem") }
    var otherCA: String { path("other-ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var wrongHostCertificate: String { path("wrong-host.pem") }
    var wrongHostKey: String { path("wrong-host.key") }

    init(in directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try makeCA("county-ca", subject: "/O=Landkreis Test/CN=Kreis-CA")
        try makeCA("other-ca", subject: "/O=Someone Else/CN=Other CA")
        try issue("server", subject: "/CN=127.0.0.1", altNames: "IP:127.0.0.1,DNS:localhost")
        try issue("wrong-host", subject: "/CN=kreis.example", altNames: "DNS:kreis.example")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func makeCA(_ name: String, subject: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path(name + ".key"),
                     "-out", path(name + ".pem"), "-days", "3650", "-subj", subject])
    }

    private func issue(_ name: String, subject: String, altNames: String) throws {
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path(name + ".key"),
                     "-out", path(name + ".csr"), "-subj", subject])
        try "subjectAltName=\(altNames)\n".write(toFile: path(name + ".ext"), atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", path(name + ".csr"), "-CA", countyCA, "-CAkey", path("county-ca.key"),
                     "-CAcreateserial", "-out", path(name + ".pem"), "-days", "3650", "-extfile", path(name + ".ext")])
        chmod(path(name + ".key"), 0o600)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): \(text)"])
        }
    }
}

/// HTTPS end to end: `kette-server serve --tls-cert --tls-key` and `kette remote … --cacert`.
final class TLSTests: ServerTestCase {
    var certificates: TestCertificates!
    var token: String { tokens["anna"]! }

    override func setUpWithError() throws {
        try super.setUpWithError()
        certificates = try TestCertificates(in: runner.root.appendingPathComponent("pki"))
        try makeServer(users: [.coordinator("anna", "nordstadt")])
    }

    func startHTTPS(certificate: String? = nil, key: String? = nil) throws {
        try server.start(extraArguments: ["--tls-cert", certificate ?? certificates.serverCertificate,
                                          "--tls-key", key ?? certificates.serverKey])
    }

    /// Records an organization (the county-wide register needs no district from the server yet)
    /// and returns how many change sets wait for the sync.
    @discardableResult
    func recordOffline() throws -> Int {
        ok("init", "--name", "Anna")
        ok("org", "add", "Familienzentrum Regenbogen", "--sector", "free-providers")
        return try pendingChangeSets()
    }

    func sqliteCount(_ sql: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [server.database, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testSyncOverHTTPSWithTheCountysOwnCA() throws {
        try startHTTPS()
        XCTAssertTrue((try? String(contentsOfFile: server.logPath, encoding: .utf8))?.contains("https://127.0.0.1:") == true)
        let pending = try recordOffline()
        XCTAssertGreaterThan(pending, 0)
        ok("remote", "https://127.0.0.1:\(server.port)", "--token", token, "--cacert", certificates.countyCA)
        ok("sync")
        XCTAssertEqual(try pendingChangeSets(), 0)
        XCTAssertEqual(try sqliteCount("SELECT count(*) FROM change_sets WHERE user_name = 'anna'"), pending)
        // The host name in the certificate is checked, not only the chain: localhost is in it too.
        ok("remote", "https://localhost:\(server.port)", "--token", token, "--cacert", certificates.countyCA)
        ok("sync")

        // Plain HTTP to the HTTPS port gets no answer a client could mistake for the API.
        ok("remote", "http://127.0.0.1:\(server.port)", "--token", token)
        ok("offer", "add", "--title", "Hausaufgabenhilfe", "--district", "nordstadt")
        let plain = kette("sync")
        XCTAssertEqual(plain.exitCode, 3, "\(plain)")
        XCTAssertEqual(try pendingChangeSets(), 1, "the change waits for the next sync")
    }

    func testACertificateFromAnotherAuthorityIsRefusedClearlyAndNothingIsSent() throws {
        try startHTTPS()
        let pending = try recordOffline()
        for trust in [nil, certificates.otherCA] {
            var arguments = ["remote", "https://127.0.0.1:\(server.port)", "--token", token]
            if let trust { arguments += ["--cacert", trust] }
            ok(arguments)
            let refused = kette("sync")
            XCTAssertEqual(refused.exitCode, 3, "\(refused)")
            XCTAssertTrue(refused.stderr.contains("certificate is not trusted"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains("--cacert"), "the message says how to trust a county CA: \(refused.stderr)")
            XCTAssertEqual(try pendingChangeSets(), pending)
        }
        XCTAssertEqual(try sqliteCount("SELECT count(*) FROM change_sets WHERE user_name = 'anna'"), 0)

        runner.language = "de_DE.UTF-8"
        let german = kette("sync")
        XCTAssertEqual(german.exitCode, 3)
        XCTAssertTrue(german.stderr.contains("Zertifikat"), german.stderr)
    }

    func testACertificateForAnotherHostIsRefused() throws {
        try startHTTPS(certificate: certificates.wrongHostCertificate, key: certificates.wrongHostKey)
        try recordOffline()
        ok("remote", "https://127.0.0.1:\(server.port)", "--token", token, "--cacert", certificates.countyCA)
        let refused = kette("sync")
        XCTAssertEqual(refused.exitCode, 3, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("not valid for this host name"), refused.stderr)
        XCTAssertEqual(try sqliteCount("SELECT count(*) FROM change_sets WHERE user_name = 'anna'"), 0)
    }

    func testServeNamesWhatIsWrongWithTheCredentials() throws {
        func serve(_ extra: [String]) -> (Int32, String) {
            let process = Process()
            process.executableURL = server.binary
            process.arguments = ["serve", "--db", server.database, "--port", "0"] + extra
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try? process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let cases: [([String], String)] = [
            (["--tls-cert", certificates.serverCertificate], "go together"),
            (["--tls-cert", certificates.serverCertificate, "--tls-key", certificates.wrongHostKey], "does not belong to the certificate"),
            (["--tls-cert", certificates.path("missing.pem"), "--tls-key", certificates.serverKey], "cannot read"),
            (["--tls-cert", certificates.serverKey, "--tls-key", certificates.serverKey], "no PEM certificate"),
            (["--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverCertificate], "no PEM private key"),
        ]
        for (arguments, expected) in cases {
            let (status, message) = serve(arguments)
            XCTAssertEqual(status, 1, "\(arguments): \(message)")
            XCTAssertTrue(message.contains(expected), "\(arguments): \(message)")
        }
    }
}
