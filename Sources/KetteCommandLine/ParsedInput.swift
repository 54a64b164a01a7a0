/// A command's input after parsing and validation, read through the declarations themselves:
/// `input[Self.title]` (an `Option<String>`) is a `String?`, `input[json]` a `Bool`,
/// `input[offerID]` (a required `Argument<String>`) a `String`.
public struct ParsedInput: Sendable {
    /// The command's name, e.g. `["offer", "add"]`.
    public let commandPath: [String]
    private let declaredOptions: Set<String>
    private let declaredArguments: Set<String>
    private var values: [String: [any Sendable]] = [:]
    private var flags: Set<String> = []
    private var arguments: [String: any Sendable] = [:]

    init(commandPath: [String], options: [any OptionDeclaration], arguments: [any ArgumentDeclaration]) {
        self.commandPath = commandPath
        declaredOptions = Set(options.map(\.name))
        declaredArguments = Set(arguments.map(\.name))
    }

    /// The option's value (the last one given, for a repeatable option); nil when not given.
    public subscript<Value>(option: Option<Value>) -> Value? {
        all(option).last
    }

    /// Every value of a repeatable option, in the order given.
    public func all<Value>(_ option: Option<Value>) -> [Value] {
        checkDeclared(option)
        // The parser stored what this declaration's `convert` returned: a `Value`.
        return (values[option.name] ?? []).map { $0 as! Value }
    }

    /// The value of an option the command cannot do without; a usage error naming it when it
    /// was not given. Call it in the command's validation, so the error comes before any work.
    public func require<Value>(_ option: Option<Value>) throws(UsageError) -> Value {
        guard let value = self[option] else {
            throw UsageError(CommandLineText.missingOption.with(["name": option.name, "value": option.valueName ?? "", "help": option.help]),
                             commandPath: commandPath)
        }
        return value
    }

    public subscript(flag: Flag) -> Bool {
        checkDeclared(flag)
        return flags.contains(flag.name)
    }

    public subscript<Value>(argument: Argument<Value>) -> Value {
        precondition(declaredArguments.contains(argument.name), "\(commandPath.joined(separator: " ")) reads argument \(argument.name) it does not declare")
        if let value = arguments[argument.name] { return value as! Value }
        guard let absent = argument.whenAbsent else {
            preconditionFailure("validation lets no command run without its required argument \(argument.name)")
        }
        return absent
    }

    /// Whether the command accepts `option` at all (e.g. whether it offers `--json`).
    public func accepts(_ option: any OptionDeclaration) -> Bool {
        declaredOptions.contains(option.name)
    }

    /// Whether `option` was given on the command line.
    public func isGiven(_ option: any OptionDeclaration) -> Bool {
        values[option.name] != nil || flags.contains(option.name)
    }

    mutating func add(_ value: any Sendable, for option: any OptionDeclaration) {
        if option.valueName == nil { flags.insert(option.name) } else { values[option.name, default: []].append(value) }
    }

    mutating func set(_ value: any Sendable, for argument: any ArgumentDeclaration) {
        arguments[argument.name] = value
    }

    /// Reading an option the command does not declare is a programming error: it would always be
    /// absent, because the parser refuses it.
    private func checkDeclared(_ option: any OptionDeclaration) {
        precondition(declaredOptions.contains(option.name), "\(commandPath.joined(separator: " ")) reads --\(option.name) it does not declare")
    }
}
