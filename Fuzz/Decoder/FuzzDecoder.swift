import KetteCompression
import KetteProtocol

// libFuzzer target: the two decoders that read JSON from the other side of the wire. The server
// reads pushes with `PushRequest.decode(json:)`, the client reads pull pages with
// `PullPage.decode(json:)`. Any input must end in a value or a typed error, never a trap, a hang
// or a memory error. Both run on every input: the formats share the reader, and a mutation
// that helps one often reaches the other. An input that is a gzip stream (bodies and pages travel
// gzipped, SPEC §4.1) is inflated under a 1 MiB limit, as the server's transport does, and the
// result is decoded too: the inflater must end in bytes or a typed error as well.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let inflated = try? Gzip.decompress(bytes, limit: 1 << 20) {
        _ = try? PushRequest.decode(json: inflated)
        _ = try? PullPage.decode(json: inflated)
    }
    if let push = try? PushRequest.decode(json: bytes) {
        // Whatever decodes must survive the checks the server runs next.
        for changeSet in push.changeSets { _ = changeSet.changes.count }
    }
    _ = try? PullPage.decode(json: bytes)
    return 0
}
