import KetteProtocol

/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    /// Nil for a flag; otherwise what the value looks like in help ("D", "YYYY-MM-DD").
    let valueName: String?
    let repeatable: Bool
    let help: String

    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, repeatable: repeatable, help: help)
    }

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, repeatable: false, help: help)
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    let name: String
    let help: String
    var optional = false
}

/// A command: where it sits in the tree, what it takes, and what it does.
struct CommandSpec: Sendable {
    let path: [String]
    let abstract: String
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []
    /// Extra help below the options: accepted values, examples.
    var discussion: String? = nil
    let run: @Sendable (ParsedArguments, CommandContext) throws -> Void
}

/// The parsed command line of one command.
struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    func positional(_ index: Int) -> String? { index < positionals.count ? positionals[index] : nil }
}

/// A command line that does not fit the command: exit 1 with the usage.
struct UsageError: Error {
    let message: String
    let command: [String]
}

/// Options every command accepts.
let globalOptions: [OptionSpec] = [
    .value("home", "DIR", "the store's directory (default: $KETTE_HOME, else $XDG_DATA_HOME/kette, else ~/.local/share/kette)"),
    .flag("help", "show this help"),
]

enum ArgumentParser {
    /// Splits `arguments` (without the program name) into the command and its parsed arguments.
    static func parse(_ arguments: [String], commands: [CommandSpec], language: Language) throws -> (CommandSpec?, ParsedArguments) {
        // Global options may also come before the command (`kette --home DIR status`): move them
        // behind it, where the command's own parsing takes them.
        var arguments = arguments
        var leading: [String] = []
        while let first = arguments.first, first.hasPrefix("--home") || first == "--json" || first == "--help" {
            leading.append(arguments.removeFirst())
            if first == "--home", !arguments.isEmpty { leading.append(arguments.removeFirst()) }
        }
        if !leading.isEmpty {
            let commandLength = commands.filter { $0.path.count <= arguments.count && Array(arguments.prefix($0.path.count)) == $0.path }
                .map(\.path.count).max() ?? 0
            arguments.insert(contentsOf: leading, at: commandLength)
        }
        // The longest command path that the leading words spell.
        var best: CommandSpec?
        for command in commands where command.path.count <= arguments.count && Array(arguments.prefix(command.path.count)) == command.path {
            if command.path.count > (best?.path.count ?? -1) { best = command }
        }
        guard let command = best else {
            if arguments.isEmpty || arguments.first == "--help" || arguments.first == "-h" || arguments.first == "help" {
                return (nil, ParsedArguments(flags: ["help"]))
            }
            let group = arguments.first ?? ""
            let known = commands.filter { $0.path.first == group }
            if !known.isEmpty, arguments.count > 1, ["--help", "-h", "help"].contains(arguments[1]) {
                return (nil, ParsedArguments(values: ["group": [group]], flags: ["help"]))
            }
            if !known.isEmpty {
                let sub = arguments.count > 1 ? arguments[1] : ""
                throw UsageError(message: language.pick("unknown subcommand '\(sub)' of '\(group)'. Accepted: ", "Unbekannter Unterbefehl „\(sub)“ von „\(group)“. Erlaubt: ")
                                 + known.map { $0.path.dropFirst().joined(separator: " ") }.joined(separator: ", "), command: [group])
            }
            let groups = Array(Set(commands.compactMap(\.path.first))).sorted()
            throw UsageError(message: language.pick("unknown command '\(group)'. Accepted: ", "Unbekannter Befehl „\(group)“. Erlaubt: ")
                             + groups.joined(separator: ", "), command: [])
        }
        var parsed = ParsedArguments()
        let options = command.options + globalOptions
        var rest = Array(arguments.dropFirst(command.path.count))[...]
        var onlyPositionals = false
        while let word = rest.popFirst() {
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" { onlyPositionals = true; continue }
            if word == "-h" { parsed.flags.insert("help"); continue }
            guard word.hasPrefix("--") else {
                throw UsageError(message: language.pick("unknown option '\(word)'", "Unbekannte Option „\(word)“"), command: command.path)
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                let accepted = options.map { "--\($0.name)" }.joined(separator: ", ")
                throw UsageError(message: language.pick("unknown option '--\(name)'. Accepted: \(accepted)",
                                                        "Unbekannte Option „--\(name)“. Erlaubt: \(accepted)"), command: command.path)
            }
            if option.valueName == nil {
                guard inlineValue == nil else {
                    throw UsageError(message: language.pick("option --\(name) takes no value", "Option --\(name) erwartet keinen Wert"), command: command.path)
                }
                parsed.flags.insert(name)
                continue
            }
            guard let value = inlineValue ?? rest.popFirst() else {
                throw UsageError(message: language.pick("option --\(name) needs a value (\(option.valueName!))",
                                                        "Option --\(name) braucht einen Wert (\(option.valueName!))"), command: command.path)
            }
            if !option.repeatable, parsed.values[name] != nil {
                throw UsageError(message: language.pick("option --\(name) given more than once", "Option --\(name) mehrfach angegeben"), command: command.path)
            }
            parsed.values[name, default: []].append(value)
        }
        if parsed.flag("help") { return (command, parsed) }
        let required = command.arguments.filter { !$0.optional }.count
        if parsed.positionals.count < required {
            let missing = command.arguments[parsed.positionals.count]
            throw UsageError(message: language.pick("missing argument \(missing.name) (\(missing.help))",
                                                    "Argument \(missing.name) fehlt (\(missing.help))"), command: command.path)
        }
        if parsed.positionals.count > command.arguments.count {
            let extra = parsed.positionals[command.arguments.count]
            throw UsageError(message: language.pick("unexpected argument '\(extra)' (put text with spaces in quotes)",
                                                    "Unerwartetes Argument „\(extra)“ (Text mit Leerzeichen in Anführungszeichen setzen)"), command: command.path)
        }
        return (command, parsed)
    }

