import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol
import KetteStore

// kette: the coordinator's terminal front. Exit codes (DESIGN.md §5): 0 ok, 1 usage or input
// error, 2 sync with refused or conflicting changes, 3 server unreachable, 4 local storage error.

let environment = ProcessInfo.processInfo.environment
let language = Language.from(environment: environment)

func fail(_ message: String, code: Int32) -> Never {
    writeError(message, language)
    exit(code)
}

do {
    switch try kette.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help(let topic):
        print(kette.help(topic, language))
    case .run(let command, let input):
        try command.run(input, CommandContext(input: input, environment: environment))
    }
    exit(0)
} catch let status as ExitStatus {
    exit(status.code)
} catch {
    fail(errorMessage(error, language), code: exitCode(for: error))
}

/// What an error that ends `kette` says to the user.
func errorMessage(_ error: any Error, _ language: Language) -> String {
    switch error {
    case let error as UsageError: kette.explain(error, language)
    case let error as SyncError: error.message(language)
    case let error as KetteError: error.message(language)
    case let error as SQLiteError: storageFailureMessage(error, language)
    default: "\(error)"
    }
}
