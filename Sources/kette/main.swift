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
} catch let error as UsageError {
    fail(kette.explain(error, language), code: 1)
} catch let error as SyncError {
    fail(error.message(language), code: error == .notConfigured ? 1 : 3)
} catch let error as KetteError {
    fail(error.message(language), code: error.isStorageFailure ? 4 : 1)
} catch let error as SQLiteError {
    fail(storageFailureMessage(error, language), code: 4)
} catch {
    fail("\(error)", code: 1)
}
