import Foundation
import KetteProtocol
import KetteServer
import KetteStore

// kette-server: the county server and its admin commands. Admin commands open the same database
// file (WAL) and work while the server runs; a revocation takes effect on the next request.

let usage = """
    kette-server — the county sync server for Kette

    usage:
      kette-server serve [--db PATH] [--bind ADDR] [--port N] [--threads N] [--max-body-mb N]
                         [--max-inflight-mb N] [--max-connections N] [--per-ip-limit N]
                         [--header-timeout S] [--body-timeout S] [--rate-limit N] [--rate-burst N]
                         [--tls-cert FILE --tls-key FILE]
                                         serve the /v1 sync API (defaults: ./kette-server.db, 127.0.0.1, 8080,
                                         4 threads, requests up to 64 MiB: one change set, a big import, fits;
                                         bodies and answers in memory at most 128 MiB together;
                                         512 connections, 64 per client address; request headers within 20 s,
                                         a body within 120 s of its headers and an answer taken within 120 s;
                                         50 requests per second per user with bursts of 1000, 0 turns it off);
                                         with --tls-cert and --tls-key (PEM) it serves HTTPS only
      kette-server district add ID NAME [--parent ID] [--db PATH]
      kette-server district list [--db PATH] [--json]
      kette-server user add NAME --role coordinator|district|county|admin [--district ID]… [--db PATH]
                                         prints the new user's token once; only its hash is stored
      kette-server user list [--db PATH] [--json]
      kette-server user revoke NAME [--db PATH]
      kette-server erase --person NAME [--db PATH] [--json]
                                         removes NAME (ignoring case, also inside texts) from every record, conflict
                                         and change-set record; clients receive the erasure on their next sync
      kette-server audit list [--db PATH] [--json]
                                         who changed, read, erased or administered what, and when (no content)
      kette-server audit verify [--db PATH]
                                         checks the audit log's signature chain and signed head (key file
                                         PATH.audit-key, head PATH.audit-head, both next to the database)

    exit codes: 0 ok, 1 usage or input error, 4 storage error (database unusable), 5 address in use or server failure,
                6 audit log altered (audit verify names the first broken entry)
    """

struct UsageError: Error { let message: String }

/// The command line split into words, `--option value` pairs and flags.
struct Arguments {
    var words: [String] = []
    var options: [String: [String]] = [:]
    var flags: Set<String> = []
    static let valueOptions: Set<String> = ["db", "bind", "port", "threads", "max-body-mb", "role", "district", "parent",
                                            "tls-cert", "tls-key", "person", "per-ip-limit", "header-timeout", "rate-limit", "rate-burst",
                                            "body-timeout", "max-connections", "max-inflight-mb"]
    static let flagOptions: Set<String> = ["json", "help"]

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let word = rest.popFirst() {
            guard word.hasPrefix("--") else { words.append(word); continue }
            let name = String(word.dropFirst(2))
            if Self.flagOptions.contains(name) { flags.insert(name); continue }
            guard Self.valueOptions.contains(name) else {
                throw UsageError(message: "unknown option \(word); accepted: " + (Self.valueOptions.union(Self.flagOptions)).sorted().map { "--" + $0 }.joined(separator: ", "))
            }
            guard let value = rest.popFirst() else { throw UsageError(message: "option \(word) needs a value") }
            options[name, default: []].append(value)
        }
    }

    func value(_ name: String) -> String? { options[name]?.last }
    var databasePath: String { value("db") ?? ServerDefaults.databasePath }
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("kette-server: \(message)\n".utf8))
    exit(code)
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func openStore(_ arguments: Arguments) throws -> ServerStore {
    let store = try ServerStore(path: arguments.databasePath)
    warnAboutOpenFiles(arguments.databasePath)
    return store
}

/// The database holds minutes, attendee names and token hashes: say so when others may read its files.
func warnAboutOpenFiles(_ databasePath: String) {
    let language = Language.from(environment: ProcessInfo.processInfo.environment)
    for (path, mode) in PrivateFile.tooOpen(ServerStore.privateFiles(databasePath: databasePath)) {
        let warning = PrivateFile.warning(path: path, mode: mode)
        FileHandle.standardError.write(Data("kette-server: \(language.pick(warning.english, warning.german))\n".utf8))
    }
}

