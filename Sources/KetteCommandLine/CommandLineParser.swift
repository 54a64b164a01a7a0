/// Turns the words of a command line into a command and its validated input, in four steps:
/// find the command (global options and flags may stand before and between its words), read
/// its options and arguments (converted by their declarations), fill in its defaults (a
/// configuration file), then run its validation.
struct CommandLineParser<Context> {
    let program: Program<Context>

    /// Where the command's name ends: the words that named it, the options met on the way
    /// (with their values), and the rest of the line.
    private struct Location {
        var path: [String] = []
        var options: [String] = []
        /// The names of those options, without their values.
        var optionNames: [String] = []
        var rest: ArraySlice<String>
    }

    func parse(_ words: [String]) throws -> Invocation<Context> {
        let location = locate(words)
        guard let command = program.command(location.path) else {
            return try resolveWithoutCommand(location)
        }
        let words = location.options + location.rest
        if requestsHelp(words) { return .help(.command(command.path)) }
        var input = try read(words, for: command)
        do {
            try command.fillDefaults(&input)
            try command.validate(input)
        } catch var error as UsageError {
            error.commandPath = command.path
            throw error
        }
        return .run(command, input)
    }

    // MARK: Finding the command

    private func locate(_ words: [String]) -> Location {
        var location = Location(rest: words[...])
        while let word = location.rest.first {
            if isOptionWord(word) {
                guard let count = wordsTakenBeforeCommand(by: word, in: location.rest) else { break }
                location.options += location.rest.prefix(count)
                location.optionNames.append(split(word).name)
                location.rest.removeFirst(count)
            } else if !program.commands(under: location.path + [word]).isEmpty {
                location.path.append(word)
                location.rest.removeFirst()
            } else {
                break
            }
        }
        return location
    }

    /// How many words an option takes where the command may not be known yet: a global option's
    /// value comes with it, a flag stands alone. Nil for any other option: whether the next word
    /// is its value or the command's name depends on the command, so it must come after it.
    private func wordsTakenBeforeCommand(by word: String, in rest: ArraySlice<String>) -> Int? {
        if word == "-h" { return 1 }
        let (name, inlineValue) = split(word)
        if let global = program.globalOptions.first(where: { $0.name == name }) {
            return global.valueName == nil || inlineValue != nil || rest.count < 2 ? 1 : 2
        }
        let isFlag = program.commands.contains { $0.options.contains { $0.name == name && $0.valueName == nil } }
        return isFlag ? 1 : nil
    }

    private func resolveWithoutCommand(_ location: Location) throws -> Invocation<Context> {
        let topic: HelpTopic = location.path.isEmpty ? .program : .group(location.path)
        if requestsHelp(location.options) || location.rest.first == "help" { return .help(topic) }
        for name in location.optionNames where !program.globalOptions.contains(where: { $0.name == name }) {
            throw UsageError(ParserMessages.unknownOption("--" + name, accepted: program.globalOptions), commandPath: location.path)
        }
        guard let next = location.rest.first else {
            if location.path.isEmpty { return .help(.program) }
            throw UsageError(ParserMessages.missingSubcommand(of: location.path, accepted: subcommandNames(location.path)),
                             commandPath: location.path)
        }
        if isOptionWord(next) {
            let isSomeCommandsOption = program.commands.contains { $0.options.contains { $0.name == split(next).name } }
            throw UsageError(isSomeCommandsOption ? ParserMessages.optionBeforeCommand(next, accepted: program.globalOptions)
                                                  : ParserMessages.unknownOption(next, accepted: program.globalOptions),
                             commandPath: location.path)
        }
        if location.path.isEmpty {
            let names = Set(program.commands.compactMap(\.path.first)).sorted()
            throw UsageError(ParserMessages.unknownCommand(next, accepted: names), commandPath: [])
        }
        throw UsageError(ParserMessages.unknownSubcommand(next, of: location.path, accepted: subcommandNames(location.path)),
                         commandPath: location.path)
    }

