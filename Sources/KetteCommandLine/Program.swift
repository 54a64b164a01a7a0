/// A command-line program: its commands, the options every command takes, and the parse step
/// that turns the words of a command line into a validated command to run, or the help to show.
public struct Program<Context>: Sendable {
    /// The executable's name, as users type it.
    public let name: String
    /// One line: what the program is.
    public let abstract: LocalizedText
    public let commands: [Command<Context>]
    /// Options every command accepts, anywhere on the line, before the command too
    /// (`kette --home DIR offer list`). `--help` is always one of them.
    public let globalOptions: [any OptionDeclaration]
    /// The end of the overview, e.g. the exit codes.
    public let epilogue: LocalizedText?
    /// What `--version` prints after the name, e.g. "0.9.0 (commit 3f2a9c1e4b5d)"; nil: no `--version`.
    public let version: String?

    public init(name: String, abstract: LocalizedText, commands: [Command<Context>],
                globalOptions: [any OptionDeclaration] = [], epilogue: LocalizedText? = nil, version: String? = nil) {
        self.name = name
        self.abstract = abstract
        self.commands = commands
        self.globalOptions = globalOptions + [Flag.help]
        self.epilogue = epilogue
        self.version = version
    }

    /// What the command line asks for: a command with its validated input, or help. Throws
    /// `UsageError` for words that fit no command, and whatever a command's validation throws.
    ///
    /// Alone on the line, `--version` asks for the version, and two words the help does not list
    /// ask for what the Debian package installs: `--help-man` (the manual page) and
    /// `--bash-completion` (the completion script).
    public func parse(_ words: [String]) throws -> Invocation<Context> {
        if words.count == 1, let topic = HelpTopic.standalone[words[0]], topic != .version || version != nil {
            return .help(topic)
        }
        return try CommandLineParser(program: self).parse(words)
    }

    /// The command named exactly `path`.
    public func command(_ path: [String]) -> Command<Context>? {
        commands.first { $0.path == path }
    }

    /// The commands whose name starts with `prefix`, in declaration order.
    public func commands(under prefix: [String]) -> [Command<Context>] {
        commands.filter { $0.path.starts(with: prefix) }
    }

    /// Everything a command accepts: its own options, then the global ones.
    func acceptedOptions(_ command: Command<Context>) -> [any OptionDeclaration] {
        command.options + globalOptions
    }

    /// Every text of the program's help: its abstract and epilogue, every command's texts, the
    /// global options' help, and what each option and argument expects. The catalog test checks
    /// each is translated.
    public var helpTexts: [LocalizedText] {
        var texts = [abstract] + (epilogue.map { [$0] } ?? []) + globalOptions.map(\.help)
        for command in commands {
            texts += command.helpTexts + command.options.compactMap(\.expected) + command.arguments.compactMap(\.expected)
        }
        return texts
    }

    /// Mistakes in the declarations that would make a command line ambiguous: a name declared
    /// twice in one command, a flag in one command that takes a value in another (flags may
    /// stand before the command, so the parser must know which it is), the same path twice.
    /// A test asserts this is empty.
    public var declarationProblems: [String] {
        var problems: [String] = []
        var seenPaths: Set<[String]> = []
        for command in commands {
            if !seenPaths.insert(command.path).inserted { problems.append("\(command.name): declared twice") }
            let names = acceptedOptions(command).map(\.name)
            for name in Set(names) where names.filter({ $0 == name }).count > 1 {
                problems.append("\(command.name): --\(name) declared twice")
            }
            let arguments = command.arguments.map(\.name)
            if Set(arguments).count != arguments.count { problems.append("\(command.name): an argument name declared twice") }
            if let required = command.arguments.lastIndex(where: { !$0.isOptional }),
               command.arguments[..<required].contains(where: \.isOptional) {
                problems.append("\(command.name): an optional argument before a required one")
            }
        }
        let flags = Set(commands.flatMap(\.options).filter { $0.valueName == nil }.map(\.name))
        let valued = Set((commands.flatMap(\.options) + globalOptions).filter { $0.valueName != nil }.map(\.name))
        for name in flags.intersection(valued).sorted() { problems.append("--\(name) is a flag in one command and takes a value in another") }
        return problems
    }
}

/// What a command line asks for.
public enum Invocation<Context> {
    /// Run the command with this validated input.
    case run(Command<Context>, ParsedInput)
    /// Show this help and exit successfully.
    case help(HelpTopic)
}

/// Which help to show.
public enum HelpTopic: Equatable, Sendable {
    /// The program's overview: every command with its abstract.
    case program
    /// The commands under a group's name, e.g. `kette offer --help`.
    case group([String])
    /// One command's usage, arguments and options.
    case command([String])
    /// `--version`: the name, version and commit.
    case version
    /// `--help-man`: the manual page in roff.
    case manual
    /// `--bash-completion`: the bash completion script.
    case bashCompletion

    /// The words that ask for a topic when they stand alone on the line.
    static let standalone: [String: HelpTopic] = ["--version": .version, "--help-man": .manual, "--bash-completion": .bashCompletion]
}
