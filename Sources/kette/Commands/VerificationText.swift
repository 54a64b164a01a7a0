import KetteClient
import KetteCommandLine
import KetteMessages

/// What `kette sync` and `kette verify` say about the digest check (SPEC §16), from the catalog.
func verificationLines(_ report: SyncReport) -> [LocalizedText] {
    var lines: [LocalizedText] = []
    if report.leftScope > 0 { lines.append(SyncText.leftScope.with(["count": report.leftScope])) }
    if report.pullRestart == .scopeGained { lines.append(SyncText.scopeGained.text) }
    guard let verification = report.verification else { return lines }
    if verification.serverChanged || report.pullRestart == .serverChanged || report.pullRestart == .cursorAhead {
        lines.append(SyncText.serverRestored.text)
    }
    if verification.damagedBuckets > 0 || verification.orphanedVersions > 0 { lines.append(SyncText.storeDamaged.text) }
    let counts: MessageValues = ["pulled": verification.pulled, "pushed": verification.pushed, "left": verification.leftScope]
    switch verification.outcome {
    case .verified:
        lines.append(SyncText.verified.text)
    case .repaired:
        lines.append(SyncText.repaired.with(counts))
    case .differs:
        lines.append(SyncText.notVerified.with(counts))
        if verification.othersWriting && !verification.needsAttention { lines.append(SyncText.othersWriting.text) }
        if verification.waiting > 0 { lines.append(SyncText.waitingVersions.with(["count": verification.waiting])) }
        let kept = max(verification.kept, verification.refused.count)
        if kept > 0 { lines.append(SyncText.keptRecords.with(["count": kept])) }
    }
    return lines
}
