import Foundation
import Yams

/// A mapping entry: the key node (for "missing"/"empty" positions) and its value.
struct Field {
    /// The key as written.
    let key: Node
    /// The value under the key.
    let value: Node
}

extension DocumentReader {
    /// The fields of a mapping by name, reporting keys outside `allowed` and merge keys.
    mutating func readKeys(of mapping: Node.Mapping, path: String, allowed: [String], owner: String)
        -> [String: Field]
    {
        var fields: [String: Field] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyName(keyNode, path: path) else { continue }
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                report(.unsupported, at: Position(keyNode), key: keyPath,
                       "merge keys ('<<') are not supported; write the keys out in full")
            } else if allowed.contains(name) {
                fields[name] = Field(key: keyNode, value: value)
            } else {
                report(.unknownKey, at: Position(keyNode), key: keyPath,
                       "unknown key '\(name)' \(owner)\(Suggestion.hint(for: name, in: allowed)) "
                           + "(allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        return fields
    }

    /// The text of a mapping key, or nil (reported) when the key is a list or mapping.
    mutating func keyName(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar else {
            report(.wrongType, at: Position(node), key: path,
                   "a key must be a plain name, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A non-empty list of non-empty, distinct strings; nil (reported) unless every item is a string.
    mutating func stringList(_ field: Field, path: String) -> [String]? {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if isNull(field.value) {
            report(.empty, at: Position(field.key), key: path,
                   "'\(name)' has no value; list at least one item or remove the key")
            return nil
        }
        guard case let .sequence(items) = field.value else {
            var advice = ""
            if let text = field.value.scalar?.string { advice = "; write '\(name): [\(text)]'" }
            report(.wrongType, at: Position(field.value), key: path,
                   "'\(name)' must be a list, found \(describe(field.value))\(advice)")
            return nil
        }
        if items.isEmpty {
            report(.empty, at: Position(field.value), key: path,
                   "'\(name)' is an empty list; list at least one item or remove the key")
            return nil
        }
        var values: [String] = []
        var firstLine: [String: Int] = [:]
        var complete = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = text(of: item, path: itemPath, what: "an item of '\(name)'") else {
                complete = false
                continue
            }
            if let line = firstLine[text] {
                report(.duplicate, at: Position(item), key: itemPath,
                       "'\(text)' is listed twice in '\(name)' (first at line \(line)); remove one")
            } else {
                firstLine[text] = Position(item).line
            }
            values.append(text)
        }
        return complete ? values : nil
    }

    /// A single non-empty string value; nil (reported) otherwise.
    mutating func string(_ field: Field, path: String) -> String? {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if isNull(field.value) {
            report(.empty, at: Position(field.key), key: path, "'\(name)' has no value; give one or remove the key")
            return nil
        }
        return text(of: field.value, path: path, what: "'\(name)'")
    }

    /// The text of a string scalar; reports lists, mappings, numbers, booleans and empty text.
    mutating func text(of node: Node, path: String, what: String) -> String? {
        if isNull(node) {
            report(.empty, at: Position(node), key: path, "\(what) is empty; remove it or fill it in")
            return nil
        }
        guard let scalar = node.scalar, node.tag.rawValue == Tag.Name.str.rawValue else {
            let quote = node.scalar == nil ? "" : "; quote it if it is meant as text"
            report(.wrongType, at: Position(node), key: path,
                   "\(what) must be a string, found \(describe(node))\(quote)")
            return nil
        }
        if scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
            report(.empty, at: Position(node), key: path, "\(what) is an empty string; remove it or fill it in")
            return nil
        }
        return scalar.string
    }

    /// Whether a node is YAML null (`~`, `null` or nothing at all).
    func isNull(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.null.rawValue
    }

    /// A short phrase naming a node's type, for "expected X, found Y" messages.
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return "nothing"
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "the number \(scalar.string)"
            case Tag.Name.bool.rawValue: return "the boolean \(scalar.string)"
            case Tag.Name.str.rawValue: return "the string '\(scalar.string)'"
            default: return "'\(scalar.string)' (\(node.tag.rawValue))"
            }
        }
    }

    /// Why `name` cannot be an extension directory name, or nil when it can.
    static func nameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
        if name.isEmpty { return "an extension name is empty; names become directory names" }
        if name == "." || name == ".." { return "extension name '\(name)' cannot be a directory name; rename it" }
        if name.hasPrefix(".") {
            return "extension name '\(name)' starts with '.', which hides its directory; rename it"
        }
        if let bad = name.first(where: { !allowed.contains($0) }) {
            return "extension name '\(name)' contains '\(bad)'; use only letters, digits, '.', '_', '+' and '-'"
        }
        return nil
    }

    /// Nodes a document may expand to through aliases; real extensions.yaml files have hundreds.
    static let expansionLimit = 100_000

    /// Counts the nodes of the document with every alias expanded, giving up past the limit (so an
    /// alias bomb costs no more than the limit), and reports it when the limit is passed.
    mutating func withinExpansionLimit(_ root: Node) -> Bool {
        var budget = Self.expansionLimit
        var stack = [root]
        while let node = stack.popLast() {
            budget -= 1
            if budget < 0 {
                report(.tooLarge, at: Position(line: 1, column: 1), key: "",
                       "with its aliases expanded the document has more than \(Self.expansionLimit) values "
                           + "(an alias bomb?); write it with fewer aliases")
                return false
            }
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping { stack += [key, value] }
            case let .sequence(sequence):
                stack += sequence
            case .scalar, .alias:
                break
            }
        }
        return true
    }
}
