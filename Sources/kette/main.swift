import Foundation
import KetteClient
import KetteProtocol
import KetteStore

// kette: the coordinator's terminal front. Exit codes (DESIGN.md §5): 0 ok, 1 usage or input
// error, 2 sync with refused or conflicting changes, 3 server unreachable, 4 local storage error.

let environment = ProcessInfo.processInfo.environment
let language = Language.from(environment: environment)
let arguments = Array(CommandLine.arguments.dropFirst())
let errorPrefix = language.pick("kette: error: ", "kette: Fehler: ")

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data((errorPrefix + message + "\n").utf8))
    exit(code)
}

do {
    let (command, parsed) = try ArgumentParser.parse(arguments, commands: allCommands, language: language)
    guard let command else {
        if let group = parsed.value("group") {
            print(ArgumentParser.groupHelp(group, allCommands))
        } else {
            print(ArgumentParser.overview(allCommands))
        }
        exit(0)
    }
    if parsed.flag("help") {
        print(ArgumentParser.help(for: command))
        exit(0)
    }
    try command.run(parsed, CommandContext(arguments: parsed, environment: environment))
    exit(0)
} catch let status as ExitStatus {
    exit(status.code)
} catch let error as SyncError {
    fail(error.message(language), code: error == .notConfigured ? 1 : 3)
} catch let error as UsageError {
    let hint = language.pick("see `kette \(error.command.joined(separator: " ")) --help`", "siehe `kette \(error.command.joined(separator: " ")) --help`")
    fail("\(error.message)\n(\(hint.replacingOccurrences(of: "kette  --help", with: "kette --help")))", code: 1)
} catch let error as KetteError {
    fail(error.message(language), code: error.isStorageFailure ? 4 : 1)
} catch let error as SQLiteError {
    fail(storageFailureMessage(error, language), code: 4)
} catch {
    fail("\(error)", code: 1)
}
