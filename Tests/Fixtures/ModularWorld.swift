// ModularWorld: an EL-like distribution for the rules real EL repos exercise: module streams
// (modules.yaml added with modifyrepo_c), a module_hotfixes repo, multilib (i686 beside x86_64)
// and packages for every form of package spec. Built once per test run.
import Foundation

/// A base, an `os` repo (multilib and spec forms), a modular `appstream` repo, and the same hotfix
/// repo configured twice: `hotfix` with `module_hotfixes=1`, `plainfix` without.
public struct ModularWorld: Sendable {
    public let directory: URL
    /// `.repo` files for os, appstream, hotfix and plainfix.
    public let reposDirectory: URL
    /// A root filesystem whose rpmdb records `base`.
    public let rootfs: URL

    public static let shared: Result<ModularWorld, any Error> = Result { try build() }
    public static func get() throws -> ModularWorld { try shared.get() }

    // MARK: The base (x86_64)

    /// Says which platform module streams are built for, as centos-stream-release does.
    public static let release = FixturePackage("fixture-release", provides: ["system-release", "base-module(platform:el8)"])
    public static let glibc = FixturePackage("glibc", version: "2.28", arch: "x86_64", provides: ["libc.so.6()(64bit)"],
                                             files: ["/usr/lib64/libc.so.6"])
    public static let libdep = FixturePackage("libdep", arch: "x86_64", requires: ["libc.so.6()(64bit)"],
                                              provides: ["libdep.so.1()(64bit)"], files: ["/usr/lib64/libdep.so.1"])
    public static let libmulti = FixturePackage("libmulti", arch: "x86_64", requires: ["libdep.so.1()(64bit)"],
                                                files: ["/usr/lib64/libmulti.so.1"])
    public static let base = [release, glibc, libdep, libmulti]

    // MARK: Multilib: the i686 builds of base packages

    public static let glibc32 = FixturePackage("glibc", version: "2.28", arch: "i686", provides: ["libc.so.6"],
                                               files: ["/usr/lib/libc.so.6"])
    public static let libdep32 = FixturePackage("libdep", arch: "i686", requires: ["libc.so.6"], provides: ["libdep.so.1"],
                                                files: ["/usr/lib/libdep.so.1"])
    public static let libmulti32 = FixturePackage("libmulti", arch: "i686", requires: ["libdep.so.1"],
                                                  files: ["/usr/lib/libmulti.so.1"])

    // MARK: Spec forms

    public static let wgTools = FixturePackage("wgtools")
    public static let wgUtils = FixturePackage("wgutils")
    public static let epochOld = FixturePackage("epochy", version: "2.0", release: "1")
    public static let epochNew = FixturePackage("epochy", version: "3.0", release: "1", epoch: 2)
    public static let webserver = FixturePackage("webserverd", provides: ["webserver"])
    /// One path primary.xml lists (a bin directory) and one only filelists.xml has.
    public static let helper = FixturePackage("helperpkg", files: ["/usr/bin/helper-run", "/usr/libexec/helper/run"])

    public static let osPackages = base + [glibc32, libdep32, libmulti32, wgTools, wgUtils, epochOld, epochNew,
                                           webserver, helper]

    // MARK: The modular appstream repo

    /// Outside any module.
    public static let nodejsPlain = FixturePackage("nodejs", version: "8.0", arch: "x86_64")
    public static let usesNode = FixturePackage("usesnode", requires: ["nodejs"])
    public static let dbPlain = FixturePackage("dbserver", version: "1.0", arch: "x86_64")
    /// nodejs:10 and nodejs:12 (profiles default: nodejs, npm; minimal: nodejs).
    public static let nodejs10 = FixturePackage("nodejs", version: "10.0", release: "1.module_el8", arch: "x86_64")
    public static let npm10 = FixturePackage("npm", version: "10.0", release: "1.module_el8", arch: "x86_64",
                                             requires: ["nodejs = 10.0-1.module_el8"])
    public static let nodejs12 = FixturePackage("nodejs", version: "12.0", release: "1.module_el8", arch: "x86_64")
    public static let npm12 = FixturePackage("npm", version: "12.0", release: "1.module_el8", arch: "x86_64",
                                             requires: ["nodejs = 12.0-1.module_el8"])
    /// db:2, the default stream of module db.
    public static let db2 = FixturePackage("dbserver", version: "2.0", release: "1.module_el8", arch: "x86_64")
    /// app:1, whose module requires nodejs:12.
    public static let appd = FixturePackage("appd", release: "1.module_el8", arch: "x86_64", requires: ["nodejs"])

