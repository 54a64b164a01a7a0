import Foundation
import KetteStore

extension LocalStore {
    /// The files of the store in `directory`: `kette.db` with its `-wal` and `-shm`. All are
    /// created 0600; `kette` warns at start about any that is more open.
    public static func privateFiles(directory: String) -> [String] {
        PrivateFile.databaseFiles((directory as NSString).appendingPathComponent(fileName))
    }
}
