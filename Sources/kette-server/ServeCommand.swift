import Foundation
import KetteCommandLine
import KetteProtocol
import KetteServer

/// The options of `serve`, with the bounds the server accepts.
private enum ServeOption {
    /// The server's own defaults, named in the help.
    static let defaults = HTTPServer.Configuration()
    static let defaultRate = Int(RateLimiter.Configuration.defaultRate)
    /// A change set travels whole in one request, and an import of tens of thousands of offers is
    /// one change set: the default leaves room for that, a county can set its own bound.
    static let defaultMaxBodyMegabytes = 64

    static let bind = Option<String>("bind", value: "ADDR", help: LocalizedText(
        "the address to listen on (default: \(ServerDefaults.bindAddress); 0.0.0.0 or :: for every interface)",
        "die Adresse, auf der gelauscht wird (Standard: \(ServerDefaults.bindAddress); 0.0.0.0 oder :: für alle Schnittstellen)"))
    static let port = Option<Int>.integer("port", in: 0...65535, help: LocalizedText(
        "the TCP port (default: \(ServerDefaults.port); 0 picks a free one)", "der TCP-Port (Standard: \(ServerDefaults.port); 0 wählt einen freien)"))
    static let threads = Option<Int>.integer("threads", in: 1...64, help: LocalizedText(
        "worker threads (default: \(defaults.threadPoolSize))", "Arbeits-Threads (Standard: \(defaults.threadPoolSize))"))
    static let maxBodyMegabytes = Option<Int>.integer("max-body-mb", in: 1...1024, help: LocalizedText(
        "the largest request body in MiB (default: \(defaultMaxBodyMegabytes): one change set, a big import, fits)",
        "der größte Anfrageinhalt in MiB (Standard: \(defaultMaxBodyMegabytes): ein Änderungssatz, ein großer Import, passt hinein)"))
    static let perIPLimit = Option<Int>.integer(
        "per-ip-limit", in: 1...100_000, expected: LocalizedText("1 to 100000 connections", "1 bis 100000 Verbindungen"),
        help: LocalizedText("connections one client address may hold (default: \(defaults.perIPConnectionLimit))",
                            "Verbindungen je Client-Adresse (Standard: \(defaults.perIPConnectionLimit))"))
    static let headerTimeout = Option<Int>.integer(
        "header-timeout", value: "S", in: 1...3600, expected: LocalizedText("1 to 3600 seconds", "1 bis 3600 Sekunden"),
        help: LocalizedText("seconds within which request headers must be complete (default: \(defaults.headerTimeoutSeconds))",
                            "Sekunden, in denen die Kopfzeilen einer Anfrage vollständig sein müssen (Standard: \(defaults.headerTimeoutSeconds))"))
    static let maxInFlightMegabytes = Option<Int>.integer(
        "max-inflight-mb", in: 1...65536, expected: LocalizedText("1 to 65536 MiB", "1 bis 65536 MiB"),
        help: LocalizedText("MiB that request bodies and answers may hold in memory together (default: twice --max-body-mb, at least 128)",
                            "MiB, die Anfrageinhalte und Antworten zusammen im Speicher belegen dürfen (Standard: doppelte --max-body-mb, mindestens 128)"))
    static let maxConnections = Option<Int>.integer(
        "max-connections", in: 1...100_000, expected: LocalizedText("1 to 100000 connections", "1 bis 100000 Verbindungen"),
        help: LocalizedText("connections the server holds at once; more wait until one closes (default: \(defaults.connectionLimit))",
                            "Verbindungen, die der Server gleichzeitig hält; weitere warten, bis eine frei wird (Standard: \(defaults.connectionLimit))"))
    static let bodyTimeout = Option<Int>.integer(
        "body-timeout", value: "S", in: 1...3600, expected: LocalizedText("1 to 3600 seconds", "1 bis 3600 Sekunden"),
        help: LocalizedText("seconds within which a request body must arrive and an answer be taken (default: \(defaults.bodyTimeoutSeconds))",
                            "Sekunden, in denen ein Anfrageinhalt ankommen und eine Antwort abgeholt sein muss (Standard: \(defaults.bodyTimeoutSeconds))"))
    static let rateLimit = Option<Double>(
        "rate-limit", value: "N", help: LocalizedText(
            "requests per second per user (default: \(defaultRate); 0 turns limiting off)",
            "Anfragen pro Sekunde je Person (Standard: \(defaultRate); 0 schaltet die Begrenzung ab)"),
        expected: LocalizedText("0 (no limit) to 1000000 requests per second", "0 (keine Grenze) bis 1000000 Anfragen pro Sekunde")
    ) { text in
        Double(text).flatMap { $0.isFinite && (0...1_000_000).contains($0) ? $0 : nil }
    }
    static let rateBurst = Option<Int>.integer(
        "rate-burst", in: 1...10_000_000, expected: LocalizedText("1 to 10000000 requests", "1 bis 10000000 Anfragen"),
        help: LocalizedText("requests a user may send at once before the rate applies (default: 20 seconds' worth, at least 10)",
                            "Anfragen, die eine Person auf einmal senden darf, bevor die Rate greift (Standard: 20 Sekunden Anfragen, mindestens 10)"))
    static let tlsCertificate = Option<String>("tls-cert", value: "FILE", help: LocalizedText(
        "the server's certificate (PEM); with --tls-key it serves HTTPS only", "das Zertifikat des Servers (PEM); mit --tls-key nur HTTPS"))
    static let tlsKey = Option<String>("tls-key", value: "FILE", help: LocalizedText(
        "the certificate's private key (PEM)", "der private Schlüssel des Zertifikats (PEM)"))

