import Foundation
import KetteMessages
import KetteProtocol

/// The digest check a sync ends with, and the repair of what differs, both ways (SPEC §16):
/// compare the replica's digests with the server's (one request when nothing differs); narrow a
/// difference to buckets, then to records; take the server's versions this replica lacks, remove
/// what left the user's scope, and bring back the versions the server lacks.
extension SyncEngine {
    /// Rounds of check and repair before a remaining difference is reported.
    static let verificationRounds = 3
    /// Bucket numbers per listing request, records per check request, versions per repair request.
    static let bucketsPerListing = 64
    static let recordsPerCheck = 500
    static let versionsPerRepair = 2000

    /// - Parameter selfCheck: check the kept digests against the data even when not due.
    func verify(_ report: inout SyncReport, selfCheck: Bool) throws {
        // A sync that checked before (after finding the server restored) adds to that check.
        var verification = report.verification ?? Verification()
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            verification.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            report.verification = verification
        }
        if let check = try store.selfCheck(force: selfCheck) {
            verification.selfChecked = true
            verification.damagedBuckets = check.wrongBuckets
            verification.orphanedVersions = check.orphanedVersions
        }
        var previousSeq: Int64?
        for _ in 1...Self.verificationRounds {
            verification.rounds += 1
            let local = try store.replicaDigests()
            let answer: DigestAnswer = try exchange("GET", "/v1/digests?total=\(VersionDigest.hex(local.total))", body: nil)
            let serverMoved = previousSeq.map { answer.seq > $0 } ?? false
            previousSeq = answer.seq
            if let known = try store.knownServer(), known != answer.server, !verification.serverChanged {
                // Another server database than at the last pull (`kette verify` after a restore):
                // its cursor means nothing, so pull everything again before comparing.
                verification.serverChanged = true
                try store.resetPullCursor(repair: true)
                try pull(&report)
                continue
            }
            guard let server = answer.bucketDigests else {
                verification.outcome = verification.changedAnything ? .repaired : .verified
                try store.settleRepair()
                return
            }
            let differing = local.differingBuckets(from: server)
            if verification.rounds == 1 { verification.differingBuckets = differing.count }
            let before = (verification.pulled, verification.pushed, verification.leftScope)
            try repair(buckets: differing, &verification)
            let changed = (verification.pulled, verification.pushed, verification.leftScope) != before
            verification.othersWriting = changed && serverMoved && verification.pushed == before.1 && verification.leftScope == before.2
            // A round that changed nothing would change nothing again: what differs needs a person.
            if !changed { break }
        }
        verification.outcome = .differs
    }

    /// Narrows the difference in `buckets` to records and repairs it.
    private func repair(buckets: [Int], _ verification: inout Verification) throws {
        progress(SyncText.verifyBuckets.with(["count": buckets.count]))
        // What remains is described by the last round alone.
        (verification.kept, verification.waiting, verification.refused) = (0, 0, [])
        var serverRecords: [RecordKey: String] = [:]
        for start in stride(from: 0, to: buckets.count, by: Self.bucketsPerListing) {
            let chunk = Array(buckets[start..<min(start + Self.bucketsPerListing, buckets.count)])
            let listing: BucketListing = try exchange("POST", "/v1/digests/buckets", body: try Self.encode(BucketListingRequest(buckets: chunk)))
            for record in listing.records { serverRecords[RecordKey(type: record.type, id: record.id)] = record.digest }
        }
        let local = try store.records(inBuckets: Set(buckets))
        let differing = Set(local.keys).union(serverRecords.keys)
            .filter { key in local[key].map { VersionDigest.hex($0.digest) } != serverRecords[key] }
            .sorted { ($0.type.rawValue, $0.id) < ($1.type.rawValue, $1.id) }
        var lacking: [RecordKey: [String]] = [:], remembered: [RecordKey: [String]] = [:]
        for start in stride(from: 0, to: differing.count, by: Self.recordsPerCheck) {
            let chunk = differing[start..<min(start + Self.recordsPerCheck, differing.count)]
            let request = RecordCheckRequest(records: chunk.map { .init(type: $0.type, id: $0.id, versions: local[$0]?.versions ?? [:]) })
            let check: RecordCheck = try exchange("POST", "/v1/digests/records", body: try Self.encode(request))
            let settled = try store.settle(check)
            verification.pulled += settled.pulled
            verification.leftScope += settled.left
            verification.kept += settled.kept
            verification.waiting += settled.waiting
            lacking.merge(settled.lacking) { $1 }
            remembered.merge(settled.remembered) { $1 }
        }
        try bringBack(try store.repairVersions(for: lacking, remembered: remembered), &verification)
    }

    /// Sends the versions the server lacks back to it, parents first, in bounded requests.
    private func bringBack(_ versions: [RepairVersion], _ verification: inout Verification) throws {
        for start in stride(from: 0, to: versions.count, by: Self.versionsPerRepair) {
            let chunk = Array(versions[start..<min(start + Self.versionsPerRepair, versions.count)])
            let answer: RepairAnswer = try exchange("POST", "/v1/repairs", body: try Self.encode(RepairRequest(versions: chunk)))
            verification.pushed += answer.applied
            verification.refused += answer.refused
            progress(SyncText.verifyBroughtBack.with(["count": verification.pushed]))
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}
