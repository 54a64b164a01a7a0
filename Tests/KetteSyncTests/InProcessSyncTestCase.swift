import Foundation
import KetteClient
import KetteProtocol
import KetteServer
import KetteTestSupport
import XCTest

/// The fixture of the in-process sync tests: a real `ServerStore` with the district `nordstadt`,
/// reached through `InProcessTransport`, and coordinators' stores in throw-away directories, all
/// on one clock the test moves by hand.
class InProcessSyncTestCase: XCTestCase {
    var server: ServerStore!
    var api: SyncAPI!
    /// The clients' in-process transports, so a test can point them at a restored server.
    var transports: [InProcessTransport] = []
    /// The server's clock, and every client's unless a test gives one its own.
    let clock = TestClock()
    /// The districts the server starts with.
    class var districts: [TestDistrict] { [.nordstadt] }
    /// Each client's server and token, for a second engine with other settings.
    var remotes: [String: RemoteConfiguration] = [:]

    override func setUpWithError() throws {
        let fixture = try makeServerStore(districts: Self.districts, now: clock.now)
        server = fixture.store
        api = fixture.api
    }

    override func tearDown() {
        server = nil
        api = nil
        transports = []
        super.tearDown()
    }

    /// A new user of the server with an empty store and a sync engine (over `InProcessTransport`
    /// unless `transport` makes another); not yet synced.
    func client(_ name: String, role: Role = .coordinator, districts: [String] = ["nordstadt"], clock: TestClock? = nil,
                transport: ((SyncAPI) -> any HTTPTransport)? = nil, pageSize: Int = 1000) throws -> (LocalStore, SyncEngine) {
        let token = try server.addUser(name: name, role: role, districts: districts)
        let store = try makeLocalStore(name: name, now: (clock ?? self.clock).now)
        remotes[name] = RemoteConfiguration(url: "http://in-process", token: token, caCertificate: nil)
        let inProcess = InProcessTransport(api: api, seed: 1)
        if transport == nil { transports.append(inProcess) }
        let engine = SyncEngine(store: store, remote: remotes[name]!, transport: transport?(api) ?? inProcess, pageSize: pageSize)
        return (store, engine)
    }

    /// Records an offer through the store's write path, as `kette offer add` does; returns its id.
    func recordOffer(_ store: LocalStore, _ title: String, district: String = "nordstadt") throws -> String {
        var input = OfferInput()
        input.title = title
        input.district = district
        return try store.addOffer(input, language: .english)
    }
}
