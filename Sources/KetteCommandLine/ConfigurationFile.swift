/// Settings for one command read from a file of `key = value` lines, where every key is the name
/// of one of the command's options (`port = 8080` for `--port 8080`). Options given on the command
/// line win over the file; the file's values are converted and checked by the same declarations,
/// so a wrong value reads as it would on the command line, with the file and line added.
///
/// The format: one setting per line, `#` starts a comment line, blank lines are skipped, spaces
/// around key and value are ignored, a value may be put in double quotes. A flag takes `true` or
/// `false` (also `yes`/`no`, `on`/`off`); a repeatable option may be set on several lines.
public struct ConfigurationFile: Sendable {
    /// One `key = value` line.
    public struct Setting: Sendable, Equatable {
        public let key: String
        public let value: String
        /// 1-based, for messages.
        public let line: Int
    }

    /// Where the text came from, for messages.
    public let path: String
    public let settings: [Setting]

    /// Reads `text`; a line that is neither a comment nor `key = value` is a usage error.
    public init(path: String, text: String) throws(UsageError) {
        self.path = path
        var settings: [Setting] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), !line[..<equals].trimmingSpaces().isEmpty else {
                throw UsageError(ParserMessages.configLocation(path, index + 1) + ParserMessages.configExpected(String(line.prefix(60))))
            }
            var value = line[line.index(after: equals)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            settings.append(Setting(key: line[..<equals].trimmingSpaces(), value: value, line: index + 1))
        }
        self.settings = settings
    }
}

extension ParsedInput {
    /// Takes every option among `options` that the command line did not give from `file`. A key
    /// that names none of them, a value of the wrong form and a non-repeatable key set twice are
    /// usage errors that name the file, the line and what is accepted.
    public mutating func fill(from file: ConfigurationFile, options: [any OptionDeclaration]) throws(UsageError) {
        let givenOnCommandLine = Set(options.filter { isGiven($0) }.map(\.name))
        var seen: Set<String> = []
        for setting in file.settings {
            let location = ParserMessages.configLocation(file.path, setting.line)
            guard let option = options.first(where: { $0.name == setting.key }) else {
                throw UsageError(location + ParserMessages.configUnknownKey(String(setting.key.prefix(60)), accepted: options))
            }
            guard seen.insert(option.name).inserted || (option.isRepeatable && option.valueName != nil) else {
                throw UsageError(location + ParserMessages.configSetTwice(option.name))
            }
            if givenOnCommandLine.contains(option.name) { continue }
            guard option.valueName != nil else {
                guard let on = Self.flagValue(setting.value) else {
                    throw UsageError(location + ParserMessages.wrongForm(setting.key, setting.value, expected: CommandLineText.trueOrFalse.text))
                }
                if on { add(true, for: option) }
                continue
            }
            guard let value = option.convert(setting.value) else {
                throw UsageError(location + ParserMessages.wrongForm(setting.key, setting.value, expected: option.expected))
            }
            add(value, for: option)
        }
    }

    private static func flagValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }
}

extension StringProtocol {
    /// Without spaces and tabs at either end.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
