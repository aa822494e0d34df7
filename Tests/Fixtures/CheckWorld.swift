// CheckWorld: one small distribution (a locked base, its repo, side repos) built once per test run
// and shared by the resolver and command-line tests of `mox check`.
import Foundation

/// A base OS and the repos extensions are resolved from, made of real RPMs.
///
/// Every package a test reasons about is a named `FixturePackage` here, so expectations
/// are derived from what was built (`CheckWorld.libfooNew.nevra`), not copied from output.
public struct CheckWorld: Sendable {
    /// The folder holding everything below (removed when the test process exits).
    public let directory: URL
    /// Folder with `os.repo`, `extra.repo` and `files.repo`, whose baseurls point at the repos.
    public let reposDirectory: URL
    /// The main repo: the base's own builds, newer builds and the extension packages.
    public let osRepo: URL
    /// A repo with `extrapkg`, for per-extension visibility.
    public let extraRepo: URL
    /// A repo whose only dependency is on a file that primary.xml does not list.
    public let filesRepo: URL
    /// A root filesystem whose rpmdb (at usr/share/rpm) records `base`.
    public let rootfs: URL
    /// The base's RPM files (in `osRepo`), for making other rootfs layouts.
    public let baseRPMs: [URL]

    /// The built world, or why it could not be built; built on first use, once per process.
    public static let shared: Result<CheckWorld, any Error> = Result { try build() }

    /// The shared world; throws the build error so a test fails with rpmbuild's own words.
    public static func get() throws -> CheckWorld { try shared.get() }

    // MARK: The base (installed and locked)

    public static let glibc = FixturePackage("glibc", version: "2.34", release: "1")
    public static let libfooBase = FixturePackage("libfoo", version: "1.0", release: "1")
    public static let kernelBase = FixturePackage("kernel", version: "5.14", release: "1")
    public static let oldbar = FixturePackage("oldbar")
    public static let basesvc = FixturePackage("basesvc")
    public static let basenet = FixturePackage("basenet")
    public static let bash = FixturePackage("bash", version: "5.1", files: ["/usr/bin/bash"])

    /// Everything installed in the base.
    public static let base = [glibc, libfooBase, kernelBase, oldbar, basesvc, basenet, bash]

    // MARK: The os repo besides the base's own builds

    public static let libfooNew = FixturePackage("libfoo", version: "2.0", release: "1")
    public static let kernelNew = FixturePackage("kernel", version: "5.15", release: "1")
    public static let kernelDevelBase = FixturePackage("kernel-devel", version: "5.14", release: "1", requires: ["kernel-headers"])
    public static let kernelDevelNew = FixturePackage("kernel-devel", version: "5.15", release: "1", requires: ["kernel-headers"])
    public static let kernelHeaders = FixturePackage("kernel-headers", version: "5.15", release: "1")
    /// No build of the base kernel's EVR: only older and newer ones.
    public static let kernelToolsOld = FixturePackage("kernel-tools", version: "5.13", release: "1")
    public static let kernelToolsNew = FixturePackage("kernel-tools", version: "5.15", release: "1")

    /// Needs a newer libfoo than the base has.
    public static let needsNewFoo = FixturePackage("needsnewfoo", requires: ["libfoo >= 2.0"])
    /// Obsoletes a base package.
    public static let newbar = FixturePackage("newbar", obsoletes: ["oldbar"])
    /// Conflicts with a base package.
    public static let clasher = FixturePackage("clasher", conflicts: ["basesvc"])
    /// Needs a dependency that conflicts with a base package, so the base package would have to go.
    public static let needsGone = FixturePackage("needsgone", requires: ["netstack-ng"])
    public static let netstackNG = FixturePackage("netstack-ng", conflicts: ["basenet"])

    /// Two listed packages sharing a dependency chain; appA also needs the base's glibc.
    public static let appA = FixturePackage("appA", requires: ["libshared", "glibc"])
    public static let appB = FixturePackage("appB", requires: ["libshared"])
    public static let libshared = FixturePackage("libshared", requires: ["libdeep"])
    public static let libdeep = FixturePackage("libdeep")

    /// Weak dependency.
    public static let withRec = FixturePackage("withrec", recommends: ["recdep"])
    public static let recdep = FixturePackage("recdep")

