#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/: fuzz-decoder (push and pull-page decoders) and
# fuzz-handler (SyncAPI.handle with a real ServerStore). Each module is compiled with swiftc, as
# SwiftPM would, but with -sanitize=fuzzer,address (coverage-guided, AddressSanitizer); the
# system modules come from Sources/C*/module.modulemap as in the package.
#   Fuzz/build.sh [decoder|handler]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swiftc >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
out=.build-fuzz
mkdir -p "$out"
# -O: the fuzzer's throughput; overflow and bounds checks stay on (they are not debug-only in Swift).
flags=(-O -g -use-ld=lld -sanitize=fuzzer,address -parse-as-library -swift-version 6 -I "$out" -I Sources/CSQLite -I Sources/CMicroHTTPD)

module() {  # module NAME SOURCES…: compiles NAME into $out/NAME.o and $out/NAME.swiftmodule
    local name=$1; shift
    swiftc "${flags[@]}" -module-name "$name" -wmo -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c -o "$out/$name.o" "$@"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decoder handler)
module KetteProtocol Protocol/*.swift
for target in "${targets[@]}"; do
    case "$target" in
    decoder)
        swiftc "${flags[@]}" -module-name FuzzDecoder Fuzz/Decoder/FuzzDecoder.swift "$out/KetteProtocol.o" -o "$out/fuzz-decoder"
        ;;
    handler)
        module KetteStore Sources/KetteStore/*.swift
        module KetteMessages Sources/KetteMessages/*.swift
        module KetteServer $(find Server -name '*.swift' | sort)
        swiftc "${flags[@]}" -module-name FuzzHandler Fuzz/Handler/FuzzHandler.swift Tests/KetteServerTests/HandlerFuzzInput.swift \
            "$out/KetteProtocol.o" "$out/KetteStore.o" "$out/KetteMessages.o" "$out/KetteServer.o" \
            -lsqlite3 -lmicrohttpd -lgnutls -o "$out/fuzz-handler"
        ;;
    *) echo "unknown fuzz target '$target'; accepted: decoder, handler" >&2; exit 1 ;;
    esac
done
