/// A package as the solver sees it: identity plus what fetching and reporting need.
public struct PackageInfo: Sendable, Hashable, Comparable {
    /// name-[E:]V-R.arch
    public let nevra: NEVRA
    /// The repo it comes from, or `Pool.baseRepoName` for the base.
    public let repo: String
    /// `location href` relative to the repo's baseurl (empty for base packages).
    public let location: String
    /// The package checksum the repo metadata records, if any.
    public let checksum: Checksum?
    /// Download size in bytes (0 when unknown).
    public let size: Int64
    /// Build time (seconds since the epoch, 0 when unknown).
    public let buildTime: Int64

    /// The key that identifies this package within one pool.
    public var ref: PackageRef { PackageRef(nevra: nevra, repo: repo) }

    public static func < (a: PackageInfo, b: PackageInfo) -> Bool {
        if a.nevra < b.nevra { return true }
        if b.nevra < a.nevra { return false }
        return a.repo < b.repo
    }
}

/// Identifies one package of one repo, without any libsolv id.
public struct PackageRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nevra: NEVRA
    public let repo: String

    public init(nevra: NEVRA, repo: String) {
        self.nevra = nevra
        self.repo = repo
    }

    public var description: String { "\(nevra) from \(repo)" }

    public static func < (a: PackageRef, b: PackageRef) -> Bool {
        if a.nevra < b.nevra { return true }
        if b.nevra < a.nevra { return false }
        return a.repo < b.repo
    }
}
