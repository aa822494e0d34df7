// File conflicts at compose time, by rpm's rules: real packages (rpmbuild) owning a base's paths
// or each other's, judged against a real rpmdb (rpm --justdb) or a base given as a package list
// (headers read from a local repo, or fetched by HTTP range requests).
import Fixtures
import Foundation
import Testing

/// A base and a repo whose extension packages share paths with the base and with each other.
struct ConflictWorld: Sendable {
    let directory: URL
    let repo: URL
    let reposDirectory: URL
    let rootfs: URL

    static let shared: Result<ConflictWorld, any Error> = Result { try build() }
    static func get() throws -> ConflictWorld { try shared.get() }

    // MARK: The base

    static let basepkg = FixturePackage("basepkg", entries: [
        FixtureFile("/etc/shared.conf", .text("base"), attribute: "%config(noreplace)"),
        FixtureFile("/usr/share/same/data", .text("same")),
        FixtureFile("/usr/lib/ghosty/file", .text("ghost base")),
        FixtureFile("/var/lib/basedir", .directory, mode: "0755"),
        FixtureFile("/usr/lib/basepkg/current", .symlink("v1")),
        FixtureFile("/usr/share/basepkg/owned", .text("owned")),
    ])
    static let mlibX86 = FixturePackage("mlib", arch: "x86_64", entries: [
        FixtureFile("/usr/bin/mtool", .elf64, mode: "0755"), FixtureFile("/usr/share/mlib/doc", .text("doc")),
    ])
    /// Shares nothing: its header is never needed.
    static let quiet = FixturePackage("quiet", entries: [FixtureFile("/usr/share/quiet/a")])
    static let base = [basepkg, mlibX86, quiet]

    // MARK: Extension packages

    static let clash = FixturePackage("clash", entries: [
        FixtureFile("/etc/shared.conf", .text("other"), attribute: "%config(noreplace)"),
    ])
    static let same = FixturePackage("same", entries: [FixtureFile("/usr/share/same/data", .text("same"))])
    static let ghost = FixturePackage("ghost", entries: [FixtureFile("/usr/lib/ghosty/file", attribute: "%ghost")])
    static let one = FixturePackage("one", entries: [FixtureFile("/usr/share/both/file", .text("one"))])
    static let two = FixturePackage("two", entries: [FixtureFile("/usr/share/both/file", .text("two"))])
    static let mlibI686 = FixturePackage("mlib", arch: "i686", entries: [
        FixtureFile("/usr/bin/mtool", .elf32, mode: "0755"), FixtureFile("/usr/share/mlib/doc", .text("doc")),
    ])
    static let dirmode = FixturePackage("dirmode", entries: [FixtureFile("/var/lib/basedir", .directory, mode: "0700")])
    static let samedir = FixturePackage("samedir", entries: [FixtureFile("/var/lib/basedir", .directory, mode: "0755")])
    static let devclash = FixturePackage("devclash", entries: [FixtureFile("/etc/shared.conf", .text("dev"))])
    /// The base's content, another owner.
    static let owner = FixturePackage("owner", entries: [FixtureFile("/usr/share/basepkg/owned", .text("owned"), user: "daemon")])
    /// The base's symlink, another target.
    static let relink = FixturePackage("relink", entries: [FixtureFile("/usr/lib/basepkg/current", .symlink("v2"))])
    static let extensionPackages = [clash, same, ghost, one, two, mlibI686, dirmode, samedir, devclash, owner, relink]

    /// The cases that must fail beside those that must not; `passing`: only those that must not.
    static func manifest(passing: Bool = false) -> String {
        // dirmode and samedir clash too (the directory's mode): only one of them at a time.
        var extensions = [("same", "[same]"), ("ghost", "[ghost]"), ("multilib", "[mlib.i686]")]
        extensions += passing ? [("samedir", "[samedir]")]
            : [("clash", "[clash]"), ("one", "[one]"), ("two", "[two]"), ("dirmode", "[dirmode]"), ("owner", "[owner]"),
               ("relink", "[relink]")]
        var text = "repos: [os]\nextensions:\n"
        for (name, packages) in extensions { text += "  \(name):\n    packages: \(packages)\n" }
        text += "  devel:\n    kind: development\n    packages: [devclash]\n"
        return text
    }

