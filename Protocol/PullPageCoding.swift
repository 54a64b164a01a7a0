/// Pull pages on the hot path: the server writes them straight from its stored rows (values are
/// stored as JSON text already), the client reads them with `JSONReader`. Both produce and
/// accept exactly the shape `PullPage`'s Codable conformance describes.
///
/// A page is capped in bytes as well as in changes (`byteBudget`, `SyncLimits.maxPageBytes`): a
/// change that would take it past the budget waits for the next page, and a single change larger
/// than the budget travels alone. The protocol's bounds keep every change far smaller than that.
public struct PullPageWriter {
    private var writer: JSONWriter
    /// The scope exits (`left`), written at the end of the page but counted in its size as they come.
    private var exits = JSONWriter(capacity: 0)
    public private(set) var count = 0
    /// How many scope exits the page holds.
    public private(set) var exitCount = 0
    public let byteBudget: Int

    public init(expectedChanges: Int = 0, byteBudget: Int = SyncLimits.maxPageBytes) {
        writer = JSONWriter(capacity: min(64 + expectedChanges * 220, byteBudget))
        writer.raw(#"{"changes":["#)
        self.byteBudget = byteBudget
    }

    /// The page's size so far.
    public var byteCount: Int { writer.bytes.count + exits.bytes.count }

    /// True while the page holds nothing: the first entry is taken whatever its size.
    private var isEmpty: Bool { count == 0 && exitCount == 0 }

    /// Appends one field version, unless the page holds an entry already and this one would take
    /// it past the byte budget: then nothing is appended and the answer is false (the page is
    /// full). `valueJSON` is the value's JSON text as `FieldValue.jsonText` wrote it.
    @discardableResult
    public mutating func append(seq: Int64, type: String, id: String, field: String, valueJSON: String,
                                hlc: String, base: String?, author: String?, redacted: Bool = false, changeSet: String? = nil) -> Bool {
        let before = writer.bytes.count
        writeChange(seq: seq, type: type, id: id, field: field, valueJSON: valueJSON, hlc: hlc, base: base, author: author,
                    redacted: redacted, changeSet: changeSet)
        guard isEmpty || byteCount <= byteBudget else {
            writer.truncate(to: before)
            return false
        }
        count += 1
        return true
    }

    private mutating func writeChange(seq: Int64, type: String, id: String, field: String, valueJSON: String,
                                      hlc: String, base: String?, author: String?, redacted: Bool, changeSet: String?) {
        if count > 0 { writer.raw(",") }
        writer.raw(#"{"seq":"#)
        writer.integer(seq)
        writer.raw(#","type":"#); writer.string(type)
        writer.raw(#","id":"#); writer.string(id)
        writer.raw(#","field":"#); writer.string(field)
        writer.raw(#","value":"#); writer.raw(valueJSON)
        writer.raw(#","hlc":"#); writer.string(hlc)
        if let base { writer.raw(#","base":"#); writer.string(base) }
        if let author { writer.raw(#","author":"#); writer.string(author) }
        // Only present when true, so a page without erasures is byte for byte what it was.
        if redacted { writer.raw(#","redacted":true"#) }
        if let changeSet { writer.raw(#","changeSet":"#); writer.string(changeSet) }
        writer.raw("}")
    }

    /// Appends a record that left the caller's scope, unless the page holds an entry already and
    /// this one would take it past the byte budget: then the answer is false (the page is full).
    @discardableResult
    public mutating func appendExit(_ exit: ScopeExit) -> Bool {
        let before = exits.bytes.count
        exits.raw(exitCount == 0 ? #"{"seq":"# : #",{"seq":"#)
        exits.integer(exit.seq)
        exits.raw(#","type":"#); exits.string(exit.type.rawValue)
        exits.raw(#","id":"#); exits.string(exit.id)
        exits.raw(#","versions":{"#)
        for (index, (field, hlc)) in exit.versions.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { exits.raw(",") }
            exits.string(field)
            exits.raw(":")
            exits.string(hlc)
        }
        exits.raw("}}")
        guard isEmpty || byteCount <= byteBudget else {
            exits.truncate(to: before)
            return false
        }
        exitCount += 1
        return true
    }

    /// Ends the page: the records that left the caller's scope, where the next page starts, and
    /// which server database and scopes the page comes from.
    public mutating func finish(cursor: Int64, more: Bool, serverTime: Int64, server: String? = nil, scope: [String]? = nil) -> [UInt8] {
        writer.raw("]")
        if exitCount > 0 {
            writer.raw(#","left":["#)
            writer.raw(exits.bytes)
            writer.raw("]")
        }
        writer.raw(#","cursor":"#)
        writer.integer(cursor)
        writer.raw(more ? #","more":true"# : #","more":false"#)
        writer.raw(#","serverTime":"#)
        writer.integer(serverTime)
        if let server { writer.raw(#","server":"#); writer.string(server) }
        if let scope {
            writer.raw(#","scope":["#)
            for (index, key) in scope.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(key)
            }
            writer.raw("]")
        }
        writer.raw("}")
        return writer.bytes
    }
}

extension PullPage {
    /// Reads a page with `JSONReader`; unknown keys are skipped (a newer server may add some).
    public static func decode(json bytes: [UInt8]) throws -> PullPage {
        var reader = JSONReader(bytes)
        var changes: [PulledChange] = [], left: [ScopeExit] = []
        var cursor: Int64?, more: Bool?, serverTime: Int64?, server: String?, scope: [String]?
        try reader.readObject { reader, key in
            switch key {
            case "changes":
                try reader.readArray { reader in changes.append(try PulledChange.read(&reader)) }
            case "left":
                try reader.readArray { reader in left.append(try ScopeExit.read(&reader)) }
            case "cursor": cursor = try reader.readInteger()
            case "more": more = try reader.readBool()
            case "serverTime": serverTime = try reader.readInteger()
            case "server": server = try reader.readNullIfPresent() ? nil : try reader.readString()
            case "scope":
                var keys: [String] = []
                try reader.readArray { reader in keys.append(try reader.readString()) }
                scope = keys
            default: try reader.skipValue()
            }
        }
        try reader.finish()
        guard let cursor, let more, let serverTime else {
            throw reader.failure("a pull page needs cursor, more and serverTime")
        }
        return PullPage(changes: changes, left: left, cursor: cursor, more: more, serverTime: serverTime, server: server, scope: scope)
    }
}

extension ScopeExit {
    static func read(_ reader: inout JSONReader) throws -> ScopeExit {
        var seq: Int64?, type: RecordType?, id: String?, versions: [String: String]?
        try reader.readObject { reader, key in
            switch key {
            case "seq": seq = try reader.readInteger()
            case "type": type = try reader.readRecordType()
            case "id": id = try reader.readString()
            case "versions":
                var fields: [String: String] = [:]
                try reader.readObject { reader, field in fields[field] = try reader.readString() }
                versions = fields
            default: try reader.skipValue()
            }
        }
        guard let seq, let type, let id, let versions else { throw reader.failure("a left entry needs seq, type, id and versions") }
        return ScopeExit(seq: seq, type: type, id: id, versions: versions)
    }
}

extension PulledChange {
    static func read(_ reader: inout JSONReader) throws -> PulledChange {
        var seq: Int64?, type: RecordType?, id: String?, field: String?, value: FieldValue?, hlc: HLCTimestamp?
        var base: HLCTimestamp?, author: String?, redacted = false, changeSet: String?
        try reader.readObject { reader, key in
            switch key {
            case "seq": seq = try reader.readInteger()
            case "type": type = try reader.readRecordType()
            case "id": id = try reader.readString()
            case "field": field = try reader.readString()
            case "value": value = try reader.readFieldValue()
            case "hlc": hlc = try reader.readTimestamp()
            case "base": base = try reader.readNullIfPresent() ? nil : try reader.readTimestamp()
            case "author": author = try reader.readNullIfPresent() ? nil : try reader.readString()
            case "redacted": redacted = try reader.readBool()
            case "changeSet": changeSet = try reader.readNullIfPresent() ? nil : try reader.readString()
            default: try reader.skipValue()
            }
        }
        guard let seq, let type, let id, let field, let value, let hlc else {
            throw reader.failure("a pulled change needs seq, type, id, field, value and hlc")
        }
        return PulledChange(seq: seq, change: Change(recordType: type, recordID: id, field: field, value: value, hlc: hlc, base: base),
                            author: author, redacted: redacted, changeSet: changeSet)
    }
}

extension JSONReader {
    /// A record type's name; one this version does not know makes the page unreadable for it.
    mutating func readRecordType() throws -> RecordType {
        let name = try readString()
        guard let known = RecordType(rawValue: name) else { throw failure("unknown record type '\(name.prefix(40))'") }
        return known
    }
}
