extension ExtensionsFile {
    /// The same file with `ids` also visible to every extension (rpm-ostree unions a treefile's
    /// repos with the extensions file's); ids already listed are not repeated.
    public func addingRepos(_ ids: [String]) -> ExtensionsFile {
        var merged = repos
        for id in ids where !merged.contains(id) { merged.append(id) }
        return ExtensionsFile(path: path, repos: merged, modules: modules, extensions: extensions, repoPositions: repoPositions)
    }

    /// Checks that every repo id used (top-level and per extension) is in `defined`, throwing the first that is not.
    public func checkRepos(defined: Set<String>) throws(ManifestError) {
        if let first = undefinedRepos(defined: defined).first { throw first }
    }

    /// One error per repo id not in `defined`, at the id's own line and column, in document order.
    public func undefinedRepos(defined: Set<String>) -> [ManifestError] {
        var uses = repos.enumerated().map { (id: $1, key: "repos[\($0)]") }
        for item in extensions {
            uses += item.repos.enumerated().map { (id: $1, key: "extensions.\(item.name).repos[\($0)]") }
        }
        let candidates = defined.sorted()
        let problems = uses.filter { !defined.contains($0.id) }.map { use in
            let position = repoPositions[use.key] ?? Position(line: 0, column: 0)
            let hint = candidates.isEmpty
                ? "; no .repo file defines any repo"
                : Suggestion.hint(for: use.id, in: candidates) + " (add it to a .repo file or fix the id)"
            return ManifestError(
                file: path, line: position.line, column: position.column, key: use.key, reason: .undefinedRepo,
                message: "repo '\(use.id)' is not defined by any .repo file\(hint)")
        }
        return problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }
}
