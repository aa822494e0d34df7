/// A JSON value whose objects keep their keys in file order, each with the line it starts on.
/// Foundation's JSON readers lose key order, and a base package list must keep it.
indirect enum OrderedJSON: Equatable {
    case object([Member])
    case array([OrderedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// One `"key": value` pair of an object.
    struct Member: Equatable {
        var key: String
        var value: OrderedJSON
        var line: Int
    }

    /// A syntax error at a line.
    struct Failure: Error {
        var line: Int
        var reason: String
    }

    /// Parses a complete JSON document.
    static func parse(_ text: String) throws(Failure) -> OrderedJSON {
        var reader = Reader(bytes: Array(text.utf8))
        let value = try reader.value()
        reader.skipSpace()
        guard reader.pos == reader.bytes.count else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var pos = 0
        var line = 1

        func failure(_ reason: String) -> Failure { Failure(line: line, reason: reason) }

        mutating func skipSpace() {
            while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) {
                if bytes[pos] == 0x0A { line += 1 }
                pos += 1
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == byte else { throw failure("expected \(what)") }
            pos += 1
        }

        mutating func value() throws(Failure) -> OrderedJSON {
            skipSpace()
            guard pos < bytes.count else { throw failure("unexpected end of file") }
            switch bytes[pos] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                let start = pos
                while pos < bytes.count, "+-0123456789.eE".utf8.contains(bytes[pos]) { pos += 1 }
                guard pos > start, Double(String(decoding: bytes[start..<pos], as: UTF8.self)) != nil else {
                    throw failure("expected a value")
                }
                return .number(String(decoding: bytes[start..<pos], as: UTF8.self))
            }
        }

        mutating func literal(_ word: String, _ result: OrderedJSON) throws(Failure) -> OrderedJSON {
            let w = Array(word.utf8)
            guard bytes.count - pos >= w.count, Array(bytes[pos..<(pos + w.count)]) == w else {
                throw failure("expected a value")
            }
            pos += w.count
            return result
        }

        mutating func object() throws(Failure) -> OrderedJSON {
            pos += 1
            var members: [Member] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(members)
            }
            while true {
                skipSpace()
                let keyLine = line
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw failure("expected a \"key\"") }
                let key = try string()
                try expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
                members.append(Member(key: key, value: try value(), line: keyLine))
                skipSpace()
                guard pos < bytes.count else { throw failure("unexpected end of file inside an object") }
                pos += 1
                if bytes[pos - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[pos - 1] == UInt8(ascii: ",") else { throw failure("expected ',' or '}'") }
            }
        }

        mutating func array() throws(Failure) -> OrderedJSON {
            pos += 1
            var items: [OrderedJSON] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            while true {
                items.append(try value())
                skipSpace()
                guard pos < bytes.count else { throw failure("unexpected end of file inside an array") }
                pos += 1
                if bytes[pos - 1] == UInt8(ascii: "]") { return .array(items) }
                guard bytes[pos - 1] == UInt8(ascii: ",") else { throw failure("expected ',' or ']'") }
            }
        }

        mutating func string() throws(Failure) -> String {
            pos += 1
            var out: [UInt8] = []
            while pos < bytes.count {
                let byte = bytes[pos]
                pos += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    out += try escape()
                case 0x00..<0x20:
                    throw failure("control character inside a string")
                default:
                    out.append(byte)
                }
            }
            throw failure("unterminated string")
        }

        mutating func escape() throws(Failure) -> [UInt8] {
            guard pos < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[pos]
            pos += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
            case UInt8(ascii: "b"): return [0x08]
            case UInt8(ascii: "f"): return [0x0C]
            case UInt8(ascii: "n"): return [0x0A]
            case UInt8(ascii: "r"): return [0x0D]
            case UInt8(ascii: "t"): return [0x09]
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), bytes.count - pos >= 6,
                   bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                    pos += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("bad \\u surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("bad \\u escape") }
                return Array(String(Character(unicode)).utf8)
            default:
                throw failure("bad escape '\\\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard bytes.count - pos >= 4,
                  bytes[pos..<(pos + 4)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                  let value = UInt32(String(decoding: bytes[pos..<(pos + 4)], as: UTF8.self), radix: 16) else {
                throw failure("bad \\u escape")
            }
            pos += 4
            return value
        }
    }
}
