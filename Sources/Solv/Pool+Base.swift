internal import CSolv
internal import CRPM
import Foundation
import RPM
import SystemPackage

extension Pool {
    /// Loads the base from the rpmdb in `directory` (a private copy: librpm may write beside it), as
    /// the installed repo. Returns the number of packages read (gpg-pubkey entries are not packages).
    @discardableResult
    public func loadBase(rpmdb directory: FilePath) throws(SolvError) -> Int {
        RPMConfig.load()
        let repo = makeInstalledRepo()
        // libsolv reads the rpmdb through librpm, which takes the dbpath from this macro. An absolute
        // path without a pool rootdir is the one combination Debian's patched libsolv honours.
        rpmPushMacro(nil, "_dbpath", nil, directory.string, RMIL_CMDLINE)
        defer { rpmPopMacro(nil, "_dbpath") }
        let before = Int(repo.pointee.nsolvables)
        guard repo_add_rpmdb(repo, nil, Int32(REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE)) == 0 else {
            throw .rpmdb(path: directory.string, reason: String(cString: pool_errstr(raw)))
        }
        let count = Int(repo.pointee.nsolvables) - before
        repo_internalize(repo)
        indexedRepos = nil
        fileProvidesAdded = false
        return count
    }

    /// The architectures of base packages this pool's arch cannot install, with how many packages
    /// have each (noarch and the arch's own and compatible ones are fine); empty when all fit.
    public func foreignBaseArchitectures() -> [String: Int] {
        guard let installed = installedRepo else { return [:] }
        var foreign: [String: Int] = [:]
        for p in solvables(of: installed) where !archIsCompatible(p) {
            foreign[string(solvable(p).pointee.arch), default: 0] += 1
        }
        return foreign
    }

    /// Builds the base from a package list by copying each package's metadata from the loaded
    /// repos: the exact NEVRA, or for a spec without arch the arch this pool installs best; with a
    /// digest, only a build with that checksum. Throws `basePackagesNotFound` naming every spec no
    /// repo has. Call after all repos are loaded.
    @discardableResult
    public func loadBase(packages: [BasePackageSpec]) throws(SolvError) -> Int {
        let index = repoIndex(names: Set(packages.map(\.name)))
        var missing: [BasePackageSpec] = []
        var sources: [Id] = []
        for wanted in packages {
            let matches = matches(wanted, in: index)
            // dnf's choice among copies: the repo with the better priority, then the better arch.
            let best = matches.min { a, b in
                let pa = solvable(a).pointee.repo.pointee.priority, pb = solvable(b).pointee.repo.pointee.priority
                if pa != pb { return pa > pb }
                return pool_arch2score(raw, solvable(a).pointee.arch) < pool_arch2score(raw, solvable(b).pointee.arch)
            }
            if let best { sources.append(best) } else { missing.append(wanted) }
        }
        guard missing.isEmpty else { throw .basePackagesNotFound(missing) }
        let repo = makeInstalledRepo()
        guard !sources.isEmpty else { return 0 }
        // File provides must be on the source solvables before their provides are copied.
        addFileProvides()
        let keys: [Id] = [SOLVABLE_PROVIDES, SOLVABLE_OBSOLETES, SOLVABLE_CONFLICTS, SOLVABLE_REQUIRES,
                          SOLVABLE_RECOMMENDS, SOLVABLE_SUGGESTS, SOLVABLE_SUPPLEMENTS, SOLVABLE_ENHANCES].map { Id($0.rawValue) }
        let deps = IdQueue()
        for source in sources {
            let copy = repo_add_solvable(repo)
            baseSources[copy] = source
            let from = solvable(source)
            let to = solvable(copy)
            to.pointee.name = from.pointee.name
            to.pointee.evr = from.pointee.evr
            to.pointee.arch = from.pointee.arch
            to.pointee.vendor = from.pointee.vendor
            for key in keys {
                queue_empty(&deps.q)
                solvable_lookup_deparray(from, key, &deps.q, 0)
                // Keep the prereq and file markers where they are, so Requires(pre) stay prereqs.
                var offset: Offset = 0
                var marker: Id = 0
                for dep in deps.array {
                    if isMarker(dep) { marker = dep; continue }
                    offset = repo_addid_dep(repo, offset, dep, marker)
                }
                switch key {
                case Id(SOLVABLE_PROVIDES.rawValue): to.pointee.provides = offset
                case Id(SOLVABLE_OBSOLETES.rawValue): to.pointee.obsoletes = offset
                case Id(SOLVABLE_CONFLICTS.rawValue): to.pointee.conflicts = offset
                case Id(SOLVABLE_REQUIRES.rawValue): to.pointee.requires = offset
                case Id(SOLVABLE_RECOMMENDS.rawValue): to.pointee.recommends = offset
                case Id(SOLVABLE_SUGGESTS.rawValue): to.pointee.suggests = offset
                case Id(SOLVABLE_SUPPLEMENTS.rawValue): to.pointee.supplements = offset
                default: to.pointee.enhances = offset
                }
            }
        }
        repo_internalize(repo)
        indexedRepos = nil
        return sources.count
    }

    private func makeInstalledRepo() -> UnsafeMutablePointer<Repo> {
        if let existing = installedRepo { return existing }
        let repo = repo_create(raw, Self.baseRepoName)!
        pool_set_installed(raw, repo)
        installedRepo = repo
        return repo
    }
}
