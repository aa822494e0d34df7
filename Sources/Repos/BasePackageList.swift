import Foundation
import Solv
import Yams

/// Reads `--base-packages FILE`: an rpm-ostree lockfile (JSON or YAML, entries with `evra` or
/// `evr`) or a text list of NEVRAs, one per line. Every mistake in the file is reported, not
/// only the first.
public enum BasePackageList {
    /// Reads the file and returns its packages in file order; an empty file is an empty base.
    public static func load(file path: String) throws(BasePackageListProblems) -> [BasePackageSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw BasePackageListProblems([.unreadable(file: path, reason: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BasePackageListProblems([.unreadable(file: path, reason: "not UTF-8 text")])
        }
        return try parse(text: text, file: path)
    }

    /// Parses file contents. A `.json`, `.yaml` or `.yml` file, or text whose first line opens a
    /// mapping (`{`, `---`, `packages:`), is a lockfile; anything else a NEVRA list.
    public static func parse(text: String, file: String) throws(BasePackageListProblems) -> [BasePackageSpec] {
        let lockfile = [".json", ".yaml", ".yml"].contains { file.lowercased().hasSuffix($0) }
            || looksLikeMapping(text)
        let (packages, problems) = lockfile ? readLockfile(text: text, file: file) : readList(text: text, file: file)
        if !problems.isEmpty { throw BasePackageListProblems(problems) }
        return packages
    }

    /// Whether the first line that is not blank or a comment starts a JSON or YAML mapping.
    static func looksLikeMapping(_ text: String) -> Bool {
        let first = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first else { return false }
        return first.hasPrefix("{") || first.hasPrefix("---") || first.hasSuffix(":") || first.contains(": ")
    }

    /// rpm-ostree's lockfile: `packages: {NAME: {evra: "[E:]V-R.A" | evr: "[E:]V-R", digest, metadata}}`
    /// and an optional `metadata`; read with Yams, which reads JSON too, keeping order and lines.
    static func readLockfile(text: String, file: String) -> ([BasePackageSpec], [BasePackageListError]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return ([], [syntaxError(error, file: file)])
        }
        guard let root else { return ([], []) }
        guard let top = root.mapping else { return ([], [.notLockfile(file: file)]) }
        var problems: [BasePackageListError] = []
        for key in top.keys.compactMap(\.string) where key != "packages" && key != "metadata" {
            problems.append(.badLockEntry(file: file, line: line(of: top.keys.first { $0.string == key }), name: key,
                                          reason: "is not a lockfile key (packages, metadata)"))
        }
        guard let packages = top["packages"] else { return ([], problems + [.notLockfile(file: file)]) }
        if packages.tag.rawValue == Tag.Name.null.rawValue { return ([], problems) }
        guard let entries = packages.mapping else {
            return ([], problems + [.badLockEntry(file: file, line: line(of: packages), name: "packages",
                                                   reason: "must be a mapping of name: {evra: ...}")])
        }
        var result: [BasePackageSpec] = []
        for (key, value) in entries {
            let name = key.string ?? ""
            switch lockEntry(name: name, value, file: file, line: line(of: key)) {
            case .success(let spec): result.append(spec)
            case .failure(let problem): problems.append(problem)
            }
        }
        return (result, problems)
    }

    /// One `name: {evra|evr: ..., digest: ...}` entry.
    private static func lockEntry(name: String, _ value: Node, file: String, line entryLine: Int)
        -> Result<BasePackageSpec, BasePackageListError> {
        func bad(_ line: Int, _ reason: String) -> Result<BasePackageSpec, BasePackageListError> {
            .failure(.badLockEntry(file: file, line: line, name: name, reason: reason))
        }
        guard let fields = value.mapping else { return bad(entryLine, "must be a mapping with \"evra\" or \"evr\"") }
        for key in fields.keys where !["evra", "evr", "digest", "metadata"].contains(key.string ?? "") {
            return bad(line(of: key), "has an unknown key '\(key.string ?? "?")' (evra, evr, digest, metadata)")
        }
        let digest = fields["digest"]?.string
        switch (fields["evra"], fields["evr"]) {
        case (.some, .some):
            return bad(entryLine, "has both \"evra\" and \"evr\"; keep one")
        case (let evraNode?, nil):
            guard let evra = evraNode.string, !evra.contains(where: \.isWhitespace),
                  let nevra = NEVRA(parsing: "\(name)-\(evra)"), nevra.name == name else {
                return bad(line(of: evraNode), "\"evra\": \"\(evraNode.string ?? "")\" is not [epoch:]version-release.arch")
            }
            return .success(BasePackageSpec(nevra, digest: digest))
        case (nil, let evrNode?):
            // No arch: as rpm-ostree does, any arch the repos have for this name and EVR.
            guard let evr = evrNode.string, !evr.contains(where: \.isWhitespace),
                  let nevra = NEVRA(parsing: "\(name)-\(evr).noarch"), nevra.name == name else {
                return bad(line(of: evrNode), "\"evr\": \"\(evrNode.string ?? "")\" is not [epoch:]version-release")
            }
            return .success(BasePackageSpec(name: name, epoch: nevra.epoch, version: nevra.version,
                                            release: nevra.release, arch: nil, digest: digest))
        case (nil, nil):
            return bad(entryLine, "has no \"evra\" or \"evr\"; give \"evra\": \"[E:]V-R.ARCH\"")
        }
    }

    /// One NEVRA per line; blank lines and `#` comments skipped; a trailing `.rpm` allowed.
    static func readList(text: String, file: String) -> ([BasePackageSpec], [BasePackageListError]) {
        var result: [BasePackageSpec] = []
        var problems: [BasePackageListError] = []
        var lines: [BasePackageSpec: Int] = [:]
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let entry = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            guard !entry.contains(where: \.isWhitespace), let parsed = NEVRA(parsing: entry) else {
                problems.append(.badLine(file: file, line: index + 1, entry: entry))
                continue
            }
            let spec = BasePackageSpec(parsed)
            if let first = lines[spec] {
                problems.append(.duplicate(file: file, entry: entry, firstLine: first, secondLine: index + 1))
                continue
            }
            lines[spec] = index + 1
            result.append(spec)
        }
        return (result, problems)
    }

    private static func line(of node: Node?) -> Int { node?.mark?.line ?? 0 }

    /// A Yams error as a positioned problem.
    private static func syntaxError(_ error: any Error, file: String) -> BasePackageListError {
        guard let error = error as? YamlError else { return .badSyntax(file: file, line: 0, reason: "\(error)") }
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .badSyntax(file: file, line: mark.line, reason: problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            let name = duplicates.first ?? "?"
            return .badSyntax(file: file, line: context.mark.line, reason: "'\(name)' is listed twice")
        default:
            return .badSyntax(file: file, line: 0, reason: "\(error)")
        }
    }
}