    /// The rest of each command's name below `group`: "add", "list", … for `offer`.
    private func subcommandNames(_ group: [String]) -> [String] {
        program.commands(under: group).map { $0.path.dropFirst(group.count).joined(separator: " ") }
    }

    // MARK: Reading the command's input

    private func read(_ words: [String], for command: Command<Context>) throws(UsageError) -> ParsedInput {
        let accepted = program.acceptedOptions(command)
        var input = ParsedInput(commandPath: command.path, options: accepted, arguments: command.arguments)
        var positionals: [String] = []
        var rest = words[...]
        var onlyPositionals = false
        while let word = rest.popFirst() {
            if onlyPositionals || !isOptionWord(word) {
                positionals.append(word)
            } else if word == "--" {
                onlyPositionals = true
            } else {
                do {
                    try readOption(word, from: &rest, accepted: accepted, into: &input)
                } catch {
                    throw UsageError(error.message, commandPath: command.path)
                }
            }
        }
        try assign(positionals, to: command, in: &input)
        return input
    }

    private func readOption(_ word: String, from rest: inout ArraySlice<String>, accepted: [any OptionDeclaration],
                            into input: inout ParsedInput) throws(UsageError) {
        guard word.hasPrefix("--") else { throw UsageError(ParserMessages.unknownOption(word, accepted: nil)) }
        let (name, inlineValue) = split(word)
        guard let option = accepted.first(where: { $0.name == name }) else {
            throw UsageError(ParserMessages.unknownOption("--" + name, accepted: accepted))
        }
        guard let valueName = option.valueName else {
            guard inlineValue == nil else { throw UsageError(ParserMessages.takesNoValue(name)) }
            input.add(true, for: option)
            return
        }
        // An option that may stand alone takes the next word as its value only when it is no option.
        if inlineValue == nil, rest.first.map(isOptionWord) ?? true, let alone = option.valueWhenAlone {
            guard option.isRepeatable || !input.isGiven(option) else { throw UsageError(ParserMessages.givenTwice(name)) }
            input.add(alone, for: option)
            return
        }
        // The next word is the value whatever it looks like: `--rate-burst -3` is a value to check.
        guard let text = inlineValue ?? rest.popFirst() else { throw UsageError(ParserMessages.needsValue(name, valueName)) }
        guard option.isRepeatable || !input.isGiven(option) else { throw UsageError(ParserMessages.givenTwice(name)) }
        guard let value = option.convert(text) else {
            throw UsageError(ParserMessages.wrongForm("--" + name, text, expected: option.expected))
        }
        input.add(value, for: option)
    }

    private func assign(_ positionals: [String], to command: Command<Context>, in input: inout ParsedInput) throws(UsageError) {
        let required = command.arguments.filter { !$0.isOptional }.count
        if positionals.count < required {
            let missing = command.arguments[positionals.count]
            throw UsageError(ParserMessages.missingArgument(missing.name, missing.help), commandPath: command.path)
        }
        if positionals.count > command.arguments.count {
            throw UsageError(ParserMessages.unexpectedArgument(positionals[command.arguments.count]), commandPath: command.path)
        }
        for (argument, text) in zip(command.arguments, positionals) {
            guard let value = argument.convert(text) else {
                throw UsageError(ParserMessages.wrongForm(argument.name, text, expected: argument.expected), commandPath: command.path)
            }
            input.set(value, for: argument)
        }
    }

    // MARK: Words

    private func isOptionWord(_ word: String) -> Bool {
        word.hasPrefix("-") && word != "-"
    }

    /// `--name=value` → ("name", "value"); `--name` → ("name", nil).
    private func split(_ word: String) -> (name: String, inlineValue: String?) {
        let body = word.hasPrefix("--") ? word.dropFirst(2) : word.dropFirst()
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }

    /// `--help` or `-h` anywhere before `--`: help wins over every other mistake on the line.
    private func requestsHelp(_ words: [String]) -> Bool {
        words.prefix { $0 != "--" }.contains { $0 == "--help" || $0 == "-h" }
    }
}
