import Foundation
import KetteStore
import KetteTestSupport
import XCTest

/// A store that cannot be read or written makes kette exit 4 with a message a person can act on,
/// and leaves nothing half-written.
final class StorageFailureTests: KetteCLITestCase {
    /// Commands that read or write, each of which must fail cleanly on a broken store.
    private let commands: [[String]] = [
        ["status"], ["status", "--json"], ["offer", "list"], ["search", "Kita"], ["task", "list"],
        ["offer", "add", "--title", "Neu", "--district", "nordstadt", "--phase", "preschool"],
        ["meeting", "add", "--body", "steuerungsgruppe", "--date", "2026-03-14", "--attendee", "Anna Müller", "--minutes", "x"],
        ["district", "add", "Weststadt"],
    ]

    /// A copy of the fixture's home whose kette.db holds `bytes`.
    private func brokenCopy(_ bytes: Data) throws -> URL {
        let copy = runner.root.appendingPathComponent("broken-home")
        try FileManager.default.copyItem(at: runner.home, to: copy)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(at: copy.appendingPathComponent("kette.db" + suffix)) }
        try bytes.write(to: copy.appendingPathComponent("kette.db"))
        return copy
    }

    private func assertEveryCommandExitsFour(home: URL, mentions english: String, german: String,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        let store = home.appendingPathComponent("kette.db")
        let bytes = try Data(contentsOf: store)
        let listing = try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()
        for command in commands {
            for (lang, message, prefix) in [("en_US.UTF-8", english, "kette: error: "), ("de_DE.UTF-8", german, "kette: Fehler: ")] {
                let result = runner.run(command, env: ["KETTE_HOME": home.path, "LANG": lang])
                XCTAssertEqual(result.exitCode, 4, "\(result)", file: file, line: line)
                if command.contains("--json") {
                    // Scripts get one error object on standard output (issue 14 item 6).
                    let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                    XCTAssertEqual(object?["exitCode"] as? Int, 4, "\(result)", file: file, line: line)
                    XCTAssertEqual(object?["code"] as? String, "storage", "\(result)", file: file, line: line)
                } else {
                    XCTAssertEqual(result.stdout, "", "\(result)", file: file, line: line)
                }
                XCTAssertTrue(result.stderr.hasPrefix(prefix) && result.stderr.contains(message), "\(result)", file: file, line: line)
                XCTAssertEqual(try Data(contentsOf: store), bytes, "`kette \(command.joined(separator: " "))` changed the broken store file",
                               file: file, line: line)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted(), listing,
                               "`kette \(command.joined(separator: " "))` left files behind", file: file, line: line)
            }
        }
    }

    func testAStoreFileOfGarbageExitsFourAndIsLeftUntouched() throws {
        _ = makeFixture()
        addOffer(title: "Sprachförderung")
        let statusBefore = ok("status", "--json")
        var garbage = Data("This is not a Kette store, just some text someone saved over it.\n".utf8)
        var generator = SystemRandomNumberGenerator()
        garbage += Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let broken = try brokenCopy(garbage)
        try assertEveryCommandExitsFour(home: broken, mentions: "not a valid Kette database", german: "keine gültige Kette-Datenbank")
        // The intact store next to it is unaffected.
        XCTAssertEqual(ok("status", "--json"), statusBefore)
    }

    func testAStoreWithCorruptPagesExitsFourAndIsLeftUntouched() throws {
        _ = makeFixture()
        for title in ["Sprachförderung", "Ballschule", "Elterncafé"] { addOffer(title: title, extra: ["--description", String(repeating: "Text ", count: 400)]) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: runner.databasePath))
        // Keep the 100-byte header of page 1, overwrite every later page: SQLite opens the file and
        // finds the damage when it reads the schema.
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        XCTAssertGreaterThan(bytes.count / pageSize, 2, "the fixture should span several pages")
        bytes.replaceSubrange(pageSize..<bytes.count, with: Data(repeating: 0x5A, count: bytes.count - pageSize))
        let broken = try brokenCopy(bytes)
        try assertEveryCommandExitsFour(home: broken, mentions: "damaged", german: "beschädigt")
    }

    func testALockedStoreExitsFourAndRecordsNothing() throws {
        _ = makeFixture()
        addOffer(title: "Sprachförderung")
        let statusBefore = ok("status", "--json")
        let snapshotBefore = try storeSnapshot()
        let command = ["offer", "add", "--title", "Ballschule", "--district", "nordstadt", "--phase", "primary", "--category", "sport",
                       "--provider", "Jugendamt Süd", "--languages", "de", "--cost", "free", "--description", "Bewegung für alle"]

        // Another program holds the write lock for longer than kette's busy timeout (5 s).
        var holder: Database? = try Database(path: runner.databasePath)
        try holder?.execute("BEGIN EXCLUSIVE TRANSACTION")
        let started = Date()
        let result = runner.run(command)
        let waited = Date().timeIntervalSince(started)
        try holder?.execute("ROLLBACK TRANSACTION")
        holder = nil

        XCTAssertEqual(result.exitCode, 4, "\(result)")
        XCTAssertEqual(result.stdout, "", "no id is printed for a record that was not saved: \(result)")
        XCTAssertTrue(result.stderr.hasPrefix("kette: error: the store is locked by another process; try again in a moment."), "\(result)")
        XCTAssertGreaterThan(waited, 4, "kette should wait for the lock (busy timeout 5 s) before giving up")
        XCTAssertLessThan(waited, 20, "kette should give up after its busy timeout")
        XCTAssertEqual(ok("status", "--json"), statusBefore, "a write refused for a lock must leave no trace")
        XCTAssertEqual(try storeSnapshot(), snapshotBefore)

        // Once the lock is gone the same command works: the lock, not the input, was the problem.
        let id = ok(command)
        XCTAssertTrue(isUUID(id), id)
        XCTAssertEqual(try status()["offers"] as? Int, 2)
    }

    func testAHomeThatCannotBeCreatedExitsFour() throws {
        let blocker = runner.root.appendingPathComponent("not-a-directory")
        try Data("a file where the store's directory should be".utf8).write(to: blocker)
        let result = kette("init", env: ["KETTE_HOME": blocker.path])
        XCTAssertEqual(result.exitCode, 4, "\(result)")
        XCTAssertTrue(result.stderr.contains("cannot create the store in \(blocker.path)"), "\(result)")
        XCTAssertEqual(try String(contentsOf: blocker, encoding: .utf8), "a file where the store's directory should be")
    }

    func testAMissingStoreSaysToRunInitAndCreatesNothing() throws {
        for command in [["status"], ["offer", "add", "--title", "X", "--district", "nordstadt"], ["search", "x"]] {
            let result = runner.run(command)
            XCTAssertEqual(result.exitCode, 1, "\(result)")
            XCTAssertTrue(result.stderr.contains("no Kette store in \(runner.home.path). Run `kette init` first"), "\(result)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: runner.home.path), "a command other than init must not create the store")
        }
        let german = kette("status", env: ["LANG": "de_DE.UTF-8"])
        XCTAssertEqual(german.exitCode, 1)
        XCTAssertTrue(german.stderr.contains("Zuerst `kette init` ausführen"), "\(german)")
        // init twice: the second leaves the store as it is; with --name it renames the owner.
        ok("init", "--name", "Erste")
        XCTAssertEqual(ok("init"), "A Kette store already exists in \(runner.home.path); left unchanged.")
        XCTAssertEqual(try status()["name"] as? String, "Erste")
        XCTAssertTrue(ok("init", "--name", "Zweite").hasPrefix("This store's owner is now Zweite"))
        XCTAssertEqual(try status()["name"] as? String, "Zweite")
    }

    /// Known product bug (see the report): an empty (0-byte) kette.db, as a failed copy or a full
    /// disk can leave it, is taken for a new database. `kette status` writes the whole schema into
    /// it and only then reports it damaged; `kette init` then refuses to repair it.
    func testAnEmptyStoreFileExitsFourWithoutWritingIntoIt() throws {
        _ = makeFixture()
        let broken = try brokenCopy(Data())
        let result = runner.run(["status"], env: ["KETTE_HOME": broken.path])
        XCTAssertEqual(result.exitCode, 4, "\(result)")
        let size = try FileManager.default.attributesOfItem(atPath: broken.appendingPathComponent("kette.db").path)[.size] as? Int
        XCTAssertEqual(size, 0, "a read command wrote into an empty store file")
        // And init must not call such a file a store: either it repairs it or it says it is broken.
        let initResult = runner.run(["init"], env: ["KETTE_HOME": broken.path])
        XCTAssertNotEqual(initResult.stdout.trimmingCharacters(in: .newlines),
                          "A Kette store already exists in \(broken.path); left unchanged.", "\(initResult)")
    }
}
