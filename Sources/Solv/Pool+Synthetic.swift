internal import CSolv

/// A package made up for a solve, not read from a repo: module streams take part in libdnf's
/// module solve as such packages (`name:stream:context`, providing `module(name:stream)`).
public struct SyntheticPackage: Sendable, Hashable {
    public var name: String
    public var evr: String
    public var arch: String
    /// Provided names, taken as written (no version relation).
    public var provides: [String]
    /// Required names, or rich dependencies in parentheses (`(module(a:1) or module(a:2))`).
    public var requires: [String]
    /// Conflicting names.
    public var conflicts: [String]

    public init(name: String, evr: String, arch: String, provides: [String] = [], requires: [String] = [],
                conflicts: [String] = []) {
        self.name = name
        self.evr = evr
        self.arch = arch
        self.provides = provides
        self.requires = requires
        self.conflicts = conflicts
    }
}

/// One thing to install in a synthetic solve: a provider of `provides`; `weak` ones only when possible.
public struct SyntheticRequest: Sendable, Hashable {
    public var provides: String
    public var weak: Bool

    public init(provides: String, weak: Bool) {
        self.provides = provides
        self.weak = weak
    }
}

extension Pool {
    /// Adds made-up packages as repo `name`, or as the installed base when `installed`.
    public func addSynthetic(_ packages: [SyntheticPackage], repo name: String, installed: Bool = false) {
        let repo = repo_create(raw, name)!
        for package in packages {
            let s = solvable(repo_add_solvable(repo))
            s.pointee.name = pool_str2id(raw, package.name, 1)
            s.pointee.evr = pool_str2id(raw, package.evr, 1)
            s.pointee.arch = pool_str2id(raw, package.arch, 1)
            for provide in package.provides {
                s.pointee.provides = repo_addid_dep(repo, s.pointee.provides, pool_str2id(raw, provide, 1), 0)
            }
            for require in package.requires {
                let dep = require.hasPrefix("(") ? pool_parserpmrichdep(raw, require) : pool_str2id(raw, require, 1)
                if dep != 0 { s.pointee.requires = repo_addid_dep(repo, s.pointee.requires, dep, 0) }
            }
            for conflict in package.conflicts {
                s.pointee.conflicts = repo_addid_dep(repo, s.pointee.conflicts, pool_str2id(raw, conflict, 1), 0)
            }
        }
        repo_internalize(repo)
        if installed {
            pool_set_installed(raw, repo)
            installedRepo = repo
        } else {
            register(repo, name: name)
        }
    }

    /// Installs a provider of each request (libsolv's policy: the best one; `forceBest`: only
    /// the best). Returns the names of the packages installed, or libsolv's problems.
    public func installProviders(of requests: [SyntheticRequest], forceBest: Bool)
        -> Result<Set<String>, SyntheticSolveProblems> {
        prepareWhatprovides()
        let jobs = IdQueue()
        for request in requests {
            var how = SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES
            if request.weak { how |= SOLVER_WEAK }
            if forceBest { how |= SOLVER_FORCEBEST }
            jobs.push(Id(how), pool_str2id(raw, request.provides, 1))
        }
        let solver = solver_create(raw)!
        defer { solver_free(solver) }
        let count = solver_solve(solver, &jobs.q)
        if count > 0 {
            let problems = (1...Id(count)).map { String(cString: solver_problem2str(solver, $0)) }
            return .failure(SyntheticSolveProblems(problems: problems))
        }
        var names = Set<String>()
        for p in 2..<mox_nsolvables(raw) where !isInstalled(p) && solver_get_decisionlevel(solver, p) > 0 {
            names.insert(string(solvable(p).pointee.name))
        }
        return .success(names)
    }
}

/// Why a synthetic solve failed, in libsolv's words.
public struct SyntheticSolveProblems: Error, Sendable, Hashable {
    public let problems: [String]
}
