import Foundation
import KetteCommandLine
import KetteMessages
import KetteProtocol
import KetteServer
import KetteStore

/// What a `kette-server` command runs with: its input, the language, and the database.
final class ServerContext: Sendable {
    let input: ParsedInput
    let language: Language

    init(input: ParsedInput, language: Language) {
        self.input = input
        self.language = language
    }

    /// `--db PATH`, else the default next to the working directory.
    var databasePath: String { input[databaseOption] ?? ServerDefaults.databasePath }

    func openStore() throws -> ServerStore {
        let store = try ServerStore(path: databasePath)
        warnAboutOpenFiles()
        return store
    }

    /// The database holds minutes, attendee names and token hashes: says so when others may read its files.
    func warnAboutOpenFiles() {
        for (path, mode) in PrivateFile.tooOpen(ServerStore.privateFiles(databasePath: databasePath)) {
            complain(StoreText.privateFileOpen(language, ["path": path, "mode": String(mode, radix: 8)]))
        }
    }

    /// Whether the command offers `--json` and it was given.
    var wantsJSON: Bool { input.accepts(jsonFlag) && input[jsonFlag] }

    /// Prints a line of human output; names come from administrators and clients, so control
    /// characters in them are shown, not obeyed (JSON output stays exact).
    func say(_ line: String) {
        print(TerminalText.escaped(line))
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        print(try JSONOutput.text(value))
    }

    /// Prints a catalog message in the operator's language.
    func say(_ text: LocalizedText) {
        say(text(language))
    }

    /// The first `--limit` items of a list (all without it).
    func limited<T>(_ items: [T]) -> [T] {
        guard input.accepts(limitOption), let limit = input[limitOption] else { return items }
        return Array(items.prefix(limit))
    }
}

/// Writes `kette-server: MESSAGE` to standard error, escaped like human output.
func complain(_ message: String) {
    FileHandle.standardError.write(Data(TerminalText.escaped("kette-server: \(message)\n").utf8))
}

/// Ends `kette-server` with a message and one of its exit codes.
func fail(_ message: String, code: Int32) -> Never {
    complain(message)
    exit(code)
}

/// Ends `kette-server` with a catalog message in the operator's language.
func fail(_ message: LocalizedText, code: Int32) -> Never {
    fail(message(Language.from(environment: ProcessInfo.processInfo.environment)), code: code)
}
