import KetteCommandLine
import KetteProtocol
@testable import kette
@testable import kette_server
import XCTest

/// Both executables' declarations: consistent, and every command's help complete in both
/// languages (the message catalog's test will extend this to every printed line).
final class ExecutableHelpTests: XCTestCase {
    struct Declared {
        let program: String
        let commands: [(name: String, texts: [LocalizedText], help: (Language) -> String)]
        let groups: [[String]]
        let overview: (Language) -> String
        let groupHelp: ([String], Language) -> String
        let problems: [String]
    }

    static func declared<Context>(_ program: Program<Context>) -> Declared {
        Declared(program: program.name,
                 commands: program.commands.map { command in
                     (command.name, command.helpTexts + [program.abstract], { program.help(.command(command.path), $0) })
                 },
                 groups: Array(Set(program.commands.filter { $0.path.count > 1 }.map { Array($0.path.dropLast()) })),
                 overview: { program.help(.program, $0) },
                 groupHelp: { program.help(.group($0), $1) },
                 problems: program.declarationProblems)
    }

    let programs = [declared(kette), declared(server)]

    func testTheDeclarationsAreConsistent() {
        for program in programs {
            XCTAssertEqual(program.problems, [], program.program)
            XCTAssertGreaterThan(program.commands.count, 5, program.program)
        }
    }

    func testEveryHelpTextIsWrittenInEnglishAndInGerman() {
        for program in programs {
            for command in program.commands {
                for text in command.texts {
                    XCTAssertFalse(text.english.trimmingCharacters(in: .whitespaces).isEmpty, "\(program.program) \(command.name): \(text)")
                    XCTAssertFalse(text.german.trimmingCharacters(in: .whitespaces).isEmpty, "\(program.program) \(command.name): \(text)")
                    XCTAssertNotEqual(text.english, text.german, "\(program.program) \(command.name): not translated: \(text.english)")
                }
            }
        }
    }

    func testEveryCommandsHelpRendersInBothLanguages() {
        for program in programs {
            for command in program.commands {
                let english = command.help(.english), german = command.help(.german)
                XCTAssertTrue(english.contains("usage: \(program.program) \(command.name)") && english.contains("\noptions:\n"), english)
                XCTAssertTrue(german.contains("Aufruf: \(program.program) \(command.name)") && german.contains("\nOptionen:\n"), german)
                XCTAssertTrue(english.contains("--help                  show this help"), english)
                XCTAssertTrue(german.contains("--help                  diese Hilfe anzeigen"), german)
                XCTAssertNotEqual(english, german)
            }
            for language in [Language.english, .german] {
                let overview = program.overview(language)
                for command in program.commands { XCTAssertTrue(overview.contains("  \(command.name) "), "\(command.name) in \(overview)") }
                for group in program.groups {
                    let help = program.groupHelp(group, language)
                    XCTAssertTrue(help.contains(LocalizedText("subcommands:", "Unterbefehle:")(language)), help)
                }
            }
        }
    }
}
