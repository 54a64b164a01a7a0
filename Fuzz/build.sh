#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/: fuzz-decoder (push and pull-page decoders),
# fuzz-handler (SyncAPI.handle with a real ServerStore) and fuzz-client (pull pages merged into a
# real client store by the real SyncEngine, then every report). Each module is compiled with swiftc, as
# SwiftPM would, but with -sanitize=fuzzer,address (coverage-guided, AddressSanitizer); the
# system modules come from Sources/C*/module.modulemap as in the package.
#   Fuzz/build.sh [decoder|handler|client]...   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swiftc >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
# FUZZ_SANITIZE=fuzzer builds without AddressSanitizer into .build-fuzz-fast (about 2 × the executions per second:
# Swift code is bounds-checked either way, SQLite and the C shims are then unchecked).
sanitize=${FUZZ_SANITIZE:-fuzzer,address}
out=.build-fuzz${FUZZ_SANITIZE:+-fast}
mkdir -p "$out"
# -O: the fuzzer's throughput; overflow and bounds checks stay on (they are not debug-only in Swift).
# -package-name: as SwiftPM passes it, so `package` declarations are seen across the modules.
flags=(-O -g -use-ld=lld -sanitize="$sanitize" -parse-as-library -swift-version 6 -package-name Kette
       -I "$out" -I Sources/CSQLite -I Sources/CMicroHTTPD -I Sources/CCurl -I Sources/CPostgres -I Sources/CZlib)

module() {  # module NAME SOURCES…: compiles NAME into $out/NAME.o and $out/NAME.swiftmodule
    local name=$1; shift
    swiftc "${flags[@]}" -module-name "$name" -wmo -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c -o "$out/$name.o" "$@"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decoder handler client)
module KetteProtocol Protocol/*.swift
for target in "${targets[@]}"; do
    case "$target" in
    decoder)
        module KetteCompression Sources/KetteCompression/*.swift
        swiftc "${flags[@]}" -module-name FuzzDecoder Fuzz/Decoder/FuzzDecoder.swift "$out/KetteProtocol.o" "$out/KetteCompression.o" \
            -lz -o "$out/fuzz-decoder"
        ;;
    handler)
        module KetteStore Sources/KetteStore/*.swift
        module KetteMessages Sources/KetteMessages/*.swift
        module KetteCompression Sources/KetteCompression/*.swift
        module KetteHTTP Sources/KetteHTTP/*.swift
        module KettePostgres Sources/KettePostgres/*.swift
        module KetteServer $(find Server -name '*.swift' | sort)
        swiftc "${flags[@]}" -module-name FuzzHandler Fuzz/Handler/FuzzHandler.swift Tests/KetteServerTests/HandlerFuzzInput.swift \
            "$out/KetteProtocol.o" "$out/KetteStore.o" "$out/KetteMessages.o" "$out/KetteCompression.o" "$out/KetteHTTP.o" "$out/KettePostgres.o" \
            "$out/KetteServer.o" -lsqlite3 -lmicrohttpd -lgnutls -lpq -lz -o "$out/fuzz-handler"
        ;;
    client)
        module KetteStore Sources/KetteStore/*.swift
        module KetteMessages Sources/KetteMessages/*.swift
        module KetteCompression Sources/KetteCompression/*.swift
        module KetteClient $(find Client -name '*.swift' | sort)
        swiftc "${flags[@]}" -module-name FuzzClient Fuzz/Client/FuzzClient.swift Tests/KetteClientTests/ClientFuzzInput.swift \
            "$out/KetteProtocol.o" "$out/KetteStore.o" "$out/KetteMessages.o" "$out/KetteCompression.o" "$out/KetteClient.o" \
            -lsqlite3 -lcurl -lz -o "$out/fuzz-client"
        ;;
    *) echo "unknown fuzz target '$target'; accepted: decoder, handler, client" >&2; exit 1 ;;
    esac
done
