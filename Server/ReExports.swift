// The transport's types (HTTPServer, HTTPRequest, HTTPResponse, TLSCredentials, …) come with the
// server module, as Hummingbird re-exports HummingbirdCore: whoever serves the API imports
// KetteServer alone, while KetteHTTP itself knows nothing of the protocol.
@_exported import KetteHTTP
