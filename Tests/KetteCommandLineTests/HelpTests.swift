import KetteCommandLine
import KetteProtocol
import XCTest

final class HelpTests: XCTestCase {
    let program = Sample.program

    func testACommandsHelpIsGeneratedFromItsDeclarationsInEnglish() {
        XCTAssertEqual(program.help(.command(["offer", "show"]), .english), """
            sample offer show — show an offer

            usage: sample offer show ID [options]

            arguments:
              ID                      the offer's id

            options:
              --json                  print JSON
              --home DIR              the store
              --help                  show this help
            """)
        let add = program.help(.command(["offer", "add"]), .english)
        XCTAssertTrue(add.contains("  --attendee NAME …       who came"), add)
        XCTAssertTrue(program.help(.command(["remote"]), .english).contains("usage: sample remote [URL]\n"))
        XCTAssertTrue(program.help(.command(["serve"]), .english).hasSuffix("\n\nCertificates are PEM."))
    }

    func testTheSameHelpInGerman() {
        XCTAssertEqual(program.help(.command(["offer", "show"]), .german), """
            sample offer show — ein Angebot zeigen

            Aufruf: sample offer show ID [Optionen]

            Argumente:
              ID                      die ID des Angebots

            Optionen:
              --json                  JSON ausgeben
              --home DIR              der Speicher
              --help                  diese Hilfe anzeigen
            """)
        XCTAssertTrue(program.help(.command(["serve"]), .german).hasSuffix("\n\nZertifikate sind PEM."))
    }

    func testTheOverviewAndAGroupListTheirCommands() {
        let overview = program.help(.program, .english)
        XCTAssertTrue(overview.hasPrefix("sample — a sample program\n\nusage: sample COMMAND [options]"), overview)
        for line in ["  offer add           add an offer", "  search              search", "  --home DIR          the store"] {
            XCTAssertTrue(overview.contains(line), "\(line) in \(overview)")
        }
        let german = program.help(.program, .german)
        XCTAssertTrue(german.contains("Befehle:\n  offer add           ein Angebot anlegen"), german)
        XCTAssertTrue(german.contains("Optionen für jeden Befehl:"), german)

        let group = program.help(.group(["offer"]), .english)
        XCTAssertEqual(group.split(separator: "\n").filter { $0.hasPrefix("  ") }, [
            "  offer add           add an offer", "  offer show          show an offer", "  offer list          list offers",
        ])
        XCTAssertTrue(program.help(.group(["offer"]), .german).contains("Unterbefehle:"))
    }

    func testAUsageErrorPointsToTheHelpOfItsCommand() {
        let error = UsageError("--cert and --key go together", "--cert und --key gehören zusammen")
        XCTAssertEqual(program.explain(error, .english), "--cert and --key go together\n(see `sample --help`)")
        do {
            _ = try program.parse(["serve", "--key", "k.pem"])
            XCTFail("half a pair is refused")
        } catch let error as UsageError {
            XCTAssertEqual(program.explain(error, .english), "--cert and --key go together\n(see `sample serve --help`)")
            XCTAssertEqual(program.explain(error, .german), "--cert und --key gehören zusammen\n(siehe `sample serve --help`)")
        } catch {
            XCTFail("\(error)")
        }
    }

    func testEveryHelpTextOfACommandIsListedForTheCatalogCheck() {
        let serve = program.command(["serve"])!
        XCTAssertEqual(serve.helpTexts.map(\.english), ["serve", "a certificate", "its key", "Certificates are PEM."])
    }
}
