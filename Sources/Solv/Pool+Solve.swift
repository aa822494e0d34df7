internal import CSolv
import Foundation

/// What to install in one solve: each entry is one requested package, satisfied by any of its candidates.
public struct SolveRequest: Sendable {
    /// Candidate sets, one per requested package; the solver installs one of each.
    public var install: [[PackageRef]]
    /// Repos whose packages may be used (the base is always there, installed and locked).
    public var visibleRepos: Set<String>
    /// Also record which installed packages each one needs (`SolveResult.needs`).
    public var recordNeeds: Bool

    public init(install: [[PackageRef]], visibleRepos: Set<String>, recordNeeds: Bool = false) {
        self.install = install
        self.visibleRepos = visibleRepos
        self.recordNeeds = recordNeeds
    }
}

/// One edge of the dependency graph among the packages a solve installs: a package requires (or
/// recommends) `dependency`, and `package` is an installed package providing it.
public struct PackageNeed: Sendable, Hashable, Comparable {
    public let package: NEVRA
    public let dependency: String
    /// A recommends (weak dependency), not a requires.
    public let weak: Bool

    public init(package: NEVRA, dependency: String, weak: Bool) {
        self.package = package
        self.dependency = dependency
        self.weak = weak
    }

    public static func < (a: PackageNeed, b: PackageNeed) -> Bool {
        (a.package.description, a.weak ? 1 : 0, a.dependency) < (b.package.description, b.weak ? 1 : 0, b.dependency)
    }
}

/// The outcome of one solve: either the packages to add to the base, or the problems.
public struct SolveResult: Sendable {
    /// Packages the base lacks that the request installs, sorted.
    public var installs: [PackageInfo] = []
    /// For each request entry (by index), the package the solver chose.
    public var chosen: [Int: PackageRef] = [:]
    /// For each installed package, the request entries whose dependency chains reach it.
    public var pulledBy: [PackageRef: Set<Int>] = [:]
    /// With `recordNeeds`: for each installed package, the installed packages satisfying its
    /// requires and recommends (the base's packages are not in it: nothing is installed for them).
    public var needs: [PackageRef: [PackageNeed]] = [:]
    /// Why the request cannot be satisfied; empty on success.
    public var problems: [SolverProblem] = []
}

/// One libsolv problem, as plain values.
public struct SolverProblem: Sendable, Hashable {
    /// libsolv's one-line summary of the problem.
    public let summary: String
    /// Every rule involved, in libsolv's words ("package a requires b, but none of the providers can be installed").
    public let details: [String]
    /// The ways out libsolv suggests, each a list of steps.
    public let solutions: [[SolutionStep]]
    /// What would happen to base packages, for problems that only a base change solves.
    public let baseChanges: [BaseChange]
    /// Request entries (by index) that the problem involves.
    public let requestsInvolved: [Int]
}

/// One step of a way out of a problem.
public enum SolutionStep: Sendable, Hashable {
    /// Let this base package change (on an image-mode node: a new base image).
    case changeBase(NEVRA)
    /// Do not install request entry N.
    case dropRequest(Int)
    /// Anything else, in libsolv's words.
    case other(String)
}

/// A base package that the request would change, and why.
public struct BaseChange: Sendable, Hashable {
    /// How the base package would change.
    public enum Effect: String, Sendable {
        case upgrade = "upgraded", downgrade = "downgraded", replace = "replaced", remove = "removed", change = "changed"
    }
    public let base: NEVRA
    public let effect: Effect
    /// The package that would cause it: the newer build, the obsoleting or the conflicting package.
    public let by: NEVRA?
}

