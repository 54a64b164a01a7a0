import Foundation
import KetteMessages
import KettePostgres
import KetteProtocol
import KetteStore

/// What `kette-server backup` and `restore` did, for their output.
public struct BackupReport: Codable, Sendable, Equatable {
    public var path: String
    /// The database id in the file: a backup keeps the server's, a restore gets a new one.
    public var database: String
    /// The newest sequence number in it.
    public var seq: Int64
    public var fieldVersions: Int
}

extension ServerStore {
    /// Writes a consistent copy of the database to `path` while the server serves (SQLite's online
    /// backup API, one snapshot), readable by the owner only; the copy is made beside `path` and
    /// renamed over it when complete, so `path` is always a whole backup. The audit key file is
    /// not copied: keep it apart from the backups (README).
    public func backup(to path: String, actor: String? = nil) throws -> BackupReport {
        guard let readers = sqlite?.readers else { throw AdminError.invalid(ServerText.backupOnPostgres.text) }
        let temporary = path + ".tmp-\(getpid())"
        try Self.createPrivateFile(temporary)
        do {
            try readers.read { db in try db.backup(into: temporary) }
            guard rename(temporary, path) == 0 else { throw AdminError.invalid(ServerText.cannotWrite.with(["path": path, "error": String(cString: strerror(errno))])) }
        } catch {
            unlink(temporary)
            throw error
        }
        Self.syncDirectory(of: path)
        let report = try Self.describe(path: path)
        try audited { _, events in
            events.append(.init(actor: actor ?? AuditLog.localActor, action: "backup",
                                detail: "to \(path) (\(report.fieldVersions) field versions, sequence \(report.seq))"))
        }
        return report
    }

