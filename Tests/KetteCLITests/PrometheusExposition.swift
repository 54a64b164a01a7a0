import Foundation
import KetteTestSupport
import XCTest

/// A parser for Prometheus' text exposition format (0.0.4), strict enough to fail on what a
/// Prometheus server would reject: a sample of a family without `# TYPE`, a malformed label, a
/// value that is not a number, a histogram whose buckets shrink or whose `+Inf` is not its count.
struct PrometheusExposition {
    struct Sample: Hashable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    let types: [String: String]
    let samples: [Sample]

    init(_ text: String) throws {
        var types: [String: String] = [:]
        var samples: [Sample] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Malformed(line: index + 1, reason: "bad TYPE line '\(line)'")
                }
                types[String(parts[2])] = String(parts[3])
            } else if !line.hasPrefix("#") {
                let sample = try Self.sample(String(line), line: index + 1)
                let family = ["_bucket", "_sum", "_count"].reduce(sample.name) { name, suffix in
                    name.hasSuffix(suffix) && types[String(name.dropLast(suffix.count))] == "histogram" ? String(name.dropLast(suffix.count)) : name
                }
                guard types[family] != nil else { throw Malformed(line: index + 1, reason: "\(sample.name) has no # TYPE") }
                samples.append(sample)
            }
        }
        self.types = types
        self.samples = samples
        try checkHistograms()
    }

    /// The value of the one sample `name` with exactly `labels`, nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample `name` whose labels include `matching`.
    func all(_ name: String, _ matching: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    private static func sample(_ line: String, line number: Int) throws -> Sample {
        guard let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { throw Malformed(line: number, reason: "no value: \(line)") }
        let name = String(line[..<nameEnd])
        guard name.range(of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*$"#, options: .regularExpression) != nil else { throw Malformed(line: number, reason: "bad name \(name)") }
        var rest = line[nameEnd...]
        var labels: [String: String] = [:]
        if rest.hasPrefix("{") {
            rest = rest.dropFirst()
            while !rest.hasPrefix("}") {
                guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)] == "\"" else { throw Malformed(line: number, reason: "bad label in \(line)") }
                let key = String(rest[..<equals])
                var value = "", cursor = rest.index(equals, offsetBy: 2)
                while cursor < rest.endIndex, rest[cursor] != "\"" {
                    if rest[cursor] == "\\" { cursor = rest.index(after: cursor); value.append(rest[cursor] == "n" ? "\n" : rest[cursor]) } else { value.append(rest[cursor]) }
                    cursor = rest.index(after: cursor)
                }
                guard cursor < rest.endIndex else { throw Malformed(line: number, reason: "unterminated label value in \(line)") }
                labels[key] = value
                rest = rest[rest.index(after: cursor)...]
                if rest.hasPrefix(",") { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0]) ?? (fields[0] == "+Inf" ? .infinity : nil) else {
            throw Malformed(line: number, reason: "bad value in \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private func checkHistograms() throws {
        for (family, type) in types where type == "histogram" {
            let groups = Dictionary(grouping: all(family + "_bucket")) { $0.labels.filter { $0.key != "le" } }
            for (labels, buckets) in groups {
                let ordered = buckets.sorted { (Double($0.labels["le"]!) ?? .infinity) < (Double($1.labels["le"]!) ?? .infinity) }
                guard zip(ordered, ordered.dropFirst()).allSatisfy({ $0.value <= $1.value }) else { throw Malformed(line: 0, reason: "\(family)\(labels) buckets shrink") }
                guard ordered.last?.labels["le"] == "+Inf", ordered.last?.value == value(family + "_count", labels) else {
                    throw Malformed(line: 0, reason: "\(family)\(labels): +Inf bucket is not the count")
                }
            }
        }
    }
}

/// `promtool check metrics` (from Debian's prometheus package; scripts/setup.sh puts it in
/// .build-tools/) on `text`: Prometheus' own linter for names, help texts and units. Nil when
/// there is no promtool.
func promtoolProblems(_ text: String) throws -> String? {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = ["/usr/bin/promtool", repository.appendingPathComponent(".build-tools/promtool").path]
    guard let promtool = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else { return nil }
    let result = try runProcess(promtool, ["check", "metrics"], input: text, mergeErrors: true)
    return result.status == 0 ? "" : result.output
}
