import KetteProtocol
import KetteStore

/// Applies a repair (SPEC §16) inside its transaction: field versions a replica brings back
/// because the server lacks them (a restore lost them, a bug dropped them). They are merged by
/// the merge rule like pushed ones, keep their original timestamps, authors and change-set ids,
/// and open conflicts like pushed ones; a record's versions are taken back together, and only
/// where the repairing user may write, or not at all.
struct RepairApplier {
    let identity: Identity
    let serverNow: Int64

    private var applier: ChangeSetApplier { ChangeSetApplier(identity: identity, serverNow: serverNow) }

    func apply(_ versions: [RepairVersion], into context: inout WriteContext) throws -> RepairAnswer {
        // Record by record, in the order sent: the reference client sends parents first, so a
        // record the restore lost is placed before the records that belong to it.
        var order: [RecordKey] = []
        var byRecord: [RecordKey: [RepairVersion]] = [:]
        for version in versions {
            let key = RecordKey(type: version.change.recordType, id: version.change.recordID)
            if byRecord[key] == nil { order.append(key) }
            byRecord[key, default: []].append(version)
        }
        var answer = RepairAnswer(applied: 0, ignored: 0, refused: [], conflicts: [])
        for key in order {
            try apply(key, byRecord[key]!, into: &context, answer: &answer)
        }
        return answer
    }

    private func apply(_ key: RecordKey, _ versions: [RepairVersion], into context: inout WriteContext, answer: inout RepairAnswer) throws {
        if let refusal = problem(key, versions) { return answer.refused.append(refusal) }
        // The newest version sent for each field, against the version held here.
        var newest: [String: RepairVersion] = [:]
        for version in versions where MergeRule.incomingWins(version.change.hlc, over: newest[version.change.field]?.change.hlc) {
            newest[version.change.field] = version
        }
        var winners: [(version: RepairVersion, replacing: HLCTimestamp?)] = []
        var conflicts: [ChangeSetApplier.PendingConflict] = []
        for version in newest.values.sorted(by: { $0.change.field < $1.change.field }) {
            let change = version.change
            let current = try applier.currentVersion(key, field: change.field, in: context.db)
            let outcome = MergeRule.merge(incoming: MergeRule.Version(value: change.value, hlc: change.hlc, base: change.base), current: current?.version)
            if outcome.incomingWins { winners.append((version, current?.version.hlc)) }
            // As in a push: a conflict record's status and resolution are bookkeeping, merged
            // without conflicts of their own (SPEC §8.5).
            if outcome.isConflict, let current, key.type != .conflict {
                let repaired = (change.value, change.hlc, Optional(version.author ?? identity.user))
                let held = (current.version.value, current.version.hlc, current.author)
                conflicts.append(.init(record: key, field: change.field, winner: outcome.incomingWins ? repaired : held,
                                       loser: outcome.incomingWins ? held : repaired))
            }
        }
        guard !winners.isEmpty else { return answer.ignored += versions.count }
        if let refusal = try scopeRefusal(key, winners.map(\.version.change), in: context.db) { return answer.refused.append(refusal) }
        answer.ignored += versions.count - winners.count
        for (version, replacing) in winners {
            try context.writeState(version.change, replica: version.change.hlc.replica, author: version.author ?? identity.user,
                                   changeSet: version.changeSet, replacing: replacing)
            context.observe(version.change.hlc)
        }
        answer.applied += winners.count
        let written = Set(winners.map(\.version.change.field))
        try applier.place(key, scopingFieldWritten: written.contains, into: &context)
        try applier.clearTombstone(key, into: &context)
        for conflict in conflicts {
            // The lost database opened this conflict when the newer write arrived, and replicas
            // may hold it, resolved since: stamped as of that write, the conflict record any
            // replica brings back (and its resolution) is newer and wins, and none is reopened.
            let stamp = HLCTimestamp(physicalMilliseconds: conflict.winner.hlc.physicalMilliseconds, counter: conflict.winner.hlc.counter,
                                     replica: context.replica)
            let id = try applier.writeConflict(conflict, into: &context, stamp: stamp)
            if !answer.conflicts.contains(id) { answer.conflicts.append(id) }
        }
    }

    /// Why versions of `key` cannot be taken back, checked like a push's (SPEC §9).
    private func problem(_ key: RecordKey, _ versions: [RepairVersion]) -> RepairAnswer.Refusal? {
        func refuse(_ code: String, _ reason: String) -> RepairAnswer.Refusal {
            RepairAnswer.Refusal(type: key.type, id: String(key.id.prefix(100)), code: code, reason: reason)
        }
        guard !key.id.isEmpty, key.id.count <= 100 else { return refuse("invalid", "record ids are 1 to 100 characters") }
        for version in versions {
            if let problem = key.type.problem(field: version.change.field, value: version.change.value) { return refuse("invalid", problem) }
            if (version.author?.count ?? 0) > 200 || (version.changeSet?.count ?? 0) > 100 {
                return refuse("invalid", "an author is at most 200 characters, a change set id at most 100")
            }
            let ahead = version.change.hlc.physicalMilliseconds - serverNow
            if ahead > SyncLimits.maxClockAheadMilliseconds {
                return refuse("clock_ahead", "stamped \(ChangeSetApplier.duration(ahead)) ahead of the server's clock")
            }
        }
        return nil
    }

    /// A repair writes only where its user may write, before and after, like a push (SPEC §10).
    private func scopeRefusal(_ key: RecordKey, _ changes: [Change], in db: any ServerDatabase) throws -> RepairAnswer.Refusal? {
        let overlay = [key: Dictionary(changes.map { ($0.field, $0.value) }, uniquingKeysWith: { $1 })]
        func refuse(_ code: String, _ reason: String) -> RepairAnswer.Refusal {
            RepairAnswer.Refusal(type: key.type, id: key.id, code: code, reason: reason)
        }
        guard let scope = try applier.scope(of: key, overlay: overlay, in: db) else {
            return refuse("invalid", "\(key.type.rawValue) \(key.id) cannot be placed: \(ChangeSetApplier.missingParent(key.type))")
        }
        if !scope.isWritable(by: identity) {
            return refuse("forbidden", "\(key.type.rawValue) \(key.id) belongs to \(scope.description), outside what \(identity.user) (\(identity.role.rawValue)) may write")
        }
        if let previous = try applier.storedScope(key, in: db), previous != scope, !previous.isWritable(by: identity) {
            return refuse("forbidden", "\(key.type.rawValue) \(key.id) belongs to \(previous.description), outside what \(identity.user) may write")
        }
        return nil
    }

    /// What a repair did, for the audit log: counts and the original authors, no values.
    static func summary(_ request: RepairRequest, _ answer: RepairAnswer) -> String {
        let records = Set(request.versions.map { "\($0.change.recordType.rawValue)|\($0.change.recordID)" }).count
        let authors = Set(request.versions.compactMap(\.author)).sorted()
        var text = "\(answer.applied) field version\(answer.applied == 1 ? "" : "s") brought back of \(request.versions.count) sent for \(records) record\(records == 1 ? "" : "s")"
        if !authors.isEmpty { text += " (written by \(authors.prefix(10).joined(separator: ", "))\(authors.count > 10 ? ", …" : ""))" }
        text += "; \(answer.ignored) already held or older"
        if !answer.refused.isEmpty { text += "; \(answer.refused.count) record\(answer.refused.count == 1 ? "" : "s") refused" }
        return text
    }
}
