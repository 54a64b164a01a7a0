/// Sums and differences that stop at `Int`'s bounds instead of trapping.
///
/// Reports add up figures that arrived from other replicas. The protocol bounds them (SPEC §6.2),
/// but a store can still hold what an older server accepted (participants = 2^63 − 1): a report
/// over it must print something rather than crash with an overflow trap. Within the bounds no
/// sum of a county's figures comes near `Int.max`, so saturation changes no real figure.
extension Int {
    func saturatingAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func saturatingSubtracting(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}
