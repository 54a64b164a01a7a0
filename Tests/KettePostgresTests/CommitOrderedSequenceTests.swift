import Foundation
import KettePostgres
import KetteStore
import KetteTestSupport
import XCTest

/// The pull sequence with several writers on one database (each on its own connection, as
/// several server processes would be): a reader that pages by cursor, as `GET /v1/changes` does,
/// must receive every committed row exactly once, however the writers' commits interleave.
final class CommitOrderedSequenceTests: XCTestCase {
    var database: PostgresTestDatabase!
    /// `KETTE_LONG_TESTS=1`: eight writers of 500 transactions each instead of four of 60.
    let long = ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1"

    override func setUpWithError() throws {
        database = try makePostgresDatabase()
        let connection = try PostgresConnection(database.url)
        try CommitOrderedSequence.createTable(connection)
        try CommitOrderedSequence(name: "pull").create(in: connection)
        try connection.execute("CREATE TABLE rows (seq bigint PRIMARY KEY, writer int NOT NULL)")
        try connection.execute("CREATE SEQUENCE naive")
    }

    func testAPagingReaderMissesNoRowWhileWritersCommitOutOfOrder() throws {
        let sequence = CommitOrderedSequence(name: "pull")
        let outcome = try race { connection, count in try sequence.take(count, in: connection) }
            newest: { connection in try sequence.newest(in: connection) }
        XCTAssertGreaterThan(outcome.committed.count, 200)
        XCTAssertEqual(outcome.served.count, Set(outcome.served).count, "a row was served twice")
        XCTAssertEqual(Set(outcome.served), Set(outcome.committed), "missed: \(Set(outcome.committed).subtracting(outcome.served).sorted().prefix(10))")
        // Rolled-back transactions give their numbers back: the committed numbers have no gaps.
        XCTAssertEqual(outcome.committed.sorted(), Array(1...Int64(outcome.committed.count)))
    }

    /// The control: the same race with a plain PostgreSQL sequence (numbers taken outside the
    /// transaction's lock) does skip rows, so the test above can see a skip when there is one.
    func testAPlainSequenceSkipsRowsInTheSameRace() throws {
        let outcome = try race { connection, count in
            let first = Int64(try connection.scalarInt("SELECT nextval('naive')") ?? 0)
            let rest = try (1..<count).map { _ in Int64(try connection.scalarInt("SELECT nextval('naive')") ?? 0) }
            return first...(rest.last ?? first)
        } newest: { connection in
            Int64(try connection.scalarInt("SELECT coalesce(max(seq), 0) FROM rows") ?? 0)
        }
        XCTAssertFalse(Set(outcome.committed).subtracting(outcome.served).isEmpty, "the plain sequence lost no row: the race did not race")
    }

    struct Outcome {
        var served: [Int64]
        var committed: [Int64]
    }

    /// Four writers (eight in the long run) commit transactions of one to four rows, each pausing
    /// between taking its numbers and committing (one in ten rolls back), while a reader pages
    /// through the rows.
    private func race(take: @escaping @Sendable (PostgresConnection, Int) throws -> ClosedRange<Int64>,
                      newest: @escaping (PostgresConnection) throws -> Int64) throws -> Outcome {
        let url = database.url
        let writersDone = DispatchGroup()
        let failures = FailureList()
        let (writers, rounds) = long ? (8, 500) : (4, 60)
        for writer in 0..<writers {
            DispatchQueue.global().async(group: writersDone) {
                do {
                    let connection = try PostgresConnection(url)
                    var random = SystemRandomNumberGenerator()
                    for round in 0..<rounds {
                        try? connection.inTransaction { connection in
                            let numbers = try take(connection, Int.random(in: 1...4, using: &random))
                            usleep(UInt32.random(in: 0...3_000, using: &random))
                            for seq in numbers { try connection.execute("INSERT INTO rows (seq, writer) VALUES ($1, $2)", [seq, writer]) }
                            if round % 10 == 7 { throw CancellationError() }
                        }
                    }
                } catch {
                    failures.add(error)
                }
            }
        }
        let reader = try PostgresConnection(url)
        var cursor: Int64 = 0
        var served: [Int64] = []
        func pull() throws -> Bool {
            try reader.inTransaction(.repeatableRead, readOnly: true) { db in
                // Newest first, rows second, both in the transaction's one snapshot, as the pull does.
                let top = try newest(db)
                let rows = try db.rows("SELECT seq FROM rows WHERE seq > $1 ORDER BY seq LIMIT 6", [cursor]).compactMap { $0.int(0).map(Int64.init) }
                let page = rows.prefix(5)
                served += page
                cursor = rows.count > 5 ? page.last! : max(cursor, top)
                return rows.count > 5
            }
        }
        while writersDone.wait(timeout: .now()) == .timedOut { _ = try pull() }
        while try pull() {}
        XCTAssertTrue(failures.errors.isEmpty, "\(failures.errors)")
        let committed = try reader.rows("SELECT seq FROM rows").compactMap { $0.int(0).map(Int64.init) }
        print("CommitOrderedSequence race: \(writers) writers, \(committed.count) rows committed, \(Set(committed).subtracting(served).count) missed by the reader")
        return Outcome(served: served, committed: committed)
    }
}

/// Errors collected from the writers' threads.
private final class FailureList: @unchecked Sendable {
    // @unchecked: `errors` is only touched under `lock`.
    private let lock = NSLock()
    private var list: [Error] = []
    func add(_ error: Error) { lock.lock(); list.append(error); lock.unlock() }
    var errors: [Error] { lock.lock(); defer { lock.unlock() }; return list }
}
