import Foundation
import KetteCommandLine
import KettePostgres
import KetteProtocol
import KetteServer
import KetteStore

// kette-server: the county server and its admin commands. Exit codes: 0 ok, 1 usage or input
// error, 4 storage error, 5 address in use or server failure, 6 audit log altered.

let language = Language.from(environment: ProcessInfo.processInfo.environment)
let words = Array(CommandLine.arguments.dropFirst())
var databasePath = ServerDefaults.databasePath

do {
    // Nothing at all is a mistake here (a server should not start by accident): the overview, exit 1.
    if words.isEmpty {
        print(server.help(.program, language))
        exit(1)
    }
    switch try server.parse(words) {
    case .help(let topic):
        print(server.help(topic, language))
    case .run(let command, let input):
        let context = ServerContext(input: input, language: language)
        databasePath = context.databasePath
        try command.run(input, context)
    }
    exit(0)
} catch let error as UsageError {
    fail(server.explain(error, language), code: 1)
} catch let error as AdminError {
    fail(error.text, code: 1)
} catch let error as AuditLog.Problem {
    fail(error.text, code: 6)
} catch let error as PostgresError {
    fail(ServerText.postgresUnusable.with(["url": PostgresURL.withoutPassword(databasePath), "code": error.code.rawValue, "reason": error.message]), code: 4)
} catch let error as SQLiteError {
    fail(ServerText.databaseUnusable.with(["path": databasePath, "code": error.code.primary.description, "reason": "\(error)"]), code: 4)
} catch {
    fail("\(error)", code: 1)
}
