/// The bash completion script generated from the declarations (`kette --bash-completion`): the
/// package installs it, so completing a command, a subcommand or an option offers exactly what
/// the parser accepts.
extension Program {
    public var bashCompletion: String {
        let function = "_" + name.replacingAll("-", with: "_")
        var next: [String: [String]] = [:]
        for command in commands {
            for depth in 0..<command.path.count {
                let prefix = (["@"] + command.path[..<depth]).joined(separator: " ")
                if !(next[prefix] ?? []).contains(command.path[depth]) { next[prefix, default: []].append(command.path[depth]) }
            }
        }
        let valued = Set((commands.flatMap(\.options) + globalOptions).filter { $0.valueName != nil }.map { "--" + $0.name }).sorted()
        var lines = ["# bash completion for \(name), generated from its command declarations (`\(name) --bash-completion`).",
                     "declare -gA \(function)_next=(",
                     next.keys.sorted().map { "    [\(shellQuoted($0))]=\(shellQuoted(next[$0]!.joined(separator: " ")))" }.joined(separator: "\n"),
                     ")",
                     "declare -gA \(function)_options=("]
        for command in commands {
            let options = (command.options + globalOptions).map { "--" + $0.name }.joined(separator: " ")
            lines.append("    [\(shellQuoted("@ " + command.name))]=\(shellQuoted(options))")
        }
        lines += [")",
                  "declare -gA \(function)_choices=("]
        for option in commands.flatMap(\.options) + globalOptions {
            guard let valueName = option.valueName, valueName.contains("|") else { continue }
            lines.append("    [\(shellQuoted("--" + option.name))]=\(shellQuoted(valueName.replacingAll("|", with: " ")))")
        }
        lines += [")",
                  "\(function)_global=\(shellQuoted((globalOptions.map { "--" + $0.name } + (version == nil ? [] : ["--version"])).joined(separator: " ")))",
                  "\(function)_valued=\(shellQuoted(" " + valued.joined(separator: " ") + " "))",
                  Self.completionFunction(function),
                  "complete -F \(function) \(name)", ""]
        return lines.joined(separator: "\n")
    }

    /// The function bash calls: it walks the words before the cursor, skipping options and their
    /// values, to find the command typed so far (`@ offer add`; `@` alone is the program, as bash
    /// has no empty array keys), then offers what may follow it.
    private static func completionFunction(_ function: String) -> String {
        """
        \(function)() {
            local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path=@ word i skip=0 candidate
            for ((i = 1; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                if ((skip)); then skip=0; continue; fi
                case $word in
                    --*=*) ;;
                    --*) [[ $\(function)_valued == *" $word "* ]] && skip=1 ;;
                    *) candidate="$path $word"
                       if [[ -n ${\(function)_next[$candidate]+set} || -n ${\(function)_options[$candidate]+set} ]]; then path=$candidate; fi ;;
                esac
            done
            if [[ $\(function)_valued == *" $prev "* ]] && ((COMP_CWORD > 1)); then
                if [[ -n ${\(function)_choices[$prev]+set} ]]; then
                    COMPREPLY=($(compgen -W "${\(function)_choices[$prev]}" -- "$cur"))
                else
                    COMPREPLY=($(compgen -f -- "$cur"))
                fi
                return
            fi
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "${\(function)_options[$path]:-$\(function)_global --help}" -- "$cur"))
            elif [[ -n ${\(function)_next[$path]+set} ]]; then
                COMPREPLY=($(compgen -W "${\(function)_next[$path]}" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
        }
        """
    }
}

/// `text` in single quotes for bash.
private func shellQuoted(_ text: String) -> String {
    "'" + text.replacingAll("'", with: "'\\''") + "'"
}

extension String {
    /// Every `target` replaced (without Foundation, which this module does not need otherwise).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
