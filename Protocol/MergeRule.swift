/// The merge rule every replica applies, the one place it is written down: the server calls
/// `merge` for every pushed or repaired version, the client calls `incomingWins` for every pulled
/// one (SPEC §8.1). No other code compares timestamps to decide a field's value.
///
/// Each field is a last-writer-wins register ordered by hybrid logical clock: of all the values a
/// replica has seen for a field, the one with the greatest timestamp is the field's value. The
/// order is total and independent of arrival order, so replicas that have seen the same changes
/// hold the same state.
///
/// One exception: a version the server rewrote to erase a person's name (`redacted`, SPEC §8.7)
/// keeps its timestamp, and replaces the held version with the same timestamp, because it is the
/// same write, rewritten. It never beats a newer version.
public enum MergeRule {
    /// One version of a field: its value, when it was written, and the version its author had seen.
    public struct Version: Hashable, Sendable {
        public var value: FieldValue
        public var hlc: HLCTimestamp
        public var base: HLCTimestamp?
        /// The server rewrote this version's value to erase a name (SPEC §8.7).
        public var redacted: Bool

        public init(value: FieldValue, hlc: HLCTimestamp, base: HLCTimestamp?, redacted: Bool = false) {
            self.value = value
            self.hlc = hlc
            self.base = base
            self.redacted = redacted
        }
    }

    /// What applying an incoming version to a field does.
    public struct Outcome: Equatable, Sendable {
        /// The incoming value becomes the field's value.
        public var incomingWins: Bool
        /// Two people wrote the field without seeing each other's value, and the values differ.
        public var isConflict: Bool
    }

    /// Decides the fate of `incoming` against the field's `current` version (nil: no value yet).
    public static func merge(incoming: Version, current: Version?) -> Outcome {
        guard let current else { return Outcome(incomingWins: true, isConflict: false) }
        let wins = incomingWins(incoming.hlc, redacted: incoming.redacted, over: current.hlc)
        // The same timestamp is the same write: seen before, or rewritten by an erasure.
        if incoming.hlc == current.hlc { return Outcome(incomingWins: wins, isConflict: false) }
        let (newer, older) = wins ? (incoming, current) : (current, incoming)
        return Outcome(incomingWins: wins, isConflict: areConcurrent(newer: newer, older: older) && newer.value != older.value)
    }

    /// Whether an incoming version replaces the held one (`current`, nil when none): the greater
    /// timestamp wins; an equal one only when the incoming version is the redacted rewrite of it.
    public static func incomingWins(_ incoming: HLCTimestamp, redacted: Bool = false, over current: HLCTimestamp?) -> Bool {
        guard let current else { return true }
        return incoming > current || (redacted && incoming == current)
    }

    /// The same decision on canonical texts (`HLCTimestamp.encoded`), for the pull's hot path:
    /// the text form has fixed-width fields, so text order is clock order (SPEC §5.1), and
    /// parsing every held timestamp of a page would cost more than the merge itself.
    public static func incomingWins(encoded incoming: String, redacted: Bool = false, over current: String?) -> Bool {
        guard let current else { return true }
        return incoming > current || (redacted && incoming == current)
    }

    /// True when the author of `newer` had not seen `older`: its base is older than `older`.
    ///
    /// Only the base pointer travels with a change, so "had seen" means "had seen this version
    /// or a later one", which holds for the usual edit chains.
    public static func areConcurrent(newer: Version, older: Version) -> Bool {
        guard let base = newer.base else { return true }
        return base < older.hlc
    }
}
