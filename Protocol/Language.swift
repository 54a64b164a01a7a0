/// The language a person reads: German when `LANG` starts with `de`, English otherwise.
public enum Language: String, Sendable {
    case english = "en"
    case german = "de"

    public static func from(environment: [String: String]) -> Language {
        // The contract names LANG. LC_ALL=de… is honoured too, but an English LC_ALL (often
        // C.UTF-8 on servers and CI) does not override a German LANG: LANG is what people set.
        let german = ["LANG", "LC_ALL"].contains { environment[$0]?.lowercased().hasPrefix("de") == true }
        return german ? .german : .english
    }
}
