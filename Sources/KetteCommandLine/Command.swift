@_exported import KetteMessages

/// One command of a program: its name, what it takes, a validation step, and what it does with
/// a `Context` the program builds (the store, the language, output). Options and arguments are
/// declared once, as values that are also the keys to read them back with their type:
///
///     private let offerID = Argument<String>("ID", help: LocalizedText("the offer's id", "die ID des Angebots"))
///     private let limit = Option<Int>.integer("limit", in: 1...1000, help: LocalizedText("at most N", "höchstens N"))
///
///     KetteCommand("offer show", abstract: LocalizedText("show one offer", "ein Angebot anzeigen"),
///                  arguments: [offerID], options: [limit, jsonFlag],
///                  validate: { input in … throw UsageError("…", "…") … }) { input, context in
///         let offer = try context.store().offer(input[offerID], language: context.language)   // a String
///         let most = input[limit] ?? 20                                                          // an Int?
///     }
///
/// The parser refuses unknown options, missing or extra arguments and values of the wrong form
/// before `validate` runs, and `validate` runs before `run`; `--help` is generated from the same
/// declarations in the user's language.
public struct Command<Context>: Sendable {
    /// The words that name it, e.g. `["offer", "add"]`; a command may also be the start of others
    /// (`conflicts`, `conflicts resolve`).
    public let path: [String]
    /// One line: what it does.
    public let abstract: LocalizedText
    public let arguments: [any ArgumentDeclaration]
    public let options: [any OptionDeclaration]
    /// Help below the options: accepted values, examples. Made only when shown (see `Option`).
    public var discussion: LocalizedText? { discussionText() }
    private let discussionText: @Sendable () -> LocalizedText?
    private let validation: @Sendable (ParsedInput) throws -> Void
    private let defaulting: @Sendable (inout ParsedInput) throws -> Void
    private let action: @Sendable (ParsedInput, Context) throws -> Void

    /// - Parameters:
    ///   - path: the command's words separated by spaces, e.g. `"offer add"`.
    ///   - defaults: fills in options the command line left out, e.g. from a configuration file
    ///     (`ParsedInput.fill(from:options:)`); runs after parsing and before `validate`, so the
    ///     checks see the options wherever they came from.
    ///   - validate: checks that need several options together (`--tls-cert` with `--tls-key`);
    ///     runs after parsing and before `run`, and throws `UsageError`.
    public init(_ path: String, abstract: LocalizedText, arguments: [any ArgumentDeclaration] = [],
                options: [any OptionDeclaration] = [], discussion: @escaping @autoclosure @Sendable () -> LocalizedText? = nil,
                defaults: @escaping @Sendable (inout ParsedInput) throws -> Void = { _ in },
                validate: @escaping @Sendable (ParsedInput) throws -> Void = { _ in },
                run: @escaping @Sendable (ParsedInput, Context) throws -> Void) {
        self.path = path.split(separator: " ").map(String.init)
        self.abstract = abstract
        self.arguments = arguments
        self.options = options
        self.discussionText = discussion
        self.validation = validate
        self.defaulting = defaults
        self.action = run
    }

    /// The name as typed, e.g. "offer add".
    public var name: String { path.joined(separator: " ") }

    public func fillDefaults(_ input: inout ParsedInput) throws {
        try defaulting(&input)
    }

    public func validate(_ input: ParsedInput) throws {
        try validation(input)
    }

    public func run(_ input: ParsedInput, _ context: Context) throws {
        try action(input, context)
    }

    /// Every text of its help, for a test that checks each is translated.
    public var helpTexts: [LocalizedText] {
        [abstract] + arguments.map(\.help) + options.map(\.help) + (discussion.map { [$0] } ?? [])
    }
}
