import Foundation
import SystemPackage
import Yams

/// A value of a treefile variable (`variables:`, `basearch`, `releasever`), as conditions compare them.
enum Variable: Equatable, CustomStringConvertible {
    case bool(Bool), number(UInt64), string(String)

    var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        }
    }

    func sameType(as other: Variable) -> Bool {
        switch (self, other) {
        case (.bool, .bool), (.number, .number), (.string, .string): true
        default: false
        }
    }
}

/// Reads one treefile and its includes, depth first, refusing loops as rpm-ostree does.
struct Reader {
    let basearch: String
    /// Every file read so far, by device and inode: rpm-ostree refuses to read one twice.
    var seen: [String: FilePath] = [:]
    /// The chain of files being read, for the message of a loop.
    var stack: [FilePath] = []

    init(basearch: String) {
        self.basearch = basearch
    }

    mutating func read(_ path: FilePath, depth: Int, variables inherited: [String: Variable]) throws(TreefileError) -> Fragment {
        let file = path.string
        func fail(_ message: String) -> TreefileError { TreefileError(file: file, message: message) }
        var info = stat()
        guard stat(file, &info) == 0 else {
            throw fail("cannot be read: \(String(cString: strerror(errno)))" + (stack.last.map { " (included by \($0))" } ?? ""))
        }
        let identity = "\(info.st_dev):\(info.st_ino)"
        if let earlier = seen[identity] {
            if stack.contains(where: { Self.identity(of: $0) == identity }) {
                throw fail("include loop: " + (stack + [path]).map(\.string).joined(separator: " -> "))
            }
            throw fail("already included (as \(earlier)); rpm-ostree reads each file once and refuses this as an include loop")
        }
        seen[identity] = path
        stack.append(path)
        defer { stack.removeLast() }

        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw fail("cannot be read as UTF-8 text")
        }
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch {
            throw fail("not valid \(file.hasSuffix(".yaml") || file.hasSuffix(".yml") ? "YAML" : "JSON"): \(error)")
        }
        guard let root = document as? [String: Any] else { throw fail("is not a mapping of treefile keys") }

        if let arch = root["basearch"] {
            guard let arch = arch as? String else { throw fail("'basearch' must be a string") }
            guard arch == basearch else {
                throw fail("is for basearch \(arch), not \(basearch): cross-composes are not supported")
            }
        }
        var own = try fragment(root, file: file)
        // Variables: this file's, with basearch and its releasever, then the including files' (which win).
        var variables: [String: Variable] = [:]
        if let declared = root["variables"] {
            guard let declared = declared as? [String: Any] else { throw fail("'variables' must be a mapping") }
            for (name, value) in declared {
                guard name != "basearch", name != "releasever" else {
                    throw fail("cannot define reserved variable '\(name)'")
                }
                variables[name] = try Self.variable(value, name: "variables.\(name)", file: file)
            }
        }
        variables["basearch"] = .string(basearch)
        if let releasever = root["releasever"] { variables["releasever"] = try Self.variable(releasever, name: "releasever", file: file) }
        variables.merge(inherited) { _, parent in parent }

