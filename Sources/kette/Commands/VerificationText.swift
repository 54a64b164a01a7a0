import KetteClient
import KetteCommandLine

/// What `kette sync` and `kette verify` say about the digest check (SPEC §16), in the user's language.
func verificationLines(_ report: SyncReport, _ context: CommandContext) -> [String] {
    var lines: [String] = []
    if report.leftScope > 0 {
        lines.append(context.pick("  \(report.leftScope) records left your scope (moved to a district you do not work in) and were removed here; they are not deleted.",
                                  "  \(report.leftScope) Datensätze haben Ihren Bereich verlassen (in einen anderen Sozialraum verschoben) und wurden hier entfernt; gelöscht sind sie nicht."))
    }
    if report.pullRestart == .scopeGained {
        lines.append(context.pick("  You were given a district: its records were pulled.", "  Ihnen wurde ein Sozialraum zugeteilt: seine Datensätze wurden geholt."))
    }
    guard let verification = report.verification else { return lines }
    if verification.serverChanged || report.pullRestart == .serverChanged || report.pullRestart == .cursorAhead {
        lines.append(context.pick("  The server was restored from a backup or replaced: everything was pulled again.",
                                  "  Der Server wurde aus einer Sicherung wiederhergestellt oder ersetzt: alles wurde neu geholt."))
    }
    if verification.damagedBuckets > 0 || verification.orphanedVersions > 0 {
        lines.append(context.pick("  This store was changed outside kette (damage or a hand edit): its check sums were rebuilt.",
                                  "  Dieser Speicher wurde außerhalb von kette verändert (Schaden oder Handbearbeitung): seine Prüfsummen wurden neu berechnet."))
    }
    switch verification.outcome {
    case .verified:
        lines.append(context.pick("Verified: this store holds the server's versions of everything you work with.",
                                  "Geprüft: dieser Speicher hat die Fassungen des Servers von allem, womit Sie arbeiten."))
    case .repaired:
        lines.append(context.pick("Repaired and verified: \(repairCounts(verification, context)).",
                                  "Repariert und geprüft: \(repairCounts(verification, context))."))
    case .differs:
        lines.append(context.pick("Not verified: this store and the server still differ (\(repairCounts(verification, context))).",
                                  "Nicht geprüft: dieser Speicher und der Server unterscheiden sich noch (\(repairCounts(verification, context)))."))
        if verification.waiting > 0 {
            lines.append(context.pick("  \(verification.waiting) field versions wait in change sets the server refused (see `kette status`).",
                                      "  \(verification.waiting) Feldfassungen warten in Änderungssätzen, die der Server abgelehnt hat (siehe `kette status`)."))
        }
        if verification.kept > 0 || !verification.refused.isEmpty {
            lines.append(context.pick("  \(max(verification.kept, verification.refused.count)) records hold versions the server lacks where you may not write; they stay here. Ask the county office to sync, then sync again.",
                                      "  \(max(verification.kept, verification.refused.count)) Datensätze haben Fassungen, die dem Server fehlen, wo Sie nicht schreiben dürfen; sie bleiben hier. Den Kreis um einen Sync bitten, dann erneut synchronisieren."))
        }
    }
    return lines
}

private func repairCounts(_ verification: Verification, _ context: CommandContext) -> String {
    context.pick("\(verification.pulled) versions taken from the server, \(verification.pushed) brought back to it, \(verification.leftScope) records that left your scope removed",
                 "\(verification.pulled) Fassungen vom Server übernommen, \(verification.pushed) an ihn zurückgegeben, \(verification.leftScope) Datensätze außerhalb Ihres Bereichs entfernt")
}
