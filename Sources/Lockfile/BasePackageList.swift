import Foundation
import Solv

/// Reads `--base-packages FILE`: a lockfile (rpm-ostree's, JSON or YAML, with `evra` or `evr`
/// entries, or an rpms.lock.yaml, read by `LockfileReader`) or a text list of NEVRAs, one per
/// line. Every mistake in the file is reported, not only the first.
public enum BasePackageList {
    /// Reads the file and returns the packages of `arch` in file order; an empty file is an empty base.
    public static func load(file path: String, arch: String) throws(LockfileProblems) -> [BasePackageSpec] {
        try parse(text: LockfileReader.text(of: path), file: path, arch: arch)
    }

    /// Parses file contents. A `.json`, `.yaml` or `.yml` file, or text whose first line opens a
    /// mapping (`{`, `---`, `packages:`), is a lockfile; anything else a NEVRA list.
    public static func parse(text: String, file: String, arch: String = "x86_64") throws(LockfileProblems) -> [BasePackageSpec] {
        let lockfile = [".json", ".yaml", ".yml"].contains { file.lowercased().hasSuffix($0) } || looksLikeMapping(text)
        guard lockfile else {
            let (packages, problems) = readList(text: text, file: file)
            if !problems.isEmpty { throw LockfileProblems(problems) }
            return packages
        }
        let lock = try LockfileReader.parse(text: text, file: file)
        guard let packages = lock.packages(for: arch) else {
            throw LockfileProblems([.noArch(file: file, arch: arch, present: lock.arches)])
        }
        return packages.map(\.spec)
    }

    /// Whether the first line that is not blank or a comment starts a JSON or YAML mapping.
    static func looksLikeMapping(_ text: String) -> Bool {
        let first = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first else { return false }
        return first.hasPrefix("{") || first.hasPrefix("---") || first.hasSuffix(":") || first.contains(": ")
    }

    /// One NEVRA per line; blank lines and `#` comments skipped; a trailing `.rpm` allowed.
    static func readList(text: String, file: String) -> ([BasePackageSpec], [LockfileError]) {
        var result: [BasePackageSpec] = []
        var problems: [LockfileError] = []
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
}
