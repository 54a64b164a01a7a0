/// Pull pages on the hot path: the server writes them straight from its stored rows (values are
/// stored as JSON text already), the client reads them with `JSONReader`. Both produce and
/// accept exactly the shape `PullPage`'s Codable conformance describes.
///
/// A page is capped in bytes as well as in changes (`byteBudget`, `SyncLimits.maxPageBytes`): a
/// change that would take it past the budget waits for the next page, and a single change larger
/// than the budget travels alone. The protocol's bounds keep every change far smaller than that.
public struct PullPageWriter {
    private var writer: JSONWriter
    public private(set) var count = 0
    public let byteBudget: Int

    public init(expectedChanges: Int = 0, byteBudget: Int = SyncLimits.maxPageBytes) {
        writer = JSONWriter(capacity: min(64 + expectedChanges * 220, byteBudget))
        writer.raw(#"{"changes":["#)
        self.byteBudget = byteBudget
    }

    /// The page's size so far.
    public var byteCount: Int { writer.bytes.count }

    /// Appends one field version, unless the page holds a change already and this one would take
    /// it past the byte budget: then nothing is appended and the answer is false (the page is
    /// full). `valueJSON` is the value's JSON text as `FieldValue.jsonText` wrote it.
    @discardableResult
    public mutating func append(seq: Int64, type: String, id: String, field: String, valueJSON: String,
                                hlc: String, base: String?, author: String?, redacted: Bool = false) -> Bool {
        let before = writer.bytes.count
        writeChange(seq: seq, type: type, id: id, field: field, valueJSON: valueJSON, hlc: hlc, base: base, author: author,
                    redacted: redacted)
        guard count == 0 || writer.bytes.count <= byteBudget else {
            writer.truncate(to: before)
            return false
        }
        count += 1
        return true
    }

    private mutating func writeChange(seq: Int64, type: String, id: String, field: String, valueJSON: String,
                                      hlc: String, base: String?, author: String?, redacted: Bool) {
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
        writer.raw("}")
    }

    public mutating func finish(cursor: Int64, more: Bool, serverTime: Int64) -> [UInt8] {
        writer.raw(#"],"cursor":"#)
        writer.integer(cursor)
        writer.raw(more ? #","more":true"# : #","more":false"#)
        writer.raw(#","serverTime":"#)
        writer.integer(serverTime)
        writer.raw("}")
        return writer.bytes
    }
}

extension PullPage {
    /// Reads a page with `JSONReader`; unknown keys are skipped (a newer server may add some).
    public static func decode(json bytes: [UInt8]) throws -> PullPage {
        var reader = JSONReader(bytes)
        var changes: [PulledChange] = []
        var cursor: Int64?, more: Bool?, serverTime: Int64?
        try reader.readObject { reader, key in
            switch key {
            case "changes":
                try reader.readArray { reader in changes.append(try PulledChange.read(&reader)) }
            case "cursor": cursor = try reader.readInteger()
            case "more": more = try reader.readBool()
            case "serverTime": serverTime = try reader.readInteger()
            default: try reader.skipValue()
            }
        }
        try reader.finish()
        guard let cursor, let more, let serverTime else {
            throw reader.failure("a pull page needs cursor, more and serverTime")
        }
        return PullPage(changes: changes, cursor: cursor, more: more, serverTime: serverTime)
    }
}

extension PulledChange {
    static func read(_ reader: inout JSONReader) throws -> PulledChange {
        var seq: Int64?, type: RecordType?, id: String?, field: String?, value: FieldValue?, hlc: HLCTimestamp?
        var base: HLCTimestamp?, author: String?, redacted = false
        try reader.readObject { reader, key in
            switch key {
            case "seq": seq = try reader.readInteger()
            case "type":
                let name = try reader.readString()
                guard let known = RecordType(rawValue: name) else { throw reader.failure("unknown record type '\(name.prefix(40))'") }
                type = known
            case "id": id = try reader.readString()
            case "field": field = try reader.readString()
            case "value": value = try reader.readFieldValue()
            case "hlc": hlc = try reader.readTimestamp()
            case "base": base = try reader.readNullIfPresent() ? nil : try reader.readTimestamp()
            case "author": author = try reader.readNullIfPresent() ? nil : try reader.readString()
            case "redacted": redacted = try reader.readBool()
            default: try reader.skipValue()
            }
        }
        guard let seq, let type, let id, let field, let value, let hlc else {
            throw reader.failure("a pulled change needs seq, type, id, field, value and hlc")
        }
        return PulledChange(seq: seq, change: Change(recordType: type, recordID: id, field: field, value: value, hlc: hlc, base: base),
                            author: author, redacted: redacted)
    }
}
