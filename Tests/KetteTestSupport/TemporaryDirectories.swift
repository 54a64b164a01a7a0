import Foundation
import XCTest

/// Throw-away directories under the system's temporary directory, removed together: one per
/// store or server a test makes, so no test sees another's files.
public final class TemporaryDirectories {
    public private(set) var paths: [String] = []

    public init() {}

    /// A new, empty directory whose name starts with `kette-LABEL-`.
    public func make(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kette-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        paths.append(path)
        return path
    }

    /// Removes every directory made so far, with whatever is in it.
    public func removeAll() {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
    }

    deinit { removeAll() }
}

extension XCTestCase {
    /// A new, empty directory for this test, removed when the test ends (also when it fails).
    public func makeTemporaryDirectory(_ label: String) throws -> String {
        let directories = TemporaryDirectories()
        let path = try directories.make(label)
        addTeardownBlock { directories.removeAll() }
        return path
    }
}
