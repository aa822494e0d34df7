import Manifest
import Solv

/// Resolves every extension of a manifest for the one architecture of a loaded pool.
///
/// The pool must hold the repos and the base; the resolver only asks questions of it.
public struct Resolver {
    let pool: Pool
    let manifest: ExtensionsFile

    public init(pool: Pool, manifest: ExtensionsFile) {
        self.pool = pool
        self.manifest = manifest
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
        Set(manifest.repos).union(ext.repos)
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
        let groups = candidateGroups(for: ext, failures: &result.failures)
        if !result.failures.isEmpty {
            result.status = .failed
            return result
        }
        if ext.kind == .development {
            result.packages = zip(ext.packages, groups).compactMap { spec, group in
                pool.best(of: group).map { ResolvedPackage(package: $0, role: .listed, pulledBy: [spec]) }
            }.sorted { $0.package < $1.package }
            return result
        }
        let solved = pool.solve(SolveRequest(install: groups.map { $0.map(\.ref) }, visibleRepos: visibleRepos(ext)))
        if !solved.problems.isEmpty {
            result.status = .failed
            result.failures = solved.problems.map { explain($0, specs: ext.packages) }
            return result
        }
        result.packages = packages(of: solved, specs: ext.packages)
        return result
    }

    /// For each listed spec, the repo packages that may satisfy it, or failures saying why none can.
    func candidateGroups(for ext: Extension, failures: inout [Failure]) -> [[PackageInfo]] {
        let visible = visibleRepos(ext)
        var pinnedEVR: String? = nil
        if let baseName = ext.matchBaseEVR {
            let base = pool.basePackages(named: baseName)
            let evrs = Set(base.map(\.nevra.evr)).sorted()
            if evrs.isEmpty {
                failures.append(Failure(
                    kind: .noBasePackage,
                    message: "match-base-evr: the base has no package named '\(baseName)'",
                    details: ["add '\(baseName)' to the base image, or remove match-base-evr from '\(ext.name)'"]))
                return []
            }
            if evrs.count > 1 {
                failures.append(Failure(
                    kind: .ambiguousBase,
                    message: "match-base-evr: the base has several versions of '\(baseName)': "
                        + evrs.joined(separator: ", ")))
                return []
            }
            pinnedEVR = evrs[0]
        }
        var groups: [[PackageInfo]] = []
        for spec in ext.packages {
            if ext.kind == .osExtension, let present = pool.basePackages(named: spec).first {
                failures.append(Failure(
                    kind: .alreadyInBase,
                    message: "'\(spec)' is already present in base as \(present.nevra)",
                    details: ["an os-extension may only add packages; remove '\(spec)' from '\(ext.name)'"]))
                continue
            }
            var candidates = pool.candidates(for: spec, in: visible)
            if candidates.isEmpty {
                var details = ["searched repos: " + visible.sorted().joined(separator: ", ")]
                let close = Suggestion.closeNames(to: spec, among: pool.packageNames(in: visible))
                if !close.isEmpty { details.append("did you mean: " + close.joined(separator: ", ") + "?") }
                failures.append(Failure(
                    kind: .notFound,
                    message: "no package '\(spec)' in the repos of '\(ext.name)' for \(pool.arch)",
                    details: details))
                continue
            }
            if let evr = pinnedEVR, let baseName = ext.matchBaseEVR {
                let matching = candidates.filter { pool.compareEVR($0.nevra.evr, evr) == 0 }
                if matching.isEmpty {
                    let available = Set(candidates.map(\.nevra.evr)).sorted { pool.compareEVR($0, $1) < 0 }
                    failures.append(Failure(
                        kind: .evrNotAvailable,
                        message: "no build of '\(spec)' matches the base's \(baseName) \(evr)",
                        details: ["the repos have: " + available.joined(separator: ", "),
                                  "the repos may have moved past the base; add a repo that still has \(evr)"]))
                    continue
                }
                candidates = matching
            }
            groups.append(candidates)
        }
        return groups
    }

    /// The solved packages of one extension with their roles and attribution.
    func packages(of solved: SolveResult, specs: [String]) -> [ResolvedPackage] {
        let listed = Dictionary(solved.chosen.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        var out: [ResolvedPackage] = []
        for info in solved.installs {
            if let index = listed[info.ref] {
                let sameRef = solved.chosen.filter { $0.value == info.ref }.keys.sorted().map { specs[$0] }
                out.append(ResolvedPackage(package: info, role: .listed, pulledBy: sameRef.isEmpty ? [specs[index]] : sameRef))
            } else {
                let roots = (solved.pulledBy[info.ref] ?? []).sorted().map { specs[$0] }
                out.append(ResolvedPackage(package: info, role: .dependency, pulledBy: roots))
            }
        }
        return out.sorted { ($0.role == .listed ? 0 : 1, $0.package) < ($1.role == .listed ? 0 : 1, $1.package) }
    }

    /// Turns a solver problem into a failure that names the base packages and who wanted them changed.
    func explain(_ problem: SolverProblem, specs: [String]) -> Failure {
        let labels = specs.map { "'\($0)' from the extension" }
        let solutions = problem.solutions.map { $0.map { describe($0, labels: labels) } }
        let details = ([problem.summary] + problem.details).uniqued()
        guard !problem.baseChanges.isEmpty else {
            return Failure(kind: .unsolvable, message: problem.summary,
                           details: Array(details.dropFirst()), solutions: solutions)
        }
        let listed = problem.requestsInvolved.map { "'\(specs[$0])'" }.joined(separator: ", ")
        let changes = problem.baseChanges.map { change in
            var text = "base package \(change.base) would be \(change.effect.rawValue)"
            if let by = change.by { text += change.effect == .upgrade || change.effect == .downgrade ? " to \(by)" : " by \(by)" }
            return text
        }.joined(separator: "; ")
        let wanted = listed.isEmpty ? "" : " (wanted by listed package \(listed))"
        return Failure(kind: .baseWouldChange, message: changes + wanted, details: details, solutions: solutions)
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
