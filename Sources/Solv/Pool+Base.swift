internal import CSolv
internal import CRPM
import Foundation
import RPM

extension Pool {
    /// Loads the base from the rpmdb at `dbpath` (absolute inside `root`), as the installed repo.
    /// Returns the number of packages read (gpg-pubkey entries are not packages and are skipped).
    @discardableResult
    public func loadBase(rootfs root: String, dbpath: String) throws(SolvError) -> Int {
        RPMConfig.load()
        let repo = makeInstalledRepo()
        let absoluteRoot = URL(fileURLWithPath: root).standardizedFileURL.path
        // libsolv reads the rpmdb through librpm, which takes the dbpath from this macro. An absolute
        // path without a pool rootdir is the one combination Debian's patched libsolv honours.
        let directory = RPMDatabase.resolve(dbpath, inside: absoluteRoot) ?? absoluteRoot + dbpath
        rpmPushMacro(nil, "_dbpath", nil, directory, RMIL_CMDLINE)
        defer { rpmPopMacro(nil, "_dbpath") }
        let before = Int(repo.pointee.nsolvables)
        guard repo_add_rpmdb(repo, nil, Int32(REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE)) == 0 else {
            throw .rpmdb(path: absoluteRoot + dbpath, reason: String(cString: pool_errstr(raw)))
        }
        let count = Int(repo.pointee.nsolvables) - before
        repo_internalize(repo)
        indexedRepos = nil
        fileProvidesAdded = false
        return count
    }

    /// Builds the base from a package list by copying each package's metadata from the loaded
    /// repos: the exact NEVRA, or for a spec without arch the arch this pool installs best; with a
    /// digest, only a build with that checksum. Throws `basePackagesNotFound` naming every spec no
    /// repo has. Call after all repos are loaded.
    @discardableResult
    public func loadBase(packages: [BasePackageSpec]) throws(SolvError) -> Int {
        var index: [String: [Id]] = [:]
        let wantedNames = Set(packages.map { pool_str2id(raw, $0.name, 0) }).subtracting([0])
        for name in repoOrder {
            guard let repo = repos[name] else { continue }
            for p in solvables(of: repo) where wantedNames.contains(solvable(p).pointee.name) {
                let s = solvable(p).pointee
                index["\(string(s.name)) \(string(s.evr))", default: []].append(p)
            }
        }
        var missing: [BasePackageSpec] = []
        var sources: [Id] = []
        for wanted in packages {
            let matches = (index["\(wanted.name) \(wanted.evr)"] ?? []).filter { p in
                if let arch = wanted.arch { guard string(solvable(p).pointee.arch) == arch else { return false } }
                else if !archIsCompatible(p) { return false }
                guard let digest = wanted.digest else { return true }
                return info(p).checksum.map { "\($0.algorithm):\($0.hex)" } == digest
            }
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
        if !fileProvidesAdded {
            pool_addfileprovides(raw)
            fileProvidesAdded = true
        }
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
