import Solv

/// One package a lockfile pins.
public struct LockedPackage: Sendable, Hashable {
    /// Name, EVR, arch (nil: whichever this arch installs) and digest (`algorithm:hex`) it is pinned to.
    public var spec: BasePackageSpec
    /// The repo id it came from (rpms.lock.yaml's `repoid`): the id SBOMs and prefetchers use.
    public var repoID: String?
    /// Where it can be downloaded (rpms.lock.yaml's `url`).
    public var url: String?
    /// Its size in bytes.
    public var size: Int64?
    /// Its source RPM: a file name (`name-version-release.src.rpm`), or in rpm-ostree lockfiles the name alone.
    public var sourceRPM: String?
    /// The 1-based line of its entry (0 when built in memory).
    public var line: Int

    public init(spec: BasePackageSpec, repoID: String? = nil, url: String? = nil, size: Int64? = nil,
                sourceRPM: String? = nil, line: Int = 0) {
        self.spec = spec
        self.repoID = repoID
        self.url = url
        self.size = size
        self.sourceRPM = sourceRPM
        self.line = line
    }
}

/// A module metadata file an rpms.lock.yaml lists, so that prefetched repos keep their module streams.
public struct LockedModuleMetadata: Sendable, Hashable {
    public var url: String
    public var repoID: String
    public var size: Int64
    /// `sha256:<hex>` of the file as stored.
    public var checksum: String

    public init(url: String, repoID: String, size: Int64, checksum: String) {
        self.url = url
        self.repoID = repoID
        self.size = size
        self.checksum = checksum
    }
}

/// The packages one or more lockfiles pin, for every arch or per arch.
public struct PackageLock: Sendable {
    /// The two formats mox reads and writes.
    public enum Format: String, Sendable, Hashable {
        /// rpm-lockfile-prototype's `rpms.lock.yaml`, what hermeto prefetches from: one list per arch.
        case rpmsLock = "rpms.lock.yaml"
        /// rpm-ostree's lockfile (`packages: {name: {evra, digest}}`), JSON or YAML: one build per name.
        case rpmOstree = "rpm-ostree"
    }

    /// One file's packages: for any arch (rpm-ostree lockfiles name each package's arch in its
    /// `evra`), or per arch (rpms.lock.yaml).
    struct Layer: Sendable {
        var file: String
        var format: Format
        var common: [LockedPackage]
        var perArch: [String: [LockedPackage]]?
    }

    /// The files read, in order, a later one overriding an earlier one.
    var layers: [Layer]

    init(_ layer: Layer) {
        layers = [layer]
    }

    /// The files read, in order.
    public var files: [String] { layers.map(\.file) }

    /// The format of each file, in order.
    public var formats: [Format] { layers.map(\.format) }

    /// The arches the per-arch files cover, sorted; empty when every file holds packages for any arch.
    public var arches: [String] { Set(layers.flatMap { $0.perArch?.keys.map { $0 } ?? [] }).sorted() }

    /// What `arch` is pinned to: every file's packages for it, a later file's replacing an earlier
    /// one's of the same name (rpm-ostree's rule for several lockfiles). Nil when per-arch files
    /// are given and none of them has `arch`.
    public func packages(for arch: String) -> [LockedPackage]? {
        var result: [LockedPackage] = []
        var covered = !layers.contains { $0.perArch != nil }
        for layer in layers {
            if let perArch = layer.perArch {
                guard let mine = perArch[arch] else { continue }
                covered = true
                result = Self.overriding(result, with: mine)
            } else {
                result = Self.overriding(result, with: layer.common)
            }
        }
        return covered ? result : nil
    }

    /// Adds the files of a lock read after this one: their packages replace earlier ones of the same name.
    public mutating func merge(_ later: PackageLock) {
        layers += later.layers
    }

    /// `earlier` without the names `later` pins, then `later`.
    static func overriding(_ earlier: [LockedPackage], with later: [LockedPackage]) -> [LockedPackage] {
        let names = Set(later.map(\.spec.name))
        return earlier.filter { !names.contains($0.spec.name) } + later
    }
}
