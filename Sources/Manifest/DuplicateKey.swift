import Foundation

/// Locates a repeated mapping key in block-style YAML text.
///
/// Yams rejects a repeated key before any tree exists and reports only the first occurrence,
/// so the repeat and its key path are recovered from the text (indentation and `key:`).
extension ManifestError {
    /// A `.duplicate` error at the repeat of `key` when it can be found, else at its first occurrence.
    static func duplicateKey(_ key: String, firstAt first: Position, yaml: String, file: String) -> ManifestError {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let indent = first.column - 1
        let parent = parentPath(lines: lines, line: first.line - 1, indent: indent)
        let keyPath = parent.isEmpty ? key : "\(parent).\(key)"
        let what = parent == "extensions" ? "extension '\(key)' is defined twice" : "key '\(key)' is repeated"
        for index in first.line..<max(first.line, lines.count) {
            let line = lines[index]
            guard let start = line.firstIndex(where: { $0 != " " }), line[start] != "#" else { continue }
            if start < indent { break }  // left the mapping
            if start == indent, keyName(in: line, from: start) == key {
                return ManifestError(
                    file: file, line: index + 1, column: start + 1, key: keyPath, reason: .duplicate,
                    message: "\(what) (first at line \(first.line)); merge the two or remove one")
            }
        }
        return ManifestError(
            file: file, line: first.line, column: first.column, key: keyPath, reason: .duplicate,
            message: "\(what) in the same mapping; merge the two or remove one")
    }

    /// The dotted path of the mapping holding a key at `indent` on `line`, from less indented `name:` lines above.
    private static func parentPath(lines: [[Unicode.Scalar]], line: Int, indent: Int) -> String {
        var names: [String] = []
        var limit = indent
        var index = min(line, lines.count) - 1
        while index >= 0, limit > 0 {
            let text = lines[index]
            if let start = text.firstIndex(where: { $0 != " " }), text[start] != "#", start < limit,
                let name = keyName(in: text, from: start)
            {
                names.insert(name, at: 0)
                limit = start
            }
            index -= 1
        }
        return names.joined(separator: ".")
    }

    /// The key of a `key:` line (quotes removed), or nil when the line holds no simple key.
    private static func keyName(in line: [Unicode.Scalar], from start: Int) -> String? {
        var text = String(String.UnicodeScalarView(line[start...]))
        guard let colon = text.firstIndex(of: ":") else { return nil }
        text = String(text[..<colon]).trimmingCharacters(in: .whitespaces)
        if text.count >= 2, let quote = text.first, quote == "\"" || quote == "'", text.last == quote {
            text = String(text.dropFirst().dropLast())
        }
        return text.isEmpty || text.hasPrefix("-") ? nil : text
    }
}
