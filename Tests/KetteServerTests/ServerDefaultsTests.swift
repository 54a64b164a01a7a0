import XCTest
@testable import KetteServer

final class ServerDefaultsTests: XCTestCase {
    func testContractDefaults() {
        XCTAssertEqual(ServerDefaults.databasePath, "./kette-server.db")
        XCTAssertEqual(ServerDefaults.bindAddress, "127.0.0.1")
        XCTAssertEqual(ServerDefaults.port, 8080)
    }
}
