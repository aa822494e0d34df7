// ComposeWorld: a locked base and repos of real RPMs for `mox compose`, built once per test run,
// with the tree each extension must produce written down from the packages themselves.
import Foundation

/// A base, an `os` repo and a per-extension `extra` repo, and an extensions file using them.
///
/// Expectations are derived from the named packages (`ComposeWorld.expectedTree`), never copied from output.
public struct ComposeWorld: Sendable {
    /// The folder holding everything below (removed when the test process exits).
    public let directory: URL
    /// `os.repo` and `extra.repo`, pointing at the two local repos.
    public let reposDirectory: URL
    public let osRepo: URL
    public let extraRepo: URL
    /// A root filesystem whose rpmdb (usr/share/rpm) records `base`.
    public let rootfs: URL
    /// Every built RPM by NEVRA.
    public let rpms: [String: URL]

    /// The built world, or why it could not be built; built on first use, once per process.
    public static let shared: Result<ComposeWorld, any Error> = Result { try build() }
    public static func get() throws -> ComposeWorld { try shared.get() }

    // MARK: The base

    /// Provides what the corpus's `hello` (a real x86_64 binary package) needs, so it resolves too.
    public static let glibc = FixturePackage(
        "glibc", version: "2.34", arch: "x86_64",
        provides: ["libc.so.6()(64bit)", "libc.so.6(GLIBC_2.2.5)(64bit)", "rtld(GNU_HASH)"], files: ["/usr/lib64/libc.so.6"])
    public static let kernel = FixturePackage("kernel", version: "5.14", release: "1", files: ["/usr/lib/modules/5.14/vmlinuz"])
    public static let bash = FixturePackage("bash", version: "5.1", files: ["/usr/bin/bash"])
    public static let base = [glibc, kernel, bash]

    // MARK: The os repo besides the base's own builds

    public static let kernelNew = FixturePackage("kernel", version: "5.15", release: "1", files: ["/usr/lib/modules/5.15/vmlinuz"])
    /// Has a vendor, as distribution packages do (an SBOM's purl namespace comes from it).
    public static let usbguard: FixturePackage = {
        var package = FixturePackage("usbguard", arch: "x86_64", requires: ["libusbguard", "glibc", "/usr/bin/bash"],
                                     files: ["/usr/sbin/usbguard"])
        package.vendor = "Red Hat, Inc."
        return package
    }()
    public static let libusbguard = FixturePackage("libusbguard", arch: "x86_64", requires: ["libshared"], files: ["/usr/lib64/libusbguard.so.1"])
    /// Needed by three extensions, through two different chains.
    public static let libshared = FixturePackage("libshared", requires: ["libdeep"], files: ["/usr/share/libshared/a"])
    public static let libdeep = FixturePackage("libdeep", files: ["/usr/share/libdeep/a"])
    public static let toolbox = FixturePackage("toolbox", requires: ["libshared", "libtool"], files: ["/usr/bin/toolbox"])
    public static let libtool = FixturePackage("libtool", files: ["/usr/share/libtool/a"])
    /// Its file name has no epoch; its NEVRA does.
    public static let epochpkg = FixturePackage("epochpkg", epoch: 2, files: ["/usr/share/epochpkg/a"])
    public static let archtoolX86 = FixturePackage("archtool", arch: "x86_64", requires: ["archlib"], files: ["/usr/bin/archtool"])
    public static let archtoolARM = FixturePackage("archtool", arch: "aarch64", requires: ["archlib"], files: ["/usr/bin/archtool"])
    public static let archlibX86 = FixturePackage("archlib", arch: "x86_64", files: ["/usr/lib64/libarch.so"])
    public static let archlibARM = FixturePackage("archlib", arch: "aarch64", files: ["/usr/lib64/libarch.so"])
    /// Each build needs its own kernel: only match-base-evr makes it installable on the base.
    public static let kmodBase = FixturePackage("kmod-extra", version: "5.14", release: "1", requires: ["kernel = 5.14-1"],
                                                files: ["/usr/lib/modules/5.14/extra.ko"])
    public static let kmodNew = FixturePackage("kmod-extra", version: "5.15", release: "1", requires: ["kernel = 5.15-1"],
                                               files: ["/usr/lib/modules/5.15/extra.ko"])
    public static let kernelDevelBase = FixturePackage("kernel-devel", version: "5.14", release: "1", requires: ["kernel-headers"],
                                                       files: ["/usr/src/kernels/5.14/Makefile"])
    public static let kernelDevelNew = FixturePackage("kernel-devel", version: "5.15", release: "1", requires: ["kernel-headers"],
                                                      files: ["/usr/src/kernels/5.15/Makefile"])
    public static let kernelHeadersBase = FixturePackage("kernel-headers", version: "5.14", release: "1", files: ["/usr/include/linux/a.h"])
    public static let kernelHeadersNew = FixturePackage("kernel-headers", version: "5.15", release: "1", files: ["/usr/include/linux/a.h"])
    /// A package no test lists: it must never reach a tree.
    public static let unrelated = FixturePackage("unrelated", files: ["/usr/share/unrelated/a"])
    /// Needs what no repo has.
    public static let broken = FixturePackage("broken", requires: ["nothing-provides-this"])
    /// Small extra extension, for "adding an extension" reruns.
    public static let solo = FixturePackage("solo", requires: ["libdeep"], files: ["/usr/share/solo/a"])

