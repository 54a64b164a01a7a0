import Foundation
import XCTest

/// A Python helper process from a test's Fixtures folder (a misbehaving server, a recording
/// relay) that prints the loopback port it listens on as its first line and exits when its
/// standard input closes, so a crashed test run cannot leave it behind.
public final class PythonFixture {
    public let port: Int
    private let process: Process
    private let input: Pipe

    /// Starts `python3 script arguments…` and waits for its port line.
    public init(script: String, arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script] + arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        port = try XCTUnwrap(Int(String(decoding: line, as: UTF8.self)), "\(script) printed no port")
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Closes its standard input and waits for it to exit.
    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Sends a request with `curl arguments…` (no proxy, 10 s at most unless the arguments say
/// otherwise) and returns the status and the body as text.
public func curlRequest(_ arguments: [String]) throws -> (status: Int, body: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "--noproxy", "*", "-m", "10", "-w", "\n%{http_code}"] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}
