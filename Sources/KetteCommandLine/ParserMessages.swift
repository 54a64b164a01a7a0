/// The parser's own messages, from the catalog (`CommandLineText`): each names what is wrong and
/// what is accepted.
enum ParserMessages {
    static func unknownCommand(_ word: String, accepted: [String]) -> LocalizedText {
        CommandLineText.unknownCommand.with(["word": word, "accepted": accepted.joined(separator: ", ")])
    }

    static func unknownSubcommand(_ word: String, of group: [String], accepted: [String]) -> LocalizedText {
        CommandLineText.unknownSubcommand.with(["word": word, "group": group.joined(separator: " "), "accepted": accepted.joined(separator: ", ")])
    }

    static func missingSubcommand(of group: [String], accepted: [String]) -> LocalizedText {
        CommandLineText.missingSubcommand.with(["group": group.joined(separator: " "), "accepted": accepted.joined(separator: ", ")])
    }

    /// `accepted` nil: the word is no option at all (`-x`), so no list helps.
    static func unknownOption(_ word: String, accepted: [any OptionDeclaration]?) -> LocalizedText {
        guard let accepted else { return CommandLineText.unknownOption.with(["word": word]) }
        return CommandLineText.unknownOptionAccepted.with(["word": word, "accepted": accepted.map { "--" + $0.name }.joined(separator: ", ")])
    }

    static func optionBeforeCommand(_ word: String, accepted: [any OptionDeclaration]) -> LocalizedText {
        CommandLineText.optionBeforeCommand.with(["word": word, "accepted": accepted.map { "--" + $0.name }.joined(separator: ", ")])
    }

    static func takesNoValue(_ name: String) -> LocalizedText {
        CommandLineText.takesNoValue.with(["name": name])
    }

    static func needsValue(_ name: String, _ valueName: String) -> LocalizedText {
        CommandLineText.needsValue.with(["name": name, "value": valueName])
    }

    static func givenTwice(_ name: String) -> LocalizedText {
        CommandLineText.givenTwice.with(["name": name])
    }

    /// A value of the wrong form: `--port must be 0 to 65535; got 'x'`.
    static func wrongForm(_ what: String, _ text: String, expected: LocalizedText?) -> LocalizedText {
        CommandLineText.wrongForm.with(["what": what, "text": text, "expected": expected ?? CommandLineText.differentValue.text])
    }

    static func missingArgument(_ name: String, _ help: LocalizedText) -> LocalizedText {
        CommandLineText.missingArgument.with(["name": name, "help": help])
    }

    static func unexpectedArgument(_ word: String) -> LocalizedText {
        CommandLineText.unexpectedArgument.with(["word": word])
    }

    // Configuration files (`ConfigurationFile`): each message starts with the file and line.

    static func configLocation(_ path: String, _ line: Int) -> LocalizedText {
        CommandLineText.configLocation.with(["path": path, "line": line])
    }

    static func configExpected(_ text: String) -> LocalizedText {
        CommandLineText.configExpected.with(["text": text])
    }

    static func configUnknownKey(_ key: String, accepted: [any OptionDeclaration]) -> LocalizedText {
        CommandLineText.configUnknownKey.with(["key": key, "accepted": accepted.map(\.name).joined(separator: ", ")])
    }

    static func configSetTwice(_ key: String) -> LocalizedText {
        CommandLineText.configSetTwice.with(["key": key])
    }
}
