/// The parser's own messages, in both languages: each names what is wrong and what is accepted.
enum ParserMessages {
    static func unknownCommand(_ word: String, accepted: [String]) -> LocalizedText {
        let list = accepted.joined(separator: ", ")
        return LocalizedText("unknown command '\(word)'. Accepted: \(list)", "Unbekannter Befehl „\(word)“. Erlaubt: \(list)")
    }

    static func unknownSubcommand(_ word: String, of group: [String], accepted: [String]) -> LocalizedText {
        let name = group.joined(separator: " "), list = accepted.joined(separator: ", ")
        return LocalizedText("unknown subcommand '\(word)' of '\(name)'. Accepted: \(list)",
                             "Unbekannter Unterbefehl „\(word)“ von „\(name)“. Erlaubt: \(list)")
    }

    static func missingSubcommand(of group: [String], accepted: [String]) -> LocalizedText {
        let name = group.joined(separator: " "), list = accepted.joined(separator: ", ")
        return LocalizedText("'\(name)' needs a subcommand. Accepted: \(list)", "„\(name)“ braucht einen Unterbefehl. Erlaubt: \(list)")
    }

    /// `accepted` nil: the word is no option at all (`-x`), so no list helps.
    static func unknownOption(_ word: String, accepted: [any OptionDeclaration]?) -> LocalizedText {
        guard let accepted else { return LocalizedText("unknown option '\(word)'", "Unbekannte Option „\(word)“") }
        let list = accepted.map { "--" + $0.name }.joined(separator: ", ")
        return LocalizedText("unknown option '\(word)'. Accepted: \(list)", "Unbekannte Option „\(word)“. Erlaubt: \(list)")
    }

    static func optionBeforeCommand(_ word: String, accepted: [any OptionDeclaration]) -> LocalizedText {
        let list = accepted.map { "--" + $0.name }.joined(separator: ", ")
        return LocalizedText("option '\(word)' belongs after the command it is for. Accepted before the command: \(list) and flags such as --json",
                             "Option „\(word)“ gehört hinter den Befehl, zu dem sie gehört. Vor dem Befehl erlaubt: \(list) und Schalter wie --json")
    }

    static func takesNoValue(_ name: String) -> LocalizedText {
        LocalizedText("option --\(name) takes no value", "Option --\(name) erwartet keinen Wert")
    }

    static func needsValue(_ name: String, _ valueName: String) -> LocalizedText {
        LocalizedText("option --\(name) needs a value (\(valueName))", "Option --\(name) braucht einen Wert (\(valueName))")
    }

    static func givenTwice(_ name: String) -> LocalizedText {
        LocalizedText("option --\(name) given more than once", "Option --\(name) mehrfach angegeben")
    }

    /// A value of the wrong form: `--port must be 0 to 65535; got 'x'`.
    static func wrongForm(_ what: String, _ text: String, expected: LocalizedText?) -> LocalizedText {
        let expected = expected ?? LocalizedText("a different value", "ein anderer Wert")
        return LocalizedText("\(what) must be \(expected.english); got '\(text)'",
                             "Ungültiger Wert „\(text)“ für \(what); erwartet: \(expected.german)")
    }

    static func missingArgument(_ name: String, _ help: LocalizedText) -> LocalizedText {
        LocalizedText("missing argument \(name) (\(help.english))", "Argument \(name) fehlt (\(help.german))")
    }

    static func unexpectedArgument(_ word: String) -> LocalizedText {
        LocalizedText("unexpected argument '\(word)' (put text with spaces in quotes)",
                      "Unerwartetes Argument „\(word)“ (Text mit Leerzeichen in Anführungszeichen setzen)")
    }
}
