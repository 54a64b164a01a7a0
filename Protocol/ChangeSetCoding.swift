/// Pushes on the hot path: the client writes them with `JSONWriter`, the server reads them with
/// `JSONReader`, strictly: unknown keys are named, not ignored. The shapes are those of the
/// Codable conformances of `PushRequest`, `ChangeSet` and `Change`.
extension PushRequest {
    public func encodeJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: changeSets.reduce(64) { $0 + 160 + $1.changes.count * 200 })
        writer.raw(#"{"changeSets":["#)
        for (index, set) in changeSets.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw(#"{"id":"#); writer.string(set.id)
            writer.raw(#","replica":"#); writer.string(set.replica.rawValue)
            if let author = set.author { writer.raw(#","author":"#); writer.string(author) }
            writer.raw(#","schemaVersion":"#); writer.integer(Int64(set.schemaVersion))
            writer.raw(#","summary":"#); writer.string(set.summary)
            writer.raw(#","changes":["#)
            for (changeIndex, change) in set.changes.enumerated() {
                if changeIndex > 0 { writer.raw(",") }
                writer.raw(#"{"type":"#); writer.string(change.recordType.rawValue)
                writer.raw(#","id":"#); writer.string(change.recordID)
                writer.raw(#","field":"#); writer.string(change.field)
                writer.raw(#","value":"#); writer.value(change.value)
                writer.raw(#","hlc":"#); writer.string(change.hlc.encoded)
                if let base = change.base { writer.raw(#","base":"#); writer.string(base.encoded) }
                writer.raw("}")
            }
            writer.raw("]}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// Why a push body cannot be read, in the three kinds the server answers differently.
    public enum DecodingProblem: Error, Equatable {
        /// Not well-formed JSON.
        case syntax(String)
        /// Well-formed, but not the shape of a push: a missing key, a wrong type, an unknown record type.
        case shape(String)
        /// A key the protocol does not have.
        case unknownKey(key: String, in: String, accepted: [String])
    }

    /// Reads a push body: first its JSON grammar, then its shape.
    public static func decode(json bytes: [UInt8]) throws(DecodingProblem) -> PushRequest {
        do { try JSONReader.validate(bytes) } catch { throw .syntax("\(error)") }
        var reader = JSONReader(bytes)
        reader.acceptsWholeNumbersWithFractions = true
        // A bare `3`, `"x"` or `null` is JSON but no document of this protocol (SPEC §4: invalid_json).
        if let first = try? reader.peek(), first != UInt8(ascii: "{"), first != UInt8(ascii: "[") {
            throw .syntax("a push is a JSON object, not a bare value at byte \(reader.index)")
        }
        var sets: [ChangeSet]?
        do {
            try reader.readObject { reader, key in
                guard key == "changeSets" else { throw DecodingProblem.unknownKey(key: key, in: "the push", accepted: ["changeSets"]) }
                var list: [ChangeSet] = []
                var index = 0
                try reader.readArray { reader in
                    list.append(try ChangeSet.read(&reader, path: "changeSets[\(index)]"))
                    index += 1
                }
                sets = list
            }
        } catch let problem as DecodingProblem {
            throw problem
        } catch {
            throw .shape("\(error)")
        }
        guard let sets else { throw .shape("the push lacks the key 'changeSets'") }
        return PushRequest(changeSets: sets)
    }
}

extension ChangeSet {
    static let keys = ["id", "replica", "author", "schemaVersion", "summary", "changes"]

    static func read(_ reader: inout JSONReader, path: String) throws -> ChangeSet {
        var id: String?, replica: String?, author: String?, schemaVersion: Int64?, summary: String?, changes: [Change]?
        try reader.readObject { reader, key in
            switch key {
            case "id": id = try reader.readString()
            case "replica": replica = try reader.readString()
            case "author": author = try reader.readNullIfPresent() ? nil : try reader.readString()
            case "schemaVersion": schemaVersion = try reader.readInteger()
            case "summary": summary = try reader.readString()
            case "changes":
                var list: [Change] = []
                try reader.readArray { reader in
                    list.append(try Change.read(&reader, path: "\(path).changes[\(list.count)]"))
                }
                changes = list
            default: throw PushRequest.DecodingProblem.unknownKey(key: key, in: path, accepted: keys)
            }
        }
        guard let id, let replica, let schemaVersion, let summary, let changes else {
            let missing = zip(["id", "replica", "schemaVersion", "summary", "changes"],
                              [id == nil, replica == nil, schemaVersion == nil, summary == nil, changes == nil]).first { $0.1 }!.0
            throw PushRequest.DecodingProblem.shape("\(path) lacks the key '\(missing)'")
        }
        guard let version = Int(exactly: schemaVersion) else { throw PushRequest.DecodingProblem.shape("\(path).schemaVersion is out of range") }
        return ChangeSet(id: id, replica: ReplicaID(rawValue: replica), author: author, schemaVersion: version, summary: summary, changes: changes)
    }
}

extension Change {
    static let keys = ["type", "id", "field", "value", "hlc", "base"]

    static func read(_ reader: inout JSONReader, path: String) throws -> Change {
        var type: RecordType?, id: String?, field: String?, value: FieldValue?, hlc: HLCTimestamp?, base: HLCTimestamp?
        try reader.readObject { reader, key in
            switch key {
            case "type":
                let name = try reader.readString()
                guard let known = RecordType(rawValue: name) else {
                    throw PushRequest.DecodingProblem.shape("\(path).type '\(name.prefix(40))' is not a record type; known: \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                type = known
            case "id": id = try reader.readString()
            case "field": field = try reader.readString()
            case "value": value = try reader.readFieldValue()
            case "hlc": hlc = try reader.readTimestamp()
            case "base": base = try reader.readNullIfPresent() ? nil : try reader.readTimestamp()
            default: throw PushRequest.DecodingProblem.unknownKey(key: key, in: path, accepted: keys)
            }
        }
        guard let type, let id, let field, let value, let hlc else {
            let missing = zip(["type", "id", "field", "value", "hlc"], [type == nil, id == nil, field == nil, value == nil, hlc == nil]).first { $0.1 }!.0
            throw PushRequest.DecodingProblem.shape("\(path) lacks the key '\(missing)'")
        }
        return Change(recordType: type, recordID: id, field: field, value: value, hlc: hlc, base: base)
    }
}
