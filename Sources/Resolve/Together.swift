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
        var search = ClashSearch(resolver: self, members: members)
        let all = search.solve(members)
        if all.result.problems.isEmpty { return }
        let clashes = search.clashingPairs(among: members)
        for (i, j) in clashes {
            let (together, labels) = search.solve([i, j])
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
        if clashes.isEmpty {
            // No two clash, three or more do: fail those the problems involve (when they fail
            // together on their own; else every member), each naming the rest.
            let problems = all.result.problems
            let involved = search.involved(in: members)
            let group = involved.count > 1 && !search.solve(involved).result.problems.isEmpty ? involved : members
            for i in group {
                let others = group.filter { $0 != i }.map { manifest.extensions[$0].name }
                results[i].failures.append(Failure(kind: .conflictsWithExtension,
                    message: "cannot be installed together with extensions " + others.map { "'\($0)'" }.joined(separator: ", "),
                    details: problems.flatMap { [$0.summary] + $0.details }.uniqued()))
                results[i].status = .failed
            }
        }
    }
}

/// Which pairs of extensions cannot install together, found without solving every pair: a failed
/// solve's problems name the requests that clash, so only pairs among those are tried; with a
/// clashing pair (a, b) found, every other clashing pair lies within the set without a or the
/// set without b, each solved whole (adding requests never makes a failing set install).
private struct ClashSearch {
    let resolver: Resolver
    /// Each member's requests, selected once.
    private var groups: [Int: [RequestGroup]] = [:]
    private var solved: [[Int]: (result: SolveResult, labels: [String], owners: [Int])] = [:]
    private var searched: [[Int]: Set<Pair>] = [:]
    /// Whole-set solves left before falling back to trying every pair.
    private var budget: Int

    private struct Pair: Hashable, Comparable {
        let first: Int, second: Int
        static func < (a: Pair, b: Pair) -> Bool { (a.first, a.second) < (b.first, b.second) }
    }

    init(resolver: Resolver, members: [Int]) {
        self.resolver = resolver
        budget = members.count
        for i in members {
            var ignored: [Failure] = []
            groups[i] = resolver.requestGroups(for: resolver.manifest.extensions[i], failures: &ignored)
        }
    }

    /// The clashing pairs among `members`, each in member order, sorted.
    mutating func clashingPairs(among members: [Int]) -> [(Int, Int)] {
        pairs(in: members).sorted().map { ($0.first, $0.second) }
    }

    /// The members of `set` whose requests the problems of solving it together involve, in order.
    mutating func involved(in set: [Int]) -> [Int] {
        let whole = solveWithOwners(set)
        let involved = Set(whole.result.problems.flatMap(\.requestsInvolved).map { whole.owners[$0] })
        return set.filter(involved.contains)
    }

    /// Solves the listed packages of several extensions at once; labels name each request entry.
    mutating func solve(_ indices: [Int]) -> (result: SolveResult, labels: [String]) {
        let entry = solveWithOwners(indices)
        return (entry.result, entry.labels)
    }

    private mutating func solveWithOwners(_ indices: [Int]) -> (result: SolveResult, labels: [String], owners: [Int]) {
        if let known = solved[indices] { return known }
        var install: [[PackageRef]] = []
        var labels: [String] = []
        var owners: [Int] = []
        var visible = Set<String>()
        for i in indices {
            let ext = resolver.manifest.extensions[i]
            for group in groups[i] ?? [] {
                install.append(group.candidates.map(\.ref))
                labels.append("'\(group.label)' from extension '\(ext.name)'")
                owners.append(i)
            }
            visible.formUnion(resolver.visibleRepos(ext))
        }
        let entry = (resolver.pool.solve(SolveRequest(install: install, visibleRepos: visible)), labels, owners)
        solved[indices] = entry
        return entry
    }

    private mutating func clash(_ pair: Pair) -> Bool {
        !solve([pair.first, pair.second]).result.problems.isEmpty
    }

    private mutating func pairs(in set: [Int]) -> Set<Pair> {
        if let known = searched[set] { return known }
        guard set.count > 1 else { return [] }
        let whole = solveWithOwners(set)
        guard !whole.result.problems.isEmpty else {
            searched[set] = []
            return []
        }
        budget -= 1
        let candidates = involved(in: set)
        var found: Set<Pair> = []
        for (n, i) in candidates.enumerated() {
            for j in candidates[(n + 1)...] where clash(Pair(first: i, second: j)) {
                found.insert(Pair(first: i, second: j))
            }
        }
        guard let first = found.min(), budget > 0 else {
            // No pair among them explains the failure (three or more clash together), or the
            // clashes are many: try every pair of the set.
            var all: Set<Pair> = []
            for (n, i) in set.enumerated() {
                for j in set[(n + 1)...] where clash(Pair(first: i, second: j)) { all.insert(Pair(first: i, second: j)) }
            }
            searched[set] = all
            return all
        }
        found.formUnion(pairs(in: set.filter { $0 != first.first }))
        found.formUnion(pairs(in: set.filter { $0 != first.second }))
        searched[set] = found
        return found
    }
}