    static func build() throws -> ConflictWorld {
        let dir = try Fixtures.temporaryDirectory("conflict-world")
        removeAtExit(dir)
        let repo = dir.appendingPathComponent("repo", isDirectory: true)
        let rpms = try Fixtures.makeRepo(base + extensionPackages, at: repo)
        let reposDir = dir.appendingPathComponent("etc-repos", isDirectory: true)
        try Fixtures.writeRepoFile(id: "os", baseURL: repo.absoluteString, in: reposDir)
        let rootfs = dir.appendingPathComponent("rootfs", isDirectory: true)
        try Fixtures.makeRootfs(Array(rpms.prefix(base.count)), at: rootfs)
        return ConflictWorld(directory: dir, repo: repo, reposDirectory: reposDir, rootfs: rootfs)
    }
}

@Suite("mox compose: file conflicts")
struct FileConflictTests {
    typealias W = ConflictWorld

    /// `mox compose` of `yaml` over the world, the base as `base` arguments.
    func compose(_ label: String, yaml: String, base: [String]? = nil, reposDir: URL? = nil,
                 extra: [String] = []) throws -> (CommandResult, URL) {
        let world = try W.get()
        let dir = try Fixtures.temporaryDirectory(label)
        removeAtExit(dir)
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out")
        let result = try Fixtures.run([try Mox.binary.path, "compose", manifest.path, "--arch", "x86_64",
                                       "--cachedir", dir.appendingPathComponent("cache").path,
                                       "--repos-dir", (reposDir ?? world.reposDirectory).path, "--output", output.path]
                                      + (base ?? ["--base-rootfs", world.rootfs.path]) + extra, allowFailure: true)
        return (result, dir)
    }

