import ArgumentParser
import Fetch
import Foundation
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
        "Directory of dnf-style *.repo files (default: the extensions file's directory).", valueName: "dir"))
    var reposDirectory: String?

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

    @Option(name: .customLong("base-rootfs"), help: ArgumentHelp(
        "Root filesystem of the base OS (its rpmdb under usr/share/rpm, usr/lib/sysimage/rpm or var/lib/rpm); "
            + "ARCH=DIR gives one arch its own base; repeatable.",
        valueName: "[arch=]dir"))
    var baseRootfs: [String] = []

    @Option(name: .customLong("base-packages"), help: ArgumentHelp(
        "The base as an rpm-ostree lockfile (JSON or YAML) or a list of NEVRAs, one per line; ARCH=FILE for one arch; repeatable.",
        valueName: "[arch=]file"))
    var basePackages: [String] = []

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

    func validate() throws {
        guard retries >= 0, retries <= 20 else { throw ValidationError("--retries must be between 0 and 20") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
        if baseRootfs.isEmpty && basePackages.isEmpty {
            throw ValidationError("give the base: --base-rootfs DIR or --base-packages FILE")
        }
        let selection = try base
        for arch in resolvedArches where selection.source(for: arch) == nil {
            throw ValidationError("no base for \(arch): add --base-rootfs \(arch)=DIR or --base-packages \(arch)=FILE")
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

    /// The bases given: one shared, and/or one per arch (`ARCH=PATH`, ARCH a known architecture).
    var base: BaseSelection {
        get throws {
            var selection = BaseSelection(shared: nil)
            let given = baseRootfs.map { ("--base-rootfs", $0, BaseSource.rootfs) }
                + basePackages.map { ("--base-packages", $0, BaseSource.packages) }
            for (option, value, make) in given {
                if let equals = value.firstIndex(of: "="),
                   Extension.knownArchitectures.contains(String(value[..<equals])) {
                    let arch = String(value[..<equals])
                    guard selection.perArch[arch] == nil else {
                        throw ValidationError("\(option): two bases for \(arch)")
                    }
                    selection.perArch[arch] = make(String(value[value.index(after: equals)...]))
                } else {
                    guard selection.shared == nil else {
                        throw ValidationError("\(option) \(value): a base for every arch is already given; "
                            + "use ARCH=PATH for per-arch bases")
                    }
                    selection.shared = make(value)
                }
            }
            return selection
        }
    }

    var cachePath: String {
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
        let dir = reposDirectory ?? (parent.isEmpty ? "." : parent.string)
        var session = CheckSession(manifest: manifest, reposDirectory: dir, repoOverrides: repoOverrides,
                                   releasever: releasever, base: try base, cacheDirectory: cachePath)
        if let treefile {
            for arch in resolvedArches {
                do {
                    let read = try Treefile.load(path: treefile, basearch: CheckSession.basearch(of: arch))
                    session.extraRepos[arch] = ExtraRepos(source: treefile, repos: read.repos, releasever: read.releasever,
                                                          variables: read.repovars)
                } catch {
                    throw CheckError.invalidFiles([InputProblem(file: error.file, message: error.message)])
                }
            }
        }
        // http(s) repos: their metadata is downloaded into the cache.
        session.downloader = Fetcher(cache: PackageCache(directory: cachePath), options: fetchOptions())
        return session
    }

    /// Timeouts and retries for metadata and packages alike.
    func fetchOptions(concurrency: Int = 4) -> FetchOptions {
        FetchOptions(concurrency: concurrency, connectTimeout: Double(timeout), lowSpeedTime: Double(timeout), retries: retries)
    }

    /// The report of a run over these inputs.
    func report(_ arches: [ArchReport]) -> CheckReport {
        CheckReport(moxVersion: Mox.version, manifestPath: extensions,
                    baseSource: (try? base)?.description ?? "", arches: arches)
    }
}
