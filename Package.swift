// swift-tools-version:6.0
import PackageDescription

// Kette: offline-first record keeper and sync service for prevention-chain coordinators.
// No Swift package dependencies: C libraries come from Debian through system-library targets.
let package = Package(
    name: "Kette",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kette", targets: ["kette"]),
        .executable(name: "kette-server", targets: ["kette-server"]),
        .executable(name: "kette-bench", targets: ["kette-bench"]),
        .library(name: "KetteProtocol", targets: ["KetteProtocol"]),
        .library(name: "KetteClient", targets: ["KetteClient"]),
        .library(name: "KetteServer", targets: ["KetteServer"]),
    ],
    targets: [
        // C system modules; their shim headers wrap the variadic functions Swift cannot call.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", providers: [.apt(["libmicrohttpd-dev"])]),
        // libpq, PostgreSQL's client library: the server's storage when a county outgrows one
        // SQLite file and one process (a state-wide service, a standby, several server processes).
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", providers: [.apt(["libpq-dev"])]),
        // zlib: gzip for pull pages and push bodies; a 1 MB page is ~10 × smaller on a slow link.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // The one SQLite layer shared by client and server.
        .target(name: "KetteStore", dependencies: ["CSQLite"], path: "Sources/KetteStore"),
        // The PostgreSQL layer beside it: connections, prepared statements, COPY, pool, migrations;
        // rows and values are KetteStore's.
        .target(name: "KettePostgres", dependencies: ["CPostgres", "KetteStore"], path: "Sources/KettePostgres"),
        // The server's HTTP transport (libmicrohttpd), below the application as HummingbirdCore
        // is below Hummingbird: requests, responses, limits; no knowledge of the protocol.
        .target(name: "KetteHTTP", dependencies: ["CMicroHTTPD", "KetteCompression"], path: "Sources/KetteHTTP"),
        // gzip both ways, one owner per z_stream: the server's transport and the client's pushes.
        .target(name: "KetteCompression", dependencies: ["CZlib"], path: "Sources/KetteCompression"),

        // The three library modules, each in its own top-level folder.
        .target(name: "KetteProtocol", path: "Protocol", exclude: ["SPEC.md", "openapi.json", "Examples", "check_examples.py"]),
        .target(name: "KetteClient", dependencies: ["KetteProtocol", "KetteMessages", "KetteStore", "KetteCompression", "CCurl"], path: "Client"),
        .target(name: "KetteServer", dependencies: ["KetteHTTP", "KetteProtocol", "KetteMessages", "KetteStore", "KettePostgres", "CMicroHTTPD"], path: "Server"),

        // The message catalog: every text both programs print, in English and German, and the
        // locale formats of numbers, days and times.
        .target(name: "KetteMessages", dependencies: ["KetteProtocol"], path: "Sources/KetteMessages"),

        // The command-line parser both executables use: typed options, validation, generated help.
        .target(name: "KetteCommandLine", dependencies: ["KetteProtocol", "KetteMessages"], path: "Sources/KetteCommandLine"),

        // Stamps the git commit into each program it is applied to (`BuildStamp.commit`, for --version).
        .plugin(name: "VersionStamp", capability: .buildTool(), path: "Sources/VersionStampPlugin"),

        // Executables; each declares every module it imports.
        // The release `kette` carries the Swift runtime and Foundation inside it (as the .deb's binary
        // does, scripts/package.sh): loading and relocating libFoundation, ICU and a dozen other
        // shared libraries cost a short command about a quarter of its CPU time (BENCHMARKS.md, instant commands).
        // Release only: the test bundle links the debug `kette` module next to XCTest's shared runtime.
        // The modules are compiled against the shared Foundation, whose objects do not name the
        // archives the static one needs, so they are listed here (in the order the driver uses).
        .executableTarget(name: "kette", dependencies: ["KetteCommandLine", "KetteMessages", "KetteClient", "KetteProtocol", "KetteStore"], path: "Sources/kette",
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group", "-lFoundation", "-lFoundationEssentials",
                                                         "-lFoundationInternationalization", "-lCoreFoundation", "-l_FoundationICU",
                                                         "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftDispatch", "-ldispatch",
                                                         "-lBlocksRuntime", "-lswiftSynchronization", "-lswift_Concurrency",
                                                         "-lswiftCore", "-Xlinker", "--end-group", "-lstdc++"],
                                                        .when(configuration: .release))],
                          plugins: ["VersionStamp"]),
        .executableTarget(name: "kette-server", dependencies: ["KetteCommandLine", "KetteMessages", "KetteServer", "KetteProtocol", "KetteStore", "KettePostgres"],
                          path: "Sources/kette-server", plugins: ["VersionStamp"]),
        .executableTarget(name: "kette-bench", dependencies: ["KetteClient", "KetteServer", "KetteStore", "KetteProtocol", "KettePostgres"], path: "Sources/kette-bench"),

        // What the tests share: a test clock, throw-away directories and stores, the `kette` runner,
        // a real `kette-server` process with users and tokens, raw sockets, typed error checks.
        .target(name: "KetteTestSupport", dependencies: ["KetteProtocol", "KetteStore", "KettePostgres", "KetteClient", "KetteServer"],
                path: "Tests/KetteTestSupport"),
        .testTarget(name: "KetteStoreTests", dependencies: ["KetteStore", "KetteTestSupport"]),
        .testTarget(name: "KettePostgresTests", dependencies: ["KettePostgres", "KetteStore", "KetteTestSupport"]),
        .testTarget(name: "KetteProtocolTests", dependencies: ["KetteProtocol", "KetteTestSupport"]),
        .testTarget(name: "KetteClientTests", dependencies: ["KetteClient", "KetteMessages", "KetteStore", "KetteTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "KetteHTTPTests", dependencies: ["KetteHTTP", "KetteCompression", "KetteTestSupport"]),
        .testTarget(name: "KetteServerTests", dependencies: ["KetteServer", "KetteStore", "KetteProtocol", "KetteTestSupport"]),
        .testTarget(name: "KetteSyncTests", dependencies: ["KetteClient", "KetteServer", "KetteProtocol", "KetteStore", "KetteTestSupport"]),
        // The parser itself, and both executables' declarations (every command's help in both languages).
        .testTarget(name: "KetteCommandLineTests", dependencies: ["KetteCommandLine", "KetteMessages", "KetteProtocol", "KetteTestSupport", "kette", "kette-server"]),
        .testTarget(name: "KetteCLITests", dependencies: ["KetteClient", "KetteCompression", "KetteMessages", "KetteProtocol", "KetteStore", "KettePostgres", "KetteTestSupport"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
