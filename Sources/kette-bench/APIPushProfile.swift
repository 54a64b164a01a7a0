import Foundation
import KetteClient
import KetteProtocol
import KetteServer

/// Pushes a client store's outbox through the server's API in this process, batch by batch as
/// `kette sync` would, so a profiler sees the server's push path without a socket.
struct APIPushProfile {
    let store: String
    let work: String

    func run() throws -> Double {
        let client = try LocalStore(directory: store)
        let server = try ServerStore(path: work + "/profile.db")
        let districts = Set(try client.districts().map(\.id))
        for district in districts.sorted() { try server.addDistrict(id: district, name: district) }
        let token = try server.addUser(name: "profile", role: .county, districts: [])
        let api = SyncAPI(storage: server)
        let sets = try Outbox.pending(in: client.database, replica: client.replica)
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in stride(from: 0, to: sets.count, by: 200) {
            let body = PushRequest(changeSets: Array(sets[batch..<min(batch + 200, sets.count)])).encodeJSON()
            let response = api.handle(HTTPRequest(method: "POST", path: "/v1/changesets",
                                                  headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                                                  body: Array(body)))
            guard response.status == 200 else { throw BenchmarkError("push answered \(response.status)") }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
