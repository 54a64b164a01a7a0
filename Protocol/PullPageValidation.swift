extension PullPage {
    /// The most pages one pull reads. A page that says `more` carries at least one change and
    /// moves the cursor, so a pull ends; this bounds it also against a server that never runs out
    /// (at 5,000 changes a page, 500 million changes: far beyond any county).
    public static let maxPagesPerPull = 100_000

    /// Why this page, the answer to a pull after `cursor`, breaks the protocol (SPEC §7.4, §12),
    /// or nil. Checked by the client before anything of the page is stored: a page that is
    /// undecodable, out of order or out of bounds is the server's fault, never a reason to touch
    /// the store (issue 12.5, 12.6).
    public func problem(after cursor: Int64) -> String? {
        if self.cursor < cursor { return "the server moved the cursor back from \(cursor) to \(self.cursor)" }
        if more, self.cursor == cursor {
            return "the server said more changes follow but did not move the cursor past \(cursor) (a proxy that ignores the query?)"
        }
        // Changes and scope exits (`left`) each take sequence numbers of their own.
        if more, max(changes.last?.seq ?? cursor, left.last?.seq ?? cursor) != self.cursor {
            return "a page with more to follow must end at its cursor \(self.cursor)"
        }
        var previousExit = cursor
        for exit in left {
            guard exit.seq > previousExit, exit.seq <= self.cursor else {
                return "left sequence numbers must rise from \(cursor) to the cursor \(self.cursor); got \(exit.seq) after \(previousExit)"
            }
            previousExit = exit.seq
        }
        var previous = cursor
        for pulled in changes {
            guard pulled.seq > previous, pulled.seq <= self.cursor else {
                return "change sequence numbers must rise from \(cursor) to the cursor \(self.cursor); got \(pulled.seq) after \(previous)"
            }
            previous = pulled.seq
            // Fields this version does not know (a newer server's) are skipped when merging.
            let change = pulled.change
            guard change.field == RecordType.deletedField || change.recordType.field(named: change.field) != nil else { continue }
            if let problem = change.problem { return "\(change.recordType.rawValue) \(change.recordID.prefix(40)): \(problem)" }
        }
        return nil
    }
}