extension Pool {
    /// Installs the requested packages on top of the base, every base package locked.
    public func solve(_ request: SolveRequest) -> SolveResult {
        index(visible: request.visibleRepos)
        let jobs = IdQueue()
        var groupOfJob: [Int: Int] = [:]
        let groups = request.install.map { $0.compactMap(id(of:)) }
        for (index, group) in groups.enumerated() {
            let candidates = IdQueue()
            group.forEach(candidates.push)
            let what = pool_queuetowhatprovides(raw, &candidates.q)
            groupOfJob[jobs.count] = index
            // As libdnf turns a selector into a job: the chosen arch and EVR are kept as selected
            // (SETARCH also spares `foo.i686` the rule that would pull in `foo.x86_64`).
            jobs.push(Id(SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF | SOLVER_SETARCH | SOLVER_SETEVR), what)
        }
        var lockedBase: [Int: Id] = [:]
        if let installed = installedRepo {
            for p in solvables(of: installed) {
                lockedBase[jobs.count] = p
                jobs.push(Id(SOLVER_LOCK | SOLVER_SOLVABLE), p)
            }
        }
        let solver = solver_create(raw)!
        defer { solver_free(solver) }
        // libdnf's solver set-up (Goal::Impl::initSolver), with the base locked on top.
        for (flag, value) in [(SOLVER_FLAG_ALLOW_VENDORCHANGE, 1), (SOLVER_FLAG_KEEP_ORPHANS, 1),
                              (SOLVER_FLAG_BEST_OBEY_POLICY, 1), (SOLVER_FLAG_YUM_OBSOLETES, 1),
                              (SOLVER_FLAG_ALLOW_UNINSTALL, 0), (SOLVER_FLAG_ALLOW_DOWNGRADE, 0)] {
            solver_set_flag(solver, Int32(flag), Int32(value))
        }
        var result = SolveResult()
        let problemCount = solver_solve(solver, &jobs.q)
        if problemCount > 0 {
            for problem in 1...Id(problemCount) {
                result.problems.append(explain(problem, solver: solver, jobs: jobs,
                                               groupOfJob: groupOfJob, lockedBase: lockedBase))
            }
            return result
        }
        var newPackages = Set<Id>()
        for p in 2..<mox_nsolvables(raw) where !isInstalled(p) && solver_get_decisionlevel(solver, p) > 0 {
            newPackages.insert(p)
        }
        var roots: [Int: Id] = [:]
        for (index, group) in groups.enumerated() {
            if let p = group.first(where: newPackages.contains) {
                roots[index] = p
                result.chosen[index] = PackageRef(nevra: nevra(p), repo: repoName(of: p))
            }
        }
        let reach = attribute(newPackages, roots: roots, solver: solver)
        var infos: [PackageInfo] = []
        infos.reserveCapacity(newPackages.count)
        for p in newPackages {
            let info = info(p)
            infos.append(info)
            result.pulledBy[info.ref] = reach[p] ?? []
        }
        // PackageInfo's order (NEVRA text, then repo), each text built once, not once a comparison.
        let keys = infos.map { $0.nevra.description }
        result.installs = infos.indices.sorted { (keys[$0], infos[$0].repo) < (keys[$1], infos[$1].repo) }.map { infos[$0] }
        if request.recordNeeds { result.needs = needs(among: newPackages) }
        return result
    }

    /// For each new package, the new packages providing what it requires and recommends.
    private func needs(among new: Set<Id>) -> [PackageRef: [PackageNeed]] {
        var edges: [PackageRef: [PackageNeed]] = [:]
        let deps = IdQueue()
        for p in new {
            var found = Set<PackageNeed>()
            forEachProvider(of: p, among: new, deps: deps) { dep, weak, q in
                if q != p { found.insert(PackageNeed(package: nevra(q), dependency: String(cString: pool_dep2str(raw, dep)), weak: weak)) }
            }
            edges[PackageRef(nevra: nevra(p), repo: repoName(of: p))] = found.sorted()
        }
        return edges
    }

    /// Calls `body` with each requires (weak: false) and recommends (weak: true) of `p` and each
    /// package of `new` providing it; `deps` is scratch space.
    private func forEachProvider(of p: Id, among new: Set<Id>, deps: IdQueue, _ body: (Id, Bool, Id) -> Void) {
        for (key, weak) in [(SOLVABLE_REQUIRES, false), (SOLVABLE_RECOMMENDS, true)] {
            queue_empty(&deps.q)
            // Marker 0: pre-install requirements (Requires(pre)) count as much as plain ones.
            solvable_lookup_deparray(solvable(p), Id(key.rawValue), &deps.q, 0)
            for dep in deps.array where !isMarker(dep) {
                var offset = mox_whatprovides(raw, dep)
                while case let q = mox_whatprovidesdata(raw, offset), q != 0 {
                    offset += 1
                    if new.contains(q) { body(dep, weak, q) }
                }
            }
        }
    }

    /// Which roots reach each new package through requires and recommends among the new packages.
    private func attribute(_ new: Set<Id>, roots: [Int: Id], solver: UnsafeMutablePointer<Solver>) -> [Id: Set<Int>] {
        var reach: [Id: Set<Int>] = [:]
        let deps = IdQueue()
        // Credits `index` to `start` and to everything new its requires and recommends reach.
        func spread(from start: Id, _ index: Int) {
            var stack = [start]
            while let p = stack.popLast() {
                guard reach[p, default: []].insert(index).inserted else { continue }
                forEachProvider(of: p, among: new, deps: deps) { _, _, q in stack.append(q) }
            }
        }
        for (index, root) in roots { spread(from: root, index) }
        // Packages brought in another way: supplements of an installed package (credit whoever the
        // solver names as the reason) or the better arch of a multilib package (credit the same
        // as that package), and what they need in turn.
        var changed = true
        while changed {
            changed = false
            for p in new where reach[p] == nil {
                let name = solvable(p).pointee.name
                for q in new where q != p && solvable(q).pointee.name == name {
                    for index in reach[q] ?? [] {
                        spread(from: p, index)
                        changed = true
                    }
                }
                let why = IdQueue()
                solver_describe_weakdep_decision(solver, p, &why.q)
                // Triples of (reason, package, dependency).
                var i = 0
                while i + 2 < why.count {
                    for index in reach[why[i + 1]] ?? [] {
                        spread(from: p, index)
                        changed = true
                    }
                    i += 3
                }
            }
        }
        return reach
    }

