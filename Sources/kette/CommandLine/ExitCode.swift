import KetteClient
import KetteCommandLine
import KetteStore

/// The exit code an error ends `kette` with (DESIGN.md §5): 1 usage or input error, 2 sync with
/// refusals or conflicts, 3 server unreachable or answering wrongly, 4 local storage error. One
/// mapping for `main` and for the line `kette sync --log` writes.
func exitCode(for error: any Error) -> Int32 {
    switch error {
    case let status as ExitStatus: status.code
    case is UsageError: 1
    case let error as SyncError: error == .notConfigured ? 1 : 3
    case let error as KetteError: error.isStorageFailure ? 4 : 1
    case is SQLiteError: 4
    default: 1
    }
}
