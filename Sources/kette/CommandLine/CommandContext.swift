import Foundation
import KetteClient
import KetteCommandLine
import KetteMessages
import KetteProtocol
import KetteStore

/// What a command runs with: the language, the environment, the store's location, and output.
final class CommandContext {
    let language: Language
    let environment: [String: String]
    let input: ParsedInput
    private var openedStore: LocalStore?
    /// Human output: standard output, or the pager on a terminal.
    private let output: Output

    init(input: ParsedInput, environment: [String: String]) {
        self.input = input
        self.environment = environment
        self.language = Language.from(environment: environment)
        self.output = Output(environment: environment)
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
        warnAboutOpenFiles()
        return store
    }

    /// The store names people (minutes, contacts): say so when others may read its files.
    private func warnAboutOpenFiles() {
        for (path, mode) in PrivateFile.tooOpen(LocalStore.privateFiles(directory: homeDirectory)) {
            let warning = StoreText.privateFileOpen(language, ["path": path, "mode": String(mode, radix: 8)])
            FileHandle.standardError.write(Data(TerminalText.escaped("kette: \(warning)\n").utf8))
        }
    }

    /// Whether the command offers `--json` and it was given.
    var wantsJSON: Bool { input.accepts(jsonFlag) && input[jsonFlag] }

    /// Prints a line of human output. Every human print path ends here (text reports in
    /// `deliver`, errors in `writeError`), so control characters and bidirectional overrides in
    /// other people's text are shown, not obeyed by the terminal; JSON output goes through
    /// `printJSON` and stays exact.
    func say(_ line: String) {
        output.write(TerminalText.escaped(line) + "\n")
    }

    /// Prints a catalog message in the user's language.
    func say(_ text: LocalizedText) {
        say(text(language))
    }

    /// Writes human text that is already escaped (a text report).
    func write(escaped text: String) {
        output.write(text)
    }

    /// Ends human output: waits for the pager, if one was started, to be quit.
    func finishOutput() {
        output.finish()
    }

    /// Pages human output from here on, on a terminal (lists, shows, reports).
    func startPaging() {
        output.startPaging()
    }

    /// The first `--limit` items of a list (all without it); the list's output is paged.
    func limited<T>(_ items: [T]) -> [T] {
        startPaging()
        guard input.accepts(limitOption), let limit = input[limitOption] else { return items }
        return Array(items.prefix(limit))
    }

    /// The last line of a list: "16,000 offers" / "16.000 Angebote", or with `--limit`
    /// "3 of 16,000 offers shown".
    func sayTotal(shown: Int, of total: Int, _ noun: ListText) {
        let nouns = noun.with(["n": total])
        say(shown < total ? ListText.shownOf.with(["shown": shown, "total": total, "noun": nouns])
                          : ListText.total.with(["total": total, "noun": nouns]))
    }

    /// Prints `value` as pretty JSON with stable key order.
    func printJSON<T: Encodable>(_ value: T) throws {
        print(try JSONOutput.text(value))
    }

    /// A list as JSON, cut to `--limit`.
    func printJSONList<T: Encodable>(_ items: [T]) throws {
        try printJSON(limited(items))
    }

    func label<V: Vocabulary>(_ value: V?) -> String {
        value?.label(language) ?? "–"
    }


    /// Table headers in the user's language.
    func headers(_ names: OutputText...) -> [String] {
        names.map { $0(language) }
    }

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
    let line = OutputText.errorPrefix(language, ["program": "kette"]) + message + "\n"
    FileHandle.standardError.write(Data(TerminalText.escaped(line).utf8))
}

/// The eight characters lists show of an id (`RecordIdentifier.shortCode`): enough for people to
/// refer to it (`kette offer show 3f2a9c1e`).
func shortID(_ id: String) -> String { RecordIdentifier.shortCode(id) }