        var includes = try Self.paths(root["include"], key: "include", file: file)
        if let archIncludes = root["arch-include"] {
            guard let map = archIncludes as? [String: Any] else { throw fail("'arch-include' must map arches to files") }
            includes += try Self.paths(map[basearch], key: "arch-include.\(basearch)", file: file)
        }
        if let conditionals = root["conditional-include"] {
            guard let list = conditionals as? [Any] else { throw fail("'conditional-include' must be a list") }
            for (n, item) in list.enumerated() {
                let key = "conditional-include[\(n)]"
                guard let entry = item as? [String: Any], let condition = entry["if"], let include = entry["include"] else {
                    throw fail("\(key) must have 'if' and 'include'")
                }
                let conditions: [Any] = (condition as? [Any]) ?? [condition]
                var holds = true
                // Every condition is evaluated, so a mistake is reported even after a false one.
                for text in conditions {
                    guard let text = text as? String else { throw fail("\(key).if: a condition is a string like 'basearch == \"x86_64\"'") }
                    holds = try Condition(parsing: text, key: "\(key).if", file: file).holds(in: variables, key: "\(key).if", file: file) && holds
                }
                guard holds else { continue }
                if let inline = include as? [String: Any] {
                    own.merge(try fragment(inline, file: file))
                } else {
                    includes += try Self.paths(include, key: "\(key).include", file: file)
                }
            }
        }
        for include in includes {
            guard depth < Treefile.maximumDepth else { throw fail("includes nest deeper than \(Treefile.maximumDepth) files") }
            let parent = path.removingLastComponent()
            let target = FilePath(include).isAbsolute ? FilePath(include) : (parent.isEmpty ? FilePath(".") : parent).pushing(FilePath(include))
            own.merge(try read(target, depth: depth + 1, variables: variables))
        }
        return own
    }

    /// The repo fields of one file (or of an inline conditional include).
    func fragment(_ map: [String: Any], file: String) throws(TreefileError) -> Fragment {
        var result = Fragment()
        if let repos = map["repos"] {
            guard let list = repos as? [Any], list.allSatisfy({ $0 is String }) else {
                throw TreefileError(file: file, message: "'repos' must be a list of repo ids")
            }
            result.repos = list.compactMap { $0 as? String }
        }
        if let releasever = map["releasever"] {
            switch try Self.variable(releasever, name: "releasever", file: file) {
            case .string(let text): result.releasever = text
            case .number(let number): result.releasever = "\(number)"
            case .bool: throw TreefileError(file: file, message: "'releasever' must be a string or a number")
            }
        }
        if let vars = map["repovars"] {
            guard let table = vars as? [String: Any] else {
                throw TreefileError(file: file, message: "'repovars' must map names to strings")
            }
            for (name, value) in table {
                guard name != "releasever", name != "basearch" else {
                    throw TreefileError(file: file, message: "repovars cannot set '\(name)'; use the 'releasever' key")
                }
                guard let text = value as? String else {
                    throw TreefileError(file: file, message: "repovars.\(name) must be a string")
                }
                result.repovars[name] = text
            }
        }
        return result
    }

    /// `include`-like values: one path or a list of paths.
    static func paths(_ value: Any?, key: String, file: String) throws(TreefileError) -> [String] {
        guard let value else { return [] }
        if let one = value as? String { return [one] }
        if let list = value as? [Any], list.allSatisfy({ $0 is String }) { return list.compactMap { $0 as? String } }
        throw TreefileError(file: file, message: "'\(key)' must be a file name or a list of file names")
    }

    /// A YAML or JSON scalar as a variable: a bool, a whole number or a string.
    static func variable(_ value: Any, name: String, file: String) throws(TreefileError) -> Variable {
        switch value {
        case let flag as Bool: return .bool(flag)
        case let number as Int where number >= 0: return .number(UInt64(number))
        case let text as String: return .string(text)
        default:
            throw TreefileError(file: file, message: "'\(name)' must be true/false, a whole number or a string "
                + "(quote values like \"9.6\")")
        }
    }

    static func identity(of path: FilePath) -> String? {
        var info = stat()
        guard stat(path.string, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}

/// One `conditional-include` condition: `variable op value`, as rpm-ostree writes them.
struct Condition {
    enum Operator: String { case equal = "==", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=" }
    let variable: String
    let op: Operator
    let value: Variable

    /// Parses `name OP value`, the value `true`, `false`, a whole number or a double-quoted string.
    init(parsing text: String, key: String, file: String) throws(TreefileError) {
        func fail() -> TreefileError {
            TreefileError(file: file, message: "\(key): invalid condition '\(text)'; write it as 'name == \"value\"' "
                + "(operators ==, !=, >, >=, <, <=; values true, false, numbers or \"strings\")")
        }
        var rest = Substring(text).drop { $0.isWhitespace }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty else { throw fail() }
        rest = rest.dropFirst(name.count).drop { $0.isWhitespace }
        let symbol = rest.prefix { !$0.isWhitespace }
        guard let op = Operator(rawValue: String(symbol)) else { throw fail() }
        let literal = rest.dropFirst(symbol.count).trimmingCharacters(in: .whitespaces)
        let value: Variable
        if literal == "true" { value = .bool(true) }
        else if literal == "false" { value = .bool(false) }
        else if !literal.isEmpty, literal.allSatisfy(\.isNumber), let number = UInt64(literal) { value = .number(number) }
        else if literal.count >= 2, literal.hasPrefix("\""), literal.hasSuffix("\"") { value = .string(String(literal.dropFirst().dropLast())) }
        else { throw fail() }
        variable = String(name)
        self.op = op
        self.value = value
    }

    /// Whether the condition holds; an undefined variable or a type mismatch is an error, as in rpm-ostree.
    func holds(in variables: [String: Variable], key: String, file: String) throws(TreefileError) -> Bool {
        guard let actual = variables[variable] else {
            throw TreefileError(file: file, message: "\(key): undefined variable '\(variable)'; define it under 'variables:'")
        }
        guard actual.sameType(as: value) else {
            throw TreefileError(file: file, message: "\(key): \(variable) is \(actual), not of the same type as \(value)")
        }
        switch op {
        case .equal: return actual == value
        case .notEqual: return actual != value
        default:
            guard case .number(let a) = actual, case .number(let b) = value else {
                throw TreefileError(file: file, message: "\(key): \(op.rawValue) compares numbers only")
            }
            switch op {
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            case .less: return a < b
            default: return a <= b
            }
        }
    }
}
