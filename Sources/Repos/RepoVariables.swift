/// dnf's `$name`, `${name}`, `${name:-default}` and `${name:+alternative}` substitution in `.repo` values.
enum RepoVariables {
    /// A variable that has no value; carries its name.
    struct Unknown: Error {
        var name: String
    }

    static func substitute(_ text: String, _ variables: [String: String]) throws(Unknown) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count else {
                out.append(chars[i])
                i += 1
                continue
            }
            if chars[i + 1] == "{", let close = closingBrace(chars, from: i + 2) {
                let inner = chars[(i + 2)..<close]
                let name = String(inner.prefix(while: isNameChar))
                let rest = String(inner.dropFirst(name.count))
                if name.isEmpty {
                    out.append(contentsOf: String(chars[i...close]))
                } else if rest.isEmpty {
                    guard let value = variables[name] else { throw Unknown(name: name) }
                    out += value
                } else if rest.hasPrefix(":-") {
                    let value = variables[name] ?? ""
                    out += value.isEmpty ? try substitute(String(rest.dropFirst(2)), variables) : value
                } else if rest.hasPrefix(":+") {
                    let value = variables[name] ?? ""
                    out += value.isEmpty ? "" : try substitute(String(rest.dropFirst(2)), variables)
                } else {
                    // Not a form dnf expands: keep it as written.
                    out.append(contentsOf: String(chars[i...close]))
                }
                i = close + 1
                continue
            }
            let name = String(chars[(i + 1)...].prefix(while: isNameChar))
            if name.isEmpty {
                out.append("$")
                i += 1
                continue
            }
            guard let value = variables[name] else { throw Unknown(name: name) }
            out += value
            i += 1 + name.count
        }
        return out
    }

    private static func isNameChar(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_")
    }

    /// The index of the `}` matching a `${` whose body starts at `start`, allowing nested `${...}`.
    private static func closingBrace(_ chars: [Character], from start: Int) -> Int? {
        var depth = 1
        var i = start
        while i < chars.count {
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" {
                depth += 1
                i += 2
                continue
            }
            if chars[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }
}
