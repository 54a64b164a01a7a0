import Foundation
import KetteClient
import KetteStore
import KetteTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What the fault tests share: a real server, client stores made in-process (fast) and synced by
/// real `kette` processes, and the checks that say nothing was lost or doubled.
class FaultTestCase: ServerTestCase {
    /// `KETTE_LONG_TESTS=1`: the long variants (many more trials, default timeouts).
    let long = ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1"

    override var ketteTimeout: TimeInterval { 300 }

    /// Starts a server with the districts nordstadt and suedstadt and the given users (name →
    /// district, nil: the county role, which reads everything).
    func startServer(users: [(String, String?)], extraArguments: [String] = []) throws {
        try makeServer(districts: [.nordstadt, .suedstadt],
                       users: users.map { name, district in district.map { .coordinator(name, $0) } ?? .county(name) })
        try server.start(extraArguments: extraArguments)
    }

    /// A client store for `user` that syncs with `url` (the server's unless given).
    func makeClient(_ name: String, user: String, url: String? = nil) throws {
        try LocalStore.create(directory: home(name), name: name)
        // The first sync (straight to the server) brings the districts, which offers refer to.
        try RemoteConfiguration(url: server.url, token: tokens[user]!, caCertificate: nil).save(in: home(name))
        kette(name, ["sync"])
        try RemoteConfiguration(url: url ?? server.url, token: tokens[user]!, caCertificate: nil).save(in: home(name))
    }

    /// Records `count` offers in `name`'s store, one change set each; returns change-set id → offer id.
    @discardableResult
    func addOffers(_ name: String, _ count: Int, district: String, tag: String) throws -> [String: String] {
        let store = try LocalStore(directory: home(name))
        var made: [String: String] = [:]
        for index in 0..<count {
            var input = OfferInput()
            input.title = "\(tag) \(index)"
            input.district = district
            input.description = "Angebot \(tag) \(index), erfasst ohne Netz."
            let offer = try store.addOffer(input, language: .english)
            let set = try XCTUnwrap(try store.database.scalarString("""
                SELECT s.id FROM outbox_change_sets s JOIN outbox_changes c ON c.change_set_seq = s.seq
                WHERE c.record_type = 'offer' AND c.record_id = ? LIMIT 1
                """, [offer]))
            made[set] = offer
        }
        return made
    }

    func openDatabase(_ path: String) throws -> Database {
        var configuration = Database.Configuration()
        configuration.createIfMissing = false
        return try Database(path: path, configuration: configuration)
    }

    func clientDatabase(_ name: String) throws -> Database { try openDatabase(home(name) + "/kette.db") }

    func outboxIDs(_ name: String) throws -> Set<String> {
        Set(try clientDatabase(name).rows("SELECT id FROM outbox_change_sets").compactMap { $0.string(0) })
    }

