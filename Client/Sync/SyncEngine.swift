import Foundation
import Dispatch
import KetteCompression
import KetteMessages
import KetteProtocol
import KetteStore

/// What one sync did, for the summary line, `--json` and the exit code.
public struct SyncReport: Codable, Sendable {
    public var pushedChangeSets = 0
    public var appliedChangeSets = 0
    /// The refusals this sync received: taken back and kept, or waiting in the outbox. A
    /// refusal kept from an earlier finished sync is not listed again (see `keptRefusals`).
    public var refusedChangeSets: [RefusedChangeSet] = []
    /// How many refused change sets are kept for `kette refused`, from this sync and earlier ones.
    public var keptRefusals = 0
    public var restampedChangeSets = 0
    public var pulledPages = 0
    public var pulledChanges = 0
    public var mergedChanges = 0
    public var openConflicts = 0
    public var pendingChangeSets = 0
    public var cursor: Int64 = 0
    /// Where a pull's time went: waiting for and reading pages, merging them into the store, and
    /// committing the merged pages (`pagesPerCommit` at a time).
    public var pullTransferSeconds = 0.0
    public var pullMergeSeconds = 0.0
    public var pullCommitSeconds = 0.0
    /// Records the pull removed because they left the user's scope (moved to a district the
    /// user does not read, or belonging to such a record). They are not deleted.
    public var leftScope = 0
    /// Why the pull started again from 0, when it did.
    public var pullRestart: LocalStore.PullRestart?
    /// The digest check the sync ended with; nil when it did not run (push or pull only).
    public var verification: Verification?

    /// Adds a merged page to the pull's figures.
    mutating func count(_ page: PullPage, _ outcome: LocalStore.PageOutcome, transferSeconds: Double, mergeSeconds: Double) {
        mergedChanges += outcome.merged
        leftScope += outcome.left
        pullTransferSeconds += transferSeconds
        pullMergeSeconds += mergeSeconds
        pulledPages += 1
        pulledChanges += page.changes.count
    }

    /// Exit code 2's condition: done, but something needs a person: a refusal received in this
    /// sync (once; a kept refusal does not fail every later sync), an open conflict, or a
    /// difference the check could not repair (`Verification.needsAttention`).
    public var needsAttention: Bool { !refusedChangeSets.isEmpty || openConflicts > 0 || verification?.needsAttention == true }
}

/// What the digest check at the end of a sync found and repaired (SPEC §16).
public struct Verification: Codable, Sendable {
    public enum Outcome: String, Codable, Sendable {
        /// The replica holds exactly the server's versions of everything the user reads.
        case verified
        /// It did not, and after the repair (counted below) it does.
        case repaired
        /// A difference remains: versions that wait in refused change sets, versions the server
        /// lacks in a scope the user may not write, or writes that came in during the check.
        case differs
    }
    public var outcome: Outcome = .verified
    /// Digest rounds: a check, and a recheck after each repair (at most 3).
    public var rounds = 0
    /// Buckets whose digests differed at the first check.
    public var differingBuckets = 0
    /// Field versions taken from the server.
    public var pulled = 0
    /// Field versions the server lacked and took back from this replica.
    public var pushed = 0
    /// Records removed because the server holds them in a scope the user does not read.
    public var leftScope = 0
    /// Records kept although the server holds them elsewhere or not at all, because they hold
    /// versions the server lacks and this user may not bring back.
    public var kept = 0
    /// Field versions the server lacks that wait in the outbox (refused change sets).
    public var waiting = 0
    /// Records whose versions the server did not take back, and why.
    public var refused: [RepairAnswer.Refusal] = []
    /// The server database was another than at the last pull: everything was pulled again.
    public var serverChanged = false
    /// The replica checked its kept digests against its data (every sync for stores of up to
    /// 20,000 versions, else daily; always in `kette verify`).
    public var selfChecked = false
    /// Buckets whose kept digest did not match the data, and versions whose record row was gone:
    /// the store was changed behind its back (damage, a bug, a hand edit). Rewritten, then repaired.
    public var damagedBuckets = 0
    public var orphanedVersions = 0
    /// Wall time of the check and its repair.
    public var seconds = 0.0

    /// The rounds ran out while others wrote to the server (its sequence number moved between the
    /// last two checks) and the last round only took versions from it: what still differs is
    /// those writes, which the next pull brings, not a fault.
    public var othersWriting = false

