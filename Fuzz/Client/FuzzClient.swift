import Foundation
import KetteClient
import KetteProtocol

// libFuzzer target: the client's side of a pull, what a hostile or broken server can reach.
// Every input is one or more pull pages; the real `SyncEngine` checks and merges them into a real
// store seeded with a county's records (`ClientFuzzFixture`), then every report and export runs
// over the store. The input format and the verdict live in
// Tests/KetteClientTests/ClientFuzzInput.swift, compiled into this binary by Fuzz/build.sh, so the
// normal test run replays the corpus with exactly the same rules. A wrong verdict (a storage
// error for a bad page, a storage error from a report) stops the fuzzer like a crash.

// nonisolated(unsafe): libFuzzer runs the inputs one after the other on one thread; the fixture
// (an open store) is never shared.
nonisolated(unsafe) let fixture: ClientFuzzFixture = {
    do {
        return try ClientFuzzFixture()
    } catch {
        fatalError("cannot set up the client fuzz fixture: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The reports in one language per input, chosen by the input's length, so both are reached
    // and an input costs half as much (the reports are most of an input's time);
    // ClientCorpusTests replays the kept corpus with both.
    let language: Language = size % 2 == 0 ? .english : .german
    if let problem = fixture.run(bytes, languages: [language]) { fatalError(problem) }
    return 0
}
