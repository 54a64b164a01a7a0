/// Where `kette-server serve` listens and stores by default (the sync issue's contract).
public enum ServerDefaults {
    public static let databasePath = "./kette-server.db"
    public static let bindAddress = "127.0.0.1"
    public static let port: UInt16 = 8080
}