    /// A difference remains that is not only versions waiting in the outbox to be pushed again,
    /// or writes others made during the check.
    public var needsAttention: Bool { outcome == .differs && (kept > 0 || !refused.isEmpty || (waiting == 0 && !othersWriting)) }

    var changedAnything: Bool { pulled > 0 || pushed > 0 || leftScope > 0 || serverChanged || damagedBuckets > 0 || orphanedVersions > 0 }
}

/// Why a sync stopped. Nothing is lost: the outbox and the cursor are as the last completed step
/// left them, and the next sync continues from there.
public enum SyncError: Error, Equatable {
    case notConfigured
    case transport(TransportError)
    /// The server answered with an error status.
    case server(status: Int, code: String, message: String)
    /// The server's answer was not what the protocol says.
    case protocolViolation(String)

    public func message(_ language: Language) -> String {
        text(language)
    }

    /// The message in both languages. The server's own words (English) stay out of it: the
    /// status and code say enough, and `--json` keeps them.
    public var text: LocalizedText {
        switch self {
        case .notConfigured: SyncText.notConfigured.text
        case .transport(let error): error.text
        case .server(413, _, _): SyncText.tooLarge.text
        case .server(401, _, _): SyncText.tokenRefused.text
        case .server(let status, let code, _):
            (code == "storage_failed" ? SyncText.serverStorage : SyncText.serverError).with(["status": String(status), "code": code, "retry": SyncText.retry.text])
        case .protocolViolation: SyncText.protocolViolation.with(["retry": SyncText.retry.text])
        }
    }

    /// What a script or a log needs beyond the message: the server's own words, libcurl's text.
    public var detail: String? {
        switch self {
        case .notConfigured: nil
        case .transport(let error): error.detail
        case .server(let status, let code, let message): "\(status) \(code): \(message)"
        case .protocolViolation(let detail): detail
        }
    }

    /// The token was refused (401: revoked, replaced or unknown): only a new token helps, so
    /// `kette sync` says so and exits 5, not 3 like an outage.
    public var isTokenRefused: Bool {
        if case .server(401, _, _) = self { return true }
        return false
    }
}

/// Pushes the outbox and pulls what is new, over any transport.
public final class SyncEngine {
    let store: LocalStore
    private let remote: RemoteConfiguration
    private let transport: any HTTPTransport
    private let pushBatchSize: Int
    private let pageSize: Int
    /// Whether request bodies may go gzipped; they do once the server said it reads gzip.
    private let compressesRequests: Bool
    /// The server's last answer said `Accept-Encoding: gzip` (RFC 7694): it reads gzip bodies.
    /// An older server does not say so and gets plain bodies.
    private var serverReadsGzip = false
    /// What the server said about the refusals of this sync, by change set id.
    private var refusalDetails: [String: RefusalDetails] = [:]
    /// Called with a short progress line ("sending 200 of 1,000") for a terminal.
    public var progress: (LocalizedText) -> Void = { _ in }

    public init(store: LocalStore, remote: RemoteConfiguration, transport: any HTTPTransport,
                pushBatchSize: Int = SyncEngine.defaultPushBatchSize, pageSize: Int = SyncLimits.maxPageSize, compressesRequests: Bool = true) {
        self.store = store
        self.remote = remote
        self.transport = transport
        self.pushBatchSize = min(pushBatchSize, SyncLimits.maxChangeSetsPerPush)
        self.pageSize = pageSize
        self.compressesRequests = compressesRequests
    }

    /// What a sync does: both directions normally; one for measurements and slow links.
    public enum Direction: String, Sendable {
        case both, push, pull
    }

    /// Change sets per push request: as many as the server takes at once. Fewer, larger
    /// transactions cost the server fewer commits and round trips; with 200 a push of 100,000
    /// field changes ran 9 % slower on both backends (BENCHMARKS.md).
    public static let defaultPushBatchSize = SyncLimits.maxChangeSetsPerPush

    /// The size a push request aims to stay under (one larger change set still goes alone).
    static let pushBudgetBytes = 4 << 20

