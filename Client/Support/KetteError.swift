import Foundation
import KetteProtocol
import KetteStore

/// What went wrong, in terms a coordinator can act on. Every case says what is wrong and, where
/// there is a choice, what is accepted.
public enum KetteError: Error, Equatable {
    /// A value outside its closed list (`--phase baby`).
    case invalidValue(field: String, value: String, accepted: [String])
    /// A value in the wrong shape (`--date 2024-13-01`).
    case malformedValue(field: String, value: String, expected: String)
    /// A required value that is missing or empty.
    case missingValue(field: String)
    case notFound(kind: String, reference: String)
    /// Not found among a short list of records people pick from (districts, bodies): it names them.
    case notFoundAmong(kind: String, reference: String, known: [String])
    case ambiguous(kind: String, reference: String, candidates: [String])
    case storeMissing(directory: String)
    case storeUnwritable(directory: String, reason: String)
    case storeDamaged(path: String, reason: String)
    case unknownField(type: String, field: String)
    case unreadableFile(path: String, reason: String)
    /// The editor exited with an error or was not found; nothing was saved.
    case editorFailed(command: String, reason: String)
    case nothingToChange
    /// A write the protocol would refuse (SPEC §6.2), stopped before it was stored: `reason` is
    /// `RecordType.problem(field:value:)`'s, in the protocol's English.
    case refusedWrite(reason: String)
    /// A write outside the user's scope as the server last reported it (at the last sync); nothing
    /// was written. `place` and `yours` name districts as "Name (id)".
    case outsideScope(type: RecordType, name: String, place: RecordPlace, yours: [String])

    /// Storage errors exit 4, everything else 1.
    public var isStorageFailure: Bool {
        switch self {
        case .storeUnwritable, .storeDamaged: true
        default: false
        }
    }

    /// The German for the expectations the input checks state in English; one place, so the
    /// checks stay free of language plumbing. An unknown phrase stays English.
    static func german(_ expected: String) -> String {
        let phrases: [(String, String)] = [
            ("a date YYYY-MM-DD, e.g. ", "ein Datum im Format YYYY-MM-DD, z. B. "),
            ("a time HH:MM, e.g. ", "eine Uhrzeit im Format HH:MM, z. B. "),
            ("a whole number of 0 or more, e.g. ", "eine ganze Zahl ab 0, z. B. "),
            ("a whole number of at most ", "eine ganze Zahl bis höchstens "),
            ("a whole number above 0", "eine ganze Zahl größer als 0"),
            ("a whole number", "eine ganze Zahl"),
            ("only one of ", "nur eine der Angaben "),
            ("the token `kette-server user add` printed", "der Token, den `kette-server user add` ausgegeben hat"),
            ("a file in a writable directory", "eine Datei in einem beschreibbaren Verzeichnis"),
            (" or ", " oder "), (" and ", " und "), ("e.g. ", "z. B. "),
        ]
        var text = expected
        for (english, german) in phrases { text = text.replacingOccurrences(of: english, with: german) }
        return text
    }

