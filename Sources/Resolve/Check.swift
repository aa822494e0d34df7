import BaseImage
import Foundation
import ImageSource
import Lockfile
import Manifest
import Modules
import Repos
import RPM
import Solv
import SystemPackage

/// Where the base OS package set comes from.
public enum BaseSource: Sendable, Hashable {
    /// A root filesystem holding an rpmdb.
    case rootfs(String)
    /// An rpm-ostree lockfile or a NEVRA list.
    case packages(String)
    /// An image reference in a transport skopeo reads (`docker://...`, `oci:DIR:TAG`).
    case image(String)

    /// `rootfs`, `packages` or `image`.
    public var kind: String {
        switch self {
        case .rootfs: "rootfs"
        case .packages: "packages"
        case .image: "image"
        }
    }

    /// The path or reference as given.
    public var path: String {
        switch self {
        case .rootfs(let path), .packages(let path), .image(let path): path
        }
    }
}

/// The base of each architecture: one for all, or one per arch (`--base-rootfs aarch64=DIR`).
public struct BaseSelection: Sendable, Hashable, CustomStringConvertible {
    /// The base of arches without their own.
    public var shared: BaseSource?
    /// Bases given for one arch.
    public var perArch: [String: BaseSource]

    public init(shared: BaseSource?, perArch: [String: BaseSource] = [:]) {
        self.shared = shared
        self.perArch = perArch
    }

    /// The base to resolve `arch` against.
    public func source(for arch: String) -> BaseSource? { perArch[arch] ?? shared }

    /// The paths as given: `DIR`, or `x86_64=DIR, aarch64=DIR`.
    public var description: String {
        var parts = perArch.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.path)" }
        if let shared { parts.insert(shared.path, at: 0) }
        return parts.joined(separator: ", ")
    }
}

/// Why a check could not run at all; the CLI maps these to exit codes 2 and 3.
public enum CheckError: Error, Sendable, CustomStringConvertible {
    /// Bad input: the user can fix the files or arguments (exit 2).
    case invalidInput(String)
    /// Bad input files: every mistake found in them, each where it is (exit 2).
    case invalidFiles([InputProblem])
    /// The environment failed: unreadable repos, checksum mismatches, I/O (exit 3).
    case environment(String)

    public var description: String {
        switch self {
        case .invalidInput(let message), .environment(let message): message
        case .invalidFiles(let problems): problems.map(\.description).joined(separator: "\n")
        }
    }

    /// Every problem, each with its place when it has one.
    public var problems: [InputProblem] {
        switch self {
        case .invalidInput(let message), .environment(let message): [InputProblem(message: message)]
        case .invalidFiles(let problems): problems
        }
    }
}

/// One mistake in an input, and where it is (file, line, column; 0 when unknown).
public struct InputProblem: Sendable, Hashable, CustomStringConvertible {
    public let file: String?
    public let line: Int
    public let column: Int
    /// The dotted key path in an extensions file (`extensions.usbguard.packages[1]`), if any.
    public let key: String?
    /// What is wrong and what to do.
    public let message: String