    func isMarker(_ dep: Id) -> Bool {
        dep == Id(SOLVABLE_PREREQMARKER.rawValue) || dep == Id(SOLVABLE_FILEMARKER.rawValue)
    }

    private func explain(_ problem: Id, solver: UnsafeMutablePointer<Solver>, jobs: IdQueue,
                         groupOfJob: [Int: Int], lockedBase: [Int: Id]) -> SolverProblem {
        let summary = String(cString: solver_problem2str(solver, problem))
        var details: [String] = []
        var changes: [NEVRA: BaseChange] = [:]
        var involved = Set<Int>()
        let rules = IdQueue()
        solver_findallproblemrules(solver, problem, &rules.q)
        for rule in rules.array {
            var source: Id = 0, target: Id = 0, dep: Id = 0
            let type = solver_ruleinfo(solver, rule, &source, &target, &dep)
            // "conflicting requests" only says that two of our own jobs disagree: no news to a reader.
            if type != SOLVER_RULE_JOB {
                let text = String(cString: solver_problemruleinfo2str(solver, type, source, target, dep))
                if !details.contains(text) { details.append(text) }
            }
            if type.rawValue & SOLVER_RULE_JOB.rawValue != 0,
               let group = groupOfJob[Int(solver_rule2jobidx(solver, rule))] {
                involved.insert(group)
            }
            if let change = baseChange(type, source, target), changes[change.base] == nil {
                changes[change.base] = change
            }
        }
        var solutions: [[SolutionStep]] = []
        let solutionCount = solver_solution_count(solver, problem)
        if solutionCount > 0 {
            for solution in 1...Id(solutionCount) {
                var steps: [SolutionStep] = []
                var element: Id = 0, p: Id = 0, rp: Id = 0
                while true {
                    element = solver_next_solutionelement(solver, problem, solution, element, &p, &rp)
                    if element == 0 { break }
                    // For job elements rp points at the job's `what`, one past its `how`.
                    if p == Id(SOLVER_SOLUTION_JOB), let base = lockedBase[Int(rp) - 1] {
                        steps.append(.changeBase(nevra(base)))
                        if changes[nevra(base)] == nil {
                            changes[nevra(base)] = BaseChange(base: nevra(base), effect: .change, by: nil)
                        }
                    } else if p == Id(SOLVER_SOLUTION_JOB), let group = groupOfJob[Int(rp) - 1] {
                        steps.append(.dropRequest(group))
                        involved.insert(group)
                    } else {
                        steps.append(.other(String(cString: solver_solutionelement2str(solver, p, rp))))
                    }
                }
                solutions.append(steps)
            }
        }
        // Only base packages that some solution would let change are really in the way.
        let unlockable = Set(solutions.flatMap { $0 }.compactMap { step -> NEVRA? in
            if case .changeBase(let n) = step { return n } else { return nil }
        })
        return SolverProblem(summary: summary, details: details, solutions: solutions,
                             baseChanges: changes.values.filter { unlockable.contains($0.base) }
                                 .sorted { $0.base < $1.base },
                             requestsInvolved: involved.sorted())
    }

    /// What a problem rule says would happen to a base package, if it involves one.
    private func baseChange(_ type: SolverRuleinfo, _ source: Id, _ target: Id) -> BaseChange? {
        // Only these rules name two packages; in others `target` may be a dependency, not a package.
        let pairRules = [SOLVER_RULE_PKG_SAME_NAME, SOLVER_RULE_PKG_OBSOLETES, SOLVER_RULE_PKG_INSTALLED_OBSOLETES,
                         SOLVER_RULE_PKG_IMPLICIT_OBSOLETES, SOLVER_RULE_PKG_CONFLICTS]
        let count = mox_nsolvables(raw)
        guard pairRules.contains(type), source > 0, source < count, target > 0, target < count else { return nil }
        let sourceBase = isInstalled(source)
        let targetBase = isInstalled(target)
        guard sourceBase != targetBase else { return nil }
        let base = sourceBase ? source : target
        let other = sourceBase ? target : source
        switch type {
        case SOLVER_RULE_PKG_SAME_NAME:
            let newer = pool_evrcmp(raw, solvable(other).pointee.evr, solvable(base).pointee.evr,
                                    Int32(EVRCMP_COMPARE)) > 0
            return BaseChange(base: nevra(base), effect: newer ? .upgrade : .downgrade, by: nevra(other))
        case SOLVER_RULE_PKG_OBSOLETES, SOLVER_RULE_PKG_INSTALLED_OBSOLETES, SOLVER_RULE_PKG_IMPLICIT_OBSOLETES:
            return BaseChange(base: nevra(base), effect: .replace, by: nevra(other))
        case SOLVER_RULE_PKG_CONFLICTS:
            return BaseChange(base: nevra(base), effect: .remove, by: nevra(other))
        default:
            return nil
        }
    }
}
