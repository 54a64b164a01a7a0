import Foundation
import KetteClient
import KetteStore
import KetteTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12.9: every file that holds personal data is created 0600 whatever the umask, and a file
/// found more open gets a warning at start, in English and German. Real binaries, umask 022 (the
/// usual default, under which SQLite made everything 0644).
final class FilePermissionTests: KetteCLITestCase {
    private var server: ServerProcess!
    private var savedUmask: mode_t = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        // Children inherit the umask: the binaries run under 022 as on a default system.
        savedUmask = umask(0o022)
        server = ServerProcess(directory: runner.root)
    }

    override func tearDown() {
        server?.kill()
        server = nil
        umask(savedUmask)
        super.tearDown()
    }

    private func mode(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            XCTFail("\(path) does not exist", file: file, line: line)
            return nil
        }
        return status.st_mode & 0o777
    }

    private func assertPrivate(_ paths: [String], file: StaticString = #filePath, line: UInt = #line) {
        for path in paths {
            guard let mode = mode(path, file: file, line: line) else { continue }
            XCTAssertEqual(String(mode, radix: 8), "600", "\(path) must be readable by its owner only", file: file, line: line)
        }
    }

    /// The minutes handed to `$EDITOR` name people: their temporary file is private too.
    func testTheMinutesGivenToTheEditorAreInAPrivateFile() throws {
        _ = makeFixture()
        let id = ok("meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--minutes", "Anna Schmidt berichtet.")
        let seen = runner.root.appendingPathComponent("editor-saw-mode.txt").path
        let editor = runner.root.appendingPathComponent("editor.sh").path
        try "#!/bin/sh\nstat -c %a \"$1\" > '\(seen)'\n".write(toFile: editor, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(editor, 0o755), 0)
        XCTAssertEqual(ok(["meeting", "edit", id, "--minutes"], env: ["EDITOR": editor]), "Minutes unchanged.")
        XCTAssertEqual(try String(contentsOfFile: seen, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "600")
    }

    func testServerDatabaseWithWALShmAndAuditFilesIsCreatedPrivate() throws {
        let token = try server.admin(["user", "add", "kreis", "--role", "county"])
        try server.start()
        // The running server holds the database open: its -wal and -shm exist now.
        ok("init", "--name", "Kreis")
        ok("remote", server.url, "--token", token)
        ok("org", "add", "Jugendamt")
        ok("sync")
        let database = server.database
        assertPrivate([database, database + "-wal", database + "-shm", database + ".audit-key", database + ".audit-head"])
    }

    func testClientStoreWithWALShmAndExportsAreCreatedPrivate() throws {
        ok("init", "--name", "Anna Schulz")
        ok("org", "add", "Jugendamt", "--contact", "Frau Weber")
        assertPrivate([runner.databasePath])
        // -wal and -shm exist while the store is open; SQLite makes them with the store's mode.
        let store = try LocalStore(directory: runner.home.path)
        try store.record("probe") { change in try change.set(.organization, store.newID(), "name", .string("Kita Nord")) }
        assertPrivate([runner.databasePath, runner.databasePath + "-wal", runner.databasePath + "-shm"])
        withExtendedLifetime(store) {}

        let exports = runner.root.appendingPathComponent("export").path
        ok("export", "csv", "--out", exports)
        let files = try FileManager.default.contentsOfDirectory(atPath: exports)
        XCTAssertFalse(files.isEmpty)
        assertPrivate(files.map { (exports as NSString).appendingPathComponent($0) })
    }

    func testAFileMoreOpenThan0600IsWarnedAboutAtStartInEnglishAndGerman() throws {
        ok("init", "--name", "Anna Schulz")
        XCTAssertEqual(chmod(runner.databasePath, 0o644), 0)
        let english = kette("org", "list")
        XCTAssertEqual(english.exitCode, 0, "\(english)")
        XCTAssertTrue(english.stderr.contains("warning: \(runner.databasePath) holds personal data but other users may read it (mode 644)"),
                      english.stderr)
        XCTAssertTrue(english.stderr.contains("chmod 600"), english.stderr)
        let german = kette("org", "list", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertTrue(german.stderr.contains("Warnung: \(runner.databasePath) enthält personenbezogene Daten"), german.stderr)

        try server.admin(["district", "add", "nordstadt", "Nordstadt"])
        XCTAssertEqual(chmod(server.database, 0o640), 0)
        let listing = try server.run(["district", "list", "--db", server.database], language: "de_DE.UTF-8")
        XCTAssertTrue(listing.errors.contains("Warnung: \(server.database) enthält personenbezogene Daten"), listing.errors)
        XCTAssertTrue(listing.errors.contains("Modus 640"), listing.errors)
        try server.start()
        let log = try String(contentsOfFile: server.logPath + ".err", encoding: .utf8)
        XCTAssertTrue(log.contains("warning: \(server.database) holds personal data"), log)
        // A private file draws no warning.
        XCTAssertEqual(chmod(runner.databasePath, 0o600), 0)
        XCTAssertEqual(kette("org", "list").stderr, "")
    }
}