    public static let appstreamPackages = [nodejsPlain, usesNode, dbPlain, nodejs10, npm10, nodejs12, npm12, db2, appd]

    // MARK: The hotfix repo

    /// A fix of nodejs built outside the module.
    public static let nodejsHotfix = FixturePackage("nodejs", version: "12.1", release: "1.hotfix", arch: "x86_64")

    /// The modules.yaml of appstream: nodejs 10 and 12, db 2 (its default) and app 1 (needs nodejs:12).
    static var modulesYAML: String {
        func stream(_ name: String, _ stream: String, _ packages: [FixturePackage], profiles: String,
                    requires: String = "platform: [el8]") -> String {
            let artifacts = packages.map { "    - \($0.name)-\($0.epoch ?? 0):\($0.version)-\($0.release).\($0.arch)" }
            return """
                ---
                document: modulemd
                version: 2
                data:
                  name: \(name)
                  stream: "\(stream)"
                  version: 8020020200101
                  context: c0ffee42
                  arch: x86_64
                  summary: \(name) \(stream)
                  description: The \(name) module, stream \(stream).
                  license:
                    module: [MIT]
                  dependencies:
                  - requires:
                      \(requires)
                  profiles:
                \(profiles)
                  artifacts:
                    rpms:
                \(artifacts.joined(separator: "\n"))
                ...

                """
        }
        let nodeProfiles = "    default:\n      rpms: [nodejs, npm]\n    minimal:\n      rpms: [nodejs]"
        return stream("nodejs", "10", [nodejs10, npm10], profiles: nodeProfiles)
            + stream("nodejs", "12", [nodejs12, npm12], profiles: nodeProfiles)
            + stream("db", "2", [db2], profiles: "    server:\n      rpms: [dbserver]")
            + stream("app", "1", [appd], profiles: "    default:\n      rpms: [appd]",
                     requires: "platform: [el8]\n      nodejs: [\"12\"]")
            + """
                ---
                document: modulemd-defaults
                version: 1
                data:
                  module: db
                  stream: "2"
                  profiles:
                    "2": [server]
                ...

                """
    }

    static func build() throws -> ModularWorld {
        let dir = try Fixtures.temporaryDirectory("modular-world")
        removeAtExit(dir)
        let rpmDir = dir.appendingPathComponent("rpms", isDirectory: true)
        let all = osPackages + appstreamPackages + [nodejsHotfix]
        let rpms = try Fixtures.buildRPMs(all, into: rpmDir)
        let byNEVRA = Dictionary(uniqueKeysWithValues: zip(all.map(\.nevra), rpms))
        let repos = [("os", osPackages), ("appstream", appstreamPackages), ("hotfix", [nodejsHotfix])]
        for (id, packages) in repos {
            let repo = dir.appendingPathComponent("repos/\(id)", isDirectory: true)
            try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
            for package in packages {
                let rpm = byNEVRA[package.nevra]!
                try FileManager.default.linkItem(at: rpm, to: repo.appendingPathComponent(rpm.lastPathComponent))
            }
            try Fixtures.createRepo(repo)
        }
        let appstream = dir.appendingPathComponent("repos/appstream", isDirectory: true)
        let yaml = dir.appendingPathComponent("modules.yaml")
        try modulesYAML.write(to: yaml, atomically: true, encoding: .utf8)
        try Fixtures.run(["modifyrepo_c", "--mdtype=modules", yaml.path, appstream.appendingPathComponent("repodata").path])

        let reposDir = dir.appendingPathComponent("etc-repos", isDirectory: true)
        for id in ["os", "appstream"] {
            try Fixtures.writeRepoFile(id: id, baseURL: dir.appendingPathComponent("repos/\(id)").absoluteString, in: reposDir)
        }
        let hotfix = dir.appendingPathComponent("repos/hotfix").absoluteString
        try "[hotfix]\nbaseurl=\(hotfix)\nmodule_hotfixes=1\n\n[plainfix]\nbaseurl=\(hotfix)\n"
            .write(to: reposDir.appendingPathComponent("hotfix.repo"), atomically: true, encoding: .utf8)

        let rootfs = dir.appendingPathComponent("rootfs", isDirectory: true)
        try Fixtures.makeRootfs(base.map { byNEVRA[$0.nevra]! }, at: rootfs)
        return ModularWorld(directory: dir, reposDirectory: reposDir, rootfs: rootfs)
    }
}
