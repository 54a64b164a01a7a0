import Foundation
import KetteMessages
import KetteProtocol
import KetteStore

/// What went wrong, in terms a coordinator can act on. Every case says what is wrong and, where
/// there is a choice, what is accepted; the words come from the message catalog (`InputText`).
public enum KetteError: Error, Equatable {
    /// A value outside its closed list (`--phase baby`); `accepted` lists the values in each language.
    case invalidValue(field: LocalizedText, value: String, accepted: LocalizedText)
    /// A value in the wrong shape (`--date 2024-13-01`).
    case malformedValue(field: LocalizedText, value: String, expected: LocalizedText)
    /// A required value that is missing or empty.
    case missingValue(field: LocalizedText)
    case notFound(kind: LocalizedText, reference: String)
    /// Not found among a short list of records people pick from (districts, bodies): it names them.
    case notFoundAmong(kind: LocalizedText, reference: String, known: [String])
    case ambiguous(kind: LocalizedText, reference: String, candidates: [String])
    case storeMissing(directory: String)
    case storeUnwritable(directory: String, reason: LocalizedText)
    case storeDamaged(path: String, reason: LocalizedText)
    case unknownField(type: String, field: String)
    case unreadableFile(path: String, reason: LocalizedText)
    /// The editor exited with an error or was not found; nothing was saved.
    case editorFailed(command: String, reason: LocalizedText)
    case nothingToChange
    /// `kette undo` found no action of this laptop's within the last 30 days left to take back.
    case nothingToUndo
    /// The action's previous values were dropped when the server erased a name.
    case undoForgotten(summary: String)
    /// A deletion asked for without a terminal to confirm it and without `--yes`.
    case deletionNeedsConfirmation(what: LocalizedText)
    /// The person answered no.
    case deletionDeclined
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

    /// A value outside a closed list of words typed as they are in every language (`--keep mine`):
    /// they are shown as code.
    public static func invalidValue(field: LocalizedText, value: String, accepted: [String]) -> KetteError {
        .invalidValue(field: field, value: value, accepted: LocalizedText(verbatim: accepted.map { "`\($0)`" }.joined(separator: ", ")))
    }

    public func message(_ language: Language) -> String {
        text(language)
    }

    /// The message in both languages.
    public var text: LocalizedText {
        switch self {
        case .invalidValue(let field, let value, let accepted):
            InputText.invalidValue.with(["field": field, "value": value, "accepted": accepted])
        case .malformedValue(let field, let value, let expected):
            InputText.malformedValue.with(["field": field, "value": value, "expected": expected])
        case .missingValue(let field):
            InputText.missingValue.with(["field": field])
        case .notFound(let kind, let reference):
            InputText.notFound.with(["kind": kind, "reference": reference])
        case .notFoundAmong(let kind, let reference, let known):
            InputText.notFoundAmong.with(["kind": kind, "reference": reference,
                                          "known": known.isEmpty ? InputText.noneYet.text : LocalizedText(verbatim: known.joined(separator: ", "))])
        case .ambiguous(let kind, let reference, let candidates):
            InputText.ambiguous.with(["kind": kind, "reference": reference, "candidates": candidates.joined(separator: "; ")])
        case .storeMissing(let directory):
            StoreText.storeMissing.with(["directory": directory])
        case .storeUnwritable(let directory, let reason):
            StoreText.storeUnwritable.with(["directory": directory, "reason": reason])
        case .storeDamaged(let path, let reason):
            StoreText.storeDamaged.with(["path": path, "reason": reason])
        case .unknownField(let type, let field):
            InputText.unknownField.with(["type": FieldText.named(type), "field": field])
        case .unreadableFile(let path, let reason):
            InputText.unreadableFile.with(["path": path, "reason": reason])
        case .editorFailed(let command, let reason):
            InputText.editorFailed.with(["command": command, "reason": reason])
        case .nothingToChange:
            InputText.nothingToChange.text
        case .nothingToUndo:
            HistoryText.nothingToUndo.text
        case .undoForgotten(let summary):
            HistoryText.undoForgotten.with(["action": summary])
        case .deletionNeedsConfirmation(let what):
            HistoryText.deletionNeedsConfirmation.with(["what": what])
        case .deletionDeclined:
            HistoryText.deletionDeclined.text
        case .refusedWrite(let reason):
            InputText.refusedWrite.with(["reason": reason])
        case .outsideScope(let type, let name, let place, let yours):
            Self.outsideScopeText(type: type, name: name, place: place, yours: yours)
        }
    }

    /// A write outside the user's scope: the record, where it belongs, the user's districts.
    private static func outsideScopeText(type: RecordType, name: String, place: RecordPlace, yours: [String]) -> LocalizedText {
        let values: MessageValues = ["kind": FieldText.kind(type), "name": name,
                                     "yours": yours.isEmpty ? InputText.noneYet.text : LocalizedText.verbatim(yours.joined(separator: ", "))]
        switch place {
        case .district(let district):
            return InputText.outsideDistrict.with(["kind": FieldText.kind(type), "name": name, "district": district, "yours": yours.isEmpty
                                                   ? InputText.noneYet.text : LocalizedText.verbatim(yours.joined(separator: ", "))])
        case .countyWide: return InputText.outsideCountyWide.with(values)
        case .districtList, .register: return InputText.outsideDistrictList.with(values)
        }
    }
}

/// How a storage failure reads for a person: what happened and what to do, then SQLite's words.
public func storageFailureMessage(_ error: SQLiteError, _ language: Language) -> String {
    let advice: StoreText
    switch error.code.primary {
    case .busy, .locked: advice = .locked
    case .full: advice = .diskFull
    case .readonly: advice = .readOnly
    case .cantOpen: advice = .cannotOpen
    case .corrupt, .notADatabase: advice = .notADatabase
    case .ioError: advice = .ioError
    default: advice = .storageError
    }
    return "\(advice(language)) (\(error.description))"
}
