import Foundation

/// The Yjs peer of `sync` (issue 13, target 2): `scripts/yjs-peer.py` run with the Python of
/// `.build/yjs-venv`, which pushes the same rows through a pycrdt-websocket server persisting to
/// SQLite and times a fresh client's first full sync. The script's docstring gives the method.
struct YjsPeer {
    let python: String
    let script: String

    /// What the peer measured for one size.
    struct Figures: Decodable {
        let changes: Int
        let pushSeconds: Double
        let firstSyncSeconds: Double

        enum CodingKeys: String, CodingKey {
            case changes, pushSeconds = "push_seconds", firstSyncSeconds = "first_sync_seconds"
        }
    }

    /// How to set the peer up, for the line printed when it is missing.
    static let setUp = "python3 scripts/yjs-peer.py --setup (makes .build/yjs-venv and installs pycrdt-websocket from PyPI)"

    /// The peer next to this build, or why it cannot run: the script is looked for in the
    /// package the binary was built in, its packages in that package's `.build/yjs-venv`.
    static func locate() -> Result<YjsPeer, BenchmarkError> {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.appendingPathComponent("scripts/yjs-peer.py").path) {
            folder.deleteLastPathComponent()
        }
        let script = folder.appendingPathComponent("scripts/yjs-peer.py").path
        let python = folder.appendingPathComponent(".build/yjs-venv/bin/python").path
        guard FileManager.default.fileExists(atPath: script) else {
            return .failure(BenchmarkError("Yjs peer skipped: no scripts/yjs-peer.py above \(CommandLine.arguments[0])"))
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(BenchmarkError("Yjs peer skipped: no \(python); set it up with \(setUp), or pass --no-yjs"))
        }
        let check = try? ChildProcess.run(python, ["-c", "import pycrdt.websocket, pycrdt.store, uvicorn, websockets"])
        guard check != nil else {
            return .failure(BenchmarkError("Yjs peer skipped: \(python) lacks pycrdt-websocket, uvicorn or websockets; set it up with \(setUp), or pass --no-yjs"))
        }
        return .success(YjsPeer(python: python, script: script))
    }

    /// Pushes the rows of `rows` (a SQLite file with the server's `field_state`) from `clients`
    /// clients and times a fresh client's first full sync; the peer's output goes to `log`.
    func run(rows: String, work: String, clients: Int, log: String) throws -> Figures {
        let result = work + "/yjs-result.json"
        _ = try ChildProcess.run(python, [script, "run", "--rows", rows, "--work", work, "--clients", String(clients), "--out", result], log: log)
        let figures = try JSONDecoder().decode(Figures.self, from: Data(contentsOf: URL(fileURLWithPath: result)))
        try? FileManager.default.removeItem(atPath: work)
        return figures
    }
}
