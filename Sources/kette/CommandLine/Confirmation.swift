import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol

/// `--yes`: a deletion goes ahead without asking.
let yesFlag = Flag("yes", help: LocalizedText("delete without asking (needed without a terminal)",
                                              "ohne Nachfrage löschen (ohne Terminal nötig)"))

extension CommandContext {
    /// Deletes a record after the person agreed: on a terminal the command asks, `--yes` answers
    /// for scripts, and without either nothing is deleted (exit 1), so a mistyped script line
    /// cannot empty a record unasked. Returns the deleted record's id.
    func deleteAfterConfirming(_ type: RecordType, _ reference: String) throws -> String {
        let store = try store()
        let target = try store.describeRecord(type, reference, language: language)
        let kind = FieldText.kind(type)
        let what = target.title.map { HistoryText.recordNamed.with(["kind": kind, "title": $0, "id": shortID(target.id)]) }
            ?? HistoryText.recordUnnamed.with(["kind": kind, "id": shortID(target.id)])
        try confirm(HistoryText.deletionQuestion.with(["what": what]), what: what)
        return try store.deleteRecord(type, target.id, language: language)
    }

    /// Goes on only when the person agreed to lose `what`: on a terminal it asks `question`,
    /// `--yes` answers for scripts, and without either it throws, so nothing is lost unasked.
    func confirm(_ question: LocalizedText, what: LocalizedText) throws {
        guard !input[yesFlag] else { return }
        guard isatty(STDIN_FILENO) == 1 else { throw KetteError.deletionNeedsConfirmation(what: what) }
        FileHandle.standardError.write(Data(TerminalText.escaped(question(language)).utf8))
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard ["y", "yes", "j", "ja"].contains(answer) else { throw KetteError.deletionDeclined }
    }
}

/// A command that deletes one record of `type` after confirming (`deleteAfterConfirming`) and
/// says so with `done(id)`.
func deletionCommand(_ path: String, _ type: RecordType, argument: Argument<String>, abstract: LocalizedText,
                     discussion: @escaping @autoclosure @Sendable () -> LocalizedText? = nil, done: @escaping @Sendable (String) -> LocalizedText) -> KetteCommand {
    KetteCommand(path, abstract: abstract, arguments: [argument], options: [yesFlag], discussion: discussion()) { args, context in
        let id = try context.deleteAfterConfirming(type, args[argument])
        context.say(done(id)(context.language))
    }
}
