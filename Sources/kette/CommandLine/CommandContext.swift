import Foundation
import KetteClient
import KetteProtocol
import KetteStore

/// What a command runs with: the language, the environment, the store's location, and output.
final class CommandContext {
    let language: Language
    let environment: [String: String]
    let arguments: ParsedArguments
    private var openedStore: LocalStore?

    init(arguments: ParsedArguments, environment: [String: String]) {
        self.arguments = arguments
        self.environment = environment
        self.language = Language.from(environment: environment)
    }

    /// `--home`, else `$KETTE_HOME`, else `$XDG_DATA_HOME/kette`, else `~/.local/share/kette`.
    var homeDirectory: String {
        if let home = arguments.value("home"), !home.isEmpty { return home }
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
            let warning = PrivateFile.warning(path: path, mode: mode)
            FileHandle.standardError.write(Data("kette: \(pick(warning.english, warning.german))\n".utf8))
        }
    }

    var wantsJSON: Bool { arguments.flag("json") }

    func say(_ line: String) {
        print(line)
    }

    /// Prints `value` as pretty JSON with stable key order.
    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    func label<V: Vocabulary>(_ value: V?) -> String {
        value?.label(language) ?? "–"
    }

    func pick(_ english: String, _ german: String) -> String { language.pick(english, german) }

    /// Lines of a table with columns padded to their widest cell.
    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
    }
}

/// The first eight characters of an id: enough for people to refer to it (`kette offer show 3f2a9c1e`).
func shortID(_ id: String) -> String { String(id.prefix(8)) }
