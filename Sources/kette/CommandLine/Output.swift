#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where human output goes: standard output, or, for the commands that read out records (lists,
/// shows, reports, help; they call `startPaging`), the user's pager when standard output is a
/// terminal (`$KETTE_PAGER`, else `$PAGER`, else `less -FRX`, which leaves short output on the
/// screen and returns at once). Piped or redirected output is never paged; `KETTE_PAGER=cat` or
/// an empty value turns paging off. Commands that write or ask (an editor, a question) never
/// page. JSON output never comes through here.
final class Output {
    private var pager: Process?
    private var pipe: Pipe?
    /// Set when the pager quit before all was written (the reader pressed `q`): the rest is dropped.
    private var closed = false
    private var buffer: [UInt8] = []
    /// Set by `startPaging`: the command reads out records.
    private var reading = false
    /// Whether the pager was looked for (it is started at the first write, once); true from the
    /// start for commands that do not page.
    private var pagerChosen = true
    private let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// The pager command, nil when output should not be paged.
    static func pagerCommand(_ environment: [String: String]) -> String? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        let command = (environment["KETTE_PAGER"] ?? environment["PAGER"] ?? "less -FRX").trimmingCharacters(in: .whitespaces)
        return command.isEmpty || command == "cat" ? nil : command
    }

    /// Output of a command that reads out records: paged on a terminal (from the next write on)
    /// and buffered.
    func startPaging() {
        if pager == nil { pagerChosen = false }
        reading = true
    }

    /// Writes `text` as it is (the caller escaped it). What a reading command prints is held
    /// in a buffer and written in large pieces (a list of thousands of lines is a few system
    /// calls, not thousands); other commands' lines go out at once, before any question they ask.
    func write(_ text: String) {
        if !pagerChosen {
            pagerChosen = true
            if let command = Self.pagerCommand(environment) { start(command) }
        }
        buffer.append(contentsOf: text.utf8)
        if !reading || buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what the buffer holds.
    func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        let fd = pipe?.fileHandleForWriting.fileDescriptor ?? STDOUT_FILENO
        if pipe == nil { fflush(nil) }  // after anything `print` buffered
        guard !closed else { return }
        var bytes = buffer[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { unistdWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                closed = true  // the pager is gone (EPIPE); nothing else to show
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Writes the rest, then closes the pager's input and waits until the reader has quit it.
    func finish() {
        flush()
        guard let pager, let pipe else { return }
        try? pipe.fileHandleForWriting.close()
        pager.waitUntilExit()
        self.pager = nil
        self.pipe = nil
    }

    /// Writes a whole text (help) to the pager or standard output.
    static func page(_ text: String, environment: [String: String]) {
        let output = Output(environment: environment)
        output.startPaging()
        output.write(text)
        output.finish()
    }

    private func start(_ command: String) {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = pipe
        var environment = self.environment
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        process.environment = environment
        // A pager that quits early must not end kette with SIGPIPE: the write fails instead.
        signal(SIGPIPE, SIG_IGN)
        // No pager to be had: write to standard output as if there were none.
        guard (try? process.run()) != nil else { return }
        self.pager = process
        self.pipe = pipe
    }
}

/// write(2): inside `Output` the name `write` is its own method's.
private func unistdWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, bytes, count)
}
