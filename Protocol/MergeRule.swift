/// The merge rule every replica applies, the one place it is written down.
///
/// Each field is a last-writer-wins register ordered by hybrid logical clock: of all the values a
/// replica has seen for a field, the one with the greatest timestamp is the field's value. The
/// order is total and independent of arrival order, so replicas that have seen the same changes
/// hold the same state.
public enum MergeRule {
    /// One version of a field: its value, when it was written, and the version its author had seen.
    public struct Version: Hashable, Sendable {
        public var value: FieldValue
        public var hlc: HLCTimestamp
        public var base: HLCTimestamp?

        public init(value: FieldValue, hlc: HLCTimestamp, base: HLCTimestamp?) {
            self.value = value
            self.hlc = hlc
            self.base = base
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
        if incoming.hlc == current.hlc { return Outcome(incomingWins: false, isConflict: false) }  // seen before
        let (newer, older) = incoming.hlc > current.hlc ? (incoming, current) : (current, incoming)
        return Outcome(incomingWins: newer == incoming,
                       isConflict: areConcurrent(newer: newer, older: older) && newer.value != older.value)
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
