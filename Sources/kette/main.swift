import Foundation
import KetteClient
import KetteCommandLine
import KetteProtocol

// kette: the coordinator's terminal front. Exit codes (`ExitCode`, README): 0 ok, 1 usage or
// input error, 2 sync with refused or conflicting changes, 3 server unreachable or transport
// error, 4 local storage error, 5 token refused.

let environment = ProcessInfo.processInfo.environment
let language = Language.from(environment: environment)
let words = Array(CommandLine.arguments.dropFirst())
/// The command being run, once the words named one: a failure then knows whether it offers `--json`.
var running: Command<CommandContext>?

do {
    switch try kette.parse(words) {
    case .help(let topic):
        Output.page(kette.help(topic, language) + "\n", environment: environment)
    case .run(let command, let input):
        running = command
        let context = CommandContext(input: input, environment: environment)
        defer { context.finishOutput() }
        try command.run(input, context)
    }
    exit(ExitCode.ok)
} catch let status as ExitStatus {
    exit(status.code)
} catch {
    let failure = Failure(error, language: language) { kette.explain($0, language) }
    // `--json` was asked for: scripts read one error object on standard output, never nothing.
    let command = running ?? (error as? UsageError).flatMap { kette.command($0.commandPath) }
    if words.prefix(while: { $0 != "--" }).contains("--json"), command?.options.contains(where: { $0.name == jsonFlag.name }) == true,
       let json = try? JSONOutput.text(failure) {
        print(json)
    }
    writeError(failure.message, language)
    exit(failure.exitCode)
}
