import KetteProtocol

/// Why the server refused a change set, rendered from its code and details (SPEC §7.3) in the
/// user's language; the server's `reason` is English and only for logs and `--json`.
public enum RefusalText: String, MessageSection {
    case forbiddenDistrict, forbiddenCounty, forbiddenDistricts, forbiddenRegister, forbidden
    case invalidValue, invalidID, invalidParent, invalidSchema, invalid
    case clockAhead, clockAheadUnknown, unsupportedSchema, unsupportedSchemaUnknown, other
    case minutes, hours, days
    // `kette refused …`.
    case noneKept, headerRefused, headerCode, headerWhat, headerReason, keptHint, refusedAt, retried, dropped, droppedAll, idOrAll

    public static let texts: [RefusalText: LocalizedText] = [
        .forbiddenDistrict: LocalizedText("{record} belongs to district {district}, which your token may not write ({role}).",
                                          "{record} gehört zum Sozialraum {district}, den Ihr Token nicht schreiben darf ({role})."),
        .forbiddenCounty: LocalizedText("{record} is county-wide; only the county office writes such records.",
                                        "{record} gilt kreisweit; solche Datensätze schreibt nur der Kreis."),
        .forbiddenDistricts: LocalizedText("{record} is in the list of districts, which only the county office writes.",
                                           "{record} gehört zur Liste der Sozialräume, die nur der Kreis schreibt."),
        .forbiddenRegister: LocalizedText("{record} is in the register of organizations, which your token may not write this way.",
                                          "{record} gehört zum Trägerverzeichnis, das Ihr Token so nicht schreiben darf."),
        .forbidden: LocalizedText("outside what your token may write.", "außerhalb dessen, was Ihr Token schreiben darf."),
        .invalidValue: LocalizedText("the server does not accept the value of {field} in {record}.",
                                     "Der Server nimmt den Wert von {field} in {record} nicht an."),
        .invalidID: LocalizedText("an id is empty, too long (1 to 100 characters, 400 bytes) or holds a control character.",
                                  "Eine ID ist leer, zu lang (1 bis 100 Zeichen, 400 Bytes) oder enthält ein Steuerzeichen."),
        .invalidParent: LocalizedText("{record} cannot be placed: the record it belongs to is unknown to the server.",
                                      "{record} kann nicht zugeordnet werden: Der Datensatz, zu dem er gehört, ist dem Server unbekannt."),
        .invalidSchema: LocalizedText("the change set is malformed (schema version).", "Der Änderungssatz ist fehlerhaft (Schemaversion)."),
        .invalid: LocalizedText("the server found the change set invalid.", "Der Server hält den Änderungssatz für ungültig."),
        .clockAhead: LocalizedText("this device's clock runs {ahead} ahead of the server's; Kette corrects the times and sends the changes again.",
                                   "Die Uhr dieses Geräts geht {ahead} vor; Kette korrigiert die Zeiten und sendet die Änderungen erneut."),
        .clockAheadUnknown: LocalizedText("this device's clock runs ahead of the server's; Kette corrects the times and sends the changes again.",
                                          "Die Uhr dieses Geräts geht gegenüber dem Server vor; Kette korrigiert die Zeiten und sendet die Änderungen erneut."),
        .unsupportedSchema: LocalizedText(
            "written by a newer Kette (record schema {schema}; the server understands up to {supported}). The server needs an update; the change set waits on this device.",
            "Von einem neueren Kette geschrieben (Datensatzschema {schema}; der Server versteht bis {supported}). Der Server braucht ein Update; der Änderungssatz wartet auf diesem Gerät."),
        .unsupportedSchemaUnknown: LocalizedText("written by a newer Kette than the server understands. The server needs an update; the change set waits on this device.",
                                                 "Von einem neueren Kette geschrieben, als der Server versteht. Der Server braucht ein Update; der Änderungssatz wartet auf diesem Gerät."),
        .other: LocalizedText("refused by the server ({code}).", "vom Server abgelehnt ({code})."),
        .noneKept: LocalizedText("No refused change sets.", "Keine abgelehnten Änderungssätze."),
        .headerRefused: LocalizedText("REFUSED", "ABGELEHNT"),
        .headerCode: LocalizedText("CODE", "CODE"),
        .headerWhat: LocalizedText("WHAT", "WAS"),
        .headerReason: LocalizedText("REASON", "GRUND"),
        .keptHint: LocalizedText(
            "See one with `kette refused show ID`; write it again with `kette refused retry ID` once the cause is fixed, or forget it with `kette refused drop ID`.",
            "Einzeln ansehen mit `kette refused show ID`; nach Behebung der Ursache erneut schreiben mit `kette refused retry ID` oder verwerfen mit `kette refused drop ID`."),
        .refusedAt: LocalizedText("refused {time} ({code}): {reason}", "abgelehnt {time} ({code}): {reason}"),
        .retried: LocalizedText("Wrote {id} ({summary}) again as a new change set; run `kette sync` to push it.",
                                "{id} ({summary}) als neuen Änderungssatz erneut geschrieben; mit `kette sync` senden."),
        .dropped: LocalizedText("Dropped {id} ({summary}).", "{id} ({summary}) verworfen."),
        .droppedAll: LocalizedText("Dropped {count} refused {count:change set|change sets}.",
                                   "{count} {count:abgelehnter Änderungssatz|abgelehnte Änderungssätze} verworfen."),
        .idOrAll: LocalizedText("give the refused change set's ID or --all (one of them)", "die ID des abgelehnten Änderungssatzes oder --all angeben (eins davon)"),
        .minutes: LocalizedText("{n} min", "{n} Min."),
        .hours: LocalizedText("{n} h", "{n} Std."),
        .days: LocalizedText("{n} {n:day|days}", "{n} {n:Tag|Tage}"),
    ]

