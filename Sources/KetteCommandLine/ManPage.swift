import Foundation
import KetteProtocol

/// The manual page (roff, `man 7 man`) generated from the same declarations as `--help`, so the
/// packaged `man kette` can never tell a different story than `kette --help`.
extension Program {
    /// `kette --help-man`: the whole program, every command with its arguments, options and
    /// discussion, then the options every command takes and the epilogue (exit codes).
    public func manPage(_ language: Language) -> String {
        var page = Roff()
        page.line(".TH \(Roff.quoted(name.uppercased())) 1 \"\" \(Roff.quoted(version.map { "\(name) \($0)" } ?? name)) \"Kette\"")
        page.section(CommandLineText.manName(language))
        page.line(Roff.escaped(name) + " \\- " + Roff.escaped(abstract(language)))
        page.section(CommandLineText.manSynopsis(language))
        page.line(".B \(name)")
        page.line(".I " + CommandLineText.manCommand(language))
        page.text(CommandLineText.optionsMark(language).trimmingCharacters(in: .whitespaces))
        if version != nil { page.line(".br"); page.line(".B \(name) \\-\\-version") }
        page.section(CommandLineText.manCommands(language))
        for command in commands { manSection(for: command, into: &page, language) }
        page.section(CommandLineText.manEveryCommand(language))
        for option in globalOptions { page.option(option, language) }
        if version != nil {
            page.line(".TP")
            page.line(".B \\-\\-version")
            page.text(CommandLineText.showVersion(language))
        }
        if let epilogue {
            page.section(CommandLineText.manNotes(language))
            page.preformatted(epilogue(language))
        }
        return page.text
    }

    private func manSection(for command: Command<Context>, into page: inout Roff, _ language: Language) {
        page.line(".SS " + Roff.quoted("\(name) \(command.name)"))
        page.text(command.abstract(language))
        page.line(".PP")
        page.text(usageLine(command, language))
        for argument in command.arguments {
            page.line(".TP")
            page.line(".I " + Roff.escaped(argument.name))
            page.text(argument.help(language))
        }
        for option in command.options { page.option(option, language) }
        if let discussion = command.discussion {
            page.line(".PP")
            page.preformatted(discussion(language))
        }
    }
}

/// A roff document being written: every user text goes through `escaped`, so a backslash, a
/// leading dot or a hyphen in a help text is printed, not read as a request.
struct Roff {
    private(set) var text = ""

    mutating func line(_ request: String) {
        text += request + "\n"
    }

    mutating func section(_ title: String) {
        line(".SH " + Self.quoted(title))
    }

    /// Filled text.
    mutating func text(_ words: String) {
        for line in words.split(separator: "\n", omittingEmptySubsequences: false) { self.line(Self.escaped(String(line))) }
    }

    /// Text whose line breaks and indentation matter (discussions, the exit-code table).
    mutating func preformatted(_ block: String) {
        line(".nf")
        text(block)
        line(".fi")
    }

    mutating func option(_ option: any OptionDeclaration, _ language: Language) {
        line(".TP")
        var label = ".B \\-\\-" + Self.escaped(option.name)
        if let valueName = option.valueName { label = ".BI \\-\\-\(Self.escaped(option.name))\\~ " + Self.quoted(valueName) }
        line(label)
        text(option.help(language) + (option.isRepeatable && option.valueName != nil ? CommandLineText.manRepeatable(language) : ""))
    }

    /// `text` safe as roff text: backslashes escaped, hyphens as minus signs (so options can be
    /// copied from the page), anything beyond ASCII as a named glyph (`\[u00FC]`: groff reads its
    /// input as Latin-1 unless a preprocessor converts it), and a line that would start with `.`
    /// or `'` protected by `\&`.
    static func escaped(_ text: String) -> String {
        var body = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": body += "\\e"
            case "-": body += "\\-"
            case _ where scalar.value > 0x7E: body += "\\[u" + hex(scalar.value) + "]"
            default: body.unicodeScalars.append(scalar)
            }
        }
        return body.hasPrefix(".") || body.hasPrefix("'") ? "\\&" + body : body
    }

    /// At least four upper-case hex digits, as groff's glyph names want them.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A macro argument in double quotes (a quote inside is written `""`).
    static func quoted(_ text: String) -> String {
        "\"" + escaped(text).replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
