/// What the parser and the help need to know about an option, whatever the type of its value.
public protocol OptionDeclaration: Sendable {
    /// The name after `--`.
    var name: String { get }
    /// What the value looks like in help ("D", "YYYY-MM-DD"); nil for a flag, which takes no value.
    var valueName: String? { get }
    var help: LocalizedText { get }
    /// Whether the option may be given more than once (each value is kept).
    var isRepeatable: Bool { get }
    /// The form a value must have, named when a value does not have it.
    var expected: LocalizedText? { get }
    /// The value read from `text`, or nil when the text does not have the expected form.
    func convert(_ text: String) -> (any Sendable)?
    /// The value when the option stands alone (last on the line, or followed by another option);
    /// nil when it always needs a value. `meeting edit ID --minutes` opens the editor.
    var valueWhenAlone: (any Sendable)? { get }
}

extension OptionDeclaration {
    public var valueWhenAlone: (any Sendable)? { nil }
}

/// What the parser and the help need to know about a positional argument.
public protocol ArgumentDeclaration: Sendable {
    /// The name shown in usage lines, in capitals ("ID", "MEETING_ID").
    var name: String { get }
    var help: LocalizedText { get }
    var isOptional: Bool { get }
    var expected: LocalizedText? { get }
    func convert(_ text: String) -> (any Sendable)?
}

/// An option that takes a value, `--name VALUE` or `--name=VALUE`, read as a `Value`. The
/// declaration is also the key that reads the value back: `input[Self.title]` is a `String?`.
///
/// Help and the expected form are kept as closures and made only when shown: a command line
/// declares every option of every command at start-up, and some of their texts are built (the
/// accepted words of a vocabulary, with German spellings worked out through Unicode
/// normalization), which cost every command about 1.5 ms of CPU before it began its work.
public struct Option<Value: Sendable>: OptionDeclaration {
    public let name: String
    public let valueName: String?
    public let isRepeatable: Bool
    private let helpText: @Sendable () -> LocalizedText
    private let expectedText: @Sendable () -> LocalizedText?
    private let read: @Sendable (String) -> Value?
    private let whenAlone: Value?

    public var help: LocalizedText { helpText() }
    public var expected: LocalizedText? { expectedText() }

    /// An option whose text is converted by `read`; a nil result is a usage error that names
    /// `expected`. With `whenAlone`, the value may be left out (write `valueName` in brackets,
    /// "[TEXT]"): the option then reads as `whenAlone` when nothing but another option or the end
    /// of the line follows it.
    public init(_ name: String, value valueName: String, help: @escaping @autoclosure @Sendable () -> LocalizedText, repeatable: Bool = false,
                expected: @escaping @autoclosure @Sendable () -> LocalizedText?, whenAlone: Value? = nil,
                read: @escaping @Sendable (String) -> Value?) {
        self.name = name
        self.valueName = valueName
        self.helpText = help
        self.isRepeatable = repeatable
        self.expectedText = expected
        self.whenAlone = whenAlone
        self.read = read
    }

    public func convert(_ text: String) -> (any Sendable)? { read(text) }

    public var valueWhenAlone: (any Sendable)? { whenAlone }
}

extension Option where Value == String {
    /// An option whose value is taken as it is (the command or the store checks its content).
    public init(_ name: String, value valueName: String, help: @escaping @autoclosure @Sendable () -> LocalizedText, repeatable: Bool = false) {
        self.init(name, value: valueName, help: help(), repeatable: repeatable, expected: nil) { $0 }
    }
}

extension Option where Value == Int {
    /// A whole number within `range`; `expected` says so in the user's words when the bare range
    /// does not ("a whole number above 0", "1 to 100000 connections").
    public static func integer(_ name: String, value valueName: String = "N", in range: ClosedRange<Int>,
                               expected: LocalizedText? = nil, help: @escaping @autoclosure @Sendable () -> LocalizedText) -> Option<Int> {
        let bounds = { @Sendable in expected ?? CommandLineText.range.with(["low": String(range.lowerBound), "high": String(range.upperBound)]) }
        return Option(name, value: valueName, help: help(), expected: bounds()) { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }
}

extension Option where Value: CaseIterable & RawRepresentable, Value.RawValue == String {
    /// One of a closed list of words (`choices`, by default every case), in any letter case.
    public static func choice(_ name: String, value valueName: String, among choices: [Value] = Array(Value.allCases),
                              help: @escaping @autoclosure @Sendable () -> LocalizedText) -> Option<Value> {
        let words = { @Sendable in choices.map(\.rawValue).joined(separator: ", ") }
        return Option(name, value: valueName, help: help(), expected: CommandLineText.oneOf.with(["words": words()])) { text in
            choices.first { $0.rawValue.lowercased() == text.lowercased() }
        }
    }
}

/// An option without a value (`--json`); read back as a `Bool`.
public struct Flag: OptionDeclaration {
    public let name: String
    public let help: LocalizedText
    public var valueName: String? { nil }
    public var isRepeatable: Bool { true }
    public var expected: LocalizedText? { nil }

    public init(_ name: String, help: LocalizedText) {
        self.name = name
        self.help = help
    }

    public func convert(_ text: String) -> (any Sendable)? { true }

    /// `--help` (also `-h`), which every command accepts.
    public static let help = Flag("help", help: CommandLineText.showHelp.text)
}

/// A positional argument read as a `Value`; the declaration is the key that reads it back. A
/// required argument reads as `Value` (validation has made sure it is there), an optional one
/// (`Argument<String?>.optional`) as nil when it was left out.
public struct Argument<Value: Sendable>: ArgumentDeclaration {
    public let name: String
    public let help: LocalizedText
    public let expected: LocalizedText?
    /// The value when the argument is left out; nil for a required argument.
    let whenAbsent: Value?
    private let read: @Sendable (String) -> Value?

    public init(_ name: String, help: LocalizedText, expected: LocalizedText?, whenAbsent: Value? = nil,
                read: @escaping @Sendable (String) -> Value?) {
        self.name = name
        self.help = help
        self.expected = expected
        self.whenAbsent = whenAbsent
        self.read = read
    }

    public var isOptional: Bool { whenAbsent != nil }

    public func convert(_ text: String) -> (any Sendable)? { read(text) }
}

extension Argument where Value == String {
    /// A required argument taken as it is.
    public init(_ name: String, help: LocalizedText) {
        self.init(name, help: help, expected: nil) { $0 }
    }
}

extension Argument where Value == String? {
    /// An argument that may be left out; it reads as nil then.
    public static func optional(_ name: String, help: LocalizedText) -> Argument<String?> {
        Argument(name, help: help, expected: nil, whenAbsent: .some(nil)) { .some($0) }
    }
}
