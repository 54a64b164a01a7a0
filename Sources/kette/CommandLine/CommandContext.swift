import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

/// What a command runs with: the language, the environment, the store's location, and output.
final class CommandContext {
    let language: Language
    let environment: [String: String]
    let input: ParsedInput
    private var openedStore: LocalStore?

    init(input: ParsedInput, environment: [String: String]) {
        self.input = input
        self.environment = environment
        self.language = Language.from(environment: environment)
    }

    /// `--home`, else `$KETTE_HOME`, else `$XDG_DATA_HOME/kette`, else `~/.local/share/kette`.
    var homeDirectory: String {
        if let home = input[homeOption], !home.isEmpty { return home }
        if let home = environment["KETTE_HOME"], !home.isEmpty { return home }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return (data as NSString).appendingPathComponent("kette") }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (user as NSString).appendingPathComponent(".local/share/kette")
    }

    /// The store, opened on first use.
    func store() throws -> LocalStore {
        if let openedStore { return openedStore }
        let store = try LocalStore(directory: homeDirectory)
        openedStore = store
        return store
    }

    /// Whether the command offers `--json` and it was given.
    var wantsJSON: Bool { input.accepts(jsonFlag) && input[jsonFlag] }

    /// Prints a line of human output. Every human print path ends here (text reports in
    /// `deliver`, errors in `writeError`), so control characters and bidirectional overrides in
    /// other people's text are shown, not obeyed by the terminal; JSON output goes through
    /// `printJSON` and stays exact.
    func say(_ line: String) {
        print(TerminalText.escaped(line))
    }

    /// Prints `value` as pretty JSON with stable key order.
    func printJSON<T: Encodable>(_ value: T) throws {
        print(try JSONOutput.text(value))
    }

    func label<V: Vocabulary>(_ value: V?) -> String {
        value?.label(language) ?? "–"
    }

    func pick(_ english: String, _ german: String) -> String { language.pick(english, german) }

    /// Lines of a table with columns padded to their widest cell. Cells are escaped before they
    /// are measured, so a cell with control characters still lines up.
    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = ([header] + rows).map { $0.map(TerminalText.escaped) }
        var widths = Array(repeating: 0, count: header.count)
        for row in all { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
    }
}

/// Writes `kette: error: MESSAGE` to standard error. The message may quote other people's text
/// (a server's refusal, a cell of an imported file), so it is escaped like human output.
func writeError(_ message: String, _ language: Language) {
    let line = language.pick("kette: error: ", "kette: Fehler: ") + message + "\n"
    FileHandle.standardError.write(Data(TerminalText.escaped(line).utf8))
}

/// The first eight characters of an id: enough for people to refer to it (`kette offer show 3f2a9c1e`).
func shortID(_ id: String) -> String { String(id.prefix(8)) }
