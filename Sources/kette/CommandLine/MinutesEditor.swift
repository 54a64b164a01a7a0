import Foundation
import KetteClient
import KetteMessages
import KetteProtocol
import KetteStore

/// The minutes of a meeting, written in `$EDITOR` (else `$VISUAL`, else vi): a file with a few
/// instruction lines and the current minutes, if any; what is saved, without the instruction
/// lines, is the new text.
struct MinutesEditor {
    let context: CommandContext

    /// What the person saved; nil when they left it empty. Throws when the editor fails: then
    /// nothing is to be saved.
    func edit(current: String?) throws -> String? {
        let editor = context.environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? context.environment["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kette-minutes-\(UUID().uuidString).md")
        let marker = Self.commentMarker(avoiding: current ?? "")
        // Minutes name people: the file is private (0600) whatever the umask, like the store.
        let written = PrivateFile.write(Array((instructions(marker: marker, editing: current != nil) + (current ?? "")).utf8), to: file.path)
        defer { try? FileManager.default.removeItem(at: file) }
        guard written == 0 else { throw KetteError.editorFailed(command: editor, reason: .verbatim(String(cString: strerror(written)))) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor may carry arguments ("code --wait"), so the shell splits it; the file is "$1".
        process.arguments = ["-c", "\(editor) \"$1\"", "kette-editor", file.path]
        do { try process.run() } catch { throw KetteError.editorFailed(command: editor, reason: .verbatim("\(error)")) }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KetteError.editorFailed(command: editor, reason: InputText.editorExit.with(["status": String(process.terminationStatus)]))
        }
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(marker) }.joined(separator: "\n")
        let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The instruction lines, each starting with `marker`, and an empty line.
    private func instructions(marker: String, editing: Bool) -> String {
        (editing ? MinutesText.editorEditing : MinutesText.editorNew)(context.language, ["marker": marker])
    }

    /// The instruction lines' marker: `#`, unless a line of the minutes starts with it (a Markdown
    /// heading), then the first of a few others no line starts with, so no line of the minutes is
    /// ever taken for an instruction and dropped.
    static func commentMarker(avoiding text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let candidates = ["#", ";", "%", "|", "//", ">>"]
        return candidates.first { marker in !lines.contains { $0.hasPrefix(marker) } } ?? "#kette#"
    }
}
