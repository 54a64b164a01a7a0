/// A command line that does not fit the program: it names what is wrong and what is accepted.
/// The program prints it with a pointer to the help of the command it was meant for.
public struct UsageError: Error, Sendable, Equatable {
    public let message: LocalizedText
    /// The command (or group) the words were meant for, as far as they named one; empty for
    /// the program itself.
    public internal(set) var commandPath: [String]

    /// An error a command's validation throws; the parser fills in the command.
    public init(_ message: LocalizedText) {
        self.init(message, commandPath: [])
    }

    init(_ message: LocalizedText, commandPath: [String]) {
        self.message = message
        self.commandPath = commandPath
    }

    public init(_ english: String, _ german: String) {
        self.init(LocalizedText(english, german))
    }
}
