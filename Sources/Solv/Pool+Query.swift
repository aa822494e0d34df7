internal import CSolv
import Foundation

extension Pool {
    /// Hides packages of `repo` as dnf's `exclude`/`excludepkgs` and `includepkgs` do (shell globs
    /// matched against name, name.arch, name-version, name-version-release and the full NEVRA).
    public func setFilters(repo name: String, excludes: [String], includes: [String]) {
        guard let repo = repos[name], !(excludes.isEmpty && includes.isEmpty) else { return }
        for p in solvables(of: repo) {
            let n = nevra(p)
            let forms = [n.name, "\(n.name).\(n.arch)", "\(n.name)-\(n.version)",
                         "\(n.name)-\(n.version)-\(n.release)", n.description,
                         "\(n.name)-\(n.version)-\(n.release).\(n.arch)"]
            let matches = { (patterns: [String]) in
                patterns.contains { pattern in forms.contains { fnmatch(pattern, $0, 0) == 0 } }
            }
            if matches(excludes) || (!includes.isEmpty && !matches(includes)) {
                excluded.insert(p)
            }
        }
        consideredStale = true
    }

    /// Makes only `visible` repos (and the base) count for queries and solving. whatprovides
    /// covers every package (disabled ones too), so it is built once, not per set of repos.
    func index(visible: Set<String>) {
        if indexedRepos == visible && whatprovidesReady && !consideredStale { return }
        if considered.size > 0 { map_free(&considered) }
        map_init(&considered, mox_nsolvables(raw))
        for (name, repo) in repos where visible.contains(name) {
            for p in solvables(of: repo) where !excluded.contains(p) { mox_map_set(&considered, p) }
        }
        if let installed = installedRepo {
            for p in solvables(of: installed) { mox_map_set(&considered, p) }
        }
        mox_set_considered(raw, &considered)
        prepareWhatprovides()
        indexedRepos = visible
        consideredStale = false
    }

    /// Packages of the visible repos that a listed spec names: by name (with optional `.arch`
    /// or `-version`), else by what they provide. Only packages installable on this arch.
    public func candidates(for spec: String, in visible: Set<String>) -> [PackageInfo] {
        index(visible: visible)
        return select(spec, flags: SELECTION_NAME | SELECTION_PROVIDES | SELECTION_DOTARCH | SELECTION_REL | SELECTION_CANON)
            .filter { !isInstalled($0) && archIsCompatible($0) && mox_map_tst(&considered, $0) != 0 }
            .map(info)
    }

    /// Base packages whose name (or name.arch, or NEVRA) is `spec`.
    public func basePackages(named spec: String) -> [PackageInfo] {
        guard installedRepo != nil else { return [] }
        if indexedRepos == nil { index(visible: []) }
        return select(spec, flags: SELECTION_NAME | SELECTION_DOTARCH | SELECTION_CANON | SELECTION_INSTALLED_ONLY)
            .filter(isInstalled).map(info)
    }

    /// All package names of the visible repos, for "did you mean" suggestions.
    public func packageNames(in visible: Set<String>) -> Set<String> {
        var names = Set<String>()
        for (name, repo) in repos where visible.contains(name) {
            for p in solvables(of: repo) { names.insert(string(solvable(p).pointee.name)) }
        }
        return names
    }

    /// Every package of a loaded repo as its metadata lists it, sorted (arch not filtered).
    public func packages(repo name: String) -> [PackageInfo] {
        guard let repo = repos[name] else { return [] }
        return solvables(of: repo).map(info).sorted()
    }

    /// Every package of the base, sorted.
    public var basePackages: [PackageInfo] {
        guard let installed = installedRepo else { return [] }
        return solvables(of: installed).map(info).sorted()
    }

    /// The best of `refs` as dnf would pick: repo priority, then version, then arch preference.
    public func best(of refs: [PackageInfo]) -> PackageInfo? {
        let ids = refs.compactMap(id(of:))
        guard var best = ids.first else { return nil }
        for p in ids.dropFirst() where better(p, than: best) { best = p }
        return info(best)
    }

    /// Compares two EVR strings the rpm way.
    public func compareEVR(_ a: String, _ b: String) -> Int {
        Int(pool_evrcmp_str(raw, a, b, Int32(EVRCMP_COMPARE)))
    }

    func better(_ a: Id, than b: Id) -> Bool {
        let sa = solvable(a).pointee, sb = solvable(b).pointee
        let pa = sa.repo.pointee.priority, pb = sb.repo.pointee.priority
        if pa != pb { return pa > pb }
        let cmp = pool_evrcmp(raw, sa.evr, sb.evr, Int32(EVRCMP_COMPARE))
        if cmp != 0 { return cmp > 0 }
        // Lower arch score is the more specific (preferred) arch.
        return pool_arch2score(raw, sa.arch) < pool_arch2score(raw, sb.arch)
    }

    func select(_ spec: String, flags: Int32) -> [Id] {
        let selection = IdQueue()
        selection_make(raw, &selection.q, spec, flags)
        let ids = IdQueue()
        selection_solvables(raw, &selection.q, &ids.q)
        return ids.array
    }

    func id(of package: PackageInfo) -> Id? { id(of: package.ref) }

    func id(of ref: PackageRef) -> Id? {
        let repo: UnsafeMutablePointer<Repo>?
        repo = ref.repo == Self.baseRepoName ? installedRepo : repos[ref.repo]
        guard let repo else { return nil }
        let nameId = pool_str2id(raw, ref.nevra.name, 0)
        guard nameId != 0 else { return nil }
        // The first package of that name, repo and NEVRA: the packages of each name are looked up
        // in an index, not by a pass over the repo (requests look up every candidate).
        if solvablesByName.count != mox_nsolvables(raw) {
            solvablesByName = SolvablesByName(pool: self)
        }
        for p in solvablesByName.ids[nameId] ?? [] where solvable(p).pointee.repo == repo && nevra(p) == ref.nevra {
            return p
        }
        return nil
    }

    /// What reports and fetching need of package `p`; kept, as the same packages come up in many solves.
    func info(_ p: Id) -> PackageInfo {
        if let known = infos[p] { return known }
        let made = makeInfo(p)
        infos[p] = made
        return made
    }

    private func makeInfo(_ p: Id) -> PackageInfo {
        let s = solvable(p)
        var type: Id = 0
        var checksum: Checksum? = nil
        if let hex = solvable_lookup_checksum(s, Id(SOLVABLE_CHECKSUM.rawValue), &type), type != 0 {
            checksum = Checksum(algorithm: String(cString: solv_chksum_type2str(type)), hex: String(cString: hex))
        }
        var medianr: UInt32 = 0
        let location = solvable_lookup_location(s, &medianr).map { String(cString: $0) } ?? ""
        return PackageInfo(
            nevra: nevra(p), repo: repoName(of: p), location: isInstalled(p) ? "" : location,
            checksum: checksum,
            size: Int64(solvable_lookup_num(s, Id(SOLVABLE_DOWNLOADSIZE.rawValue), 0)),
            buildTime: Int64(solvable_lookup_num(s, Id(SOLVABLE_BUILDTIME.rawValue), 0)))
    }
}

/// The solvables of each name, in id order; `count` says how many solvables the pool had when it was built.
struct SolvablesByName {
    var ids: [Id: [Id]] = [:]
    var count: Id = -1

    init() {}

    init(pool: Pool) {
        count = mox_nsolvables(pool.raw)
        for p in 2..<count {
            let s = pool.solvable(p).pointee
            if s.repo != nil { ids[s.name, default: []].append(p) }
        }
    }
}