    /// The refusal in words; `details` nil (an older server, or a refusal stored before details
    /// were kept) gives the general sentence for the code.
    public static func explain(code: String, details: RefusalDetails?) -> LocalizedText {
        switch code {
        case "forbidden": forbidden(details)
        case "invalid": invalid(details)
        case "clock_ahead":
            details?.aheadMilliseconds.map { clockAhead.with(["ahead": duration($0)]) } ?? clockAheadUnknown.text
        case "unsupported_schema":
            if let schema = details?.schemaVersion, let supported = details?.supportedSchemaVersion {
                unsupportedSchema.with(["schema": String(schema), "supported": String(supported)])
            } else {
                unsupportedSchemaUnknown.text
            }
        default: other.with(["code": code])
        }
    }

    private static func forbidden(_ details: RefusalDetails?) -> LocalizedText {
        guard let details, let record = record(details) else { return forbidden.text }
        switch details.scope {
        case "district":
            let role = details.role.flatMap(Role.init(rawValue:)).map(ServerText.role) ?? .verbatim(details.role ?? "?")
            return forbiddenDistrict.with(["record": record, "district": details.district ?? "?", "role": role])
        case "county": return forbiddenCounty.with(["record": record])
        case "districts": return forbiddenDistricts.with(["record": record])
        case "register": return forbiddenRegister.with(["record": record])
        default: return forbidden.text
        }
    }

    private static func invalid(_ details: RefusalDetails?) -> LocalizedText {
        switch (details?.problem, details.flatMap(record)) {
        case ("value"?, let record?): invalidValue.with(["field": details?.field ?? "?", "record": record])
        case ("parent"?, let record?): invalidParent.with(["record": record])
        case ("id"?, _): invalidID.text
        case ("schema"?, _): invalidSchema.text
        default: invalid.text
        }
    }

    /// "Angebot 3f2a9c1e" / "offer 3f2a9c1e".
    private static func record(_ details: RefusalDetails) -> LocalizedText? {
        guard let type = details.recordType.flatMap(RecordType.init(rawValue:)) else { return nil }
        return FieldText.kind(type) + .verbatim(details.recordID.map { " " + RecordIdentifier.shortCode($0) } ?? "")
    }

    /// "3 Tage", "5 Std.", "12 Min." — whole units, the largest that fits.
    static func duration(_ milliseconds: Int64) -> LocalizedText {
        let minutes = Int(milliseconds / 60_000)
        if minutes >= 24 * 60 { return days.with(["n": minutes / (24 * 60)]) }
        if minutes >= 60 { return hours.with(["n": minutes / 60]) }
        return RefusalText.minutes.with(["n": max(1, minutes)])
    }
}
