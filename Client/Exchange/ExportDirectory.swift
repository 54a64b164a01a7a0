import Foundation
import KetteStore
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// One file of an export: its name in the output directory, its bytes, and how many records it holds.
public struct ExportFile: Sendable {
    public let name: String
    public let data: Data
    public let records: Int
    public init(name: String, data: Data, records: Int) { self.name = name; self.data = data; self.records = records }
}

/// Writes an export's files into the directory `--out` names, all or none.
///
/// An export is read by other programs as a set (an HSDS service points at its organization's
/// row in another file), so a failure half-way must not leave a mix of old and new files: each
/// file is written beside its final name first and renamed into place only when all are written.
public enum ExportDirectory {
    public static func write(_ files: [ExportFile], to directory: String) throws(ExchangeError) {
        var created: [String] = []
        let failure = makeDirectory(directory, created: &created)
        // Undoes everything this call did; files it replaced are only replaced at the very end.
        func undo(_ staged: [String]) {
            for path in staged { unlink(path) }
            for path in created.reversed() { rmdir(path) }
        }
        if let failure {
            undo([])
            throw failure
        }
        let token = UUID().uuidString.prefix(8)
        var staged: [(temporary: String, final: String)] = []
        for file in files {
            let final = (directory as NSString).appendingPathComponent(file.name)
            let temporary = (directory as NSString).appendingPathComponent(".\(file.name).\(token).tmp")
            let code = writeFile(file.data, to: temporary)
            guard code == 0 else {
                undo(staged.map(\.temporary) + [temporary])
                throw .outputUnwritable(path: directory, reason: String(cString: strerror(code)))
            }
            staged.append((temporary, final))
        }
        for (index, file) in staged.enumerated() where rename(file.temporary, file.final) != 0 {
            // Renaming within one directory fails only when the directory changed under us; the
            // files already renamed are complete, the rest are removed.
            let reason = String(cString: strerror(errno))
            for rest in staged[index...] { unlink(rest.temporary) }
            throw .outputUnwritable(path: directory, reason: reason)
        }
    }

    /// Makes `path` and its missing parents (as `mkdir -p`), noting each one made so a failure
    /// later can remove them again. POSIX calls rather than FileManager, for errno's exact reason.
    private static func makeDirectory(_ path: String, created: inout [String]) -> ExchangeError? {
        var status = stat()
        if stat(path, &status) == 0 {
            return status.st_mode & S_IFMT == S_IFDIR ? nil : .outputNotADirectory(path: path)
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, let failure = makeDirectory(parent, created: &created) { return failure }
        guard mkdir(path, 0o777) == 0 else {
            return .outputUnwritable(path: path, reason: String(cString: strerror(errno)))
        }
        created.append(path)
        return nil
    }

    /// Writes a new file and flushes it to disk before it is renamed into place; returns errno, 0 when written.
    /// Private (0600): exports name contact persons.
    private static func writeFile(_ data: Data, to path: String) -> Int32 {
        let descriptor = PrivateFile.create(path)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        let code: Int32 = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        guard code == 0 else { return code }
        return fsync(descriptor) == 0 ? 0 : errno
    }
}
