import Foundation
import Testing

@testable import Report

/// The check report is written without JSONEncoder; what it writes must be what JSONEncoder
/// writes (pretty-printed, sorted keys, slashes as they are), byte for byte.
@Suite("JSON written as it is walked")
struct JSONWriterTests {
    struct Inner: Encodable {
        let list: [String]
        let empty: [String]
        let nested: [[String]]
        let number: Int
        let missing: String?
    }

    struct Outer: Encodable {
        let a: String
        let b: [Inner]
        let c: Int64
        let d: String?
        let z: [Inner]
    }

    /// Every ASCII byte, DEL, and characters outside ASCII (two-, three- and four-byte ones,
    /// and the line separators JavaScript does not allow raw).
    static let awkward: String = {
        var text = ""
        for byte in 0..<128 { text.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        return text + "é€😀\u{2028}\u{2029}\u{7f}\u{80}\u{9f} /path/with/slashes \"quoted\" back\\slash"
    }()

    static func write(_ value: Outer) -> String {
        var json = JSONWriter()
        func inner(_ json: inout JSONWriter, _ item: Inner) {
            json.object { json in
                json.member("empty", item.empty)
                json.member("list", item.list)
                json.member("missing", item.missing)
                json.member("nested") { json in json.array(item.nested) { $0.array($1) } }
                json.member("number", item.number)
            }
        }
        json.object { json in
            json.member("a", value.a)
            json.member("b") { json in json.array(value.b, inner) }
            json.member("c", value.c)
            json.member("d", value.d)
            json.member("z") { json in json.array(value.z, inner) }
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func writesWhatJSONEncoderWrites() throws {
        let value = Outer(
            a: Self.awkward,
            b: [Inner(list: ["x", Self.awkward, ""], empty: [], nested: [[], ["a", "b"], []], number: -7, missing: nil),
                Inner(list: [], empty: [], nested: [], number: Int.max, missing: "here")],
            c: Int64.min, d: nil, z: [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(Self.write(value) == expected)
    }

    @Test func readsBackAsWritten() throws {
        let value = Outer(a: Self.awkward, b: [], c: 1, d: "d", z: [])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.write(value).utf8)) as? [String: Any])
        #expect(object["a"] as? String == Self.awkward)
        #expect(object["d"] as? String == "d")
    }
}
