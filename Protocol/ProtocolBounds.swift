/// Bounds on what a change may carry, checked by the server on every pushed change set (refusal
/// `invalid`) and by the client on every pulled change (a page that breaks them is the server's
/// fault, not the disk's). With the field rules (`RecordType.problem`) they bound the size of
/// every stored row, so no sequence of accepted writes can make a row, or a pull page, too large
/// to serve (SPEC §14 has the arithmetic).
public enum ProtocolBounds {
    /// Record ids, change set ids and a change set's `replica`: at most this many characters...
    public static let maxIDCharacters = 100
    /// ...and this many bytes of UTF-8 (a character can be many bytes).
    public static let maxIDBytes = 400
    /// The replica id inside a timestamp (Kette's are 32 hex digits).
    public static let maxTimestampReplicaBytes = 64

    /// What is wrong with `id` as an id, or nil: 1 to 100 characters, at most 400 bytes, and no
    /// control character (C code would cut an id at a NUL: two ids would become one).
    public static func idProblem(_ id: String) -> String? {
        if id.isEmpty || id.count > maxIDCharacters || id.utf8.count > maxIDBytes {
            return "1 to \(maxIDCharacters) characters (at most \(maxIDBytes) bytes)"
        }
        if id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "without control characters (such as NUL)"
        }
        return nil
    }
}

extension Change {
    /// Why this change breaks the protocol's bounds (its id, its timestamps or its value), with
    /// the details a refusal carries, or nil.
    public var boundsProblem: (reason: String, details: RefusalDetails)? {
        if let problem = ProtocolBounds.idProblem(recordID) {
            return ("record ids are \(problem) (\(recordType.rawValue))", RefusalDetails(recordType: recordType.rawValue, problem: "id"))
        }
        for stamp in [hlc] + (base.map { [$0] } ?? []) where stamp.replica.rawValue.utf8.count > ProtocolBounds.maxTimestampReplicaBytes {
            return ("a timestamp names a replica of more than \(ProtocolBounds.maxTimestampReplicaBytes) characters (\(recordType.rawValue))",
                    RefusalDetails(recordType: recordType.rawValue, recordID: recordID, problem: "id"))
        }
        guard let problem = recordType.problem(field: field, value: value) else { return nil }
        return (problem, RefusalDetails(recordType: recordType.rawValue, recordID: recordID, field: field, problem: "value"))
    }

    /// Why this change breaks the protocol's bounds, or nil.
    public var problem: String? { boundsProblem?.reason }
}

extension ChangeSet {
    /// Why this change set breaks the protocol's bounds whatever the server holds (its id, its
    /// replica and every one of its changes), with the details a refusal carries, or nil.
    public var boundsProblem: (reason: String, details: RefusalDetails)? {
        if let problem = ProtocolBounds.idProblem(id) { return ("a change set id is \(problem)", RefusalDetails(problem: "id")) }
        if let problem = ProtocolBounds.idProblem(replica.rawValue) {
            return ("a change set's replica is \(problem)", RefusalDetails(problem: "id"))
        }
        for change in changes {
            if let problem = change.boundsProblem { return problem }
        }
        return nil
    }
}
