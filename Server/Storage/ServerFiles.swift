import KetteStore

extension ServerStore {
    /// Every file the server keeps for the database at `databasePath`: the database with its
    /// `-wal` and `-shm` (minutes, attendee names, token hashes, the audit log) and the audit key
    /// and head. All are created 0600; `kette-server` warns at start about any that is more open.
    public static func privateFiles(databasePath: String) -> [String] {
        PrivateFile.databaseFiles(databasePath) + [AuditLog.keyPath(for: databasePath), AuditLog.headPath(for: databasePath)]
    }
}
