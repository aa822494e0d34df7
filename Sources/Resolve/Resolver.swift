import Manifest
import Modules
import Solv

/// Resolves every extension of a manifest for the one architecture of a loaded pool.
///
/// The pool must hold the repos and the base (with module filtering applied); the resolver only
/// asks questions of it.
public struct Resolver {
    let pool: Pool
    let manifest: ExtensionsFile
    let modules: ModuleState
    /// The repos each extension sees (`--map-repo`, `--all-repos`); nil: the ids the manifest names.
    let visibility: RepoVisibility?
    /// Record each package's needs (`ResolvedPackage.needs`).
    let recordNeeds: Bool

    public init(pool: Pool, manifest: ExtensionsFile, modules: ModuleState = .none, visibility: RepoVisibility? = nil,
                recordNeeds: Bool = false) {
        self.pool = pool
        self.manifest = manifest
        self.modules = modules
        self.visibility = visibility
        self.recordNeeds = recordNeeds
    }

    /// Resolves each extension on its own, then checks that the os-extensions install together.
    public func resolveAll() -> ArchReport {
        var results = manifest.extensions.map(resolve)
        checkTogether(&results)
        var report = ArchReport(arch: pool.arch, basePackageCount: pool.packageCount(repo: Pool.baseRepoName),
                                extensions: results)
        let nevras = pool.basePackages.map(\.nevra.description).sorted().joined(separator: "\n")
        report.baseSha256 = (try? Checksum.of(bytes: Array(nevras.utf8)).hex) ?? ""
        return report
    }

    /// The repos an extension may use: the file's top-level repos plus its own.
    func visibleRepos(_ ext: Extension) -> Set<String> {
        visibility?.visible(to: ext) ?? Set(manifest.repos).union(ext.repos)
    }

    /// Resolves one extension.
    public func resolve(_ ext: Extension) -> ExtensionResult {
        var result = ExtensionResult(name: ext.name, arch: pool.arch, kind: ext.kind.rawValue,
                                     status: .resolved, note: nil, packages: [], failures: [])
        guard ext.applies(to: pool.arch) else {
            result.status = .skipped
            result.note = "only for " + (ext.architectures ?? []).joined(separator: ", ")
            return result
        }
        let groups = requestGroups(for: ext, failures: &result.failures)
        if !result.failures.isEmpty {
            result.status = .failed
            return result
        }
        if ext.kind == .development {
            result.packages = groups.compactMap { group in
                pool.best(of: group.candidates).map {
                    ResolvedPackage(package: $0, role: .listed, pulledBy: [group.label],
                                    match: why(group, chose: $0, development: true))
                }
            }.sorted { $0.package < $1.package }
            return result
        }
        let solved = pool.solve(SolveRequest(install: groups.map { $0.candidates.map(\.ref) },
                                             visibleRepos: visibleRepos(ext), recordNeeds: recordNeeds))
        if !solved.problems.isEmpty {
            result.status = .failed
            result.failures = solved.problems.map { explain($0, labels: groups.map(\.label)) }
            return result
        }
        result.packages = packages(of: solved, groups: groups)
        return result
    }

    /// The solved packages of one extension with their roles, attribution and (listed ones) why.
    func packages(of solved: SolveResult, groups: [RequestGroup]) -> [ResolvedPackage] {
        var out: [ResolvedPackage] = []
        for info in solved.installs {
            let chosenBy = solved.chosen.filter { $0.value == info.ref }.keys.sorted()
            var resolved: ResolvedPackage
            if let first = chosenBy.first {
                resolved = ResolvedPackage(package: info, role: .listed, pulledBy: chosenBy.map { groups[$0].label },
                                           match: why(groups[first], chose: info, development: false))
            } else {
                let roots = (solved.pulledBy[info.ref] ?? []).sorted().map { groups[$0].label }
                resolved = ResolvedPackage(package: info, role: .dependency, pulledBy: roots.uniqued())
            }
            resolved.needs = solved.needs[info.ref] ?? []
            out.append(resolved)
        }
        // Listed first; sorted through indices, as moving a package costs more than comparing two.
        let listedFirst = { (a: ResolvedPackage, b: ResolvedPackage) in
            (a.role == .listed ? 0 : 1, a.package) < (b.role == .listed ? 0 : 1, b.package)
        }
        return out.indices.sorted { listedFirst(out[$0], out[$1]) }.map { out[$0] }
    }

    /// Why a request got the package it got, for `-v` and the JSON report.
    func why(_ group: RequestGroup, chose package: PackageInfo, development: Bool) -> String {
        var text = "'\(group.spec)' matched by \(group.how)"
        let count = group.candidates.count
        if count > 1 {
            if development {
                text += "; the best of \(count) candidates (repo priority, then newest, then arch)"
            } else if pool.best(of: group.candidates)?.ref == package.ref {
                text += "; the best of \(count) candidates (repo priority, then newest, then arch)"
            } else {
                text += "; \(count) candidates, the better ones do not install on this base"
            }
        }
        if let stream = modules.stream(shipping: package.nevra) { text += "; from module stream \(stream)" }
        return text
    }

    /// Turns a solver problem into a failure that leads with the rule that fails, then names the
    /// base packages it would change and who wanted them changed.
    func explain(_ problem: SolverProblem, labels: [String]) -> Failure {
        let steps = labels.map { "'\($0)' from the extension" }
        let solutions = problem.solutions.map { $0.map { describe($0, labels: steps) } }
        let details = ([problem.summary] + problem.details).uniqued()
        guard !problem.baseChanges.isEmpty else {
            return Failure(kind: .unsolvable, message: problem.summary,
                           details: Array(details.dropFirst()), solutions: solutions)
        }
        let listed = problem.requestsInvolved.map { "'\(labels[$0])'" }.uniqued().joined(separator: ", ")
        let changes = problem.baseChanges.map { change in
            var text = "base package \(change.base) would be \(change.effect.rawValue)"
            if let by = change.by { text += change.effect == .upgrade || change.effect == .downgrade ? " to \(by)" : " by \(by)" }
            return text
        }
        let wanted = listed.isEmpty ? "" : " (wanted by listed package \(listed))"
        // The cause is what to read; past a few base packages the list only buries it.
        let shown = changes.prefix(5).joined(separator: "; ")
            + (changes.count > 5 ? "; and \(changes.count - 5) more base packages (see the solutions)" : "")
        return Failure(kind: .baseWouldChange, message: problem.summary + wanted + ": " + shown,
                       details: Array(details.dropFirst()), solutions: solutions)
    }

    /// One solution step in words; `labels` name the request entries ("'usbguard' from the extension").
    func describe(_ step: SolutionStep, labels: [String]) -> String {
        switch step {
        case .changeBase(let nevra): "change base package \(nevra) (a new base image)"
        case .dropRequest(let index): "drop " + labels[index]
        case .other(let text): text
        }
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each kept once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