    public static let osPackages = base + [
        kernelNew, usbguard, libusbguard, libshared, libdeep, toolbox, libtool, epochpkg, archtoolX86, archtoolARM,
        archlibX86, archlibARM, kmodBase, kmodNew, kernelDevelBase, kernelDevelNew, kernelHeadersBase, kernelHeadersNew,
        unrelated, broken, solo,
    ]

    // MARK: The extra repo (visible to one extension only)

    public static let extratool = FixturePackage("extratool", requires: ["extralib", "libshared"], files: ["/usr/bin/extratool"])
    public static let extralib = FixturePackage("extralib", files: ["/usr/share/extralib/a"])
    public static let extraPackages = [extratool, extralib]

    // MARK: The scenario

    /// The extensions file of the scenario: os-extensions with shared dependencies, a per-extension
    /// repo, a match-base-evr pin and a development extension.
    public static let manifest = """
        repos: [os]
        extensions:
          usbguard:
            packages: [usbguard]
          tools:
            packages: [toolbox, epochpkg, archtool]
          extra:
            repos: [extra]
            packages: [extratool]
          kmods:
            packages: [kmod-extra]
            match-base-evr: kernel
          kernel-devel:
            kind: development
            packages: [kernel-devel, kernel-headers]
            match-base-evr: kernel

        """

    /// What each extension of `manifest` lists, in manifest order (x86_64).
    public static let listed: [(name: String, packages: [FixturePackage])] = [
        ("usbguard", [usbguard]),
        ("tools", [toolbox, epochpkg, archtoolX86]),
        ("extra", [extratool]),
        ("kmods", [kmodBase]),
        ("kernel-devel", [kernelDevelBase, kernelHeadersBase]),
    ]

    /// What each extension of `manifest` pulls in that the base lacks (x86_64).
    public static let dependencies: [String: [FixturePackage]] = [
        "usbguard": [libusbguard, libshared, libdeep],
        "tools": [libshared, libdeep, libtool, archlibX86],
        "extra": [extralib, libshared, libdeep],
        "kmods": [],
        "kernel-devel": [],
    ]

    /// Every path of the tree `manifest` gives on x86_64, RPMs only, sorted.
    public static var expectedTree: [String] {
        var paths = Set<String>()
        for (name, packages) in listed {
            for p in packages { paths.insert("extensions/\(name)/\(p.fileName)") }
        }
        for p in dependencies.values.joined() { paths.insert("dependencies/\(p.fileName)") }
        return paths.sorted()
    }

    static func build() throws -> ComposeWorld {
        let dir = try Fixtures.temporaryDirectory("compose-world")
        removeAtExit(dir)
        let os = dir.appendingPathComponent("repos/os", isDirectory: true)
        let extra = dir.appendingPathComponent("repos/extra", isDirectory: true)
        let all = osPackages + extraPackages
        let built = try Fixtures.buildRPMs(all, into: dir.appendingPathComponent("rpms", isDirectory: true))
        let byNEVRA = Dictionary(uniqueKeysWithValues: zip(all.map(\.nevra), built))
        for (repo, packages) in [(os, osPackages), (extra, extraPackages)] {
            try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
            for package in packages {
                try FileManager.default.linkItem(at: byNEVRA[package.nevra]!, to: repo.appendingPathComponent(package.fileName))
            }
            try Fixtures.createRepo(repo)
        }
        let reposDir = dir.appendingPathComponent("etc-repos", isDirectory: true)
        for (id, repo) in [("os", os), ("extra", extra)] {
            try Fixtures.writeRepoFile(id: id, baseURL: repo.absoluteString, in: reposDir)
        }
        let rootfs = dir.appendingPathComponent("rootfs", isDirectory: true)
        try Fixtures.makeRootfs(base.map { os.appendingPathComponent($0.fileName) }, at: rootfs)
        return ComposeWorld(directory: dir, reposDirectory: reposDir, osRepo: os, extraRepo: extra, rootfs: rootfs,
                            rpms: byNEVRA)
    }
}