    public init(file: String? = nil, line: Int = 0, column: Int = 0, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// A manifest problem, with its position and key.
    public init(_ error: ManifestError) {
        self.init(file: error.file, line: error.line, column: error.column, key: error.key.isEmpty ? nil : error.key,
                  message: error.message)
    }

    /// A lockfile or base package list problem, with its line.
    public init(_ error: LockfileError) {
        self.init(file: error.file, line: error.line, message: error.message)
    }

    /// `FILE:LINE:COLUMN: message`, as much of the place as is known.
    public var description: String {
        guard let file else { return message }
        if line > 0 && column > 0 { return "\(file):\(line):\(column): \(message)" }
        if line > 0 { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// One architecture's inputs, loaded: the pool and what went into it.
public struct LoadedArch {
    public let pool: Pool
    public let repos: [LoadedRepo]
    /// The repos as the `.repo` files define them for this arch (baseurls, gpg settings).
    public let definitions: [RepoDefinition]
    /// The module streams active on this arch and what they hide.
    public var modules: ModuleState = .none
    /// Which repos each extension sees.
    public var visibility: RepoVisibility?
    /// The image the base was read from, when it came from `--base-image`.
    public var baseImage: BaseImageIdentity? = nil
}

/// Repos visible to every extension besides the extensions file's, and variables for `.repo`
/// files: what an rpm-ostree treefile (`--treefile`) adds for one arch.
public struct ExtraRepos: Sendable, Hashable {
    /// Where they were given (the treefile), for messages.
    public var source: String
    public var repos: [String]
    /// `$releasever` when none is given on the command line.
    public var releasever: String?
    /// More `$name` variables (a treefile's repovars).
    public var variables: [String: String]

    public init(source: String, repos: [String], releasever: String?, variables: [String: String]) {
        self.source = source
        self.repos = repos
        self.releasever = releasever
        self.variables = variables
    }
}

/// The inputs of `mox check` and `mox compose`, and the loading they share.
public struct CheckSession: Sendable {
    public let manifest: ExtensionsFile
    public let reposDirectory: String
    public let repoOverrides: [String]
    public let releasever: String?
    public let base: BaseSelection
    public let cacheDirectory: String?
    /// Downloads remote repo metadata (http(s) repos, metalinks, mirrorlists); nil: only local repos work.
    public var downloader: RepoDownloader?
    /// For a base given as a package list, also find the base packages sharing a path with an
    /// os-extension package (`ArchReport.baseFileOwners`; the repos' filelists are then read).
    public var baseFileOwners = false
    /// Record what each package needs among those its extension installs (`ResolvedPackage.needs`).
    public var recordNeeds = false
    /// Record where each os-extension package's header ends (`ArchReport.headerEnds`).
    public var headerEnds = false
    /// Per arch, repos and variables a treefile adds.
    public var extraRepos: [String: ExtraRepos] = [:]
    /// Repo directories of single arches (`--repos-dir ARCH=DIR`), in place of `reposDirectory`.
    public var archReposDirectories: [String: String] = [:]
    /// The manifest's repo ids as the build system names them (`--map-repo`, `--all-repos`).
    public var repoMapping: RepoMapping = .identity
    /// Packages pinned by `--lockfile`, with rpm-ostree's semantics.
    public var lock: PackageLock?
    /// `--lockfile-strict`: a package the resolution needs beyond the lock fails.
    public var lockStrict = false
    /// `--offline`: a repo that needs the network is an environment error naming what to prefetch.
    public var offline = false
    /// Whether reports say where each shipped package comes from (`ArchReport.origins`, for the index,
    /// lockfiles and SBOMs); a check that writes none of them saves the work.
    public var recordOrigins = true
    /// How base images are read from registries (`--tls-verify`, `--authfile`); `offline` applies on top.
    public var registry = RegistryOptions()

    /// `registry` with `offline` applied.
    var registryOptions: RegistryOptions {
        var options = registry
        options.offline = offline
        return options
    }
    /// Repos defined here rather than by a .repo file (`mox lint`: the image's own tree, defined
    /// as the MCO's repo file defines it).
    public var definedRepos: [RepoDefinition] = []
    /// Repos loaded only to look up a package-list base's packages, visible to no extension
    /// (`mox lint`: the extensions see the image's repo alone, and the base is not in it).
    public var baseLookupRepos: [String] = []

    public init(manifest: ExtensionsFile, reposDirectory: String, repoOverrides: [String], releasever: String?,
                base: BaseSelection, cacheDirectory: String?) {
        self.manifest = manifest
        self.reposDirectory = reposDirectory
        self.repoOverrides = repoOverrides
        self.releasever = releasever
        self.base = base
        self.cacheDirectory = cacheDirectory
    }

    /// rpm's `$basearch` for an architecture.
    public static func basearch(of arch: String) -> String {
        switch arch {
        case "i386", "i486", "i586", "i686": "i386"
        case "armv7hl", "armv7l": "armhfp"
        default: arch
        }
    }

    /// `$basearch`, `$arch`, `$releasever` (with `$releasever_major` and `_minor`) for `arch`.
    public func variables(arch: String) -> [String: String] {
        var variables = ["basearch": Self.basearch(of: arch), "arch": arch]
        variables.merge(extraRepos[arch]?.variables ?? [:]) { builtIn, _ in builtIn }
        if let releasever = releasever ?? extraRepos[arch]?.releasever {
            variables["releasever"] = releasever
            let parts = releasever.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            variables["releasever_major"] = String(parts[0])
            variables["releasever_minor"] = parts.count > 1 ? String(parts[1]) : ""
        }
        return variables
    }

    /// The repos directory of `arch`.
    public func reposDirectory(arch: String) -> String { archReposDirectories[arch] ?? reposDirectory }

    /// The repo definitions for `arch`, with `$basearch`/`$arch`/`$releasever` substituted, the
    /// ids the manifest uses checked against them (through `--map-repo` and `--all-repos`), and
    /// which of them each extension sees.
    public func repoDefinitions(arch: String) throws(CheckError)
        -> (repos: [RepoDefinition], warnings: [String], visibility: RepoVisibility) {
        let variables = self.variables(arch: arch)
        let directory = reposDirectory(arch: arch)
        var loaded: (repos: [RepoDefinition], warnings: [String])
        do {
            loaded = try RepoConfig.loadDirectory(directory, variables: variables, overrides: repoOverrides)
        } catch {
            throw .invalidInput("\(error)")
        }
        loaded.repos += definedRepos
        if let extra = extraRepos[arch], !repoMapping.allRepos {
            // A treefile's repos are read through --map-repo too; one nothing defines is the treefile's mistake.
            let defined = Set(loaded.repos.map(\.id)).union(repoMapping.targets.keys)
            let undefined = extra.repos.filter { !defined.contains($0) }.map {
                InputProblem(file: extra.source, message: "repo '\($0)' (in its repos, for \(arch)) is not defined by any "
                    + ".repo file in \(directory); add it to a .repo file there, map it (--map-repo) or give --repos-dir")
            }
            if !undefined.isEmpty { throw .invalidFiles(undefined) }
        }
        let visibility = try RepoVisibility(manifest: manifest(for: arch), mapping: repoMapping, defined: loaded.repos,
                                            reposDirectory: directory)
        let used = visibility.used.union(baseLookupRepos)
        // The manifest decides which repos count, as rpm-ostree's `repos:` enables exactly those.
        return (loaded.repos.filter { used.contains($0.id) }, loaded.warnings, visibility)
    }

    /// Builds the pool for one architecture: repos (checksummed, cached), then the base.
    /// Input mistakes (exit 2) are found before any repo is read (exit 3 problems).
    public func load(arch: String, log: (String) -> Void = { _ in }) throws(CheckError) -> LoadedArch {
        let (definitions, warnings, visibility) = try repoDefinitions(arch: arch)
        warnings.forEach { log("warning: \($0)") }
        let base = try checkedBase(for: arch)
        if offline { try Self.refuseRemote(definitions, arch: arch) }
        let pool = Pool(arch: arch)
        let repos: [LoadedRepo]
        let loader = RepoLoader(cacheDirectory: cacheDirectory, downloader: downloader, variables: variables(arch: arch))
        do {
            repos = try loader.load(definitions, into: pool,
                                    filelists: needsFilelists(arch: arch) || wantsBaseFileOwners(arch: arch), log: log)
        } catch {
            throw .environment("\(error)")
        }
        for repo in repos {
            let source = repo.fromCache ? "cached" : "parsed"
            log("\(arch): repo \(repo.id): \(repo.packages) packages (\(source)\(repo.withFilelists ? ", with filelists" : ""))")
        }
        switch base {
        case let .rootfs(root, database, image):
            let shown = image.map { "\($0.reference) (\($0.digest))" } ?? root.string
            do {
                // librpm opens a private copy: it writes -shm/-wal beside what it opens, and a base is only read.
                let copy = try database.privateCopy(from: root, under: FilePath(cachePath).appending("rpmdb"))
                let count = try pool.loadBase(rpmdb: copy.directory)
                log("\(arch): base \(shown) (rpmdb \(database.dbpath)): \(count) packages")
            } catch let error as RPMDatabaseError {
                throw .environment("base \(shown): \(error)")
            } catch {
                throw .invalidInput("base \(shown): the rpmdb at \(database.dbpath) (\(database.backend)) cannot be read: "
                    + "it is corrupted or not an rpmdb librpm reads (\(error)); rebuild it with rpm --rebuilddb")
            }
            let foreign = pool.foreignBaseArchitectures()
            if !foreign.isEmpty {
                throw .invalidInput("base \(shown) is for another architecture than \(arch): its packages are "
                    + foreign.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                    + "; give each arch its own base (ARCH=PATH)")
            }
        case let .packages(file, list):
            do {
                let count = try pool.loadBase(packages: list)
                log("\(arch): base \(file): \(count) packages")
            } catch {
                if case .basePackagesNotFound(let missing) = error {
                    throw .invalidInput("--base-packages \(file): \(missing.count) package(s) are in none of the repos "
                        + "(" + repos.map(\.id).joined(separator: ", ") + "): "
                        + missing.prefix(20).map(\.description).joined(separator: ", ")
                        + (missing.count > 20 ? ", ..." : "")
                        + "; add the repos the base was built from")
                }
                throw .environment("\(error)")
            }
        }
        loader.storeFileProvides(in: pool, repos: repos, log: log)
        var loaded = LoadedArch(pool: pool, repos: repos, definitions: definitions)
        loaded.visibility = visibility
        if case .rootfs(_, _, let image) = base { loaded.baseImage = image }
        loaded.modules = try applyModules(to: pool, repos: repos, definitions: definitions, arch: arch, log: log)
        return loaded
    }

    /// The extensions file as it applies to `arch`: with the repos a treefile adds visible to every extension.
    public func manifest(for arch: String) -> ExtensionsFile {
        guard let extra = extraRepos[arch] else { return manifest }
        return manifest.addingRepos(extra.repos)
    }

    /// Whether a listed file path needs filelists.xml: primary.xml lists only files under /etc
    /// and in bin directories (createrepo_c's rule).
    func needsFilelists(arch: String) -> Bool {
        manifest.extensions.filter { $0.applies(to: arch) }.flatMap(\.packages).contains { spec in
            (spec.hasPrefix("/") || spec.hasPrefix("*/")) && !spec.hasPrefix("/etc/") && !spec.contains("bin/")
        }
    }

    /// Whether the base file owners are wanted and can only come from the repos' filelists.
    func wantsBaseFileOwners(arch: String) -> Bool {
        guard baseFileOwners, case .packages = base.source(for: arch) else { return false }
        return true
    }

    /// A private copy of the rpmdb of `arch`'s base (a rootfs, or what was read out of a base
    /// image), which librpm may open; nil for a base given as a package list. The copy is removed
    /// when the value goes away.
    public func baseDatabaseCopy(arch: String) throws(CheckError) -> PrivateRPMDatabase? {
        guard case let .rootfs(root, database, _) = try checkedBase(for: arch) else { return nil }
        do {
            return try database.privateCopy(from: root, under: FilePath(cachePath).appending("rpmdb"))
        } catch {
            throw .environment("base of \(arch): \(error)")
        }
    }

    /// The base of `arch`, checked as far as it can be without the repos: the rootfs and its
    /// rpmdb exist, or the package list parses.
    private func checkedBase(for arch: String) throws(CheckError) -> CheckedBase {
        guard let base = base.source(for: arch) else {
            throw .invalidInput("no base for \(arch): give --base-rootfs \(arch)=DIR or --base-packages \(arch)=FILE")
        }
        switch base {
        case .rootfs(let root):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .invalidInput("--base-rootfs \(root): no such directory")
            }
            return .rootfs(FilePath(root), try database(in: FilePath(root), option: "--base-rootfs \(root)"), image: nil)
        case .image(let reference):
            let base: BaseImageRoot
            do {
                base = try BaseImageCache(cacheDirectory: FilePath(cachePath),
                                          options: registryOptions)
                    .root(of: reference, arch: arch)
            } catch {
                throw error.isInvalidInput ? .invalidInput("--base-image \(error)") : .environment("--base-image \(error)")
            }
            return .rootfs(base.root, try database(in: base.root, option: "--base-image \(reference)"), image: base.identity)
        case .packages(let file):
            do {
                return .packages(file, try BasePackageList.load(file: file, arch: arch))
            } catch {
                throw .invalidFiles(error.problems.map(InputProblem.init))
            }
        }
    }

    private enum CheckedBase {
        /// A root holding an rpmdb (a `--base-rootfs`, or what was read out of a `--base-image`).
        case rootfs(FilePath, RPMDatabase, image: BaseImageIdentity?)
        case packages(String, [BasePackageSpec])
    }

    /// The rpmdb under `root`, every path resolved inside it.
    private func database(in root: FilePath, option: String) throws(CheckError) -> RPMDatabase {
        let found: RPMDatabase?
        do { found = try RPMDatabase.locate(root: root) } catch { throw .invalidInput("\(option): \(error)") }
        guard let found else {
            let looked = RPMDatabase.searchPaths.map { root.appending($0.components).string }
            throw .invalidInput("\(option): no rpmdb found; looked in " + looked.joined(separator: ", ")
                + "; point at the root of an OS image")
        }
        return found
    }

    /// Where base images and private rpmdb copies are cached.
    var cachePath: String { cacheDirectory ?? NSTemporaryDirectory() + "/mox-cache" }

    /// Loads one architecture and resolves every extension on it (within the lock, when one is
    /// given). Also returns the repo definitions it used, for callers that go on to fetch from them.
    public func resolve(arch: String, log: (String) -> Void = { _ in }) throws(CheckError)
        -> (report: ArchReport, definitions: [RepoDefinition]) {
        let locking = try locking(arch: arch)
        let loaded = try load(arch: arch, log: log)
        let applied = locking?.apply(to: loaded.pool)
        if offline, let applied, !applied.missing.isEmpty {
            throw .environment(Self.prefetchMessage(applied.missing, arch: arch, repos: loaded.repos))
        }
        var report = Resolver(pool: loaded.pool, manifest: manifest(for: arch), modules: loaded.modules,
                              visibility: loaded.visibility, recordNeeds: recordNeeds).resolveAll()
        report.repos = loaded.repos
        report.base = base.source(for: arch)
        if wantsBaseFileOwners(arch: arch) {
            let shipped = report.extensions.filter { $0.kind == Extension.Kind.osExtension.rawValue && $0.status == .resolved }
            report.baseFileOwners = loaded.pool.baseFileOwners(sharing: shipped.flatMap(\.packages).map(\.package.ref))
        }
        if headerEnds {
            for ext in report.extensions where ext.kind == Extension.Kind.osExtension.rawValue && ext.status == .resolved {
                for p in ext.packages { report.headerEnds[p.package.ref] = loaded.pool.headerEnd(of: p.package.ref) }
            }
        }
        if let locking, let applied {
            report.failures += applied.failures
            let unused = locking.verify(&report, applied: applied)
            if !unused.isEmpty {
                log("warning: \(arch): \(unused.count) locked package(s) are not shipped (the lock pins more than "
                    + "the extensions need): " + unused.prefix(10).map(\.spec.description).joined(separator: ", ")
                    + (unused.count > 10 ? ", ..." : ""))
            }
        }
        if recordOrigins { report.origins = origins(of: report, loaded: loaded, pinned: applied?.entries ?? [:]) }
        report.baseImage = loaded.baseImage
        return (report, loaded.definitions)
    }

    /// Loads and resolves every extension for each architecture, in order.
    public func check(arches: [String], log: (String) -> Void = { _ in }) throws(CheckError) -> [ArchReport] {
        var reports: [ArchReport] = []
        for arch in arches { reports.append(try resolve(arch: arch, log: log).report) }
        return reports
    }
}
