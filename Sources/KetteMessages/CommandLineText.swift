/// The command-line parser's messages and the frame of generated help; the help texts themselves
/// are declared with the commands and walked by the catalog test through `Program.helpTexts`.
public enum CommandLineText: String, MessageSection {
    // Help.
    case see, usage, optionsMark, arguments, options, subcommands, groupUsage, commands, programUsage, everyCommand, showHelp
    case range, oneOf
    // Parser.
    case unknownCommand, unknownSubcommand, missingSubcommand, unknownOption, unknownOptionAccepted, optionBeforeCommand
    case takesNoValue, needsValue, givenTwice, wrongForm, differentValue, missingArgument, unexpectedArgument, missingOption
    // `--version`, the manual page (`--help-man`) and configuration files.
    case showVersion, manName, manSynopsis, manCommand, manCommands, manEveryCommand, manNotes, manRepeatable
    case configLocation, configExpected, configUnknownKey, configSetTwice, trueOrFalse

    public static let texts: [CommandLineText: LocalizedText] = [
        .see: LocalizedText("(see `{command} --help`)", "(siehe `{command} --help`)"),
        .usage: LocalizedText("usage: ", "Aufruf: "),
        .optionsMark: LocalizedText(" [options]", " [Optionen]"),
        .arguments: LocalizedText("arguments:", "Argumente:"),
        .options: LocalizedText("options:", "Optionen:"),
        .subcommands: LocalizedText("subcommands:", "Unterbefehle:"),
        .groupUsage: LocalizedText("usage: {group} SUBCOMMAND [options]   ({group} SUBCOMMAND --help for details)",
                                   "Aufruf: {group} UNTERBEFEHL [Optionen]   ({group} UNTERBEFEHL --help für Einzelheiten)"),
        .commands: LocalizedText("commands:", "Befehle:"),
        .programUsage: LocalizedText("usage: {program} COMMAND [options]   ({program} COMMAND --help for details)",
                                     "Aufruf: {program} BEFEHL [Optionen]   ({program} BEFEHL --help für Einzelheiten)"),
        .everyCommand: LocalizedText("options for every command:", "Optionen für jeden Befehl:"),
        .showHelp: LocalizedText("show this help", "diese Hilfe anzeigen"),
        .range: LocalizedText("{low} to {high}", "{low} bis {high}"),
        .oneOf: LocalizedText("one of: {words}", "eines von: {words}"),
        .unknownCommand: LocalizedText("unknown command '{word}'. Accepted: {accepted}", "Unbekannter Befehl „{word}“. Erlaubt: {accepted}"),
        .unknownSubcommand: LocalizedText("unknown subcommand '{word}' of '{group}'. Accepted: {accepted}",
                                          "Unbekannter Unterbefehl „{word}“ von „{group}“. Erlaubt: {accepted}"),
        .missingSubcommand: LocalizedText("'{group}' needs a subcommand. Accepted: {accepted}", "„{group}“ braucht einen Unterbefehl. Erlaubt: {accepted}"),
        .unknownOption: LocalizedText("unknown option '{word}'", "Unbekannte Option „{word}“"),
        .unknownOptionAccepted: LocalizedText("unknown option '{word}'. Accepted: {accepted}", "Unbekannte Option „{word}“. Erlaubt: {accepted}"),
        .optionBeforeCommand: LocalizedText(
            "option '{word}' belongs after the command it is for. Accepted before the command: {accepted} and flags such as --json",
            "Option „{word}“ gehört hinter den Befehl, zu dem sie gehört. Vor dem Befehl erlaubt: {accepted} und Schalter wie --json"),
        .takesNoValue: LocalizedText("option --{name} takes no value", "Option --{name} erwartet keinen Wert"),
        .needsValue: LocalizedText("option --{name} needs a value ({value})", "Option --{name} braucht einen Wert ({value})"),
        .givenTwice: LocalizedText("option --{name} given more than once", "Option --{name} mehrfach angegeben"),
        .wrongForm: LocalizedText("{what} must be {expected}; got '{text}'", "Ungültiger Wert „{text}“ für {what}; erwartet: {expected}"),
        .differentValue: LocalizedText("a different value", "ein anderer Wert"),
        .missingArgument: LocalizedText("missing argument {name} ({help})", "Argument {name} fehlt ({help})"),
        .unexpectedArgument: LocalizedText("unexpected argument '{word}' (put text with spaces in quotes)",
                                           "Unerwartetes Argument „{word}“ (Text mit Leerzeichen in Anführungszeichen setzen)"),
        .missingOption: LocalizedText("missing option --{name} {value} ({help})", "Option --{name} {value} fehlt ({help})"),
        .showVersion: LocalizedText("print the version and the commit it was built from (alone on the line)",
                                    "Version und Commit des Builds ausgeben (allein auf der Zeile)"),
        .manName: LocalizedText("NAME", "BEZEICHNUNG"),
        .manSynopsis: LocalizedText("SYNOPSIS", "ÜBERSICHT"),
        .manCommand: LocalizedText("COMMAND", "BEFEHL"),
        .manCommands: LocalizedText("COMMANDS", "BEFEHLE"),
        .manEveryCommand: LocalizedText("OPTIONS FOR EVERY COMMAND", "OPTIONEN FÜR JEDEN BEFEHL"),
        .manNotes: LocalizedText("NOTES", "HINWEISE"),
        .manRepeatable: LocalizedText(" (repeatable)", " (wiederholbar)"),
        .configLocation: LocalizedText("{path} line {line}: ", "{path} Zeile {line}: "),
        .configExpected: LocalizedText("expected `key = value` or a # comment; got '{text}'",
                                       "erwartet wird `Schlüssel = Wert` oder ein #-Kommentar; gefunden: „{text}“"),
        .configUnknownKey: LocalizedText("unknown key '{key}'; accepted: {accepted}", "unbekannter Schlüssel „{key}“; erlaubt: {accepted}"),
        .configSetTwice: LocalizedText("{key} is set more than once", "{key} ist mehrfach gesetzt"),
        .trueOrFalse: LocalizedText("true or false", "true oder false"),
    ]
}