    /// Change-set id → user, of everything the server applied.
    func serverChangeSets() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try openDatabase(server.database).rows("SELECT id, user_name FROM change_sets")
            .map { ($0.string(0) ?? "", $0.string(1) ?? "") })
    }

    /// (type/id/field) → hlc of every field the server holds, and the seq that last wrote it.
    func serverFields() throws -> [String: (hlc: String, seq: Int)] {
        var fields: [String: (hlc: String, seq: Int)] = [:]
        for row in try openDatabase(server.database).rows("SELECT record_type, record_id, field, hlc, seq FROM field_state") {
            fields["\(row.string(0) ?? "")/\(row.string(1) ?? "")/\(row.string(2) ?? "")"] = (row.string(3) ?? "", row.int(4) ?? 0)
        }
        return fields
    }

    func clientFields(_ name: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for row in try clientDatabase(name).rows("SELECT record_type, record_id, field, hlc FROM field_versions") {
            fields["\(row.string(0) ?? "")/\(row.string(1) ?? "")/\(row.string(2) ?? "")"] = row.string(3) ?? ""
        }
        return fields
    }

    func cursor(_ name: String) throws -> Int {
        Int(try clientDatabase(name).scalarString("SELECT value FROM replica_meta WHERE key = 'cursor'") ?? "0") ?? 0
    }

    /// The store is intact and its outbox consistent: integrity, foreign keys, no empty or orphaned
    /// change set, every change set's kept count and the totals `status` shows equal to the outbox's rows, every
    /// pending change backed by a field version at least as new, a clock that is not behind anything it stamped.
    func assertStoreIntact(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let db = try clientDatabase(name)
        XCTAssertEqual(try db.integrityCheck(), ["ok"], "\(name): integrity_check", file: file, line: line)
        XCTAssertEqual(try db.rows("PRAGMA foreign_key_check").count, 0, "\(name): foreign keys", file: file, line: line)
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM outbox_change_sets s WHERE NOT EXISTS (SELECT 1 FROM outbox_changes c WHERE c.change_set_seq = s.seq)
            """), 0, "\(name): an empty change set in the outbox", file: file, line: line)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM outbox_changes WHERE change_set_seq NOT IN (SELECT seq FROM outbox_change_sets)"), 0,
                       "\(name): outbox changes without their change set", file: file, line: line)
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM outbox_change_sets s WHERE change_count <> (SELECT count(*) FROM outbox_changes c WHERE c.change_set_seq = s.seq)
            """), 0, "\(name): a change set whose kept count differs from its changes", file: file, line: line)
        XCTAssertEqual(try db.rows("SELECT change_sets, changes FROM outbox_totals").map { [$0.int(0), $0.int(1)] },
                       try db.rows("SELECT (SELECT count(*) FROM outbox_change_sets), (SELECT count(*) FROM outbox_changes)").map { [$0.int(0), $0.int(1)] },
                       "\(name): the outbox totals `status` shows differ from the outbox", file: file, line: line)
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM outbox_changes c WHERE NOT EXISTS (SELECT 1 FROM field_versions v WHERE v.record_type = c.record_type
                AND v.record_id = c.record_id AND v.field = c.field AND v.hlc >= c.hlc)
            """), 0, "\(name): a pending change without its field version", file: file, line: line)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM outbox_changes WHERE hlc > (SELECT value FROM replica_meta WHERE key = 'clock')"), 0,
                       "\(name): the stored clock is behind a pending change", file: file, line: line)
    }

    /// DESIGN §4: the pull cursor never runs ahead of the merged data. Every field the server
    /// last wrote at a seq up to the client's cursor is in the client's store, at least as new.
    /// Only for county clients, which receive everything.
    @discardableResult
    func assertCursorNotAhead(_ name: String, server fields: [String: (hlc: String, seq: Int)]? = nil,
                              file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let cursor = try cursor(name)
        let client = try clientFields(name)
        // (Encoded timestamps compare as text.)
        let missing = try (fields ?? serverFields()).filter { key, value in value.seq <= cursor && (client[key] ?? "") < value.hlc }
        XCTAssertEqual(missing.keys.sorted().prefix(3), [], "\(name): cursor \(cursor) is ahead of \(missing.count) merged fields", file: file, line: line)
        return cursor
    }

    /// The client holds exactly the server's fields, each at the server's version.
    func assertConverged(_ name: String, server fields: [String: (hlc: String, seq: Int)], file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try clientFields(name)
        let expected = fields.mapValues(\.hlc)
        let differing = Set(expected.keys).union(client.keys).filter { expected[$0] != client[$0] }
        XCTAssertEqual(differing.sorted().prefix(3), [], "\(name) differs from the server in \(differing.count) fields", file: file, line: line)
    }

    // MARK: Processes

    /// Starts `executable args…` with stdout and stderr to files; reap with `runner.waitForExit`.
    func spawn(_ executable: String, _ args: [String], env: [String: String?] = [:], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, output + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = runner.environment(env).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard code == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(code)) }
        return pid
    }

    /// `kette --home HOME(name) args…` as a child process.
    func spawnKette(_ name: String, _ args: [String], env: [String: String?] = [:], output: String) throws -> pid_t {
        try spawn(runner.binary.path, ["--home", home(name)] + args, env: env, output: output)
    }

    func exitCode(_ termination: KetteRunner.Termination) -> Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}

/// Counts that several threads add to.
final class Tally: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func add(_ key: String, _ amount: Int = 1) {
        lock.lock()
        counts[key, default: 0] += amount
        lock.unlock()
    }

    var snapshot: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}