    public func message(_ language: Language) -> String {
        let de = language == .german
        switch self {
        case .invalidValue(let field, let value, let accepted):
            return de ? "Unbekannter Wert „\(value)“ für \(field). Erlaubt: \(accepted.joined(separator: ", "))."
                      : "unknown \(field) '\(value)'. Accepted: \(accepted.joined(separator: ", "))."
        case .malformedValue(let field, let value, let expected):
            return de ? "Ungültiger Wert „\(value)“ für \(field): erwartet \(Self.german(expected))."
                      : "invalid \(field) '\(value)': expected \(expected)."
        case .missingValue(let field):
            return de ? "\(field) fehlt oder ist leer." : "\(field) is missing or empty."
        case .notFound(let kind, let reference):
            return de ? "Kein Eintrag (\(kind)) „\(reference)“ gefunden." : "no \(kind) '\(reference)' found."
        case .notFoundAmong(let kind, let reference, let known):
            let list = known.isEmpty ? (de ? "noch keine" : "none yet") : known.joined(separator: ", ")
            return de ? "Kein Eintrag (\(kind)) „\(reference)“ gefunden. Vorhanden: \(list)."
                      : "no \(kind) '\(reference)' found. Known: \(list)."
        case .ambiguous(let kind, let reference, let candidates):
            return de ? "„\(reference)“ ist mehrdeutig (\(kind)). Infrage kommen: \(candidates.joined(separator: "; ")). Bitte die ID angeben."
                      : "'\(reference)' matches more than one \(kind): \(candidates.joined(separator: "; ")). Give the id instead."
        case .storeMissing(let directory):
            return de ? "Kein Kette-Speicher in \(directory). Zuerst `kette init` ausführen (oder --home/KETTE_HOME angeben)."
                      : "no Kette store in \(directory). Run `kette init` first (or point --home/KETTE_HOME at your store)."
        case .storeUnwritable(let directory, let reason):
            return de ? "Der Speicher in \(directory) kann nicht angelegt werden: \(reason)"
                      : "cannot create the store in \(directory): \(reason)"
        case .storeDamaged(let path, let reason):
            return de ? "Der Speicher \(path) ist beschädigt: \(reason)" : "the store \(path) is damaged: \(reason)"
        case .unknownField(let type, let field):
            return de ? "Unbekanntes Feld \(field) für \(type)." : "unknown field \(field) for \(type)."
        case .unreadableFile(let path, let reason):
            return de ? "Datei \(path) kann nicht gelesen werden: \(reason)" : "cannot read \(path): \(reason)"
        case .editorFailed(let command, let reason):
            return de ? "Editor „\(command)“ fehlgeschlagen (\(reason)); nichts gespeichert."
                      : "editor '\(command)' failed (\(reason)); nothing was saved."
        case .nothingToChange:
            return de ? "Nichts zu ändern: keine Option angegeben." : "nothing to change: no option given."
        case .refusedWrite(let reason):
            return de ? "Nicht gespeichert, der Server würde es ablehnen: \(reason). Nichts wurde geändert."
                      : "not saved, the server would refuse it: \(reason). Nothing was changed."
        case .outsideScope(let type, let name, let place, let yours):
            return Self.outsideScopeMessage(type: type, name: name, place: place, yours: yours, language: language)
        }
    }

    private static func outsideScopeMessage(type: RecordType, name: String, place: RecordPlace, yours: [String], language: Language) -> String {
        let record = "\(Resolver.kindName(type, language)) '\(name)'"
        let districts = yours.isEmpty ? language.pick("none", "keine") : yours.joined(separator: ", ")
        let placement: String
        switch place {
        case .district(let district):
            placement = language.pick("belongs to district \(district), outside your districts as the server last reported them: \(districts)",
                                   "gehört zum Sozialraum \(district), außerhalb Ihrer Sozialräume laut letztem Sync: \(districts)")
        case .countyWide:
            placement = language.pick("is county-wide (no district), which only the county office writes; your districts: \(districts)",
                                   "gilt kreisweit (ohne Sozialraum) und wird nur vom Kreis geschrieben; Ihre Sozialräume: \(districts)")
        case .districtList, .register:
            placement = language.pick("is in the list of districts, which only the county office writes; your districts: \(districts)",
                                   "gehört zur Liste der Sozialräume, die nur der Kreis schreibt; Ihre Sozialräume: \(districts)")
        }
        return record + " " + placement + language.pick(
            ". Nothing was written. If the county office has given you the district since, run `kette sync` and try again.",
            ". Nichts wurde gespeichert. Falls der Kreis Ihnen den Sozialraum inzwischen zugeteilt hat: `kette sync` ausführen und erneut versuchen.")
    }
}

/// How a storage failure reads for a person: what happened and what to do, then SQLite's words.
public func storageFailureMessage(_ error: SQLiteError, _ language: Language) -> String {
    let de = language == .german
    let advice: String
    switch error.code.primary {
    case .busy, .locked:
        advice = de ? "Der Speicher ist durch ein anderes Programm gesperrt; später erneut versuchen."
                    : "the store is locked by another process; try again in a moment."
    case .full:
        advice = de ? "Der Datenträger ist voll; Platz schaffen und erneut versuchen. Nichts wurde teilweise gespeichert."
                    : "the disk is full; free some space and try again. Nothing was partially saved."
    case .readonly:
        advice = de ? "Der Speicher ist schreibgeschützt." : "the store is read-only."
    case .cantOpen:
        advice = de ? "Die Speicherdatei kann nicht geöffnet werden (Rechte, Pfad?)." : "the store file cannot be opened (permissions, path?)."
    case .corrupt, .notADatabase:
        advice = de ? "Die Speicherdatei ist keine gültige Kette-Datenbank oder beschädigt." : "the store file is not a valid Kette database or is damaged."
    case .ioError:
        advice = de ? "Lese-/Schreibfehler des Datenträgers. Nichts wurde teilweise gespeichert." : "the disk reported an I/O error. Nothing was partially saved."
    default:
        advice = de ? "Speicherfehler." : "storage error."
    }
    return "\(advice) (\(error.description))"
}