    public func sync(_ direction: Direction = .both) throws -> SyncReport {
        var report = SyncReport()
        let started = store.physicalNow()
        // Who the server says this user is: the scope `kette` checks writes against until the next sync.
        let identity: Identity = try exchange("GET", "/v1/me", body: nil)
        try store.recordUserScope(identity)
        let serverSchema = identity.schemaVersion ?? 1
        if direction != .pull {
            // A repair a restore made necessary comes first, also when an earlier sync learnt of
            // the restore and stopped before the repair was done.
            if try store.repairPending() {
                try pull(&report)
                try verify(&report, selfCheck: false)
            }
            do {
                try push(&report, serverSchema: serverSchema)
            } catch SyncError.server(409, "server_changed", _) {
                // The server was restored from a backup: what it lost comes back first (a pull
                // from 0 and the repair), so the outbox's edits of lost records can be placed.
                try pull(&report)
                try verify(&report, selfCheck: false)
                try push(&report, serverSchema: serverSchema)
            }
        }
        if direction != .push { try pull(&report) }
        // Every full sync ends with the digest check, which repairs what differs both ways.
        if direction == .both { try verify(&report, selfCheck: false) }
        try finish(&report, startedAt: started)
        return report
    }

    /// Only the digest check and its repair (`kette verify`): no push of the outbox, and a pull
    /// only when the server database changed.
    public func verify() throws -> SyncReport {
        var report = SyncReport()
        let started = store.physicalNow()
        try verify(&report, selfCheck: true)
        try finish(&report, startedAt: started)
        return report
    }

    /// - Parameter started: when the sync began (`kette log --since-sync` lists from then on).
    private func finish(_ report: inout SyncReport, startedAt started: Int64) throws {
        try store.recordSuccessfulSync(at: Date(), startedAt: started)
        // New refusals: those taken back and not yet reported by a finished sync, and those newly
        // waiting in the outbox that still wait (a re-stamped one may have gone through since).
        let stillWaiting = Set(try store.refusedChangeSets().filter(\.waiting).map(\.id))
        var seen = Set<String>()
        let newlyWaiting = report.refusedChangeSets.reversed().filter { seen.insert($0.id).inserted && stillWaiting.contains($0.id) }.reversed()
        report.refusedChangeSets = (try store.takeUnreportedRefusals() + newlyWaiting).map { refusal in
            var refusal = refusal
            refusal.details = refusal.details ?? refusalDetails[refusal.id]
            return refusal
        }
        report.keptRefusals = try store.keptRefusals().count
        report.openConflicts = try store.conflicts().count
        report.pendingChangeSets = try Outbox.pendingCount(in: store.database)
        report.cursor = try store.pullCursor()
    }

    // MARK: Push

    private func push(_ report: inout SyncReport, serverSchema: Int) throws {
        let total = try Outbox.pendingCount(in: store.database)
        var lastSeq = 0
        var restampedOnce = false
        while true {
            var batch = try store.outboxBatch(after: lastSeq, limit: pushBatchSize)
            guard !batch.isEmpty else { break }
            // Change sets of a newer record schema than the server's stay here, waiting as if the
            // server had refused them (`unsupported_schema`): sent, a type it does not know would
            // fail the whole push (SPEC §2, §15).
            let newer = batch.filter { $0.changeSet.schemaVersion > serverSchema }
            if !newer.isEmpty {
                report.refusedChangeSets += try store.applyPushResults(newer.map { Self.heldBack($0.changeSet, serverSchema: serverSchema) })
                batch.removeAll { $0.changeSet.schemaVersion > serverSchema }
                if batch.isEmpty { lastSeq = newer.last!.seq; continue }
            }
            // Requests stay well under the server's body limit: a batch that encodes too large
            // is halved, down to a single change set, which must travel whole.
            var body = PushRequest(changeSets: batch.map(\.changeSet)).encodeJSON()
            while body.count > Self.pushBudgetBytes && batch.count > 1 {
                batch.removeLast(batch.count / 2)
                body = PushRequest(changeSets: batch.map(\.changeSet)).encodeJSON()
            }
            let last = batch.last!
            // The database this replica last pulled from (ids are letters and digits).
            let known = try store.knownServer().flatMap { id in id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? id : nil }
            let server = known.map { "?server=" + $0 } ?? ""
            let response: PushResponse = try exchange("POST", "/v1/changesets" + server, body: body)
            let localTime = LocalStore.systemMilliseconds()
            guard Set(response.results.map(\.id)) == Set(batch.map(\.changeSet.id)) else {
                throw SyncError.protocolViolation("the push answer does not list exactly the change sets sent")
            }
            report.refusedChangeSets += try store.applyPushResults(response.results)
            for result in response.results { if let details = result.details { refusalDetails[result.id] = details } }
            report.pushedChangeSets += batch.count
            report.appliedChangeSets += response.results.filter { $0.status != .refused }.count
            progress(SyncText.pushProgress.with(["done": report.pushedChangeSets, "total": total]))
            if !restampedOnce, response.results.contains(where: { $0.code == "clock_ahead" }) {
                // This machine's clock runs ahead: correct it, re-stamp, and push that part again.
                restampedOnce = true
                report.restampedChangeSets += try store.restampAheadOfServer(serverTime: response.serverTime, localTimeAtResponse: localTime)
                continue
            }
            lastSeq = last.seq
        }
    }

