import Foundation
import KetteClient
import KetteProtocol
import KetteServer
import XCTest

/// The fixture of the in-process sync tests: a real `ServerStore` with the district `nordstadt`,
/// reached through `InProcessTransport`, and coordinators' stores in throw-away directories, all
/// on one clock the test moves by hand.
class InProcessSyncTestCase: XCTestCase {
    final class Clock: @unchecked Sendable {
        // @unchecked: the test drives it from one thread.
        var milliseconds: Int64 = 1_763_900_000_000
    }

    var directories: [String] = []
    var server: ServerStore!
    var api: SyncAPI!
    /// The clients' transports, so a test can point them at a restored server.
    var transports: [InProcessTransport] = []
    let clock = Clock()

    override func setUpWithError() throws {
        let directory = try temporaryDirectory()
        let clock = clock
        server = try ServerStore(path: directory + "/server.db", now: { clock.milliseconds })
        api = SyncAPI(storage: server)
        try server.addDistrict(id: "nordstadt", name: "Nordstadt")
    }

    override func tearDown() {
        server = nil
        api = nil
        transports = []
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        super.tearDown()
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kette-sync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        directories.append(path)
        return path
    }

    /// A new user (by default a coordinator of `nordstadt`) with an empty store and a sync
    /// engine; not yet synced.
    func client(_ name: String, role: Role = .coordinator, districts: [String] = ["nordstadt"]) throws -> (LocalStore, SyncEngine) {
        let token = try server.addUser(name: name, role: role, districts: districts)
        let directory = try temporaryDirectory()
        try LocalStore.create(directory: directory, name: name)
        let clock = clock
        let store = try LocalStore(directory: directory, now: { clock.milliseconds })
        let transport = InProcessTransport(api: api, seed: 1)
        transports.append(transport)
        let engine = SyncEngine(store: store, remote: RemoteConfiguration(url: "http://in-process", token: token, caCertificate: nil),
                                transport: transport)
        return (store, engine)
    }
}
