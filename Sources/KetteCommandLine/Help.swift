import KetteProtocol

/// Help generated from the declarations, in the user's language.
extension Program {
    public func help(_ topic: HelpTopic, _ language: Language) -> String {
        switch topic {
        case .program: overview(language)
        case .group(let group): groupHelp(group, language)
        case .command(let path): command(path).map { commandHelp($0, language) } ?? overview(language)
        }
    }

    /// A usage error as printed: the message, then where to read more.
    public func explain(_ error: UsageError, _ language: Language) -> String {
        let command = ([name] + error.commandPath).joined(separator: " ")
        return error.message(language) + "\n(" + language.pick("see", "siehe") + " `\(command) --help`)"
    }

    /// The first line of a command's help: how it is typed.
    public func usageLine(_ command: Command<Context>, _ language: Language) -> String {
        var usage = language.pick("usage: ", "Aufruf: ") + "\(name) \(command.name)"
        for argument in command.arguments { usage += argument.isOptional ? " [\(argument.name)]" : " \(argument.name)" }
        if !command.options.isEmpty { usage += language.pick(" [options]", " [Optionen]") }
        return usage
    }

    func commandHelp(_ command: Command<Context>, _ language: Language) -> String {
        var lines = ["\(name) \(command.name) — \(command.abstract(language))", "", usageLine(command, language)]
        if !command.arguments.isEmpty {
            lines += ["", language.pick("arguments:", "Argumente:")]
            for argument in command.arguments { lines.append(HelpLayout.pad("  \(argument.name)", 26) + argument.help(language)) }
        }
        lines += ["", language.pick("options:", "Optionen:")]
        for option in acceptedOptions(command) {
            var label = "  --\(option.name)"
            if let valueName = option.valueName { label += " \(valueName)" }
            if option.isRepeatable, option.valueName != nil { label += " …" }
            lines.append(HelpLayout.pad(label, 26) + option.help(language))
        }
        if let discussion = command.discussion { lines += ["", discussion(language)] }
        return lines.joined(separator: "\n")
    }

    /// `kette offer --help`: the commands under one group's name.
    func groupHelp(_ group: [String], _ language: Language) -> String {
        let groupName = "\(name) \(group.joined(separator: " "))"
        var lines = [language.pick("usage: \(groupName) SUBCOMMAND [options]   (\(groupName) SUBCOMMAND --help for details)",
                                   "Aufruf: \(groupName) UNTERBEFEHL [Optionen]   (\(groupName) UNTERBEFEHL --help für Einzelheiten)"),
                     "", language.pick("subcommands:", "Unterbefehle:")]
        for command in commands(under: group) {
            lines.append(HelpLayout.pad("  " + command.name, 22) + command.abstract(language))
        }
        return lines.joined(separator: "\n")
    }

    func overview(_ language: Language) -> String {
        var lines = ["\(name) — \(abstract(language))", "",
                     language.pick("usage: \(name) COMMAND [options]   (\(name) COMMAND --help for details)",
                                   "Aufruf: \(name) BEFEHL [Optionen]   (\(name) BEFEHL --help für Einzelheiten)"),
                     "", language.pick("commands:", "Befehle:")]
        for command in commands {
            lines.append(HelpLayout.pad("  " + command.name, 22) + command.abstract(language))
        }
        lines += ["", language.pick("options for every command:", "Optionen für jeden Befehl:")]
        for option in globalOptions {
            lines.append(HelpLayout.pad("  --\(option.name)" + (option.valueName.map { " " + $0 } ?? ""), 22) + option.help(language))
        }
        if let epilogue { lines += ["", epilogue(language)] }
        return lines.joined(separator: "\n")
    }
}

/// Column layout of help texts.
public enum HelpLayout {
    /// `text` padded with spaces to `width` columns, and at least two spaces after it.
    public static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + "  " : text + String(repeating: " ", count: width - text.count)
    }
}
