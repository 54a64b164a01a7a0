import Foundation
import KetteProtocol

/// The text encodings a spreadsheet's CSV comes in: UTF-8 ("CSV UTF-8", with or without a
/// byte-order mark), and the single-byte encodings German Excel and older programs write for plain
/// "CSV": Windows-1252, or ISO-8859-15 (Latin-9, with the euro sign at 0xA4).
public enum CSVTextEncoding: String, CaseIterable, Sendable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case iso8859_15 = "iso-8859-15"

    /// Names `--encoding` accepts besides the canonical ones.
    public init?(name: String) {
        let wanted = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        switch wanted {
        case "utf8": self = .utf8
        case "windows1252", "cp1252", "win1252", "ansi": self = .windows1252
        case "iso885915", "latin9", "latin0": self = .iso8859_15
        default: return nil
        }
    }

    /// The encoding of `bytes`: UTF-8 when they start with its byte-order mark or are valid UTF-8
    /// (which single-byte text with umlauts practically never is); otherwise Windows-1252, what
    /// German Excel writes, unless the bytes use none of its 0x80–0x9F characters but some of the
    /// eight that ISO-8859-15 puts in place of rare Latin-1 signs (€ Š š Ž ž Œ œ Ÿ instead of
    /// ¤ ¦ ¨ ´ ¸ ¼ ½ ¾): then ISO-8859-15.
    public static func detect(_ bytes: [UInt8]) -> CSVTextEncoding {
        if bytes.starts(with: CSV.byteOrderMark) || String(validating: bytes, as: UTF8.self) != nil { return .utf8 }
        let latin9Only: Set<UInt8> = [0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE]
        if !bytes.contains(where: { (0x80...0x9F).contains($0) }), bytes.contains(where: latin9Only.contains) { return .iso8859_15 }
        return .windows1252
    }

    /// `bytes` as UTF-8 (a UTF-8 file as it is). A byte the encoding does not define is an error
    /// naming the line it is on.
    public func utf8(_ bytes: [UInt8]) throws(CSVError) -> [UInt8] {
        guard self != .utf8 else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for (offset, byte) in bytes.enumerated() {
            guard byte >= 0x80 else { out.append(byte); continue }
            guard let scalar = scalar(byte) else {
                let line = bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                throw CSVError(row: line, kind: .undefinedByte(byte, encoding: rawValue))
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        return out
    }

    private func scalar(_ byte: UInt8) -> Unicode.Scalar? {
        switch self {
        case .utf8: return nil
        case .windows1252:
            guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(UInt32(byte)) }
            return Self.windows1252High[Int(byte) - 0x80].flatMap(Unicode.Scalar.init)
        case .iso8859_15:
            if let replaced = Self.latin9[byte] { return Unicode.Scalar(replaced) }
            return Unicode.Scalar(UInt32(byte))
        }
    }

    /// Windows-1252 0x80–0x9F; nil where the code page defines nothing.
    private static let windows1252High: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    /// Where ISO-8859-15 differs from ISO-8859-1 (whose bytes are the first 256 code points).
    private static let latin9: [UInt8: UInt32] = [
        0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178,
    ]
}

extension CSV {
    /// The separator of a file: whichever of `;`, `,` and tab occurs most often in its first row
    /// outside quotes (`;` when none does: a file of one column).
    public static func detectSeparator(_ bytes: [UInt8]) -> Character {
        let candidates: [Character] = [";", ",", "\t"]  // on a tie, the earlier wins
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        for byte in bytes {
            if byte == Byte.quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == Byte.lineFeed || byte == Byte.carriageReturn { break }
            if let index = candidates.firstIndex(where: { $0.asciiValue == byte }) { counts[index] += 1 }
        }
        return candidates[counts.firstIndex(of: counts.max()!)!]
    }
}
