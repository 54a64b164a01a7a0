import Foundation
import XCTest
@testable import KetteProtocol

/// The hand-written JSON path must read and write exactly what the Codable types do.
final class JSONReaderTests: XCTestCase {
    let replica = ReplicaID(rawValue: "5b23d5c76a124f71b6602429308ddac9")

    func page() -> PullPage {
        let hlc = HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 7, replica: replica)
        let values: [FieldValue] = [.string("Sprachförderung \"Kita\"\n\t\\ 😀"), .null, .integer(-42), .bool(true), .list([]), .list(["de", "tr"])]
        let changes = values.enumerated().map { index, value in
            PulledChange(seq: Int64(index + 1), change: Change(recordType: index % 2 == 0 ? .offer : .agendaItem, recordID: "r\(index)",
                                                               field: "f\(index)", value: value, hlc: hlc, base: index % 3 == 0 ? nil : hlc),
                         author: index % 2 == 0 ? "anna" : nil)
        }
        return PullPage(changes: changes, cursor: 99, more: true, serverTime: 1_763_900_000_123)
    }

    func testWriterOutputDecodesWithJSONDecoderAndReader() throws {
        let original = page()
        var writer = PullPageWriter()
        for pulled in original.changes {
            writer.append(seq: pulled.seq, type: pulled.change.recordType.rawValue, id: pulled.change.recordID, field: pulled.change.field,
                          valueJSON: pulled.change.value.jsonText, hlc: pulled.change.hlc.encoded, base: pulled.change.base?.encoded,
                          author: pulled.author)
        }
        let bytes = writer.finish(cursor: original.cursor, more: original.more, serverTime: original.serverTime)
        let viaFoundation = try JSONDecoder().decode(PullPage.self, from: Data(bytes))
        let viaReader = try PullPage.decode(json: bytes)
        for decoded in [viaFoundation, viaReader] {
            XCTAssertEqual(decoded.changes, original.changes)
            XCTAssertEqual(decoded.cursor, 99)
            XCTAssertTrue(decoded.more)
            XCTAssertEqual(decoded.serverTime, original.serverTime)
        }
    }

    func testReaderAcceptsWhatJSONEncoderWrites() throws {
        let original = page()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let decoded = try PullPage.decode(json: Array(try encoder.encode(original)))
        XCTAssertEqual(decoded.changes, original.changes)
    }

    func testReaderRejectsMalformedInputWithAPosition() {
        let bad: [String] = [
            #"{"changes":[],"cursor":1,"more":false"#,                       // truncated
            #"{"changes":[],"cursor":1.5,"more":false,"serverTime":1}"#,      // fraction
            #"{"changes":[],"cursor":01,"more":false,"serverTime":1}"#,       // leading zero
            #"{"changes":[],"cursor":1,"more":maybe,"serverTime":1}"#,
            #"{"changes":[],"cursor":1,"more":false}"#,                       // missing key
            #"{"changes":[{"seq":1,"type":"spaceship","id":"x","field":"f","value":1,"hlc":"000000000000001-0000-a"}],"cursor":1,"more":false,"serverTime":1}"#,
            #"{"changes":[{"seq":1,"type":"offer","id":"x","field":"f","value":1.5,"hlc":"000000000000001-0000-a"}],"cursor":1,"more":false,"serverTime":1}"#,
            #"{"changes":[{"seq":1,"type":"offer","id":"x","field":"f","value":"\ud800","hlc":"000000000000001-0000-a"}],"cursor":1,"more":false,"serverTime":1}"#,
            #"{"changes":[],"cursor":99999999999999999999,"more":false,"serverTime":1}"#,
            #"{"changes":[],"cursor":1,"more":false,"serverTime":1} x"#,
        ]
        for text in bad {
            XCTAssertThrowsError(try PullPage.decode(json: Array(text.utf8)), text) { error in
                XCTAssertTrue(error is JSONReader.Failure, "\(error)")
            }
        }
        XCTAssertThrowsError(try PullPage.decode(json: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), "invalid UTF-8") { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.message, "a string is not valid UTF-8", "\(error)")
        }
    }

    func testStringsWithEscapesAndUnicode() throws {
        var reader = JSONReader(Array(#"["a\u00fc\ud83d\ude00\/\"", "Übergang"]"#.utf8))
        var strings: [String] = []
        try reader.readArray { strings.append(try $0.readString()) }
        XCTAssertEqual(strings, ["aü😀/\"", "Übergang"])
    }

    /// Strings are read byte for byte when they are valid UTF-8, and every kind of invalid UTF-8
    /// is refused, with and without escapes in the same string (two paths in `readString`).
    func testStringsAreExactUTF8AndInvalidUTF8IsRefusedOnBothPaths() throws {
        func read(_ inner: [UInt8]) throws -> String {
            var reader = JSONReader([UInt8(ascii: "\"")] + inner + [UInt8(ascii: "\"")])
            return try reader.readString()
        }
        let valid = ["", "plain", "Übergänge für Familien", "😀 \u{FFFD} literal replacement", "ß", "\u{10FFFF}", "\u{7F}"]
        for text in valid {
            XCTAssertEqual(Array(try read(Array(text.utf8)).utf8), Array(text.utf8), text)
            XCTAssertEqual(try read(Array(#"\t"#.utf8) + Array(text.utf8)), "\t" + text, text)
        }
        let invalid: [(String, [UInt8])] = [
            ("lone continuation byte", [0x80]), ("lead byte at the end", [0x61, 0xC3]), ("lead byte before ASCII", [0xC3, 0x28]),
            ("overlong slash", [0xC0, 0xAF]), ("overlong three bytes", [0xE0, 0x80, 0xAF]), ("UTF-16 surrogate", [0xED, 0xA0, 0x80]),
            ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("truncated four bytes", [0xF0, 0x9F, 0x98]), ("never a UTF-8 byte", [0xFF]),
        ]
        for (name, bytes) in invalid {
            for inner in [bytes, Array("Kita ".utf8) + bytes, Array(#"\n"#.utf8) + bytes, bytes + Array(#"\"x"#.utf8)] {
                XCTAssertThrowsError(try read(inner), name) { error in
                    XCTAssertEqual((error as? JSONReader.Failure)?.message, "a string is not valid UTF-8", "\(name): \(error)")
                }
            }
        }
    }
}

extension JSONReaderTests {
    func pushRequest() -> PushRequest {
        let hlc = HLCTimestamp(physicalMilliseconds: 1_763_900_000_000, counter: 3, replica: replica)
        return PushRequest(changeSets: [
            ChangeSet(id: "cs-1", replica: replica, author: "Anna Müller", summary: "offer add", changes: [
                Change(recordType: .offer, recordID: "o1", field: "title", value: .string("Elterncafé \"Nord\"\n"), hlc: hlc, base: nil),
                Change(recordType: .offer, recordID: "o1", field: "phases", value: .list(["preschool"]), hlc: hlc, base: hlc),
                Change(recordType: .agendaItem, recordID: "a1", field: "position", value: .integer(2), hlc: hlc, base: nil),
                Change(recordType: .offer, recordID: "o1", field: "deleted", value: .bool(false), hlc: hlc, base: nil),
                Change(recordType: .offer, recordID: "o1", field: "contact", value: .null, hlc: hlc, base: nil),
            ]),
            ChangeSet(id: "cs-2", replica: replica, author: nil, schemaVersion: 2, summary: "leer", changes: []),
        ])
    }

    func testPushWriterMatchesCodableBothWays() throws {
        let original = pushRequest()
        let written = original.encodeJSON()
        XCTAssertEqual(try JSONDecoder().decode(PushRequest.self, from: Data(written)).changeSets, original.changeSets)
        XCTAssertEqual(try PushRequest.decode(json: written).changeSets, original.changeSets)
        XCTAssertEqual(try PushRequest.decode(json: Array(try JSONEncoder().encode(original))).changeSets, original.changeSets)
    }

    func testPushReaderNamesTheKindOfProblem() {
        func problem(_ text: String) -> PushRequest.DecodingProblem? {
            do { _ = try PushRequest.decode(json: Array(text.utf8)); return nil } catch { return error }
        }
        guard case .syntax? = problem(#"{"changeSets": ["#) else { return XCTFail("truncated JSON is a syntax problem") }
        guard case .syntax? = problem(#"{"changeSets": [], }"#) else { return XCTFail("a trailing comma is a syntax problem") }
        guard case .shape? = problem(#"{"changeSets": "many"}"#) else { return XCTFail("a wrong type is a shape problem") }
        guard case .shape? = problem(#"{}"#) else { return XCTFail("a missing key is a shape problem") }
        guard case .unknownKey(let key, _, _)? = problem(#"{"changeSets": [], "sudo": 1.5e3}"#), key == "sudo" else {
            return XCTFail("an unknown key is named")
        }
        guard case .unknownKey(let nested, let place, _)? = problem(#"{"changeSets":[{"id":"x","replica":"a","schemaVersion":1,"summary":"s","changes":[{"type":"offer","id":"1","field":"title","value":"x","hlc":"000000000000001-0000-a","colour":"red"}]}]}"#) else {
            return XCTFail("a nested unknown key is named")
        }
        XCTAssertEqual(nested, "colour")
        XCTAssertEqual(place, "changeSets[0].changes[0]")
        XCTAssertNil(problem(#"{"changeSets": []}"#))
    }

    func testAFieldValueReadsBackFromItsOwnJSONText() throws {
        let values: [FieldValue] = [.null, .bool(true), .bool(false), .integer(0), .integer(-42), .integer(.max), .integer(.min),
                                    .string(""), .string("Süd \"Stadt\"\\ \n\t\u{1} 😀"), .list([]), .list(["a", "b,c", "\"q\""])]
        for value in values {
            XCTAssertEqual(try FieldValue(jsonText: value.jsonText), value, value.jsonText)
            // The reader agrees with Codable, which the wire uses.
            XCTAssertEqual(try JSONDecoder().decode(FieldValue.self, from: Data(value.jsonText.utf8)), value)
        }
        XCTAssertEqual(try FieldValue(jsonText: " [ \"x\" ] "), .list(["x"]), "white space around the value is JSON")
    }

    func testStoredJSONTextThatIsNotOneFieldValueIsRefusedWithAPosition() {
        for text in ["", "nul", "\"open", "1.5", "1e3", "99999999999999999999", "{\"a\":1}", "[1]", "[[\"a\"]]", "\"a\" \"b\"", "null x"] {
            XCTAssertThrowsError(try FieldValue(jsonText: text), text) { error in
                XCTAssertNotNil(error as? JSONReader.Failure, "\(text): \(error)")
            }
        }
        XCTAssertThrowsError(try FieldValue(jsonText: "\"a\" 7")) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.message, "unexpected content after the document")
        }
    }

    func testAStoredListReadsAsItsStringsAndAnythingElseAsEmpty() {
        XCTAssertEqual(FieldValue.storedList(#"["preschool","primary"]"#), ["preschool", "primary"])
        XCTAssertEqual(FieldValue.storedList("[]"), [])
        XCTAssertEqual(FieldValue.storedList(nil), [])
        XCTAssertEqual(FieldValue.storedList(#""primary""#), [], "a string is no list")
        XCTAssertEqual(FieldValue.storedList("[\"x\""), [], "a damaged list reads as empty instead of failing the read")
    }
    /// SPEC §5.4: `1.0` is read as 1; a real fraction is not a whole number (issue 12.11).
    func testWholeNumbersWrittenWithAFractionOrExponentAreReadExactly() throws {
        let whole: [(String, Int64)] = [("1.0", 1), ("12.000", 12), ("-0.0", 0), ("0e5", 0), ("1e3", 1000), ("2.50e1", 25),
                                        ("100e-2", 1), ("9223372036854775807.0", .max), ("-9223372036854775808.00", .min),
                                        ("0.00000e-99999", 0)]
        for (text, expected) in whole {
            var reader = JSONReader(Array(text.utf8))
            reader.acceptsWholeNumbersWithFractions = true
            XCTAssertEqual(try reader.readInteger(), expected, text)
            XCTAssertNoThrow(try reader.finish(), text)
        }
        let refused: [(String, String)] = [("1.5", "not a fraction"), ("25e-1", "not a fraction"), ("1e-99999", "not a fraction"),
                                           ("9223372036854775808.0", "out of range"), ("1e19", "out of range"), ("1e99999999999", "out of range")]
        for (text, reason) in refused {
            var reader = JSONReader(Array(text.utf8))
            reader.acceptsWholeNumbersWithFractions = true
            XCTAssertThrowsError(try reader.readInteger(), text) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(text): \(error)")
            }
        }
        var field = JSONReader(Array("7.0".utf8))
        field.acceptsWholeNumbersWithFractions = true
        XCTAssertEqual(try field.readFieldValue(), .integer(7), "a field value too")
        // Stored values are read strictly: they were written canonically, so `1.0` there is damage.
        var stored = JSONReader(Array("1.0".utf8))
        XCTAssertThrowsError(try stored.readInteger())
    }

    /// SPEC §4: a bare scalar is not JSON the protocol accepts (invalid_json); an array is the wrong shape.
    func testAPushThatIsABareScalarIsASyntaxProblem() {
        for text in ["3", "\"x\"", "null", " true "] {
            XCTAssertThrowsError(try PushRequest.decode(json: Array(text.utf8))) { error in
                guard case .syntax = error as? PushRequest.DecodingProblem else { return XCTFail("\(text): \(error)") }
            }
        }
        XCTAssertThrowsError(try PushRequest.decode(json: Array("[]".utf8))) { error in
            guard case .shape = error as? PushRequest.DecodingProblem else { return XCTFail("[]: \(error)") }
        }
    }
}
