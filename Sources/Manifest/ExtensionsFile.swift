import Foundation
import Yams

/// A parsed and validated extensions.yaml (rpm-ostree's schema, checked strictly).
public struct ExtensionsFile: Sendable {
    /// The file path (or name) problems are reported against.
    public let path: String
    /// Repo ids visible to every extension, in file order.
    public let repos: [String]
    /// Module streams enabled for every extension (rpm-ostree's top-level `modules:`).
    public let modules: ModuleRequests
    /// The extensions in file order.
    public let extensions: [Extension]
    /// Where each repo id was written, keyed by key path, so `checkRepos` can point at it.
    let repoPositions: [String: Position]

    /// Creates a file from values, e.g. in tests; `checkRepos` then reports without positions.
    public init(path: String, repos: [String], modules: ModuleRequests = .none, extensions: [Extension]) {
        self.init(path: path, repos: repos, modules: modules, extensions: extensions, repoPositions: [:])
    }

    init(path: String, repos: [String], modules: ModuleRequests, extensions: [Extension],
         repoPositions: [String: Position]) {
        self.path = path
        self.repos = repos
        self.modules = modules
        self.extensions = extensions
        self.repoPositions = repoPositions
    }
}

extension ExtensionsFile {
    /// Reads and validates the file at `path`, failing with every problem in document order (an
    /// unreadable file is one problem at line 0).
    public static func load(path: String) throws(ManifestProblems) -> ExtensionsFile {
        let text: String
        do {
            text = try readText(path: path)
        } catch {
            throw ManifestProblems(problems: [error])
        }
        let (parsed, problems) = read(yaml: text, file: path)
        guard let parsed, problems.isEmpty else {
            throw ManifestProblems(problems: problems.isEmpty ? [ManifestError(
                file: path, line: 0, column: 0, key: "", reason: .syntax, message: "could not be read")] : problems)
        }
        return parsed
    }

    /// Validates YAML text, throwing the first problem in document order.
    public static func parse(yaml: String, file: String) throws(ManifestError) -> ExtensionsFile {
        let (parsed, problems) = read(yaml: yaml, file: file)
        if let first = problems.first { throw first }
        guard let parsed else {
            throw ManifestError(file: file, line: 0, column: 0, key: "", reason: .syntax, message: "could not be read")
        }
        return parsed
    }

    /// Every problem in YAML text in document order; empty when `parse` would succeed.
    public static func problems(yaml: String, file: String) -> [ManifestError] {
        read(yaml: yaml, file: file).problems
    }

    /// Every problem in the file at `path`, including it being unreadable.
    public static func problems(path: String) -> [ManifestError] {
        do {
            return problems(yaml: try readText(path: path), file: path)
        } catch {
            return [error]
        }
    }

    /// The model (when the YAML composed) and all problems, sorted by position.
    static func read(yaml: String, file: String) -> (file: ExtensionsFile?, problems: [ManifestError]) {
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: yaml)
            root = try parser.singleRoot()
        } catch {
            return (nil, [ManifestError(yamlError: error, yaml: yaml, file: file)])
        }
        // Anchors are weak references owned by the parser: keep it alive while the tree is read.
        return withExtendedLifetime(parser) {
            var reader = DocumentReader(file: file)
            // Aliases are accepted as rpm-ostree's parser accepts them, but each use is a full copy
            // to read: refuse a document that expands past any real extensions.yaml before reading it.
            if let root, !reader.withinExpansionLimit(root) { return (nil, reader.problems) }
            let document = reader.readDocument(root)
            let parsed = ExtensionsFile(
                path: file, repos: document.repos, modules: document.modules, extensions: document.extensions,
                repoPositions: reader.repoPositions)
            return (parsed, sorted(reader.problems))
        }
    }

    /// Problems in document order, without repeats (an alias can make one node appear twice).
    private static func sorted(_ problems: [ManifestError]) -> [ManifestError] {
        var seen: [ManifestError] = []
        for problem in problems where !seen.contains(problem) { seen.append(problem) }
        return seen.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    /// The file's text, or a `ManifestError` saying why it cannot be read.
    private static func readText(path: String) throws(ManifestError) -> String {
        func failure(_ message: String) -> ManifestError {
            ManifestError(file: path, line: 0, column: 0, key: "", reason: .unreadable, message: message)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file; pass the path of an extensions.yaml")
        }
        if isDirectory.boolValue { throw failure("is a directory; pass the path of an extensions.yaml inside it") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot be read; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("is not UTF-8 text")
        }
        return text
    }
}