    static func help(for command: CommandSpec) -> String {
        var lines = ["kette \(command.path.joined(separator: " ")) — \(command.abstract)", ""]
        var usage = "usage: kette \(command.path.joined(separator: " "))"
        for argument in command.arguments { usage += argument.optional ? " [\(argument.name)]" : " \(argument.name)" }
        if !command.options.isEmpty { usage += " [options]" }
        lines.append(usage)
        if !command.arguments.isEmpty {
            lines += ["", "arguments:"]
            for argument in command.arguments { lines.append(pad("  \(argument.name)", 26) + argument.help) }
        }
        lines += ["", "options:"]
        for option in command.options + globalOptions {
            var label = "  --\(option.name)"
            if let valueName = option.valueName { label += " \(valueName)" }
            if option.repeatable { label += " …" }
            lines.append(pad(label, 26) + option.help)
        }
        if let discussion = command.discussion { lines += ["", discussion] }
        return lines.joined(separator: "\n")
    }

    /// `kette offer --help`: the subcommands of one group.
    static func groupHelp(_ group: String, _ commands: [CommandSpec]) -> String {
        var lines = ["usage: kette \(group) SUBCOMMAND [options]   (kette \(group) SUBCOMMAND --help for details)", "", "subcommands:"]
        for command in commands where command.path.first == group {
            lines.append(pad("  " + command.path.joined(separator: " "), 22) + command.abstract)
        }
        return lines.joined(separator: "\n")
    }

    static func overview(_ commands: [CommandSpec]) -> String {
        var lines = ["kette — offline record keeper for prevention-chain coordinators (Präventionsketten)", "",
                     "usage: kette COMMAND [options]   (kette COMMAND --help for details)", "", "commands:"]
        for command in commands {
            lines.append(pad("  " + command.path.joined(separator: " "), 22) + command.abstract)
        }
        lines += ["", "exit codes: 0 ok, 1 usage or input error, 2 sync finished with refused or conflicting changes,",
                  "            3 server unreachable, 4 local storage error"]
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + "  " : text + String(repeating: " ", count: width - text.count)
    }
}
