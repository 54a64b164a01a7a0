import Foundation
import KetteCommandLine
import KetteMessages
import KettePostgres
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

    /// `--db PATH|URL`, else the default next to the working directory.
    var databasePath: String { input[databaseOption] ?? ServerDefaults.databasePath }

    /// Whether `--db` names a PostgreSQL database rather than a SQLite file.
    var isPostgres: Bool { PostgresURL.isPostgres(databasePath) }

    /// The database as messages and logs name it: a URL without its password.
    var databaseName: String { PostgresURL.withoutPassword(databasePath) }

    /// The audit log's key file: `--audit-key`, else beside a SQLite file; a PostgreSQL database
    /// has nothing to put it beside, so there it must be given.
    func auditKeyPath() throws -> String {
        if let given = input[auditKeyOption] { return given }
        guard !isPostgres else { throw UsageError(ServerText.auditKeyNeeded.text) }
        return AuditLog.keyPath(for: databasePath)
    }

    func openStore(readerCount: Int = 4) throws -> ServerStore {
        let store = isPostgres ? try ServerStore(postgres: databasePath, auditKey: try auditKeyPath(), readerCount: readerCount)
                               : try ServerStore(path: databasePath, auditKey: try auditKeyPath(), readerCount: readerCount)
        warnAboutOpenFiles()
        return store
    }

    /// The database holds minutes, attendee names and token hashes: says so when others may read its files.
    func warnAboutOpenFiles() {
        let key = (try? auditKeyPath()) ?? AuditLog.keyPath(for: databasePath)
        let files = isPostgres ? [] : PrivateFile.databaseFiles(databasePath)
        for (path, mode) in PrivateFile.tooOpen(files + [key, AuditLog.headPath(forKey: key)]) {
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
