import Foundation
import KetteStore
import KetteTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DESIGN.md §4.9: a kill at any moment leaves the store before or after a whole change set.
final class CrashTests: KetteCLITestCase {
    private let attendeesPerMeeting = 40
    private let meetingFields = ["body", "date", "time", "place", "minutes"]
    private let attendeeFields = ["meeting", "name", "organization", "role"]

    private func minutes(trial: Int) -> String {
        "Protokoll \(trial): " + String(repeating: "Die Steuerungsgruppe bespricht Bedarfe, Angebote und Lücken im Sozialraum. ", count: 400)
    }

    private func meetingAdd(trial: Int, body: String) -> [String] {
        var args = ["meeting", "add", "--body", body, "--date", "2026-03-14", "--time", "10:00", "--place", "Trial \(trial)"]
        for person in 1...attendeesPerMeeting {
            args += ["--attendee", "Trial \(trial) Person \(person); Organisation \(person); Rolle \(person)"]
        }
        return args + ["--minutes", minutes(trial: trial)]
    }

    func testKilledMeetingAddsLeaveWholeChangeSetsOrNothing() throws {
        let long = ProcessInfo.processInfo.environment["KETTE_LONG_TESTS"] == "1"
        let killedTrials = long ? 500 : 60
        ok("init", "--name", "Absturztest")
        let body = ok("body", "add", "Steuerungsgruppe", "--level", "steering")

        var started = 0
        var completed = 0
        var killed = 0
        var acknowledged: [String: Int] = [:]  // meeting id printed by a process that exited 0 → trial
        let outputPath = runner.root.appendingPathComponent("trial.out").path

        func runTrial(_ trial: Int, killAfter delay: UInt32?) throws {
            let pid = try runner.spawn(meetingAdd(trial: trial, body: body), stdoutPath: outputPath)
            started += 1
            if let delay {
                usleep(delay)
                // The child is not reaped until waitForExit, so this pid is still ours even if it has exited.
                kill(pid, SIGKILL)
            }
            switch try runner.waitForExit(pid) {
            case .exited(0):
                completed += 1
                let id = (try? String(contentsOfFile: outputPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                XCTAssertTrue(isUUID(id), "trial \(trial) exited 0 but printed \(id)")
                acknowledged[id] = trial
            case .signaled(SIGKILL) where delay != nil:
                killed += 1
            case let other:
                XCTFail("trial \(trial) ended with \(other), expected exit 0 or SIGKILL")
            }
        }

        // Calibrate the kill window on this machine: a few runs to the end.
        var durations: [TimeInterval] = []
        for trial in 1...3 {
            let start = Date()
            try runTrial(trial, killAfter: nil)
            durations.append(Date().timeIntervalSince(start))
        }
        let typical = durations.sorted()[1]
        let window = UInt32(max(25_000, typical * 1.25 * 1_000_000))  // µs; some kills land after the commit

        var generator = SystemRandomNumberGenerator()
        for trial in 4..<(4 + killedTrials) {
            try runTrial(trial, killAfter: UInt32.random(in: 0...window, using: &generator))
        }

        let checking = Date()
        defer { print("crash test: checking the store took \(Int(Date().timeIntervalSince(checking) * 1000)) ms") }
        // The CLI still works on the store the kills left behind.
        let status = try self.status()
        let database = try Database(path: runner.databasePath)
        XCTAssertEqual(try database.integrityCheck(), ["ok"])
        XCTAssertEqual(try database.rows("PRAGMA foreign_key_check").count, 0)

        let meetings = try database.rows("SELECT id, place, minutes, body, meeting_date, meeting_time, deleted FROM meetings")
        print("crash test: \(started) started (\(killed) killed, \(completed) exited 0), \(meetings.count) meetings stored; kill window 0–\(window / 1000) ms, a full run took \(Int(typical * 1000)) ms")
        XCTAssertGreaterThan(killed, 0, "no trial was killed: the test proved nothing")
        XCTAssertLessThanOrEqual(completed, meetings.count, "a meeting acknowledged with exit 0 is missing")
        XCTAssertLessThanOrEqual(meetings.count, started)
        XCTAssertEqual(status["meetings"] as? Int, meetings.count)

        // Every acknowledged meeting is there.
        let storedIDs = Set(meetings.compactMap { $0.string(0) })
        for (id, trial) in acknowledged { XCTAssertTrue(storedIDs.contains(id), "trial \(trial) printed \(id) and exited 0, but the meeting is gone") }

        // The outbox, read once (outbox_changes has no index on record ids).
        var changesBySet: [Int: [String]] = [:]
        var setsByMeeting: [String: Set<Int>] = [:]
        var outboxVersions: [String] = []
        for row in try database.rows("SELECT change_set_seq, record_type, record_id, field, hlc FROM outbox_changes") {
            let seq = try XCTUnwrap(row.int(0))
            let (type, recordID, field) = (row.string(1) ?? "", row.string(2) ?? "", row.string(3) ?? "")
            changesBySet[seq, default: []].append("\(type)/\(recordID)/\(field)")
            if type == "meeting" { setsByMeeting[recordID, default: []].insert(seq) }
            outboxVersions.append("\(type)/\(recordID)/\(field)/\(row.string(4) ?? "")")
        }
        let summaries = Dictionary(uniqueKeysWithValues: try database.rows("SELECT seq, summary FROM outbox_change_sets").map { ($0.int(0) ?? -1, $0.string(1) ?? "") })

        // Every meeting is whole: its fields, all its attendees, and exactly one change set that holds
        // exactly the meeting's and its attendees' fields.
        for meeting in meetings {
            let id = try XCTUnwrap(meeting.string(0))
            let place = meeting.string(1) ?? ""
            let trial = try XCTUnwrap(Int(place.dropFirst("Trial ".count)), "meeting \(id) has place \(place)")
            XCTAssertEqual(meeting.string(2), minutes(trial: trial), "meeting \(id): minutes")
            XCTAssertEqual(meeting.string(3), body)
            XCTAssertEqual(meeting.string(4), "2026-03-14")
            XCTAssertEqual(meeting.string(5), "10:00")
            XCTAssertEqual(meeting.int(6), 0)
            if let acknowledgedTrial = acknowledged[id] { XCTAssertEqual(acknowledgedTrial, trial) }

            let attendees = try database.rows("SELECT id, name, organization, role FROM attendees WHERE meeting = ? AND deleted = 0", [id])
            XCTAssertEqual(attendees.count, attendeesPerMeeting, "meeting \(id) (trial \(trial)) has \(attendees.count) attendees")
            XCTAssertEqual(Set(attendees.compactMap { $0.string(1) }), Set((1...attendeesPerMeeting).map { "Trial \(trial) Person \($0)" }))
            XCTAssertTrue(attendees.allSatisfy { $0.string(2)?.hasPrefix("Organisation ") == true && $0.string(3)?.hasPrefix("Rolle ") == true })

            let sets = setsByMeeting[id] ?? []
            XCTAssertEqual(sets.count, 1, "meeting \(id) is in \(sets.count) change sets")
            guard let seq = sets.first else { continue }
            XCTAssertEqual(summaries[seq], "meeting add")
            let changes = changesBySet[seq] ?? []
            var expected = Set(meetingFields.map { "meeting/\(id)/\($0)" })
            for attendee in attendees { for field in attendeeFields { expected.insert("attendee/\(attendee.string(0) ?? "")/\(field)") } }
            XCTAssertEqual(changes.count, expected.count, "change set \(seq) of meeting \(id) has duplicate or missing changes")
            XCTAssertEqual(Set(changes), expected, "change set \(seq) does not cover exactly meeting \(id) and its attendees")
        }

        // No part of a meeting exists without it.
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM attendees WHERE meeting NOT IN (SELECT id FROM meetings)"), 0,
                       "attendees of a meeting that was never stored")

        // Every change set in the outbox is whole and its records exist.
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM outbox_change_sets WHERE summary = 'meeting add'"), meetings.count)
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM outbox_change_sets WHERE summary <> 'meeting add'"), 1, "the body's")
        XCTAssertEqual(status["pendingChangeSets"] as? Int, try database.scalarInt("SELECT count(*) FROM outbox_change_sets"))
        XCTAssertEqual(try database.scalarInt("""
            SELECT count(*) FROM outbox_change_sets s WHERE NOT EXISTS (SELECT 1 FROM outbox_changes c WHERE c.change_set_seq = s.seq)
            """), 0, "an empty change set")
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM outbox_changes WHERE change_set_seq NOT IN (SELECT seq FROM outbox_change_sets)"), 0)
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM outbox_changes WHERE record_type NOT IN ('body', 'meeting', 'attendee')"), 0)
        for (type, table) in [("body", "bodies"), ("meeting", "meetings"), ("attendee", "attendees")] {
            XCTAssertEqual(try database.scalarInt("""
                SELECT count(*) FROM outbox_changes c WHERE c.record_type = ? AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.id = c.record_id)
                """, [type]), 0, "an outbox change names a \(type) that does not exist")
        }
        // Each change set's hlc is the one its field versions carry, both ways.
        let fieldVersions = try database.rows("SELECT record_type, record_id, field, hlc FROM field_versions")
            .map { "\($0.string(0) ?? "")/\($0.string(1) ?? "")/\($0.string(2) ?? "")/\($0.string(3) ?? "")" }
        XCTAssertEqual(outboxVersions.count, Set(outboxVersions).count, "a field written twice in the outbox")
        XCTAssertEqual(Set(outboxVersions).subtracting(fieldVersions).sorted().prefix(3), [], "outbox changes without their field version")
        XCTAssertEqual(Set(fieldVersions).subtracting(outboxVersions).sorted().prefix(3), [], "field versions without their outbox change")
        // The search index and the clock were written with the records.
        XCTAssertEqual(Set(try database.rows("SELECT rowid FROM meetings_fts").compactMap { $0.int(0) }),
                       Set(try database.rows("SELECT rowid FROM meetings").compactMap { $0.int(0) }), "search index out of step with the meetings")
        // (Encoded timestamps compare as text.) A clock behind a committed change could hand out its timestamp again.
        XCTAssertNotNil(try database.scalarString("SELECT value FROM replica_meta WHERE key = 'clock'"))
        XCTAssertEqual(try database.scalarInt("SELECT count(*) FROM outbox_changes WHERE hlc > (SELECT value FROM replica_meta WHERE key = 'clock')"), 0,
                       "the stored clock is behind a committed change set")

        // And the store takes new writes.
        let after = ok("meeting", "add", "--body", body, "--date", "2026-03-15", "--attendee", "Nach dem Test")
        XCTAssertTrue(isUUID(after), after)
        XCTAssertEqual(try jsonObject("meeting", "show", after, "--json")["date"] as? String, "2026-03-15")
    }
}
