import Manifest
import Solv

extension Resolver {
    /// A node may enable several extensions: the resolved os-extensions of this arch must also
    /// install together. When they do not, find the pairs that clash and fail both sides of each.
    func checkTogether(_ results: inout [ExtensionResult]) {
        let members = manifest.extensions.indices.filter {
            manifest.extensions[$0].kind == .osExtension && results[$0].status == .resolved
        }
        guard members.count > 1 else { return }
        let all = solveTogether(members).result
        if all.problems.isEmpty { return }
        var clashed = false
        for (n, i) in members.enumerated() {
            for j in members[(n + 1)...] {
                let (together, labels) = solveTogether([i, j])
                guard !together.problems.isEmpty else { continue }
                clashed = true
                let a = manifest.extensions[i].name, b = manifest.extensions[j].name
                let details = together.problems.flatMap { [$0.summary] + $0.details }.uniqued()
                let solutions = together.problems.flatMap(\.solutions).map { $0.map { describe($0, labels: labels) } }
                results[i].failures.append(Failure(kind: .conflictsWithExtension,
                    message: "cannot be installed together with extension '\(b)'", details: details,
                    solutions: solutions))
                results[j].failures.append(Failure(kind: .conflictsWithExtension,
                    message: "cannot be installed together with extension '\(a)'", details: details,
                    solutions: solutions))
                results[i].status = .failed
                results[j].status = .failed
            }
        }
        if !clashed {
            // Only the whole set clashes (three or more extensions): fail each, naming the rest.
            let problems = all.problems
            for i in members {
                let others = members.filter { $0 != i }.map { manifest.extensions[$0].name }
                results[i].failures.append(Failure(kind: .conflictsWithExtension,
                    message: "cannot be installed together with extensions " + others.map { "'\($0)'" }.joined(separator: ", "),
                    details: problems.flatMap { [$0.summary] + $0.details }.uniqued()))
                results[i].status = .failed
            }
        }
    }

    /// Solves the listed packages of several extensions at once; labels name each request entry.
    private func solveTogether(_ indices: [Int]) -> (result: SolveResult, labels: [String]) {
        var groups: [[PackageRef]] = []
        var labels: [String] = []
        var visible = Set<String>()
        for i in indices {
            let ext = manifest.extensions[i]
            var ignored: [Failure] = []
            let extGroups = requestGroups(for: ext, failures: &ignored)
            groups += extGroups.map { $0.candidates.map(\.ref) }
            labels += extGroups.map { "'\($0.label)' from extension '\(ext.name)'" }
            visible.formUnion(visibleRepos(ext))
        }
        return (pool.solve(SolveRequest(install: groups, visibleRepos: visible)), labels)
    }
}
