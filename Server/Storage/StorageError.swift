import KetteProtocol

/// Why storage refused a request: storage speaks of change sets, cursors and records, never of
/// HTTP. The API maps each case to a status and a code in one place (`APIError.init(mapping:log:)`).
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A push with more change sets than one request may carry.
    case tooManyChangeSets(count: Int, limit: Int)
    /// A pull cursor below 0.
    case negativeCursor(Int64)
    /// A pull cursor beyond the newest change: the server lost writes (restored from a backup)
    /// or the client talks to another server.
    case cursorAhead(cursor: Int64, newest: Int64)
    /// No record of that type and id.
    case recordNotFound(RecordType, id: String)
    /// The record exists outside what the caller may read.
    case outsideScope(RecordType, id: String, user: String)

    public var description: String {
        switch self {
        case .tooManyChangeSets(let count, let limit):
            "at most \(limit) change sets per push; got \(count)"
        case .negativeCursor(let cursor):
            "after must be 0 or a cursor the server returned; got \(cursor)"
        case .cursorAhead(let cursor, let newest):
            "cursor \(cursor) is ahead of this server's newest change \(newest); was the server restored from a backup? Pull again from 0"
        case .recordNotFound(let type, let id):
            "no \(type.rawValue) \(id.prefix(100))"
        case .outsideScope(let type, let id, let user):
            "\(type.rawValue) \(id.prefix(100)) is outside the districts of \(user)"
        }
    }
}
