import BaseImage
import Repos
import Solv

/// Why a package is in an extension's result.
public enum PackageRole: String, Sendable, Codable {
    /// Named in the extension's `packages`.
    case listed
    /// Needed by a listed package and missing from the base.
    case dependency
}

/// One package an extension ships, with the reason it is there.
public struct ResolvedPackage: Sendable, Hashable {
    public let package: PackageInfo
    public let role: PackageRole
    /// For a listed package, the spec it satisfies; for a dependency, the listed specs whose chains reach it.
    public let pulledBy: [String]
    /// For a listed package, how its spec found it and why this package was taken.
    public var match: String? = nil
    /// When asked for (`CheckSession.recordNeeds`): the packages of the extension that satisfy
    /// its requires and recommends (what `mox why` walks).
    public var needs: [PackageNeed] = []
}

/// What went wrong for one extension, in words a release engineer can act on.
public struct Failure: Sendable, Hashable {
    /// A stable machine-readable kind.
    public enum Kind: String, Sendable, Codable {
        case notFound = "package-not-found"
        case alreadyInBase = "already-in-base"
        case noBasePackage = "match-base-evr-missing"
        case ambiguousBase = "match-base-evr-ambiguous"
        case evrNotAvailable = "match-base-evr-unavailable"
        case unsolvable = "unsolvable"
        case baseWouldChange = "base-would-change"
        case conflictsWithExtension = "conflicts-with-extension"
        case moduleProblem = "module-problem"
        /// The lock disagrees with the repos or the base (`--lockfile`).
        case lockMismatch = "lock-mismatch"
        /// A package the resolution needs is not in the lock (`--lockfile-strict`).
        case notLocked = "not-in-lock"
        /// Two packages own one path and rpm would refuse to install both (found at compose time).
        case fileConflict = "file-conflict"
    }
    public let kind: Kind
    /// One sentence saying what and where.
    public let message: String
    /// Supporting lines: libsolv's rules, EVRs the repos have, close names.
    public let details: [String]
    /// The ways out libsolv suggests, each a list of steps.
    public let solutions: [[String]]

    public init(kind: Kind, message: String, details: [String] = [], solutions: [[String]] = []) {
        self.kind = kind
        self.message = message
        self.details = details
        self.solutions = solutions
    }
}

/// The outcome for one extension on one architecture.
public struct ExtensionResult: Sendable {
    /// How it ended.
    public enum Status: String, Sendable, Codable {
        case resolved, skipped, failed
    }
    public let name: String
    public let arch: String
    public let kind: String
    public var status: Status
    /// For skipped extensions, why.
    public var note: String?
    /// Listed packages first, then dependencies, each sorted by NEVRA.
    public var packages: [ResolvedPackage]
    public var failures: [Failure]
    /// What may be wrong but could not be decided (a path shared with a base package whose
    /// header could not be read); never a failure.
    public var warnings: [String] = []
}

/// Everything `check` learned about one architecture.
public struct ArchReport: Sendable {
    public let arch: String
    public let basePackageCount: Int
    /// sha256 over the base's sorted NEVRAs, one per line: the identity of the base package set.
    public var baseSha256: String = ""
    public var extensions: [ExtensionResult]
    /// The repos loaded for this arch, with the identity of their metadata.
    public var repos: [LoadedRepo] = []
    /// Where this arch's base came from.
    public var base: BaseSource?
    /// For a base given as a package list, when asked for (`CheckSession.baseFileOwners`): the
    /// base packages owning a path that an os-extension package also owns, from the repos' file lists.
    public var baseFileOwners: [BaseFileOwner] = []
    /// When asked for (`CheckSession.headerEnds`): where each os-extension package's header ends
    /// in its file, to read headers without the packages.
    public var headerEnds: [PackageRef: Int64] = [:]
    /// The image the base was read from (reference, manifest digest), for `--base-image`.
    public var baseImage: BaseImageIdentity?
    /// Problems of the arch as a whole, which fail it whatever its extensions do: the lock
    /// disagrees with the repos or the base.
    public var failures: [Failure] = []
    /// Where each package the extensions ship comes from, in the names others use.
    public var origins: [PackageRef: PackageOrigin] = [:]
    public var failed: Bool { !failures.isEmpty || extensions.contains { $0.status == .failed } }

    /// The repo id the manifest names for `package`: what the index records.
    public func manifestRepo(of package: PackageInfo) -> String {
        origins[package.ref]?.manifestRepo ?? package.repo
    }
}

/// Where a shipped package comes from, in the names the manifest, lockfiles and SBOMs use.
public struct PackageOrigin: Sendable, Hashable {
    /// The repo id as the manifest names it (`--map-repo` read backwards): recorded in the index,
    /// so a tree does not depend on what a build system calls its repos.
    public var manifestRepo: String
    /// The repo id as the build system names it: the lock's `repoid` when a lock pinned the
    /// package (so an offline build from prefetched repos names the same ids), else the repo's.
    public var repoID: String
    /// Where it can be downloaded: the lock's URL when a lock pinned it, else its repo's mirror and location.
    public var url: String
    /// Its source RPM and vendor.
    public var details: PackageDetails
    /// Whether a module stream ships it (its repo's module metadata then belongs in an rpms.lock.yaml).
    public var modular: Bool

    public init(manifestRepo: String, repoID: String, url: String, details: PackageDetails, modular: Bool) {
        self.manifestRepo = manifestRepo
        self.repoID = repoID
        self.url = url
        self.details = details
        self.modular = modular
    }
}
