import KetteClient
import KetteCommandLine
import KetteProtocol
import KetteStore

/// `kette`'s exit codes (README, `kette --help`): the contract scripts and timers rely on.
enum ExitCode {
    static let ok: Int32 = 0
    /// A usage or input error: nothing was changed.
    static let usage: Int32 = 1
    /// A sync finished, but with refused or conflicting changes that need a person.
    static let attention: Int32 = 2
    /// The server could not be reached, or the transfer failed: the changes wait on this device.
    static let unreachable: Int32 = 3
    /// The local store could not be read or written.
    static let storage: Int32 = 4
    /// The server refused the token (revoked, replaced, unknown): only a new token helps.
    static let tokenRefused: Int32 = 5
}

/// Why a command failed, as printed: a stable code for scripts, the message, the exit code.
/// With `--json` it is also written to standard output as one object,
/// `{"code": …, "message": …, "exitCode": …}` (and `detail`, the server's or libcurl's own words).
struct Failure: Encodable {
    let code: String
    let message: String
    let exitCode: Int32
    let detail: String?

    init(_ error: any Error, language: Language, explainUsage: (UsageError) -> String) {
        var detail: String?
        let text: String
        switch error {
        case let error as UsageError:
            (code, text, exitCode) = ("usage", explainUsage(error), ExitCode.usage)
        case let error as SyncError:
            (code, text, exitCode) = (Self.code(error), error.message(language), Self.exitCode(error))
            detail = error.detail
        case let error as KetteError:
            (code, text, exitCode) = (Self.code(error), error.message(language), error.isStorageFailure ? ExitCode.storage : ExitCode.usage)
        case let error as ExchangeError:
            (code, text, exitCode) = ("exchange", error.message(language), ExitCode.usage)
        case let error as SQLiteError:
            (code, text, exitCode) = ("storage", storageFailureMessage(error, language), ExitCode.storage)
        default:
            (code, text, exitCode) = ("failed", OutputText.unexpected.with(["error": "\(error)"])(language), ExitCode.usage)
        }
        message = text
        self.detail = detail
    }

    private static func code(_ error: SyncError) -> String {
        switch error {
        case .notConfigured: "not_configured"
        case .transport(.unreachable): "unreachable"
        case .transport(.timedOut): "timed_out"
        case .transport(.tls): "tls"
        case .transport(.failed): "transport"
        case .server(401, _, _): "token_refused"
        case .server: "server_error"
        case .protocolViolation: "protocol_violation"
        }
    }

    private static func exitCode(_ error: SyncError) -> Int32 {
        if error == .notConfigured { return ExitCode.usage }
        return error.isTokenRefused ? ExitCode.tokenRefused : ExitCode.unreachable
    }

    private static func code(_ error: KetteError) -> String {
        switch error {
        case .invalidValue: "invalid_value"
        case .malformedValue: "malformed_value"
        case .missingValue: "missing_value"
        case .notFound, .notFoundAmong: "not_found"
        case .ambiguous: "ambiguous"
        case .storeMissing: "no_store"
        case .storeUnwritable, .storeDamaged: "storage"
        case .unknownField: "unknown_field"
        case .unreadableFile: "unreadable_file"
        case .editorFailed: "editor_failed"
        case .nothingToChange: "nothing_to_change"
        case .nothingToUndo: "nothing_to_undo"
        case .undoForgotten: "undo_forgotten"
        case .deletionNeedsConfirmation: "confirmation_needed"
        case .deletionDeclined: "not_confirmed"
        case .refusedWrite: "refused_write"
        case .outsideScope: "outside_scope"
        }
    }
}