    static let metricsAllow = Option<AddressRange>(
        "metrics-allow", value: "CIDR", help: LocalizedText(
            "addresses that may read GET /metrics, e.g. 127.0.0.1/32 or 10.1.2.0/24; repeat for several (default: none, /metrics is 404)",
            "Adressen, die GET /metrics lesen dürfen, z. B. 127.0.0.1/32 oder 10.1.2.0/24; für mehrere wiederholen (Standard: keine, /metrics ist 404)"),
        repeatable: true,
        expected: LocalizedText("an IPv4 or IPv6 address or network, e.g. 127.0.0.1, 10.0.0.0/8 or ::1/128",
                                "eine IPv4- oder IPv6-Adresse oder ein Netz, z. B. 127.0.0.1, 10.0.0.0/8 oder ::1/128")
    ) { AddressRange($0) }
    static let logFormat = Option<LogLine.Format>.choice("log-format", value: "logfmt|json", help: LocalizedText(
        "one line per request and event on stderr, as logfmt (default) or JSON", "eine Zeile je Anfrage und Ereignis auf stderr, als logfmt (Standard) oder JSON"))

    static let configuration = Option<String>("config", value: "FILE", help: LocalizedText(
        "read settings from FILE: `key = value` lines, each key a serve option's name, also db (default: \(ServeConfiguration.defaultPath) if it exists); options given here win",
        "Einstellungen aus FILE lesen: Zeilen `Schlüssel = Wert`, jeder Schlüssel der Name einer serve-Option, auch db (Standard: \(ServeConfiguration.defaultPath), falls vorhanden); hier angegebene Optionen haben Vorrang"))

    /// What a configuration file may set: every option but `--config` itself, and the database.
    static let settable: [any OptionDeclaration] = [bind, port, threads, maxBodyMegabytes, maxInFlightMegabytes, maxConnections, perIPLimit,
                                                    headerTimeout, bodyTimeout, rateLimit, rateBurst, tlsCertificate, tlsKey,
                                                    metricsAllow, logFormat]
    static let all: [any OptionDeclaration] = settable + [configuration]

