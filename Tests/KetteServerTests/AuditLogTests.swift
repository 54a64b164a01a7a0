import Foundation
import XCTest
import KetteProtocol
import KetteStore
import KetteTestSupport
@testable import KetteServer

/// The audit log against random tampering by someone with the database but not the key: every
/// change to its rows is found by `verify`, and an untouched copy verifies.
/// KETTE_LONG_TESTS=1 runs 1,000 trials instead of 60.
final class AuditLogTests: XCTestCase {
    var directory: String!
    var store: ServerStore!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("audit")
        store = try ServerStore(path: directory + "/server.db")
    }

    override func tearDownWithError() throws {
        store = nil
    }

    enum Tamper: CaseIterable {
        case changeField, deleteRow, swapRows, truncateTail, insertForged, replaceMAC, renumber
    }

    /// A copy of the database (checkpointed), its key and its head under a new name.
    func copy(_ name: String) throws -> String {
        let target = directory + "/" + name
        for suffix in ["", ".audit-key", ".audit-head"] {
            try FileManager.default.copyItem(atPath: store.path + suffix, toPath: target + suffix)
        }
        return target
    }

    func testRandomTamperingIsAlwaysDetected() throws {
        try requireSQLiteServer("tampering with copies of the database file")
        let long = ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1"
        let trials = long ? 1000 : 60
        // A log of 40 entries of varied kinds.
        for index in 0..<40 {
            _ = try store.audited { _, events in
                events.append(.init(actor: ["anna", "bert", "admin:root"][index % 3], action: ["push", "read", "user-add"][index % 3],
                                    detail: "\(index) change sets (\(index) applied); records: offer \(index)"))
            }
        }
        try store.sqlite!.writer.read { db in try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: 40))

        var random = SeededGenerator(seed: 4)
        var detected: [Tamper: Int] = [:]
        for trial in 0..<trials {
            let path = try copy("trial-\(trial).db")
            let tamper = Tamper.allCases[Int(random.next() % UInt64(Tamper.allCases.count))]
            let row = Int64(random.next() % 40) + 1
            do {
                let db = try Database(path: path)
                try db.execute("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                switch tamper {
                case .changeField:
                    let column = ["at", "actor", "action", "detail"][Int(random.next() % 4)]
                    let value: DatabaseValueConvertible = column == "at" ? Int64(random.next() % 1_000_000) : "x\(random.next() % 1000)"
                    try db.execute("UPDATE audit_log SET \(column) = ? WHERE seq = ?", [value, row])
                case .deleteRow:
                    try db.execute("DELETE FROM audit_log WHERE seq = ?", [row])
                case .swapRows:
                    let other = row % 40 + 1
                    try db.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", [row])
                    try db.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", [row, other])
                    try db.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", [other])
                case .truncateTail:
                    try db.execute("DELETE FROM audit_log WHERE seq >= ?", [row])
                case .insertForged:
                    // Make room after `row` and put an entry there, copying a neighbour's mac.
                    try db.execute("UPDATE audit_log SET seq = seq + 1000 WHERE seq > ?", [row])
                    try db.execute("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000")
                    try db.execute("INSERT INTO audit_log (seq, at, actor, action, detail, mac) SELECT ?, at, actor, action, 'forged', mac FROM audit_log WHERE seq = ?",
                                   [row + 1, row])
                case .replaceMAC:
                    try db.execute("UPDATE audit_log SET mac = (SELECT mac FROM audit_log WHERE seq = ?) WHERE seq = ?", [row % 40 + 1, row])
                case .renumber:
                    try db.execute("UPDATE audit_log SET seq = seq + 1000")
                    try db.execute("UPDATE audit_log SET seq = seq - 999")
                }
                // The attacker puts the triggers back, so only the chain can tell.
                try db.execute("""
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
            }
            let verdict = try ServerStore(path: path).verifyAudit()
            guard case .broken = verdict else {
                XCTFail("trial \(trial): \(tamper) of entry \(row) went unnoticed")
                continue
            }
            detected[tamper, default: 0] += 1
            for suffix in ["", "-wal", "-shm", ".audit-key", ".audit-head"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        XCTAssertEqual(detected.values.reduce(0, +), trials)
        print("audit tampering: \(trials) trials, detected \(detected.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))")
        // And the original still verifies, with nothing added by verifying.
        XCTAssertEqual(try store.verifyAudit(), .intact(entries: 40))
    }
}