    /// Replaces the database at `path` (or makes it) with the backup at `backup`, under a new
    /// database id and a new server replica id: clients that synced with the lost database see
    /// the new id, pull everything again and repair what the backup lacks (SPEC §16). Refuses
    /// while any process has `path` open (stop `kette-server serve` first). The audit log is the
    /// backup's, with an entry for the restore; its signed head is moved back to it.
    /// - Parameter identity: the new database id and server replica id; random unless a test
    ///   needs to replay a run.
    public static func restore(from backup: String, to path: String, actor: String? = nil,
                               identity: (database: String, replica: ReplicaID) = (ReplicaID.random().rawValue, .random())) throws -> BackupReport {
        guard !PostgresURL.isPostgres(path) else { throw AdminError.invalid(ServerText.backupOnPostgres.text) }
        try checkIsServerDatabase(backup)
        if FileManager.default.fileExists(atPath: path) { try checkUnused(path) }
        let keyPath = AuditLog.keyPath(for: path)
        if !FileManager.default.fileExists(atPath: keyPath), FileManager.default.fileExists(atPath: AuditLog.keyPath(for: backup)) {
            try FileManager.default.copyItem(atPath: AuditLog.keyPath(for: backup), toPath: keyPath)
            chmod(keyPath, 0o600)
        }
        let temporary = path + ".restoring-\(getpid())"
        try createPrivateFile(temporary)
        let head: AuditLog.Head?
        let audit: AuditLog
        do {
            var configuration = Database.Configuration()
            configuration.readOnly = true
            configuration.createIfMissing = false
            configuration.switchToWAL = false
            try Database(path: backup, configuration: configuration).backup(into: temporary)
            (audit, head) = try renew(temporary, auditedAs: path, actor: actor ?? AuditLog.localActor, backup: backup, identity: identity)
            // The old database's WAL must not be replayed onto the restored file.
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            guard rename(temporary, path) == 0 else { throw AdminError.invalid(ServerText.cannotWrite.with(["path": path, "error": String(cString: strerror(errno))])) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
        if let head { try audit.replaceHead(head) }
        return try describe(path: path)
    }

    /// Gives the copy at `temporary` its new identity and its audit entry, in one transaction.
    private static func renew(_ temporary: String, auditedAs path: String, actor: String, backup: String,
                              identity: (database: String, replica: ReplicaID)) throws -> (AuditLog, AuditLog.Head?) {
        var configuration = Database.Configuration()
        configuration.switchToWAL = false
        let db = try Database(path: temporary, configuration: configuration)
        try ServerSchema.migrator.migrate(db)
        let audit = try AuditLog(databasePath: path, db: db)
        let old = try databaseID(in: db)
        let new = identity.database
        let head = try db.inTransaction { db -> AuditLog.Head? in
            try db.execute("INSERT INTO server_meta (key, value) VALUES ('database', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [new])
            // A new replica id too: no timestamp the restored server stamps can equal one the
            // lost database stamped after the backup.
            try db.execute("UPDATE server_meta SET value = ? WHERE key = 'replica'", [identity.replica.rawValue])
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            return try audit.append([.init(actor: actor, action: "restore",
                                           detail: "from \(backup); database \(old.isEmpty ? "(none)" : old) is now \(new); entries written after the backup are not in this log")],
                                    at: now, in: db)
        }
        guard try db.scalarString("PRAGMA journal_mode = DELETE")?.lowercased() == "delete" else {
            throw AdminError.invalid(ServerText.notSingleFile.with(["path": temporary]))
        }
        return (audit, head)
    }

    /// Refuses a file that is missing (`missing`), not a kette-server database (`foreign`) or
    /// damaged, opening it read-only so that nothing is written to a file that is not ours.
    static func checkIsServerDatabase(_ path: String, missing: ServerText = .noBackupFile, foreign: ServerText = .notServerDatabase) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw AdminError.invalid(missing.with(["path": path])) }
        var configuration = Database.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        configuration.switchToWAL = false
        let isServer: Bool
        do {
            let db = try Database(path: path, configuration: configuration)
            isServer = try db.scalarInt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'server_meta'") != nil
                && db.scalarString("SELECT value FROM server_meta WHERE key = 'replica'") != nil
            if isServer, try db.integrityCheck() != ["ok"] {
                throw AdminError.invalid(ServerText.backupDamaged.with(["path": path]))
            }
        } catch is SQLiteError {
            throw AdminError.invalid(foreign.with(["path": path]))
        }
        guard isServer else { throw AdminError.invalid(foreign.with(["path": path])) }
    }

    /// Refuses when another connection has the database open: an exclusive lock cannot be taken
    /// while any connection (a running server's readers included) holds the file.
    private static func checkUnused(_ path: String) throws {
        var configuration = Database.Configuration()
        configuration.switchToWAL = false
        configuration.createIfMissing = false
        configuration.busyTimeoutMilliseconds = 200
        let result = Result { () throws(SQLiteError) -> Void in
            let db = try Database(path: path, configuration: configuration)
            try db.execute("PRAGMA locking_mode = EXCLUSIVE")
            try db.execute("BEGIN EXCLUSIVE; COMMIT")
        }
        // Any other failure is a file we cannot open as a database: it is replaced anyway.
        if case .failure(let error) = result, error.code.primary == .busy || error.code.primary == .locked {
            throw AdminError.invalid(ServerText.databaseInUse.with(["path": path]))
        }
    }

    static func createPrivateFile(_ path: String) throws {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw AdminError.invalid(ServerText.cannotCreate.with(["path": path, "error": String(cString: strerror(errno))])) }
        close(descriptor)
    }

    /// Makes a rename durable: the directory entry is synced too.
    static func syncDirectory(of path: String) {
        let descriptor = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func describe(path: String) throws -> BackupReport {
        var configuration = Database.Configuration()
        configuration.readOnly = true
        configuration.createIfMissing = false
        configuration.switchToWAL = false
        let db = try Database(path: path, configuration: configuration)
        return BackupReport(path: path, database: try databaseID(in: db),
                            seq: Int64(try db.scalarInt("SELECT value FROM server_meta WHERE key = 'seq'") ?? 0),
                            fieldVersions: try db.scalarInt("SELECT count(*) FROM field_state") ?? 0)
    }
}
