import ArgumentParser
import Foundation
import Manifest
import Resolve

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

    @Option(name: .customLong("base-rootfs"), help: ArgumentHelp(
        "Root filesystem of the base OS; its rpmdb is found under usr/share/rpm, usr/lib/sysimage/rpm or var/lib/rpm.",
        valueName: "dir"))
    var baseRootfs: String?

    @Option(name: .customLong("base-packages"), help: ArgumentHelp(
        "The base as an rpm-ostree lockfile (JSON) or a list of NEVRAs, one per line.", valueName: "file"))
    var basePackages: String?

    @Option(name: .customLong("arch"), help: ArgumentHelp(
        "Architecture to resolve for; repeatable (default: this machine's).", valueName: "arch"))
    var arches: [String] = []

    @Option(name: .customLong("cachedir"), help: ArgumentHelp(
        "Cache for parsed metadata (default: $XDG_CACHE_HOME/mox or ~/.cache/mox).", valueName: "dir"))
    var cacheDirectory: String?

    @Flag(name: .shortAndLong, help: "Print only the report, no progress lines.")
    var quiet = false

    func validate() throws {
        switch (baseRootfs, basePackages) {
        case (nil, nil): throw ValidationError("give the base: --base-rootfs DIR or --base-packages FILE")
        case (.some, .some): throw ValidationError("give only one of --base-rootfs and --base-packages")
        default: break
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

    var base: BaseSource {
        if let baseRootfs { return .rootfs(baseRootfs) }
        return .packages(basePackages ?? "")
    }

    var cachePath: String {
        if let cacheDirectory { return cacheDirectory }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/mox" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/mox"
    }

    /// Reads and validates the extensions file and assembles the session.
    func session() throws -> CheckSession {
        let manifest: ExtensionsFile
        do {
            manifest = try ExtensionsFile.load(path: extensions)
        } catch {
            throw CheckError.invalidInput("\(error)")
        }
        let dir = reposDirectory ?? (URL(fileURLWithPath: extensions).deletingLastPathComponent().path)
        return CheckSession(manifest: manifest, reposDirectory: dir, repoOverrides: repoOverrides,
                            releasever: releasever, base: base, cacheDirectory: cachePath)
    }
}
