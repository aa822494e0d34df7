import ArgumentParser
import Fetch
import Foundation
import Compose
import Manifest
import Report
import Resolve
import SystemPackage
import Treefile

/// Options every command that reads extensions, repos and a base shares.
struct InputOptions: ParsableArguments {
    @Argument(help: "The extensions file (rpm-ostree's extensions.yaml schema).")
    var extensions: String

    @Option(name: .customLong("repos-dir"), help: ArgumentHelp(
        "Directory of dnf-style *.repo files (default: the extensions file's directory); ARCH=DIR gives one arch "
            + "its own (hermeto's per-arch repos.d); repeatable.", valueName: "[arch=]dir"))
    var reposDirectories: [String] = []

    @Option(name: .customLong("repo"), help: ArgumentHelp(
        "Define or override one repo's baseurl; repeatable.", valueName: "id=url"))
    var repoOverrides: [String] = []

    @Option(help: "Value of $releasever in .repo files.")
    var releasever: String?

    @Option(name: .customLong("treefile"), help: ArgumentHelp(
        "An rpm-ostree treefile whose repos (through its includes) every extension also uses, as rpm-ostree compose "
            + "extensions reads them; its releasever and repovars apply to .repo files, found in its directory "
            + "unless --repos-dir is given.", valueName: "file"))
    var treefile: String?

    @OptionGroup(title: "Base") var base: BaseOptions

    @OptionGroup(title: "Registries") var registry: RegistryAccessOptions

    @Option(name: .customLong("arch"), help: ArgumentHelp(
        "Architecture to resolve for; repeatable (default: this machine's).", valueName: "arch"))
    var arches: [String] = []

    @Option(name: .customLong("cachedir"), help: ArgumentHelp(
        "Cache for parsed metadata (default: $XDG_CACHE_HOME/mox or ~/.cache/mox).", valueName: "dir"))
    var cacheDirectory: String?

    @Option(name: .customLong("retries"), help: ArgumentHelp(
        "Further tries of a file (metadata or package) after the first, with backoff; a repo's retries= wins.",
        valueName: "n"))
    var retries: Int = 3

    @Option(name: .customLong("timeout"), help: ArgumentHelp(
        "Seconds to connect, and that a transfer may stall, before it is retried; a repo's timeout= wins.",
        valueName: "seconds"))
    var timeout: Int = 30

    @Flag(name: .shortAndLong, help: "Print only the report, no progress lines.")
    var quiet = false

    @OptionGroup(title: "Hermetic builds") var hermetic: HermeticOptions

    func validate() throws {
        guard retries >= 0, retries <= 20 else { throw ValidationError("--retries must be between 0 and 20") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
        _ = try Self.perArch(reposDirectories, option: "--repos-dir")
        do { try hermetic.companions.check(arches: resolvedArches.count) } catch { throw ValidationError("\(error)") }
        if base.isEmpty {
            throw ValidationError("give the base: --base-rootfs DIR, --base-image REF or --base-packages FILE")
        }
        let selection = try base.selection
        for arch in resolvedArches where selection.source(for: arch) == nil {
            throw ValidationError("no base for \(arch): add --base-rootfs \(arch)=DIR, --base-image \(arch)=REF "
                + "or --base-packages \(arch)=FILE")
        }
        for arch in arches where !Extension.knownArchitectures.contains(arch) {
            throw ValidationError("unknown --arch '\(arch)'; known: "
                + Extension.knownArchitectures.sorted().joined(separator: ", "))
        }
    }

    /// The architectures to resolve, in the order given, without repeats.
    var resolvedArches: [String] {
        var seen = Set<String>()
        let list = arches.isEmpty ? [Self.machineArch] : arches
        return list.filter { seen.insert($0).inserted }
    }

    /// This machine's architecture as rpm names it.
    static var machineArch: String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch machine {
        case "arm64": return "aarch64"
        case "i386", "i486", "i586": return "i686"
        default: return machine
        }
    }

    /// Values of a repeatable `[ARCH=]VALUE` option: the one for every arch, and those of single arches.
    static func perArch(_ values: [String], option: String) throws -> (shared: String?, perArch: [String: String]) {
        var shared: String?
        var perArch: [String: String] = [:]
        for value in values {
            if let equals = value.firstIndex(of: "="), Extension.knownArchitectures.contains(String(value[..<equals])) {
                let arch = String(value[..<equals])
                guard perArch[arch] == nil else { throw ValidationError("\(option): two values for \(arch)") }
                perArch[arch] = String(value[value.index(after: equals)...])
            } else {
                guard shared == nil else {
                    throw ValidationError("\(option) \(value): one for every arch is already given; use ARCH=VALUE per arch")
                }
                shared = value
            }
        }
        return (shared, perArch)
    }

    var cachePath: String { Self.cachePath(cacheDirectory) }

    /// `--cachedir`, else `$XDG_CACHE_HOME/mox`, else `~/.cache/mox`.
    static func cachePath(_ cacheDirectory: String?) -> String {
        if let cacheDirectory { return cacheDirectory }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return FilePath(xdg).appending("mox").string }
        return FilePath(env["HOME"] ?? NSTemporaryDirectory()).appending(".cache/mox").string
    }

    /// Reads and validates the extensions file and assembles the session.
    func session() throws -> CheckSession {
        let manifest: ExtensionsFile
        do {
            manifest = try ExtensionsFile.load(path: extensions)
        } catch {
            throw CheckError.invalidFiles(error.problems.map(InputProblem.init))
        }
        // rpm-ostree looks for .repo files beside the treefile.
        let parent = FilePath(treefile ?? extensions).removingLastComponent()
        let (shared, perArch) = try Self.perArch(reposDirectories, option: "--repos-dir")
        let dir = shared ?? (parent.isEmpty ? "." : parent.string)
        var session = CheckSession(manifest: manifest, reposDirectory: dir, repoOverrides: repoOverrides,
                                   releasever: releasever, base: try base.selection, cacheDirectory: cachePath)
        session.archReposDirectories = perArch
        session.extraRepos = try treefileRepos()
        try hermetic.apply(to: &session)
        // http(s) repos: their metadata is downloaded into the cache.
        session.downloader = Fetcher(cache: PackageCache(directory: cachePath), options: fetchOptions())
        session.registry = registry.options
        return session
    }

    /// What `--treefile` adds for each arch: its repos, releasever and repovars.
    func treefileRepos() throws -> [String: ExtraRepos] {
        guard let treefile else { return [:] }
        var extra: [String: ExtraRepos] = [:]
        for arch in resolvedArches {
            do {
                let read = try Treefile.load(path: treefile, basearch: CheckSession.basearch(of: arch))
                extra[arch] = ExtraRepos(source: treefile, repos: read.repos, releasever: read.releasever, variables: read.repovars)
            } catch {
                throw CheckError.invalidFiles([InputProblem(file: error.file, message: error.message)])
            }
        }
        return extra
    }

    /// Timeouts and retries for metadata and packages alike.
    func fetchOptions(concurrency: Int = 4) -> FetchOptions {
        FetchOptions(concurrency: concurrency, connectTimeout: Double(timeout), lowSpeedTime: Double(timeout), retries: retries,
                     offline: hermetic.offline)
    }

    /// The report of a run over these inputs.
    func report(_ arches: [ArchReport]) -> CheckReport {
        CheckReport(moxVersion: Mox.version, manifestPath: extensions,
                    baseSource: (try? base.selection)?.description ?? "", arches: arches)
    }
}
