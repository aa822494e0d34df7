/// Pretty-printed JSON written straight into its bytes as the document is walked, laid out as
/// Foundation's JSONEncoder lays it out (`.prettyPrinted`, `.withoutEscapingSlashes`): a report
/// of thousands of packages costs no tree of encoded values first. The caller writes the members
/// of each object in sorted key order.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// Whether the innermost open object or array has no member yet.
    private var empty = true

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// An object whose members `members` writes.
    mutating func object(_ members: (inout JSONWriter) -> Void) {
        open(UInt8(ascii: "{"))
        members(&self)
        close(UInt8(ascii: "}"))
    }

    /// An array of what `element` writes for each item.
    mutating func array<Items: Sequence>(_ items: Items, _ element: (inout JSONWriter, Items.Element) -> Void) {
        open(UInt8(ascii: "["))
        for item in items {
            startMember()
            element(&self, item)
        }
        close(UInt8(ascii: "]"))
    }

    /// An array of strings.
    mutating func array(_ items: [String]) {
        array(items) { $0.string($1) }
    }

    /// The member `key` of the current object; `value` writes its value.
    mutating func member(_ key: String, _ value: (inout JSONWriter) -> Void) {
        startMember()
        string(key)
        append(" : ")
        value(&self)
    }

    mutating func member(_ key: String, _ value: String) { member(key) { $0.string(value) } }

    mutating func member(_ key: String, _ value: Int) { member(key) { $0.number(value) } }

    mutating func member(_ key: String, _ value: Int64) { member(key) { $0.number(value) } }

    /// Left out when nil, as an encoder leaves out an absent optional.
    mutating func member(_ key: String, _ value: String?) {
        if let value { member(key, value) }
    }

    mutating func member(_ key: String, _ value: Int?) {
        if let value { member(key, value) }
    }

    mutating func member(_ key: String, _ values: [String]) { member(key) { $0.array(values) } }

    mutating func number<N: BinaryInteger>(_ value: N) { append(String(value)) }

    /// A string, escaped as JSONEncoder escapes it: quote, backslash and control characters.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copied whole.
        let plain = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var text = value
        text.withUTF8 { utf8 in
            var start = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x08: append("\\b")
                case 0x09: append("\\t")
                case 0x0A: append("\\n")
                case 0x0C: append("\\f")
                case 0x0D: append("\\r")
                default:
                    append("\\u00")
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        empty = true
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        // An empty container still gets its line break, and a blank line inside.
        if empty { bytes.append(UInt8(ascii: "\n")) }
        newline()
        bytes.append(bracket)
        empty = false
    }

    private mutating func startMember() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        newline()
        empty = false
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }
}
