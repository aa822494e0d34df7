// --base-rootfs and --base-packages: where the locked base comes from.
import Fixtures
import Foundation
import Testing

@Suite("mox check base inputs")
struct BaseInputTests {
    typealias W = CheckWorld

    /// appA needs the base's glibc; libfoo is a base package. Both outcomes depend on the base being read.
    static let yaml = """
        repos: [os]
        extensions:
          apps:
            packages: [\(W.appA.name)]
          dup:
            packages: [\(W.libfooBase.name)]
        """

    /// Asserts the run saw exactly the fixture base.
    func expectSawWorldBase(_ result: CommandResult) throws {
        #expect(result.status == 1, "dup must fail: \(result.stderr)")
        let json = try JSONDocument(result.stdout)
        #expect(json.basePackages() == W.base.count)
        #expect(try json.status("apps") == "resolved")
        #expect(try !json.nevras("apps").contains(W.glibc.nevra))
        #expect(try json.failureText("dup").contains("already present in base"))
    }

    @Test(arguments: ["/usr/share/rpm", "/usr/lib/sysimage/rpm", "/var/lib/rpm"])
    func rootfsRpmdbIsFoundAt(dbpath: String) throws {
        let run = try CheckRun("rootfs", yaml: Self.yaml)
        let root = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: root, dbpath: dbpath)
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", root.path]))
    }

    /// Images link var/lib/rpm to /usr/share/rpm: the link is the image's, never the host's.
    @Test func absoluteSymlinkInTheRootfsResolvesInsideTheRootfs() throws {
        let run = try CheckRun("symlinked", yaml: Self.yaml)
        let root = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: root, dbpath: "/usr/lib/sysimage/rpm-real")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("var/lib"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("var/lib/rpm").path,
                                                   withDestinationPath: "/usr/lib/sysimage/rpm-real")
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", root.path]))

        // A link out of the image that happens to name an rpmdb on this machine is not followed there.
        let other = run.directory.appendingPathComponent("other-root")
        try FileManager.default.createDirectory(at: other.appendingPathComponent("var/lib"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: other.appendingPathComponent("var/lib/rpm").path,
                                                   withDestinationPath: root.appendingPathComponent("usr/lib/sysimage/rpm-real").path)
        let escaped = try run.moxOnWorld(["-q"], base: ["--base-rootfs", other.path])
        #expect(escaped.status == 2, "\(escaped.stderr)")
    }

    /// Every file under `root` with its sha256, and every entry's type and path: any write shows.
    func snapshot(_ root: URL) throws -> String {
        let entries = try Fixtures.run(["find", ".", "-printf", "%y %p -> %l\\n"], cwd: root).stdout
        let sums = try Fixtures.run(["/bin/sh", "-c", "find . -type f -print0 | sort -z | xargs -0 -r sha256sum"], cwd: root).stdout
        return entries.split(separator: "\n").sorted().joined(separator: "\n") + "\n" + sums
    }

    @Test(.enabled(if: getuid() == 0, "a read-only bind mount needs root"))
    func baseRootfsIsOnlyEverReadEvenMountedReadOnly() throws {
        let run = try CheckRun("readonly", yaml: Self.yaml)
        let root = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: root)
        let before = try snapshot(root)
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", root.path]))
        #expect(try snapshot(root) == before, "librpm wrote into the base")

        let mounted = run.directory.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: mounted, withIntermediateDirectories: true)
        try Fixtures.run(["mount", "--bind", root.path, mounted.path])
        defer { _ = try? Fixtures.run(["umount", mounted.path]) }
        try Fixtures.run(["mount", "-o", "remount,ro,bind", mounted.path])
        #expect(try Fixtures.run(["touch", mounted.appendingPathComponent("probe").path], allowFailure: true).status != 0,
                "the mount must be read-only")
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", mounted.path]))
        #expect(try snapshot(root) == before)
    }

    /// An rpmdb file linked to an absolute path: inside the root there is nothing there, and the
    /// host's file of that name (another rpmdb here) is neither read nor written.
    @Test func rpmdbFileLinkedOutOfTheRootIsRefusedNamingTheLink() throws {
        let run = try CheckRun("file-link-out", yaml: Self.yaml)
        let victim = run.directory.appendingPathComponent("victim")
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: victim)
        let before = try snapshot(victim)
        let root = run.directory.appendingPathComponent("rootfs")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("usr/share/rpm/rpmdb.sqlite").path,
                                                   withDestinationPath: victim.appendingPathComponent("usr/share/rpm/rpmdb.sqlite").path)
        let result = try run.moxOnWorld(["-q"], base: ["--base-rootfs", root.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("/usr/share/rpm/rpmdb.sqlite is a link to"), "\(result.stderr)")
        #expect(try snapshot(victim) == before, "nothing written beside the link's target")
    }

    @Test func baseOfAnotherArchitectureIsInvalidInputNamingBoth() throws {
        let run = try CheckRun("foreign-arch", yaml: Self.yaml)
        let world = try CheckWorld.get()
        let root = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs(world.baseRPMs + [world.osRepo.appendingPathComponent(CheckWorld.archLibX86.fileName)], at: root)
        let foreign = try run.moxOnWorld(["-q", "--arch", "aarch64"], base: ["--base-rootfs", root.path])
        #expect(foreign.status == 2, "\(foreign.stderr)")
        #expect(foreign.stderr.contains("x86_64") && foreign.stderr.contains("aarch64"), "\(foreign.stderr)")
        // Its own arch, and a noarch-only base for any arch, are fine.
        #expect(try run.moxOnWorld(["-q", "--arch", "x86_64"], base: ["--base-rootfs", root.path]).status == 1)
        #expect(try run.moxOnWorld(["-q", "--arch", "aarch64"]).status == 1)
    }

    @Test func corruptedRpmdbSaysItIsCorrupted() throws {
        let run = try CheckRun("corrupted", yaml: Self.yaml)
        let root = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: root)
        let db = root.appendingPathComponent("usr/share/rpm/rpmdb.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: db)
        let result = try run.moxOnWorld(["-q"], base: ["--base-rootfs", root.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("corrupted"), "\(result.stderr)")
        #expect(result.stderr.contains("/usr/share/rpm"), "\(result.stderr)")
    }

    /// One-component relative paths for the base and the cache are ordinary input.
    @Test func relativeRootfsAndCacheDirectory() throws {
        let run = try CheckRun("relative", yaml: Self.yaml)
        try Fixtures.makeRootfs(try CheckWorld.get().baseRPMs, at: run.directory.appendingPathComponent("r"))
        let result = try Fixtures.run([try Mox.binary.path, "check", "extensions.yaml", "-q", "--format", "json",
                                       "--arch", "x86_64", "--repos-dir", try CheckWorld.get().reposDirectory.path,
                                       "--cachedir", "c", "--base-rootfs", "r"], cwd: run.directory, allowFailure: true)
        try expectSawWorldBase(result)
    }

    @Test func rootfsWithoutRpmdbIsInvalidInputSayingWhereItLooked() throws {
        let run = try CheckRun("nodb", yaml: Self.yaml)
        let root = run.directory.appendingPathComponent("empty-root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let result = try run.moxOnWorld(["-q"], base: ["--base-rootfs", root.path])
        #expect(result.status == 2)
        for place in ["usr/share/rpm", "usr/lib/sysimage/rpm", "var/lib/rpm"] {
            #expect(result.stderr.contains(root.appendingPathComponent(place).path), "\(result.stderr)")
        }
    }

    @Test func nevraListIsTheBase() throws {
        let run = try CheckRun("nevras", yaml: Self.yaml)
        let list = run.directory.appendingPathComponent("base.txt")
        try (["# the fixture base"] + W.base.map(\.nevra)).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-packages", list.path]))
    }

    @Test func rpmOstreeLockfileIsTheBase() throws {
        let run = try CheckRun("lockfile", yaml: Self.yaml)
        let lock = run.directory.appendingPathComponent("manifest-lock.json")
        let packages = Dictionary(uniqueKeysWithValues: W.base.map {
            ($0.name, ["evra": "\($0.evr).\($0.arch)"])
        })
        let data = try JSONSerialization.data(withJSONObject: ["packages": packages], options: [.sortedKeys])
        try data.write(to: lock)
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-packages", lock.path]))
    }

    /// rpm-ostree reads YAML lockfiles and `evr` entries without an arch; so does mox.
    @Test func yamlLockfileWithEVREntriesIsTheBase() throws {
        let run = try CheckRun("yaml-lockfile", yaml: Self.yaml)
        let lock = run.directory.appendingPathComponent("manifest-lock.yaml")
        let entries = W.base.map { "  \($0.name):\n    evr: \"\($0.evr)\"\n" }.joined()
        try ("metadata:\n  generated: 2025-01-01T00:00:00Z\npackages:\n" + entries)
            .write(to: lock, atomically: true, encoding: .utf8)
        try expectSawWorldBase(try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-packages", lock.path]))
    }

    @Test func baseNEVRAInNoRepoIsInvalidInputNamingIt() throws {
        let run = try CheckRun("missing-nevra", yaml: Self.yaml)
        let list = run.directory.appendingPathComponent("base.txt")
        let ghost = FixturePackage("ghost", version: "9.9", release: "1")
        try (W.base.map(\.nevra) + [ghost.nevra]).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let result = try run.moxOnWorld(["-q"], base: ["--base-packages", list.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(ghost.nevra), "\(result.stderr)")
        #expect(!result.stderr.contains(W.glibc.nevra), "only the missing one is named")
    }

    @Test func emptyBasePackagesFileIsAnEmptyBase() throws {
        let run = try CheckRun("empty-base", yaml: Self.yaml)
        let empty = run.directory.appendingPathComponent("base.txt")
        try Data().write(to: empty)
        let result = try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-packages", empty.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONDocument(result.stdout)
        #expect(json.basePackages() == 0)
        // With nothing installed, glibc becomes a dependency and libfoo is just a package (the newest).
        #expect(try json.nevras("apps").contains(W.glibc.nevra))
        #expect(try json.nevras("dup") == [W.libfooNew.nevra])
    }
}

@Suite("mox check bases from the shared corpus")
struct CorpusBaseTests {
    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent: real rpmdb test skipped"))
    func realSqliteRpmdbAtSysimageLoads() throws {
        let corpus = try #require(Fixtures.corpus)
        let run = try CheckRun("mariner", yaml: "repos: [os]\nextensions:\n  s:\n    packages: [\(CheckWorld.solo.name)]\n")
        let root = run.directory.appendingPathComponent("rootfs")
        let dbdir = root.appendingPathComponent("usr/lib/sysimage/rpm", isDirectory: true)
        try FileManager.default.createDirectory(at: dbdir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("base/cbl-mariner-2.0.rpmdb.sqlite"),
                                         to: dbdir.appendingPathComponent("rpmdb.sqlite"))
        let listed = try Fixtures.run(["rpm", "--root", root.path, "--dbpath", "/usr/lib/sysimage/rpm", "-qa"]).stdout
        let expected = listed.split(separator: "\n").filter { !$0.hasPrefix("gpg-pubkey") }.count
        #expect(expected > 0)
        let result = try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).basePackages() == expected)
    }

    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent: FCOS lockfile test skipped"))
    func fedoraLockfileAgainstCentOSReposNamesTheMissingPackages() throws {
        let corpus = try #require(Fixtures.corpus)
        let run = try CheckRun("fcos", yaml: "repos: [baseos, appstream]\nextensions:\n  s:\n    packages: [sysstat]\n")
        let lock = corpus.appendingPathComponent("base/fedora-coreos-40.manifest-lock.x86_64.json")
        let stream = corpus.appendingPathComponent("centos-stream-9")
        let result = try run.mox(["-q", "--base-packages", lock.path,
                                  "--repo", "baseos=" + stream.appendingPathComponent("baseos-2022-02").path,
                                  "--repo", "appstream=" + stream.appendingPathComponent("appstream-2025-01").path])
        #expect(result.status == 2, "\(result.stderr)")
        // The lockfile's first entry in file order is a Fedora 40 build, which no CentOS repo can have.
        let text = try String(contentsOf: lock, encoding: .utf8)
        let first = try #require(firstLockEntry(text))
        #expect(first.evra.contains(".fc40."))
        #expect(result.stderr.contains("\(first.name)-\(first.evra)"), "\(result.stderr)")
    }

    /// The first `"name": {"evra": "..."}` of a lockfile in file order (JSONSerialization loses the order).
    func firstLockEntry(_ text: String) -> (name: String, evra: String)? {
        guard let packages = text.range(of: "\"packages\"") else { return nil }
        let rest = text[packages.upperBound...]
        let quoted = rest.split(separator: "\"", omittingEmptySubsequences: false)
        // rest: `: {\n "NAME": {\n "evra": "EVRA", ...`
        guard quoted.count > 5, quoted[3] == "evra" else { return nil }
        return (String(quoted[1]), String(quoted[5]))
    }
}
