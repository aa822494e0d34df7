internal import CSolv

/// What the repo metadata says of a package beyond what solving needs, for lockfiles and SBOMs.
public struct PackageDetails: Sendable, Hashable {
    /// The source RPM's file name (`name-version-release.src.rpm`), when the metadata gives it.
    public var sourceRPM: String?
    /// The `Vendor` tag, when the package has one.
    public var vendor: String?

    public init(sourceRPM: String? = nil, vendor: String? = nil) {
        self.sourceRPM = sourceRPM
        self.vendor = vendor
    }
}

/// The repo builds one locked package names.
public struct LockedBuilds: Sendable {
    /// Builds the solver may use.
    public var available: [PackageInfo]
    /// Builds that match but are hidden (a repo's excludepkgs, module stream filtering).
    public var hidden: [PackageInfo]
}

extension Pool {
    /// The source RPM and vendor of each package (of the repos), as their metadata records them;
    /// one pass over the repos, whatever the number of packages.
    public func details(of packages: [PackageInfo]) -> [PackageRef: PackageDetails] {
        let wanted = Set(packages.map(\.ref))
        var result: [PackageRef: PackageDetails] = [:]
        for ids in repoIndex(names: Set(packages.map(\.nevra.name))).values {
            for p in ids {
                let ref = PackageRef(nevra: nevra(p), repo: repoName(of: p))
                guard wanted.contains(ref) else { continue }
                let s = solvable(p)
                let source = solvable_lookup_sourcepkg(s).map { String(cString: $0) }
                let vendor = s.pointee.vendor == 0 ? nil : string(s.pointee.vendor)
                result[ref] = PackageDetails(sourceRPM: source?.isEmpty == false ? source : nil,
                                             vendor: vendor?.isEmpty == false ? vendor : nil)
            }
        }
        return result
    }

    /// For each spec, the repo builds it names (the same rule as a base package list: name and
    /// EVR, the arch when given, else any arch this pool installs, and the digest when given).
    public func lockedBuilds(_ specs: [BasePackageSpec]) -> [LockedBuilds] {
        let index = repoIndex(names: Set(specs.map(\.name)))
        return specs.map { spec in
            let found = matches(spec, in: index)
            return LockedBuilds(available: found.filter { !excluded.contains($0) }.map(info),
                                hidden: found.filter { excluded.contains($0) }.map(info))
        }
    }

    /// Every repo build named `name`, hidden or not, for messages about what the repos do have.
    public func repoBuilds(named name: String) -> [PackageInfo] {
        repoIndex(names: [name]).values.flatMap { $0 }.map(info).sorted()
    }

    /// Hides, for good, every repo build of `names` except those in `kept` (rpm-ostree's relaxed
    /// lockfile: a locked name can only be its locked builds; other names resolve as usual).
    /// Returns how many it hid.
    @discardableResult
    public func keepOnly(_ kept: [PackageInfo], of names: Set<String>) -> Int {
        let keep = Set(kept.compactMap(id(of:)))
        var hidden = 0
        for builds in repoIndex(names: names).values {
            for p in builds where !keep.contains(p) && !excluded.contains(p) {
                excluded.insert(p)
                hidden += 1
            }
        }
        if hidden > 0 { consideredStale = true }
        return hidden
    }

    /// Repo solvables (not the base) of `names`, keyed by "name evr".
    func repoIndex(names: Set<String>) -> [String: [Id]] {
        var index: [String: [Id]] = [:]
        let wanted = Set(names.map { pool_str2id(raw, $0, 0) }).subtracting([0])
        guard !wanted.isEmpty else { return [:] }
        for name in repoOrder {
            guard let repo = repos[name] else { continue }
            for p in solvables(of: repo) where wanted.contains(solvable(p).pointee.name) {
                let s = solvable(p).pointee
                index["\(string(s.name)) \(string(s.evr))", default: []].append(p)
            }
        }
        return index
    }

    /// The solvables of `index` that `spec` names.
    func matches(_ spec: BasePackageSpec, in index: [String: [Id]]) -> [Id] {
        (index["\(spec.name) \(spec.evr)"] ?? []).filter { p in
            if let arch = spec.arch { guard string(solvable(p).pointee.arch) == arch else { return false } }
            else if !archIsCompatible(p) { return false }
            guard let digest = spec.digest else { return true }
            return info(p).checksum.map { "\($0.algorithm):\($0.hex)" } == digest.lowercased()
        }
    }
}