/// The per-user limit from `--rate-limit N` (requests per second, 0: none) and `--rate-burst N`.
func makeRateLimiter(_ arguments: Arguments) throws -> RateLimiter? {
    var rate = RateLimiter.Configuration.defaultRate
    if let text = arguments.value("rate-limit") {
        guard let number = Double(text), number.isFinite, number >= 0, number <= 1_000_000 else {
            throw UsageError(message: "--rate-limit must be 0 (no limit) to 1000000 requests per second; got \(text)")
        }
        rate = number
    }
    var burst: Int?
    if let text = arguments.value("rate-burst") {
        guard let number = Int(text), (1...10_000_000).contains(number) else {
            throw UsageError(message: "--rate-burst must be 1 to 10000000 requests; got \(text)")
        }
        burst = number
    }
    if rate == 0 {
        guard burst == nil else { throw UsageError(message: "--rate-burst needs a rate limit; --rate-limit 0 turns limiting off") }
        return nil
    }
    do {
        return try RateLimiter(RateLimiter.Configuration(rate: rate, burst: burst))
    } catch {
        throw UsageError(message: error.description)
    }
}

/// A private key others can read is as good as published; say so, but serve (the administrator
/// may have reasons, such as a group-readable key for a service account).
func warnIfReadableByOthers(_ path: String) {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return }
    FileHandle.standardError.write(Data("kette-server: warning: the private key \(path) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it\n".utf8))
}

/// `--NAME N` as a whole number in `range`, or nil when the option is not given.
func number(_ arguments: Arguments, _ name: String, _ range: ClosedRange<Int>, _ unit: String) throws -> Int? {
    guard let text = arguments.value(name) else { return nil }
    guard let number = Int(text), range.contains(number) else {
        throw UsageError(message: "--\(name) must be \(range.lowerBound) to \(range.upperBound)\(unit); got \(text)")
    }
    return number
}

/// Where to listen and the limits that protect the server, from the command line.
func serverConfiguration(_ arguments: Arguments) throws -> HTTPServer.Configuration {
    var configuration = HTTPServer.Configuration()
    configuration.bindAddress = arguments.value("bind") ?? ServerDefaults.bindAddress
    configuration.port = try number(arguments, "port", 0...65535, "").map(UInt16.init) ?? ServerDefaults.port
    configuration.threadPoolSize = try number(arguments, "threads", 1...64, "") ?? configuration.threadPoolSize
    // A change set travels whole in one request, and an import of tens of thousands of offers is
    // one change set: the default leaves room for that, a county can set its own bound.
    configuration.maxBodyBytes = (try number(arguments, "max-body-mb", 1...1024, "") ?? 64) << 20
    configuration.maxInFlightBytes = try number(arguments, "max-inflight-mb", 1...65536, " MiB").map { $0 << 20 }
        ?? HTTPServer.Configuration.defaultInFlightBytes(maxBodyBytes: configuration.maxBodyBytes)
    guard configuration.maxInFlightBytes >= configuration.maxBodyBytes else {
        throw UsageError(message: "--max-inflight-mb must be at least --max-body-mb (\(configuration.maxBodyBytes >> 20)): a body within the limit must fit")
    }
    configuration.connectionLimit = try number(arguments, "max-connections", 1...100_000, " connections") ?? configuration.connectionLimit
    configuration.perIPConnectionLimit = try number(arguments, "per-ip-limit", 1...100_000, " connections") ?? configuration.perIPConnectionLimit
    configuration.headerTimeoutSeconds = try number(arguments, "header-timeout", 1...3600, " seconds") ?? configuration.headerTimeoutSeconds
    configuration.bodyTimeoutSeconds = try number(arguments, "body-timeout", 1...3600, " seconds") ?? configuration.bodyTimeoutSeconds
    return configuration
}

