import KetteProtocol

/// Help generated from the declarations, in the user's language.
extension Program {
    public func help(_ topic: HelpTopic, _ language: Language) -> String {
        switch topic {
        case .program: overview(language)
        case .group(let group): groupHelp(group, language)
        case .command(let path): command(path).map { commandHelp($0, language) } ?? overview(language)
        case .version: "\(name) \(version ?? "")"
        case .manual: manPage(language)
        case .bashCompletion: bashCompletion
        }
    }

    /// A usage error as printed: the message, then where to read more.
    public func explain(_ error: UsageError, _ language: Language) -> String {
        let command = ([name] + error.commandPath).joined(separator: " ")
        return error.message(language) + "\n" + CommandLineText.see(language, ["command": command])
    }

    /// The first line of a command's help: how it is typed.
    public func usageLine(_ command: Command<Context>, _ language: Language) -> String {
        var usage = CommandLineText.usage(language) + "\(name) \(command.name)"
        for argument in command.arguments { usage += argument.isOptional ? " [\(argument.name)]" : " \(argument.name)" }
        if !command.options.isEmpty { usage += CommandLineText.optionsMark(language) }
        return usage
    }

    func commandHelp(_ command: Command<Context>, _ language: Language) -> String {
        var lines = ["\(name) \(command.name) — \(command.abstract(language))", "", usageLine(command, language)]
        if !command.arguments.isEmpty {
            lines += ["", CommandLineText.arguments(language)]
            for argument in command.arguments { lines.append(HelpLayout.pad("  \(argument.name)", 26) + argument.help(language)) }
        }
        lines += ["", CommandLineText.options(language)]
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
        var lines = [CommandLineText.groupUsage(language, ["group": groupName]), "", CommandLineText.subcommands(language)]
        for command in commands(under: group) {
            lines.append(HelpLayout.pad("  " + command.name, 22) + command.abstract(language))
        }
        return lines.joined(separator: "\n")
    }

    func overview(_ language: Language) -> String {
        var lines = ["\(name) — \(abstract(language))", "",
                     CommandLineText.programUsage(language, ["program": name]), "", CommandLineText.commands(language)]
        for command in commands {
            lines.append(HelpLayout.pad("  " + command.name, 22) + command.abstract(language))
        }
        lines += ["", CommandLineText.everyCommand(language)]
        for option in globalOptions {
            lines.append(HelpLayout.pad("  --\(option.name)" + (option.valueName.map { " " + $0 } ?? ""), 22) + option.help(language))
        }
        if version != nil {
            lines.append(HelpLayout.pad("  --version", 22) + CommandLineText.showVersion(language))
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
