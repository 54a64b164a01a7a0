import KetteCommandLine
import XCTest

/// `key = value` settings for a command's options: the command line wins, and every mistake
/// names the file, the line and what is accepted.
final class ConfigurationFileTests: XCTestCase {
    private let port = Option<Int>.integer("port", in: 0...65535, help: LocalizedText("port", "Port"))
    private let bind = Option<String>("bind", value: "ADDR", help: LocalizedText("address", "Adresse"))
    private let allow = Option<String>("allow", value: "CIDR", help: LocalizedText("allowed", "erlaubt"), repeatable: true)
    private let quiet = Flag("quiet", help: LocalizedText("quiet", "still"))

    private func program(_ file: String) -> Program<Void> {
        let options: [any OptionDeclaration] = [port, bind, allow, quiet]
        return Program(name: "demo", abstract: LocalizedText("demo", "Demo"), commands: [
            Command<Void>("serve", abstract: LocalizedText("serve", "bereitstellen"), options: options,
                          defaults: { input in try input.fill(from: ConfigurationFile(path: "demo.conf", text: file), options: options) }) { _, _ in },
        ])
    }

    private func input(_ file: String, _ words: [String] = []) throws -> ParsedInput {
        guard case .run(_, let input) = try program(file).parse(["serve"] + words) else { throw XCTSkip("not a run") }
        return input
    }

    func testSettingsFillWhatTheCommandLineLeavesOut() throws {
        let file = """
            # a comment
              port = 8443

            bind="::1"
            allow = 10.0.0.0/8
            allow = 127.0.0.1/32
            quiet = yes
            """
        let fromFile = try input(file)
        XCTAssertEqual(fromFile[port], 8443)
        XCTAssertEqual(fromFile[bind], "::1")
        XCTAssertEqual(fromFile.all(allow), ["10.0.0.0/8", "127.0.0.1/32"])
        XCTAssertTrue(fromFile[quiet])
        let overridden = try input(file, ["--port", "9000", "--allow", "192.0.2.0/24"])
        XCTAssertEqual(overridden[port], 9000, "the command line wins")
        XCTAssertEqual(overridden.all(allow), ["192.0.2.0/24"], "a repeatable option given on the command line replaces the file's")
        XCTAssertEqual(overridden[bind], "::1")
        XCTAssertFalse(try input("quiet = off")[quiet])
    }

    func testMistakesNameTheFileTheLineAndWhatIsAccepted() {
        let cases: [(String, String, String)] = [
            ("port = 80\nprot = 1", "demo.conf line 2: unknown key 'prot'; accepted: port, bind, allow, quiet", "demo.conf Zeile 2: unbekannter Schlüssel „prot“"),
            ("\n\nport = high", "demo.conf line 3: port must be 0 to 65535; got 'high'", "demo.conf Zeile 3: Ungültiger Wert „high“ für port"),
            ("quiet = maybe", "demo.conf line 1: quiet must be true or false; got 'maybe'", "erwartet: true oder false"),
            ("port = 1\nport = 2", "demo.conf line 2: port is set more than once", "Zeile 2: port ist mehrfach gesetzt"),
            ("just words", "demo.conf line 1: expected `key = value` or a # comment; got 'just words'", "erwartet wird `Schlüssel = Wert`"),
            ("= 3", "demo.conf line 1: expected `key = value`", "Zeile 1"),
        ]
        for (file, english, german) in cases {
            XCTAssertThrowsError(try program(file).parse(["serve"]), file) { error in
                guard let usage = error as? UsageError else { return XCTFail("\(error)") }
                XCTAssertTrue(usage.message.english.contains(english), usage.message.english)
                XCTAssertTrue(usage.message.german.contains(german), usage.message.german)
                XCTAssertEqual(usage.commandPath, ["serve"])
            }
        }
    }
}