    /// Each installs alone; not together.
    public static let left = FixturePackage("left", conflicts: ["right"])
    public static let right = FixturePackage("right")

    /// Needs a package only the `extra` repo has.
    public static let usesExtra = FixturePackage("usesextra", requires: ["extrapkg"])
    public static let usbguard = FixturePackage("usbguard")
    public static let solo = FixturePackage("solo")

    /// One name, two arches, each needing its own arch's library.
    public static let archToolX86 = FixturePackage("archtool", arch: "x86_64", requires: ["archlib"])
    public static let archToolARM = FixturePackage("archtool", arch: "aarch64", requires: ["archlib"])
    public static let archLibX86 = FixturePackage("archlib", arch: "x86_64")
    public static let archLibARM = FixturePackage("archlib", arch: "aarch64")

    /// The os repo: the base's builds and everything above.
    public static let osPackages = base + [
        libfooNew, kernelNew, kernelDevelBase, kernelDevelNew, kernelHeaders, kernelToolsOld, kernelToolsNew,
        needsNewFoo, newbar, clasher, needsGone, netstackNG, appA, appB, libshared, libdeep, withRec, recdep,
        left, right, usesExtra, usbguard, solo, archToolX86, archToolARM, archLibX86, archLibARM,
    ]

    // MARK: Side repos

    public static let extraPkg = FixturePackage("extrapkg")
    /// The path only filelists.xml knows (not /etc, not a bin directory).
    public static let dataFile = "/usr/share/foo/data"
    public static let fileDep = FixturePackage("filedep", requires: [dataFile])
    public static let fooData = FixturePackage("foodata", files: [dataFile])

    static func build() throws -> CheckWorld {
        let dir = try Fixtures.temporaryDirectory("check-world")
        removeAtExit(dir)
        let os = dir.appendingPathComponent("repos/os", isDirectory: true)
        let extra = dir.appendingPathComponent("repos/extra", isDirectory: true)
        let files = dir.appendingPathComponent("repos/files", isDirectory: true)
        // One rpmbuild batch for all three repos: the builds run in parallel.
        let rpmDir = dir.appendingPathComponent("rpms", isDirectory: true)
        let all = osPackages + [extraPkg, fileDep, fooData]
        let rpms = try Fixtures.buildRPMs(all, into: rpmDir)
        let byNEVRA = Dictionary(uniqueKeysWithValues: zip(all.map(\.nevra), rpms))
        for (repo, packages) in [(os, osPackages), (extra, [extraPkg]), (files, [fileDep, fooData])] {
            try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
            for package in packages {
                let rpm = byNEVRA[package.nevra]!
                try FileManager.default.linkItem(at: rpm, to: repo.appendingPathComponent(rpm.lastPathComponent))
            }
            try Fixtures.createRepo(repo)
        }
        let reposDir = dir.appendingPathComponent("etc-repos", isDirectory: true)
        for (id, repo) in [("os", os), ("extra", extra), ("files", files)] {
            try Fixtures.writeRepoFile(id: id, baseURL: repo.absoluteString, in: reposDir)
        }
        let baseRPMs = base.map { os.appendingPathComponent($0.fileName) }
        let rootfs = dir.appendingPathComponent("rootfs", isDirectory: true)
        try Fixtures.makeRootfs(baseRPMs, at: rootfs)
        return CheckWorld(directory: dir, reposDirectory: reposDir, osRepo: os, extraRepo: extra, filesRepo: files,
                          rootfs: rootfs, baseRPMs: baseRPMs)
    }
}

/// Folders to delete when the process exits (shared fixtures outlive every single test).
private let leftovers = LockedBox<[URL]>([])

/// Deletes `dir` when the test process exits (kept when MOX_KEEP_FIXTURES is set, for debugging).
public func removeAtExit(_ dir: URL) {
    if ProcessInfo.processInfo.environment["MOX_KEEP_FIXTURES"] != nil { return }
    let first = leftovers.update { list -> Bool in
        list.append(dir)
        return list.count == 1
    }
    if first {
        atexit {
            for dir in leftovers.get() { try? FileManager.default.removeItem(at: dir) }
        }
    }
}
