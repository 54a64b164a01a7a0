/// Why the HTTP server did not start; the description says what to do about it.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bind address is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)
    /// Another socket is already listening on this address and port.
    case addressInUse(String, UInt16)
    /// The socket could not be created, bound or made to listen, for a reason other than the port being taken.
    case bindFailed(String, UInt16, reason: String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// libmicrohttpd refused to start the daemon.
    case startFailed(String)
    /// `start()` was called while the server was running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidAddress(let address):
            return "Cannot listen on \"\(address)\": not a numeric IPv4 or IPv6 address (for example 127.0.0.1, 0.0.0.0 or ::1)."
        case .addressInUse(let address, let port):
            return "Cannot listen on \(Self.endpoint(address, port)): the address is already in use. "
                + "Another process is listening there; stop it or choose another port."
        case .bindFailed(let address, let port, let reason):
            return "Cannot listen on \(Self.endpoint(address, port)): \(reason)."
        case .invalidConfiguration(let problem):
            return "Invalid HTTP server configuration: \(problem)."
        case .startFailed(let reason):
            return "The HTTP server did not start: \(reason)."
        case .alreadyRunning:
            return "The HTTP server is already running."
        }
    }

    /// `host:port`, with an IPv6 host in brackets as in a URL.
    static func endpoint(_ address: String, _ port: UInt16) -> String {
        address.contains(":") && !address.hasPrefix("[") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