    /// The checks that need two options together.
    static func validate(_ args: ParsedInput) throws {
        if (args[tlsCertificate] == nil) != (args[tlsKey] == nil) {
            throw UsageError("--tls-cert and --tls-key go together: the certificate (PEM) and its private key (PEM)",
                             "--tls-cert und --tls-key gehören zusammen: das Zertifikat (PEM) und sein privater Schlüssel (PEM)")
        }
        let body = args[maxBodyMegabytes] ?? defaultMaxBodyMegabytes
        if let inFlight = args[maxInFlightMegabytes], inFlight < body {
            throw UsageError("--max-inflight-mb must be at least --max-body-mb (\(body)): a body within the limit must fit",
                             "--max-inflight-mb muss mindestens --max-body-mb (\(body)) sein: ein Anfrageinhalt im Rahmen muss hineinpassen")
        }
        if args[rateLimit] == 0, args[rateBurst] != nil {
            throw UsageError("--rate-burst needs a rate limit; --rate-limit 0 turns limiting off",
                             "--rate-burst braucht eine Ratenbegrenzung; --rate-limit 0 schaltet sie ab")
        }
    }
}

let serveCommand = ServerCommand(
    "serve", abstract: LocalizedText("serve the /v1 sync API until SIGINT or SIGTERM", "die Sync-API /v1 bereitstellen bis SIGINT oder SIGTERM"),
    options: ServeOption.all, defaults: ServeConfiguration.fill, validate: ServeOption.validate
) { args, context in
    StopSignals.block()
    let configuration = try serverConfiguration(args)
    let store = try context.openStore(readerCount: configuration.threadPoolSize)
    let log = ServerLog(format: args[ServeOption.logFormat] ?? .logfmt)
    let metrics = ServerMetrics(databasePath: context.isPostgres ? nil : context.databasePath, commit: BuildStamp.commit)
    let api = SyncAPI(storage: store, rateLimiter: try rateLimiter(args), commit: BuildStamp.commit) { message in log.event("error", message) }
    let server = HTTPServer(configuration: configuration,
                            handler: ObservedAPI(api: api, metrics: metrics, metricsAllowed: args.all(ServeOption.metricsAllow), log: log))
    metrics.countConnections { [unowned server] in .init(open: server.openConnections, opened: server.openedConnections) }
    do {
        try server.start()
    } catch {
        log.event("failed", "\(error)")
        fail(ServerText.startFailed.with(["reason": "\(error)"]), code: 5)
    }
    // Written unbuffered: scripts wait for this line to know the server is up.
    let scheme = configuration.tls == nil ? "http" : "https"
    let address = "\(scheme)://\(configuration.bindAddress):\(server.port)"
    FileHandle.standardOutput.write(Data((ServerText.listening(context.language, ["url": address, "path": context.databaseName]) + "\n").utf8))
    log.event("start", "listening on \(address)", [("version", KetteVersion.release), ("commit", BuildStamp.commit), ("database", context.databaseName)])
    StopSignals.wait(server, store, log)
}

/// `kette-server serve --config FILE`: the serve options from a file, for systemd's unit.
enum ServeConfiguration {
    /// Read when it exists and `--config` is not given: where the Debian package puts it.
    static let defaultPath = "/etc/kette/kette-server.conf"

    /// The keys a configuration file accepts: the serve options' names, `db` and `audit-key`.
    static var keys: [any OptionDeclaration] { ServeOption.settable + [databaseOption, auditKeyOption] }

    static func fill(_ input: inout ParsedInput) throws {
        let path: String
        if let given = input[ServeOption.configuration] {
            path = given
        } else if FileManager.default.fileExists(atPath: defaultPath) {
            path = defaultPath
        } else {
            return
        }
        try input.fill(from: ConfigurationFile(path: path, text: try read(path)), options: keys)
    }

    private static func read(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw UsageError(ServerText.configUnreadable.with(["path": path, "reason": String(cString: strerror(errno))]))
        }
        let data = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError(ServerText.configNotText.with(["path": path]))
        }
        return text
    }
}