func serve(_ arguments: Arguments) throws -> Never {
    var configuration = try serverConfiguration(arguments)
    let rateLimiter = try makeRateLimiter(arguments)
    switch (arguments.value("tls-cert"), arguments.value("tls-key")) {
    case (nil, nil):
        break
    case (let certificate?, let key?):
        do {
            configuration.tls = try TLSCredentials.load(certificatePath: certificate, privateKeyPath: key)
        } catch {
            throw UsageError(message: "HTTPS cannot start: \(error)")
        }
        warnIfReadableByOthers(key)
    default:
        throw UsageError(message: "--tls-cert and --tls-key go together: the certificate (PEM) and its private key (PEM)")
    }
    let store = try ServerStore(path: arguments.databasePath, readerCount: configuration.threadPoolSize)
    warnAboutOpenFiles(arguments.databasePath)
    let api = SyncAPI(storage: store, rateLimiter: rateLimiter) { line in
        FileHandle.standardError.write(Data("kette-server: \(line)\n".utf8))
    }
    let server = HTTPServer(configuration: configuration, handler: api)
    do {
        try server.start()
    } catch {
        fail("\(error)", code: 5)
    }
    // Written unbuffered: scripts wait for this line to know the server is up.
    let scheme = configuration.tls == nil ? "http" : "https"
    FileHandle.standardOutput.write(Data("kette-server listening on \(scheme)://\(configuration.bindAddress):\(server.port) (database \(arguments.databasePath))\n".utf8))
    // Serve until SIGINT or SIGTERM; the daemon's threads do the work.
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let stopSignals = [SIGINT, SIGTERM].map { signalNumber -> DispatchSourceSignal in
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
        source.setEventHandler {
            server.stop()
            // Reads are counted in memory and written about once a second: write the rest now.
            try? store.flushAuditReads()
            print("kette-server stopped")
            exit(0)
        }
        source.resume()
        return source
    }
    withExtendedLifetime(stopSignals) { dispatchMain() }
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    if arguments.flags.contains("help") || arguments.words.isEmpty {
        print(usage)
        exit(arguments.words.isEmpty && !arguments.flags.contains("help") ? 1 : 0)
    }
    switch arguments.words {
    case ["serve"]:
        try serve(arguments)
    case let words where words.count == 4 && words[0] == "district" && words[1] == "add":
        try openStore(arguments).addDistrict(id: words[2], name: words[3], parent: arguments.value("parent"))
        print("district \(words[2]) added")
    case ["district", "list"]:
        let districts = try openStore(arguments).districts()
        if arguments.flags.contains("json") { try printJSON(districts) } else {
            for district in districts { print("\(district.id)\t\(district.name)") }
        }
    case let words where words.count == 3 && words[0] == "user" && words[1] == "add":
        guard let roleText = arguments.value("role") else {
            throw UsageError(message: "user add needs --role; accepted: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let role = Role(rawValue: roleText) else {
            throw UsageError(message: "unknown role '\(roleText)'; accepted: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let token = try openStore(arguments).addUser(name: words[2], role: role, districts: arguments.options["district"] ?? [])
        // The token on stdout alone, so scripts can capture it; the advice on stderr.
        print(token)
        FileHandle.standardError.write(Data("kette-server: token for \(words[2]) shown once; only its hash is stored\n".utf8))
    case ["user", "list"]:
        let users = try openStore(arguments).users()
        if arguments.flags.contains("json") { try printJSON(users) } else {
            for user in users {
                print("\(user.name)\t\(user.role.rawValue)\t\(user.districts.joined(separator: ","))\(user.revoked ? "\trevoked" : "")")
            }
        }
    case let words where words.count == 3 && words[0] == "user" && words[1] == "revoke":
        try openStore(arguments).revokeUser(name: words[2])
        print("user \(words[2]) revoked")
    case ["erase"]:
        guard let person = arguments.value("person") else {
            throw UsageError(message: "erase needs --person NAME, the name to remove (quoted if it has spaces)")
        }
        let report = try openStore(arguments).erase(person: person)
        if arguments.flags.contains("json") { try printJSON(report) } else {
            print("erased: \(report.fieldVersions) field versions in \(report.records) records, \(report.authoredVersions) author entries, \(report.changeSets) change-set users")
            if report.userAccounts > 0 {
                print("note: \(report.userAccounts) user account(s) carry this name; accounts are not renamed (revoke them with `kette-server user revoke`)")
            }
        }
        // The limits an operator must know (SPEC §8.7): the server keeps no copy of the name.
        FileHandle.standardError.write(Data("""
            kette-server: clients receive the erasure on their next sync. A change written offline before the erasure
            and pushed after it can bring the name back: run the erasure again once every client has synced.

            """.utf8))
        if !report.walTruncated {
            fail("the erasure is done, but a reader kept the write-ahead log \(arguments.databasePath)-wal from being emptied; run the command again", code: 4)
        }
    case ["audit", "list"]:
        let entries = try openStore(arguments).auditEntries()
        if arguments.flags.contains("json") { try printJSON(entries) } else {
            let formatter = ISO8601DateFormatter()
            for entry in entries {
                print("\(entry.seq)\t\(formatter.string(from: Date(timeIntervalSince1970: Double(entry.at) / 1000)))\t\(entry.actor)\t\(entry.action)\t\(entry.detail)")
            }
        }
    case ["audit", "verify"]:
        switch try openStore(arguments).verifyAudit() {
        case .intact(let entries):
            print("audit log intact: \(entries) entries")
        case .broken(let entry, let reason):
            fail("audit log altered\(entry.map { " at entry \($0)" } ?? ""): \(reason)", code: 6)
        }
    default:
        throw UsageError(message: "unknown command '\(arguments.words.joined(separator: " "))'")
    }
} catch let error as UsageError {
    fail("\(error.message)\n\n\(usage)", code: 1)
} catch let error as AdminError {
    fail("\(error)", code: 1)
} catch let error as AuditLog.Problem {
    fail("\(error)", code: 6)
} catch let error as SQLiteError {
    let arguments = CommandLine.arguments
    let path = arguments.firstIndex(of: "--db").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } ?? ServerDefaults.databasePath
    fail("the database \(path) is unusable (\(error.code.primary.description)): \(error)", code: 4)
} catch {
    fail("\(error)", code: 1)
}
