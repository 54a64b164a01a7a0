import Foundation
import KetteProtocol

/// The server's log: one line per request and per event (start, stop, storage trouble), in
/// logfmt or JSON (`--log-format`), to standard error, where systemd's journal collects it.
/// Lines never carry a token, a body or a record's content: who, what endpoint, how it ended.
public final class ServerLog: @unchecked Sendable {
    // @unchecked: `formatter` and the writes are used only while holding `lock`.
    public let format: LogLine.Format
    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where a finished line goes (with its newline); standard error by default.
    public init(format: LogLine.Format, write: @escaping @Sendable (String) -> Void = ServerLog.standardError) {
        self.format = format
        self.write = write
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    public static let standardError: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data(line.utf8)) }

    /// An event that is not a request: `event=start message="listening on …"`.
    public func event(_ name: String, _ message: String, _ fields: [(String, String)] = []) {
        emit([("event", name), ("message", message)] + fields)
    }

    /// One answered request.
    func request(id: String, _ request: HTTPRequest, endpoint: String, status: Int, bytesOut: Int, seconds: Double, note: RequestNote) {
        var fields: [(String, String)] = [("event", "request"), ("request_id", id), ("remote", request.remoteAddress)]
        fields.append(("user", note.user ?? "-"))
        fields += [("method", request.method), ("endpoint", endpoint), ("status", String(status)),
                   ("duration_ms", String(format: "%.1f", seconds * 1000)), ("bytes_in", String(request.body.count)), ("bytes_out", String(bytesOut))]
        if !note.changeSetOutcomes.isEmpty {
            fields += [("change_sets", String(note.changeSetOutcomes.values.reduce(0, +))), ("applied", String(note.changeSetOutcomes["applied", default: 0])),
                       ("refused", String(note.changeSetOutcomes["refused", default: 0])), ("conflicts", String(note.conflictsOpened))]
        }
        emit(fields)
    }

    private func emit(_ fields: [(String, String)]) {
        lock.withLock {
            let line = LogLine([("time", formatter.string(from: Date()))] + fields)
            write(line.text(format) + "\n")
        }
    }
}
