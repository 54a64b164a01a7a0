import Foundation

/// What a finished child process printed and how it ended.
public struct ProcessOutcome {
    public let status: Int32
    public let output: String
    public let errors: String
}

/// Runs `executable arguments…` to its end, with `input` on its standard input, and returns its
/// exit status and both outputs (read at the same time, so neither pipe can fill up and block it).
/// `environment` nil inherits the test's; `mergeErrors` sends stderr into `output`.
public func runProcess(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
                       directory: URL? = nil, mergeErrors: Bool = false) throws -> ProcessOutcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let output = Pipe(), errors = Pipe(), standardInput = Pipe()
    process.standardOutput = output
    process.standardError = mergeErrors ? output : errors
    process.standardInput = standardInput
    try process.run()
    let writer = standardInput.fileHandleForWriting
    let data = Data((input ?? "").utf8)
    DispatchQueue.global().async { try? writer.write(contentsOf: data); try? writer.close() }
    let errorData = ReadBuffer()
    let errorsRead = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        if !mergeErrors { errorData.data = errors.fileHandleForReading.readDataToEndOfFile() }
        errorsRead.signal()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    errorsRead.wait()
    process.waitUntilExit()
    return ProcessOutcome(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                          errors: String(decoding: errorData.data, as: UTF8.self))
}

/// Bytes one reader thread fills before it signals; read only after the signal.
private final class ReadBuffer: @unchecked Sendable {
    var data = Data()
}
