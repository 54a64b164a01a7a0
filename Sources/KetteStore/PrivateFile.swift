#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold personal data (stores, server databases with their `-wal` and `-shm`, audit
/// keys, backups, exports) are readable and writable by their owner only: mode 0600, whatever
/// the umask. Minutes name people; a database left 0644 on a shared machine is readable by
/// every account on it.
public enum PrivateFile {
    /// rw------- : the owner reads and writes, nobody else anything.
    public static let mode: mode_t = 0o600

    /// Opens a new file for writing with mode 0600 and returns its descriptor, or -1 with `errno`
    /// set. `fchmod` after `open`: the mode given to `open` only loses bits to the umask, and
    /// this makes the result exact either way.
    public static func create(_ path: String, exclusive: Bool = true) -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let descriptor = open(path, flags, mode)
        guard descriptor >= 0 else { return -1 }
        guard fchmod(descriptor, mode) == 0 else {
            let code = errno
            close(descriptor)
            errno = code
            return -1
        }
        return descriptor
    }

    /// Makes an empty file with mode 0600 at `path` unless something is there already: done
    /// before SQLite creates a database, so that the database file, and the `-wal` and `-shm`
    /// files SQLite gives the database file's mode, are private. (SQLite would create 0644.)
    /// Returns errno, 0 on success or when the file exists.
    @discardableResult
    public static func prepareDatabase(at path: String) -> Int32 {
        var status = stat()
        if lstat(path, &status) == 0 { return 0 }
        let descriptor = create(path)
        if descriptor < 0 { return errno == EEXIST ? 0 : errno }
        close(descriptor)
        return 0
    }

    /// Writes `bytes` to a new private file at `path` (replacing one there unless `exclusive`),
    /// flushed to disk; returns errno, 0 when written.
    public static func write(_ bytes: [UInt8], to path: String, exclusive: Bool = true) -> Int32 {
        let descriptor = create(path, exclusive: exclusive)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return fsync(descriptor) == 0 ? 0 : errno
    }

    /// The files of the database at `path` that SQLite keeps beside it.
    public static func databaseFiles(_ path: String) -> [String] {
        [path, path + "-wal", path + "-shm"]
    }

    /// Those of `paths` that exist and let others than their owner read or write them, with their
    /// permission bits: the start-up warning (`StoreText.privateFileOpen`) names them.
    public static func tooOpen(_ paths: [String]) -> [(path: String, mode: mode_t)] {
        paths.compactMap { path in
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return nil }
            return (path, status.st_mode & 0o777)
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
