import Foundation
import KetteTestSupport
import XCTest

/// `kette meeting add` without minutes on a terminal opens `$EDITOR` for them. `script` gives the
/// child a pseudo-terminal, as a person's shell would.
final class EditorTests: KetteCLITestCase {
    func runOnTerminal(_ arguments: [String], editor: String) throws -> (status: Int32, output: String) {
        let command = ([runner.binary.path, "--home", runner.home.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = runner.environment(["EDITOR": editor])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func testMinutesComeFromTheEditorAndAFailedEditorSavesNothing() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is not installed")
        XCTAssertEqual(runner.run(["init"]).exitCode, 0)
        XCTAssertEqual(runner.run(["body", "add", "Netzwerk Frühe Hilfen", "--level", "network"]).exitCode, 0)
        let editor = runner.root.appendingPathComponent("editor.sh")
        try "#!/bin/sh\nprintf '# Vorlage\\nHebammenmangel im Quartier besprochen.\\n' > \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor.path)

        let written = try runOnTerminal(["meeting", "add", "--body", "netzwerk", "--date", "2026-03-14"], editor: editor.path)
        XCTAssertEqual(written.status, 0, written.output)
        let meetings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(runner.run(["meeting", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(meetings.count, 1)
        XCTAssertEqual(meetings.first?["minutes"] as? String, "Hebammenmangel im Quartier besprochen.", "the template's comment line is left out")

        let failed = try runOnTerminal(["meeting", "add", "--body", "netzwerk", "--date", "2026-03-15"], editor: "false")
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(failed.output.contains("nothing was saved"), failed.output)
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(runner.run(["meeting", "list", "--json"]).stdout.utf8)) as? [Any])
        XCTAssertEqual(after.count, 1, "a failed editor records no meeting")
    }
}