    /// The answer the server would give a change set of a record schema it does not know yet.
    static func heldBack(_ changeSet: ChangeSet, serverSchema: Int) -> ChangeSetResult {
        ChangeSetResult(id: changeSet.id, status: .refused, code: "unsupported_schema",
                        reason: "written with record schema \(changeSet.schemaVersion); the server understands up to \(serverSchema). "
                            + "Update the server; the change set waits here and is sent once it does.",
                        details: RefusalDetails(schemaVersion: changeSet.schemaVersion, supportedSchemaVersion: serverSchema))
    }

    // MARK: Pull

    /// Pulls pages until the server has no more. The next page is fetched while the current
    /// one is merged: the server's work and the client's overlap, on different cores.
    func pull(_ report: inout SyncReport) throws {
        if try store.scrubPending() { try store.scrubErasedData() }
        // Pulled before with an older record schema, the server left out the types this client
        // did not know then: start again from 0 to get them (merging the rest again changes nothing).
        if try store.pulledSchema() < ChangeSet.currentSchemaVersion { try store.resetPullCursor(schema: ChangeSet.currentSchemaVersion) }
        let cursor = try store.pullCursor()
        let buildingFromEmpty = try cursor == 0 && store.holdsNoVersions()
        // A pull writes page after page: with SQLite's default checkpoint every 1,000 WAL pages
        // (4 MB), almost every page's transaction also copied the B-tree pages it touched back into
        // the database file. Every 16,384 (64 MB) cut a first sync's writes by a quarter
        // (BENCHMARKS.md); the WAL is still checkpointed then, and when the store closes.
        try store.database.execute("PRAGMA wal_autocheckpoint = 16384")
        defer { try? store.database.execute("PRAGMA wal_autocheckpoint = 1000") }
        try pullPages(after: cursor, &report)
        if buildingFromEmpty { try store.noteBuiltByPull() }
    }

