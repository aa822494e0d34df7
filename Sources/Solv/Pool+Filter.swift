internal import CSolv

/// Packages to hide from every query and solve: by identity, by name, or by a name they provide,
/// except some identities and some repos. Module streams hide packages this way.
public struct PackageFilter: Sendable {
    /// Exact identities to hide.
    public var nevras: Set<NEVRA> = []
    /// Names whose packages are hidden.
    public var names: Set<String> = []
    /// Names whose providers are hidden.
    public var provided: Set<String> = []
    /// Identities kept whatever the rules above say.
    public var keep: Set<NEVRA> = []
    /// Repos whose packages are never hidden (the base never is).
    public var exemptRepos: Set<String> = []

    public init(nevras: Set<NEVRA> = [], names: Set<String> = [], provided: Set<String> = [],
                keep: Set<NEVRA> = [], exemptRepos: Set<String> = []) {
        self.nevras = nevras
        self.names = names
        self.provided = provided
        self.keep = keep
        self.exemptRepos = exemptRepos
    }
}

extension Pool {
    /// Hides the packages `filter` selects, for good; returns how many it hid.
    @discardableResult
    public func hide(_ filter: PackageFilter) -> Int {
        prepareWhatprovides()
        let keepRepos = Set(filter.exemptRepos.compactMap { repos[$0] })
        let hideNames = Set(filter.names.map { pool_str2id(raw, $0, 0) }).subtracting([0])
        // Identities as pool ids: thousands of them are compared, so no strings per package.
        let hideKeys = Set(filter.nevras.compactMap(key)), keepKeys = Set(filter.keep.compactMap(key))
        var candidates = Set<Id>()
        for name in filter.names.union(filter.provided).union(filter.nevras.map(\.name)) {
            let id = pool_str2id(raw, name, 0)
            if id != 0 { candidates.formUnion(providers(of: id)) }
        }
        var providing = Set<Id>()
        for name in filter.provided {
            let id = pool_str2id(raw, name, 0)
            if id != 0 { providing.formUnion(providers(of: id)) }
        }
        var hidden = 0
        for p in candidates where !isInstalled(p) && !excluded.contains(p) {
            let s = solvable(p).pointee
            guard let repo = s.repo, !keepRepos.contains(repo) else { continue }
            let identity = Key(name: s.name, evr: s.evr, arch: s.arch)
            guard !keepKeys.contains(identity) else { continue }
            if hideNames.contains(s.name) || providing.contains(p) || hideKeys.contains(identity) {
                excluded.insert(p)
                hidden += 1
            }
        }
        if hidden > 0 { consideredStale = true }
        return hidden
    }

    /// A package identity as pool ids.
    private struct Key: Hashable {
        let name: Id, evr: Id, arch: Id
    }

    /// The ids of `nevra` (epoch 0 as none, as libsolv spells EVRs); nil when the pool has no such strings.
    private func key(_ nevra: NEVRA) -> Key? {
        let name = pool_str2id(raw, nevra.name, 0), evr = pool_str2id(raw, nevra.evr, 0)
        let arch = pool_str2id(raw, nevra.arch, 0)
        return name == 0 || evr == 0 || arch == 0 ? nil : Key(name: name, evr: evr, arch: arch)
    }

    /// Every package (base and repos, visible or not) providing `dep`, with all it provides.
    public func providesOfProviders(of dep: String) -> [(package: PackageInfo, provides: [String])] {
        prepareWhatprovides()
        let id = pool_str2id(raw, dep, 0)
        guard id != 0 else { return [] }
        let deps = IdQueue()
        return providers(of: id).filter { isInstalled($0) || !excluded.contains($0) }.map { p in
            queue_empty(&deps.q)
            solvable_lookup_deparray(solvable(p), Id(SOLVABLE_PROVIDES.rawValue), &deps.q, -1)
            return (info(p), deps.array.map { String(cString: pool_dep2str(raw, $0)) })
        }
    }

    /// Solvables whatprovides lists for `dep`.
    func providers(of dep: Id) -> [Id] {
        var ids: [Id] = []
        var offset = mox_whatprovides(raw, dep)
        while case let p = mox_whatprovidesdata(raw, offset), p != 0 {
            ids.append(p)
            offset += 1
        }
        return ids
    }

    /// Builds whatprovides over every package if repos changed since it was last built.
    func prepareWhatprovides() {
        if !fileProvidesAdded {
            pool_addfileprovides(raw)
            fileProvidesAdded = true
            whatprovidesReady = false
        }
        if !whatprovidesReady {
            pool_createwhatprovides(raw)
            whatprovidesReady = true
        }
    }
}