    /// Checks the verdict of every case in a report of the whole world.
    func expectVerdicts(_ report: JSONDocument) throws {
        for name in ["same", "ghost", "multilib", "devel"] {
            let failures = try report.failureText(name)
            #expect(try report.status(name) == "resolved", "\(name): \(failures)")
        }
        for name in ["clash", "one", "two", "dirmode", "owner", "relink"] {
            #expect(try report.status(name) == "failed", "\(name) must fail")
            #expect(try report.failures(name).allSatisfy { $0["kind"] as? String == "file-conflict" })
        }
        let clash = try report.failureText("clash")
        #expect(clash.contains("/etc/shared.conf") && clash.contains(W.clash.nevra) && clash.contains("base package \(W.basepkg.nevra)"),
                "\(clash)")
        #expect(clash.contains("content differs") && clash.contains("%config"), "\(clash)")
        let one = try report.failureText("one"), two = try report.failureText("two")
        #expect(one.contains("/usr/share/both/file") && one.contains(W.two.nevra) && one.contains("extension 'two'"), "\(one)")
        #expect(two.contains("/usr/share/both/file") && two.contains(W.one.nevra) && two.contains("extension 'one'"), "\(two)")
        let dirmode = try report.failureText("dirmode")
        #expect(dirmode.contains("/var/lib/basedir") && dirmode.contains("mode 0700 vs 0755"), "\(dirmode)")
        let owner = try report.failureText("owner")
        #expect(owner.contains("owner daemon:root vs root:root"), "\(owner)")
        #expect(try report.failureText("relink").contains("link to v2 vs v1"))
    }

    @Test func conflictsWithTheBaseAndBetweenExtensionsFailByRPMRules() throws {
        let (result, dir) = try compose("conflicts-rootfs", yaml: W.manifest(), extra: ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        try expectVerdicts(try JSONDocument(result.stdout))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing is published")
    }

    /// rpm's own transaction test (`rpm --test -i`) on a copy of the base is the reference: for
    /// each case, rpm refuses the install exactly when mox fails the extension.
    @Test func rpmsTransactionTestAgreesWithEveryVerdict() throws {
        let world = try W.get()
        let (result, dir) = try compose("conflicts-oracle", yaml: W.manifest(), extra: ["--format", "json"])
        let report = try JSONDocument(result.stdout)
        let cases: [(extension: String, packages: [FixturePackage])] = [
            ("clash", [W.clash]), ("same", [W.same]), ("ghost", [W.ghost]), ("multilib", [W.mlibI686]),
            ("dirmode", [W.dirmode]), ("one", [W.one, W.two]), ("two", [W.two, W.one]), ("owner", [W.owner]),
            ("relink", [W.relink]),
        ]
        for (name, packages) in cases {
            let root = dir.appendingPathComponent("rpm-root-\(name)")
            try Fixtures.run(["cp", "-a", world.rootfs.path, root.path])
            let rpm = try Fixtures.run(["rpm", "--root", root.path, "--dbpath", "/usr/share/rpm", "--test", "-i", "--nodeps",
                                        "--noscripts"] + packages.map { world.repo.appendingPathComponent($0.fileName).path },
                                       allowFailure: true)
            let rpmRefuses = rpm.status != 0 && rpm.stderr.contains("conflicts")
            #expect(rpmRefuses == (try report.status(name) == "failed"), "\(name): rpm says \(rpm.status) \(rpm.stderr)")
        }
    }

    @Test func conflictsShowInTextAndJUnit() throws {
        let world = try W.get()
        let dir = try Fixtures.temporaryDirectory("conflicts-text")
        removeAtExit(dir)
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try W.manifest().write(to: manifest, atomically: true, encoding: .utf8)
        let junit = dir.appendingPathComponent("report.xml")
        let result = try Fixtures.run([try Mox.binary.path, "compose", manifest.path, "--arch", "x86_64",
                                       "--cachedir", dir.appendingPathComponent("cache").path,
                                       "--repos-dir", world.reposDirectory.path, "--base-rootfs", world.rootfs.path,
                                       "--output", dir.appendingPathComponent("out").path, "--junit", junit.path],
                                      allowFailure: true)
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL  clash") && result.stdout.contains("file /etc/shared.conf from install of \(W.clash.nevra)"),
                "\(result.stdout)")
        let cases = try JUnitReader.read(junit)
        let failed = Set(cases.filter { $0.outcome == "failure" }.map(\.name))
        #expect(failed == ["clash", "one", "two", "dirmode", "owner", "relink"], "\(cases)")
        #expect(cases.first { $0.name == "one" }?.message?.contains(W.two.nevra) == true)
    }

    @Test func identicalFilesGhostsMultilibAndDevelopmentExtensionsCompose() throws {
        let (result, dir) = try compose("conflicts-passing", yaml: W.manifest(passing: true))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/extensions/multilib/\(W.mlibI686.fileName)").path))
    }

    @Test func aPackageListBaseFetchesOnlyTheHeadersOfBasePackagesSharingAPath() throws {
        let world = try W.get()
        let server = try FileServer(serving: world.repo, lifetime: 120)
        defer { server.stop() }
        let dir = try Fixtures.temporaryDirectory("conflicts-list")
        removeAtExit(dir)
        let reposDir = dir.appendingPathComponent("repos", isDirectory: true)
        try Fixtures.writeRepoFile(id: "os", baseURL: server.baseURL, in: reposDir)
        let list = dir.appendingPathComponent("base.txt")
        try (W.base.map(\.nevra).joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        let (result, _) = try compose("conflicts-list-run", yaml: W.manifest(), base: ["--base-packages", list.path],
                                      reposDir: reposDir, extra: ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        try expectVerdicts(try JSONDocument(result.stdout))
        let ranged = server.requests.filter { $0.contains(" bytes=0-") }
        #expect(Set(ranged.map { String($0.prefix { $0 != " " }.dropFirst()) }) == [W.basepkg.fileName, W.mlibX86.fileName],
                "\(server.requests)")
    }

    @Test func aBaseImagesRpmdbIsReadAsARootfsIs() throws {
        let world = try W.get()
        let dir = try Fixtures.temporaryDirectory("conflicts-image")
        removeAtExit(dir)
        // The node image: one layer holding the base's rpmdb where rpm-ostree keeps it.
        let layer = dir.appendingPathComponent("layer", isDirectory: true)
        try FileManager.default.createDirectory(at: layer.appendingPathComponent("usr/share"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: world.rootfs.appendingPathComponent("usr/share/rpm"),
                                         to: layer.appendingPathComponent("usr/share/rpm"))
        let layout = dir.appendingPathComponent("layout")
        let manifest = try OCIFixture.image(layers: [(layer, .gzip)], architecture: "amd64", in: layout)
        try OCIFixture.tag(manifest, as: "base", in: layout)
        let (result, _) = try compose("conflicts-image-run", yaml: W.manifest(),
                                      base: ["--base-image", "oci:\(layout.path):base"], extra: ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        try expectVerdicts(try JSONDocument(result.stdout))
    }

    @Test func checkFindsTheSameConflictsFromHeadersAlone() throws {
        let world = try W.get()
        let server = try FileServer(serving: world.repo, lifetime: 120)
        defer { server.stop() }
        let dir = try Fixtures.temporaryDirectory("conflicts-check")
        removeAtExit(dir)
        let reposDir = dir.appendingPathComponent("repos", isDirectory: true)
        try Fixtures.writeRepoFile(id: "os", baseURL: server.baseURL, in: reposDir)
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try W.manifest().write(to: manifest, atomically: true, encoding: .utf8)
        let cache = dir.appendingPathComponent("cache")
        let check = try Fixtures.run([try Mox.binary.path, "check", manifest.path, "--arch", "x86_64", "--file-conflicts",
                                      "--format", "json", "--repos-dir", reposDir.path, "--base-rootfs", world.rootfs.path,
                                      "--cachedir", cache.path], allowFailure: true)
        #expect(check.status == 1, "\(check.stderr)")
        try expectVerdicts(try JSONDocument(check.stdout))
        // Only headers travelled: every package was asked for by range, none whole.
        let rpms = server.requests.filter { $0.contains(".rpm") }
        #expect(!rpms.isEmpty && rpms.allSatisfy { $0.contains(" bytes=0-") }, "\(server.requests)")
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("packages").path))
        // Without the flag, check does not look at files.
        let plain = try Fixtures.run([try Mox.binary.path, "check", manifest.path, "--arch", "x86_64", "--repos-dir",
                                      reposDir.path, "--base-rootfs", world.rootfs.path, "--cachedir", cache.path],
                                     allowFailure: true)
        #expect(plain.status == 0, "\(plain.stdout)")
    }

    @Test func aBaseHeaderThatCannotBeHadLeavesAWarningNotAFailure() throws {
        let world = try W.get()
        let dir = try Fixtures.temporaryDirectory("conflicts-unreadable")
        removeAtExit(dir)
        // The repo as served, without basepkg's file: its metadata (and file list) says it is there.
        let served = dir.appendingPathComponent("served", isDirectory: true)
        try Fixtures.run(["cp", "-a", world.repo.path, served.path])
        try FileManager.default.removeItem(at: served.appendingPathComponent(W.basepkg.fileName))
        let server = try FileServer(serving: served, lifetime: 120)
        defer { server.stop() }
        let reposDir = dir.appendingPathComponent("repos", isDirectory: true)
        try Fixtures.writeRepoFile(id: "os", baseURL: server.baseURL, in: reposDir)
        let list = dir.appendingPathComponent("base.txt")
        try (W.base.map(\.nevra).joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        let yaml = "repos: [os]\nextensions:\n  clash:\n    packages: [clash]\n"
        let (result, out) = try compose("conflicts-unreadable-run", yaml: yaml, base: ["--base-packages", list.path],
                                        reposDir: reposDir, extra: ["--retries", "0", "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("out/mox-index.json").path))
        #expect(result.stderr.contains("warning: ") && result.stderr.contains("/etc/shared.conf"), "\(result.stderr)")
        let outcome = try JSONDocument(result.stdout).root
        let warnings = outcome["warnings"] as? [[String: Any]] ?? []
        #expect(warnings.count == 1 && warnings.first?["extension"] as? String == "clash", "\(result.stdout)")
        let message = warnings.first?["message"] as? String ?? ""
        #expect(message.contains("/etc/shared.conf") && message.contains(W.basepkg.nevra) && message.contains("not checked"), "\(message)")
    }
}