/// The HTTP server's configuration from the command line.
private func serverConfiguration(_ args: ParsedInput) throws -> HTTPServer.Configuration {
    var configuration = HTTPServer.Configuration()
    configuration.bindAddress = args[ServeOption.bind] ?? ServerDefaults.bindAddress
    configuration.port = args[ServeOption.port].map { UInt16($0) } ?? ServerDefaults.port
    if let threads = args[ServeOption.threads] { configuration.threadPoolSize = threads }
    configuration.maxBodyBytes = (args[ServeOption.maxBodyMegabytes] ?? ServeOption.defaultMaxBodyMegabytes) << 20
    configuration.maxInFlightBytes = args[ServeOption.maxInFlightMegabytes].map { $0 << 20 }
        ?? HTTPServer.Configuration.defaultInFlightBytes(maxBodyBytes: configuration.maxBodyBytes)
    if let limit = args[ServeOption.maxConnections] { configuration.connectionLimit = limit }
    if let limit = args[ServeOption.perIPLimit] { configuration.perIPConnectionLimit = limit }
    if let timeout = args[ServeOption.headerTimeout] { configuration.headerTimeoutSeconds = timeout }
    if let timeout = args[ServeOption.bodyTimeout] { configuration.bodyTimeoutSeconds = timeout }
    if let certificate = args[ServeOption.tlsCertificate], let key = args[ServeOption.tlsKey] {
        do {
            configuration.tls = try TLSCredentials.load(certificatePath: certificate, privateKeyPath: key)
        } catch {
            throw UsageError(ServerText.tlsFailed.with(["reason": "\(error)"]))
        }
        warnIfReadableByOthers(key)
    }
    return configuration
}

/// The per-user limit from `--rate-limit N` (requests per second, 0: none) and `--rate-burst N`.
private func rateLimiter(_ args: ParsedInput) throws -> RateLimiter? {
    let rate = args[ServeOption.rateLimit] ?? RateLimiter.Configuration.defaultRate
    if rate == 0 { return nil }
    do {
        return try RateLimiter(RateLimiter.Configuration(rate: rate, burst: args[ServeOption.rateBurst]))
    } catch {
        throw UsageError(error.description, error.description)
    }
}

/// A private key others can read is as good as published; say so, but serve (the administrator
/// may have reasons, such as a group-readable key for a service account).
private func warnIfReadableByOthers(_ path: String) {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return }
    complain(ServerText.keyReadable(Language.from(environment: ProcessInfo.processInfo.environment),
                                    ["path": path, "mode": String(status.st_mode & 0o777, radix: 8)]))
}

/// SIGINT and SIGTERM stop the server. They are blocked first thing in `serve`, in the main
/// thread and so in every thread started after it (the store's, the daemon's: they inherit the
/// mask), and the main thread takes them with `sigwait` once the server is up: a stop signal sent
/// at any moment, even before the "listening" line, waits pending and is taken. (Before, they were
/// ignored until dispatch signal sources had registered, which happens asynchronously: a SIGTERM
/// sent right after the "listening" line on a loaded machine was dropped, and the server served
/// on until killed.) Blocking them only just before the daemon starts is not enough: threads the
/// store has started by then would take the signal with its default action (ServerStopTests saw
/// that). A stop signal during a slow start is taken once the server is up; one that never
/// comes up (an unreachable database) exits with its error.
enum StopSignals {
    private static var set: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }

    static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Waits for a stop signal, then stops the server, writes what is left of the audit log's
    /// read counts, says so and exits.
    static func wait(_ server: HTTPServer, _ store: ServerStore, _ log: ServerLog) -> Never {
        var signals = set
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        server.stop()
        // Reads are counted in memory and written about once a second: write the rest now.
        try? store.flushAuditReads()
        log.event("stop", "stopped on signal \(received)")
        print(ServerText.stopped(Language.from(environment: ProcessInfo.processInfo.environment)))
        exit(0)
    }
}
