import Yams

/// A 1-based line and column in the file.
struct Position: Sendable, Hashable {
    /// 1-based line, 0 when unknown.
    let line: Int
    /// 1-based column, 0 when unknown.
    let column: Int
}

extension Position {
    /// Where `node` starts.
    init(_ node: Node) {
        self.init(line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }
}

/// Builds the model from a composed YAML tree, collecting every problem instead of stopping at the first.
struct DocumentReader {
    /// The file name used in problems.
    let file: String
    /// Problems found so far, in the order they were met.
    private(set) var problems: [ManifestError] = []
    /// Where each repo id was written, keyed by its key path (`repos[0]`, `extensions.x.repos[1]`).
    private(set) var repoPositions: [String: Position] = [:]

    /// Keys allowed at the top level.
    static let topLevelKeys = ["repos", "modules", "extensions"]
    /// Keys allowed in an extension.
    static let extensionKeys = ["packages", "repos", "architectures", "match-base-evr", "kind", "modules"]
    /// Keys allowed in `modules`.
    static let moduleKeys = ["enable", "install"]

    /// A reader reporting problems against `file`.
    init(file: String) {
        self.file = file
    }

    /// Records a problem.
    mutating func report(_ reason: ManifestError.Reason, at position: Position, key: String, _ message: String) {
        problems.append(ManifestError(
            file: file, line: position.line, column: position.column, key: key, reason: reason, message: message))
    }

    /// What the top-level mapping holds.
    struct Document {
        var repos: [String] = []
        var modules = ModuleRequests.none
        var extensions: [Extension] = []
    }

    /// Reads the top-level mapping: shared repos, modules and the extensions in file order.
    mutating func readDocument(_ root: Node?) -> Document {
        var document = Document()
        guard let root, !isNull(root) else {
            report(.empty, at: Position(line: 1, column: 1), key: "",
                   "the document is empty; it needs an 'extensions:' mapping")
            return document
        }
        guard let top = root.mapping else {
            report(.wrongType, at: Position(root), key: "",
                   "the document must be a mapping with 'extensions:', found \(describe(root))")
            return document
        }
        let fields = readKeys(of: top, path: "", allowed: Self.topLevelKeys, owner: "at the top level")
        if let field = fields["repos"] {
            document.repos = readRepos(field, path: "repos")
        }
        if let field = fields["modules"] {
            document.modules = readModules(field, path: "modules", topLevel: true)
        }
        guard let field = fields["extensions"] else {
            report(.missingKey, at: Position(root), key: "extensions",
                   "no 'extensions:' mapping; add one with at least one extension")
            return document
        }
        document.extensions = readExtensions(field)
        checkStreams(document)
        return document
    }

    /// Reads `extensions:`, a non-empty mapping of name -> extension.
    private mutating func readExtensions(_ field: Field) -> [Extension] {
        if isNull(field.value) {
            report(.empty, at: Position(field.key), key: "extensions",
                   "'extensions' is empty; add at least one extension")
            return []
        }
        guard let entries = field.value.mapping else {
            report(.wrongType, at: Position(field.value), key: "extensions",
                   "'extensions' must be a mapping of extension names, found \(describe(field.value))")
            return []
        }
        if entries.isEmpty {
            report(.empty, at: Position(field.value), key: "extensions",
                   "'extensions' is empty; add at least one extension")
        }
        var extensions: [Extension] = []
        for (nameNode, value) in entries {
            guard let name = keyName(nameNode, path: "extensions") else { continue }
            let path = "extensions.\(name)"
            if let problem = Self.nameProblem(name) {
                report(.invalidName, at: Position(nameNode), key: path, problem)
            }
            if let found = readExtension(name: name, field: Field(key: nameNode, value: value), path: path) {
                extensions.append(found)
            }
        }
        return extensions
    }

    /// Reads one extension's mapping; nil when it has no usable `packages`.
    private mutating func readExtension(name: String, field: Field, path: String) -> Extension? {
        if isNull(field.value) {
            report(.empty, at: Position(field.key), key: path,
                   "extension '\(name)' is empty; give it a 'packages:' list")
            return nil
        }
        guard let body = field.value.mapping else {
            report(.wrongType, at: Position(field.value), key: path,
                   "extension '\(name)' must be a mapping with 'packages:', found \(describe(field.value))")
            return nil
        }
        let fields = readKeys(of: body, path: path, allowed: Self.extensionKeys, owner: "in extension '\(name)'")
        let packages = fields["packages"].flatMap { stringList($0, path: path + ".packages") }
        // A misspelled 'packages' is already reported as such; "missing" would only repeat it.
        let misspelled = body.keys.contains { key in
            guard let text = key.scalar?.string, text != "packages" else { return false }
            return Suggestion.closest(to: text, in: Self.extensionKeys) == "packages"
        }
        if fields["packages"] == nil, !misspelled {
            report(.missingKey, at: Position(field.key), key: path + ".packages",
                   "extension '\(name)' has no 'packages:'; list the packages it installs")
        }
        let repos = fields["repos"].map { readRepos($0, path: path + ".repos") } ?? []
        let architectures = fields["architectures"].flatMap { readArchitectures($0, path: path + ".architectures") }
        let matchBaseEVR = fields["match-base-evr"].flatMap { string($0, path: path + ".match-base-evr") }
        var kind = Extension.Kind.osExtension
        if let field = fields["kind"], let text = string(field, path: path + ".kind") {
            if let known = Extension.Kind(rawValue: text) {
                kind = known
            } else {
                let choices = Extension.Kind.allCases.map(\.rawValue)
                report(.unknownKind, at: Position(field.value), key: path + ".kind",
                       "unknown kind '\(text)'\(Suggestion.hint(for: text, in: choices)) "
                           + "(one of: \(choices.joined(separator: ", ")))")
            }
        }
        let modules = fields["modules"].map { readModules($0, path: path + ".modules", topLevel: false) } ?? .none
        guard let packages else { return nil }
        return Extension(
            name: name, packages: packages, repos: repos, architectures: architectures,
            matchBaseEVR: matchBaseEVR, kind: kind, modules: modules, line: Position(field.key).line)
    }

    /// Reads a repo id list and remembers where each id was written, for `checkRepos`.
    private mutating func readRepos(_ field: Field, path: String) -> [String] {
        guard let ids = stringList(field, path: path), case let .sequence(items) = field.value else { return [] }
        for (index, item) in items.enumerated() {
            repoPositions["\(path)[\(index)]"] = Position(item)
        }
        return ids
    }

    /// Reads `architectures:`, rejecting names rpm would never report.
    private mutating func readArchitectures(_ field: Field, path: String) -> [String]? {
        guard let arches = stringList(field, path: path), case let .sequence(items) = field.value else { return nil }
        let known = Extension.knownArchitectures
        for (index, (arch, item)) in zip(arches, items).enumerated() where !known.contains(arch) {
            let guess = Suggestion.architectureAliases[arch.lowercased()] ?? Suggestion.closest(to: arch, in: known)
            let hint = guess.map { "; did you mean '\($0)'?" } ?? ""
            report(.unknownArchitecture, at: Position(item), key: "\(path)[\(index)]",
                   "unknown architecture '\(arch)'\(hint) (known: \(known.joined(separator: ", ")))")
        }
        return arches
    }
}
