/// One package of a base given as a list: a NEVRA, or (an rpm-ostree lockfile `evr` entry) a
/// name and EVR whose architecture is whichever the repos have that this arch installs best.
public struct BasePackageSpec: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// nil when the package has no epoch (rpm treats that as 0).
    public var epoch: Int?
    public var version: String
    public var release: String
    /// nil: any architecture this pool can install (the best one when the repos have several).
    public var arch: String?
    /// `algorithm:hex` the repo's package must have (rpm-ostree lockfile `digest`), if given.
    public var digest: String?

    public init(name: String, epoch: Int? = nil, version: String, release: String, arch: String?,
                digest: String? = nil) {
        self.name = name
        self.epoch = epoch == 0 ? nil : epoch
        self.version = version
        self.release = release
        self.arch = arch
        self.digest = digest
    }

    /// A spec for exactly `nevra`.
    public init(_ nevra: NEVRA, digest: String? = nil) {
        self.init(name: nevra.name, epoch: nevra.epoch, version: nevra.version, release: nevra.release,
                  arch: nevra.arch, digest: digest)
    }

    /// `[E:]V-R`, the epoch shown only when non-zero.
    public var evr: String { NEVRA(name: name, epoch: epoch, version: version, release: release, arch: "").evr }

    /// `name-[E:]V-R.arch`, or `name-[E:]V-R` when the arch is open.
    public var description: String { "\(name)-\(evr)" + (arch.map { ".\($0)" } ?? "") }
}
