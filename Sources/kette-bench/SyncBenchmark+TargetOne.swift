import Foundation

/// Issue 13, target 1: a first full sync writes at most 3 × the store it makes, and the cost per
/// field change of a push and of a first full sync at the largest size is at most 1.25 × the
/// cost at the next smaller one (1M against 100k).
extension SyncBenchmark {
    /// The size of the files in `directory` (a store: its database, and its WAL if one is left).
    static func bytes(in directory: String) -> Double {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0.0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? NSNumber)?.doubleValue
            return total + (size ?? 0)
        }
    }

    static func targetOneLine(_ f: Figures) -> String {
        let written = Sample(values: f.pullWrittenBytes), store = Sample(values: f.pullStoreBytes)
        let ratio = Sample(values: zip(f.pullWrittenBytes, f.pullStoreBytes).map { $0 / max(1, $1) })
        return String(format: "    target 1: the first full sync wrote %.1f MB for a %.1f MB store, %.1f × (≤ 3 %@)",
                      written.median / 1e6, store.median / 1e6, ratio.median, ratio.median <= 3 ? "met" : "NOT met")
    }

    /// Per adjacent pair of sizes: cost per field change at the larger over the smaller, for the
    /// push and the first full sync (medians of each size's runs).
    static func linearityLines(_ sizes: [Figures]) -> [String] {
        zip(sizes, sizes.dropFirst()).map { small, large in
            func cost(_ seconds: [Double], _ count: Int) -> Double { Sample(values: seconds).median / Double(max(1, count)) }
            let push = cost(large.pushSeconds, large.changes) / cost(small.pushSeconds, small.changes)
            let pull = cost(large.pullSeconds, large.pulledRows) / cost(small.pullSeconds, small.pulledRows)
            let met = push <= 1.25 && pull <= 1.25
            return String(format: "target 1, cost per field change at %d against %d changes: push %.2f ×, first full sync %.2f × (≤ 1.25 %@)",
                          large.changes, small.changes, push, pull, met ? "met" : "NOT met")
        }
    }
}