    /// Fetches and merges pages from `start` on. Pages that arrive while one is merged, or soon
    /// after, join its transaction, up to `pagesPerCommit` (fewer commits, each B-tree page
    /// written fewer times); a transaction is held at most `commitWait` for a page, never for a
    /// slow network. When the network fails, the pages merged stay; when a page fails to merge,
    /// the uncommitted ones are taken back with it (and the cursor).
    private func pullPages(after start: Int64, _ report: inout SyncReport) throws {
        var cursor = start
        var pending = startFetch(after: cursor)
        var uncommitted = 0
        defer { try? store.commitPulledPages() }
        while true {
            if uncommitted > 0, uncommitted >= Self.pagesPerCommit || !pending.arrives(within: Self.commitWait) {
                let committing = DispatchTime.now().uptimeNanoseconds
                try store.commitPulledPages()
                report.pullCommitSeconds += Self.seconds(since: committing)
                uncommitted = 0
            }
            let waited = DispatchTime.now().uptimeNanoseconds
            let fetched: FetchedPage
            do {
                fetched = try pending.wait()
            } catch SyncError.server(400, "cursor_ahead", _) where report.pullRestart == nil {
                // The server knows less than we pulled (restored from a backup): start over;
                // merging what we already hold again changes nothing.
                report.pullRestart = .cursorAhead
                cursor = 0
                pending = try restartPull(repair: true)
                continue
            }
            // Another server database (a restore), or a scope the user did not read before: the
            // cursor means nothing for them. Merging what we already hold again changes nothing.
            if cursor > 0, report.pullRestart == nil, let reason = try store.pullRestartReason(for: fetched.page) {
                report.pullRestart = reason
                cursor = 0
                pending = try restartPull()
                continue
            }
            // Checked whole before anything of it is stored (a bad page is the server's fault, exit 3).
            if let problem = fetched.problem { throw SyncError.protocolViolation(problem) }
            guard report.pulledPages < PullPage.maxPagesPerPull else {
                throw SyncError.protocolViolation("the server sent more than \(PullPage.maxPagesPerPull) pages in one pull")
            }
            let page = fetched.page
            let next = page.more ? startFetch(after: page.cursor) : nil
            let received = DispatchTime.now().uptimeNanoseconds
            let outcome = try merge(page, keepingOpen: page.more)
            uncommitted += 1
            report.count(page, outcome, transferSeconds: Double(received - waited) / 1e9, mergeSeconds: Self.seconds(since: received))
            progress(SyncText.pullProgress.with(["changes": report.pulledChanges]))
            cursor = page.cursor
            guard let next else { break }
            pending = next
        }
        try store.commitPulledPages()
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// How many pulled pages one transaction takes at most: a first sync commits a tenth as
    /// often as with a transaction per page (it wrote 2.5 instead of 3.8 times its store's size,
    /// BENCHMARKS.md), and a pull cut off loses at most this many pages' work.
    static let pagesPerCommit = 10

    /// How long a pull holds its transaction open for the next page. The server takes about as
    /// long to serve a page as the client to merge one (50 ms for 5,000 changes here): without
    /// this wait, a page that came a moment after the merge ended forced a commit, and a first
    /// sync committed after most pages. A local write waits at most for the pages merged in one
    /// transaction (half a second for ten) and this.
    static let commitWait = DispatchTimeInterval.milliseconds(200)

    private func restartPull(repair: Bool = false) throws -> PendingPage {
        try store.commitPulledPages()
        try store.resetPullCursor(repair: repair)
        return startFetch(after: 0)
    }

    /// Stores a checked page. A constraint the page breaks all the same (the checks missed a
    /// case) is the server's fault too, not a broken disk: the transaction was rolled back.
    private func merge(_ page: PullPage, keepingOpen: Bool) throws -> LocalStore.PageOutcome {
        do {
            return try store.mergePulledPage(page, keepingOpen: keepingOpen)
        } catch let error as SQLiteError where Self.pageFaults.contains(error.code.primary) {
            throw SyncError.protocolViolation("a pulled page could not be stored (\(error.code.primary.description))")
        }
    }

    /// What a page can make SQLite refuse: a constraint, a value too big, a type mismatch.
    private static let pageFaults: Set<ResultCode> = [.constraint, ResultCode(rawValue: 18), ResultCode(rawValue: 20)]

    /// A page as the fetching thread hands it over: checked against the cursor it was asked
    /// after, its trailing record held back. Both look at every change, so they run while the
    /// page before is merged (2 ms of a 5,000-change page's 40 ms merge).
    private struct FetchedPage {
        let page: PullPage
        /// What is wrong with the page as the server sent it; nil when nothing is.
        let problem: String?

        init(_ sent: PullPage, after cursor: Int64) {
            problem = sent.problem(after: cursor)
            page = problem == nil ? sent.holdingBackTrailingRecord() : sent
        }
    }

    /// A page on its way: fetched on another thread, handed over once.
    private final class PendingPage: @unchecked Sendable {
        // @unchecked: `result` is written once before `arrived` is signalled and read only after.
        var result: Result<FetchedPage, any Error> = .failure(SyncError.protocolViolation("no page"))
        let arrived = DispatchSemaphore(value: 0)

        func wait() throws -> FetchedPage {
            arrived.wait()
            return try result.get()
        }

        /// Whether the page (or its failure) is here, waiting at most `interval` for it.
        func arrives(within interval: DispatchTimeInterval) -> Bool {
            guard arrived.wait(timeout: .now() + interval) == .success else { return false }
            arrived.signal()
            return true
        }
    }

    private func startFetch(after cursor: Int64) -> PendingPage {
        let pending = PendingPage()
        let transport = self.transport, remote = self.remote, path = "/v1/changes?after=\(cursor)&limit=\(pageSize)&schema=\(ChangeSet.currentSchemaVersion)"
        DispatchQueue.global().async {
            pending.result = Result {
                let page = try Self.send(transport, remote, "GET", path, body: nil, maxResponseBytes: SyncLimits.maxPageAnswerBytes)
                return FetchedPage(try Self.decode(page, path, PullPage.decode(json:)), after: cursor)
            }
            pending.arrived.signal()
        }
        return pending
    }

    // MARK: HTTP

    func exchange<T: Decodable>(_ method: String, _ path: String, body: [UInt8]?) throws -> T {
        var sent = body
        var encoding: String?
        if let body, compressesRequests, serverReadsGzip, body.count >= Self.minimumCompressedBytes,
           let compressed = try? Gzip.compress(body) {
            sent = compressed
            encoding = "gzip"
        }
        let response: TransportResponse
        do {
            response = try Self.send(transport, remote, method, path, body: sent, contentEncoding: encoding)
        } catch SyncError.server(415, "unsupported_encoding", _) where encoding != nil {
            // Something between said gzip and something behind refused it (nothing was applied):
            // plain bodies from now on.
            serverReadsGzip = false
            response = try Self.send(transport, remote, method, path, body: body)
        }
        serverReadsGzip = Self.readsGzip(response.headers["accept-encoding"])
        return try Self.decode(response, path) { try JSONDecoder().decode(T.self, from: Data($0)) }
    }

    /// Bodies smaller than this go plain: the gzip frame and the time would outweigh the saving.
    static let minimumCompressedBytes = 1024

    /// Whether an answer's `Accept-Encoding` (the request codings the server reads) names gzip.
    static func readsGzip(_ header: String?) -> Bool {
        (header ?? "").split(separator: ",").contains { $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip" }
    }

    /// One request; any status but 200 is a `SyncError.server`, an answer too large or not
    /// inflatable a `protocolViolation` (the server's fault, like any answer not understood).
    private static func send(_ transport: any HTTPTransport, _ remote: RemoteConfiguration, _ method: String, _ path: String,
                             body: [UInt8]?, contentEncoding: String? = nil, maxResponseBytes: Int? = nil) throws -> TransportResponse {
        var headers = ["Authorization": "Bearer \(remote.token)", "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        if let contentEncoding { headers["Content-Encoding"] = contentEncoding }
        let response: TransportResponse
        do {
            response = try transport.send(TransportRequest(method: method, url: remote.url + path, headers: headers, body: body,
                                                           maxResponseBytes: maxResponseBytes))
        } catch let error where error.isUnreadableAnswer {
            throw SyncError.protocolViolation("\(path) answered with a body that cannot be read: \(error.detail)")
        } catch {
            throw SyncError.transport(error)
        }
        guard response.status == 200 else {
            let detail = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
            throw SyncError.server(status: response.status, code: detail?.error.code ?? "http_\(response.status)",
                                   message: detail?.error.message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        return response
    }

    /// The answer's body decoded; a body that is not the expected document is a `protocolViolation`.
    private static func decode<T>(_ response: TransportResponse, _ path: String, _ decode: ([UInt8]) throws -> T) throws -> T {
        do {
            return try decode(response.body)
        } catch {
            throw SyncError.protocolViolation("\(path) answered with a body that is not a \(T.self)")
        }
    }
}

@available(*, unavailable)
extension SyncEngine: Sendable {}

extension PullPage {
    /// The page without the versions of its last record when more pages follow, and the cursor
    /// set before them: the next page starts with that record, so a replica never holds part of
    /// what one write wrote (a pull cut off there, followed by a restore that lost the record,
    /// would leave a fragment no repair could place). A page of one record is taken whole.
    func holdingBackTrailingRecord() -> PullPage {
        guard more, let last = changes.last, (left.last?.seq ?? 0) < last.seq else { return self }
        var start = changes.count - 1
        while start > 0, changes[start - 1].change.recordType == last.change.recordType,
              changes[start - 1].change.recordID == last.change.recordID { start -= 1 }
        guard start > 0 else { return self }
        var page = self
        page.changes = Array(changes[..<start])
        page.cursor = changes[start - 1].seq
        page.left = left.filter { $0.seq <= page.cursor }
        return page
    }
}
