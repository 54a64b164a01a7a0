import Foundation
import KetteServer

// libFuzzer target: `SyncAPI.handle(_:)`, the whole request path behind HTTP framing, with a real
// `ServerStore` on a temporary SQLite file (`HandlerFuzzFixture`). The input format and the
// verdict live in Tests/KetteServerTests/HandlerFuzzInput.swift, compiled into this binary by
// Fuzz/build.sh, so the normal test run replays the corpus with exactly the same rules.
// A wrong answer (a 500, a status out of range, a body that is not JSON) stops the fuzzer like
// a crash, with the input saved.

let fixture: HandlerFuzzFixture = {
    do {
        return try HandlerFuzzFixture { line in
            // The handler logs an unexpected error before answering 500: show it with the finding.
            FileHandle.standardError.write(Data("handler log: \(line)\n".utf8))
        }
    } catch {
        fatalError("cannot set up the fuzz fixture: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let response = fixture.api.handle(HandlerFuzzInput.request(from: bytes, tokens: fixture.tokens))
    if let problem = HandlerFuzzInput.problem(with: response) { fatalError(problem) }
    return 0
}
