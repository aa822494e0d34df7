// Reruns: unchanged inputs leave the tree alone, the package cache is reused across runs and
// arches, and leftovers of killed runs are cleared by the next one.
import Fixtures
import Foundation
import Testing

@Suite("mox compose: reruns and the package cache")
struct ComposeRerunTests {
    typealias W = ComposeWorld

    @Test func unchangedInputsSayNoChangeAndLeaveTheTreeUntouched() throws {
        let run = try ComposeRun("compose-nochange")
        #expect(try run.compose().status == 0)
        let before = try TreeSnapshot(run.output)
        let second = try run.compose()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("no change: "), "\(second.stdout)")
        #expect(try TreeSnapshot(run.output) == before, "same inodes, mtimes and bytes, the folder included")
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
    }

    /// Pipelines read the outcome as JSON: what was published, or that nothing changed.
    @Test func jsonOutcomeSaysPublishedThenUnchangedWithTheIndexDigest() throws {
        let run = try ComposeRun("compose-json")
        let first = try run.compose(["--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        let published = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let index = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: run.output.appendingPathComponent("mox-index.json"))) as? [String: Any])
        #expect(published["status"] as? String == "published")
        #expect(published["stateDigest"] as? String == index["stateDigest"] as? String)
        #expect(published["packages"] as? Int == W.expectedTree.count)
        #expect(published["output"] as? String == run.output.standardizedFileURL.path)

        let second = try run.compose(["--format", "json"])
        let unchanged = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(unchanged["status"] as? String == "unchanged")
        #expect(unchanged["stateDigest"] as? String == index["stateDigest"] as? String)
    }

    /// Release engineers see what a recompose changed, and can compare any two trees.
    @Test func aRecomposeListsWhatChangedAndMoxDiffComparesTrees() throws {
        let run = try ComposeRun("compose-diff")
        #expect(try run.compose().status == 0)
        let old = run.directory.appendingPathComponent("old-tree")
        try FileManager.default.copyItem(at: run.output, to: old)
        try run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let second = try run.compose()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("changes since the previous tree:"), "\(second.stdout)")
        #expect(second.stdout.contains("x86_64 solo: new extension"), "\(second.stdout)")

        let mox = try Mox.binary.path
        let diff = try Fixtures.run([mox, "diff", old.path, run.output.path], allowFailure: true)
        #expect(diff.status == 1, "differences: exit 1 as diff(1): \(diff.stderr)")
        #expect(diff.stdout.contains("x86_64 solo: new extension"), "\(diff.stdout)")
        let json = try Fixtures.run([mox, "diff", "--format", "json", old.path, run.output.path], allowFailure: true)
        let changes = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(changes.contains { $0["extension"] as? String == "solo" && $0["kind"] as? String == "extension-added" })
        let same = try Fixtures.run([mox, "diff", run.output.path, run.output.appendingPathComponent("mox-index.json").path],
                                    allowFailure: true)
        #expect(same.status == 0 && same.stdout == "no differences\n", "\(same.stdout)")
        let missing = try Fixtures.run([mox, "diff", old.path, run.directory.appendingPathComponent("nothing").path],
                                       allowFailure: true)
        #expect(missing.status == 2, "\(missing.stderr)")
    }

    @Test func addingAnExtensionFetchesOnlyItsNewPackages() throws {
        let run = try ComposeRun("compose-add")
        #expect(try run.compose().status == 0)
        let cached = files(under: run.cache.appendingPathComponent("packages"))
        #expect(cached.count == W.expectedTree.count)
        // solo brings itself; its dependency libdeep is already cached.
        try run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let second = try run.compose()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("composed \(W.listed.count + 1) extensions, \(W.expectedTree.count + 1) packages"), "\(second.stdout)")
        #expect(second.stdout.contains("(fetched 1, "), "\(second.stdout)")
        #expect(files(under: run.output).contains("extensions/solo/\(W.solo.fileName)"))
        // The old packages are the cache's files, not new copies.
        let after = files(under: run.cache.appendingPathComponent("packages"))
        #expect(Set(cached).isSubset(of: after) && after.count == cached.count + 1)
    }

    @Test func twoArchesShareTheCache() throws {
        let run = try ComposeRun("compose-arches", yaml: "repos: [os]\nextensions:\n  tools:\n    packages: [toolbox, archtool]\n")
        let x86 = run.directory.appendingPathComponent("x86"), arm = run.directory.appendingPathComponent("arm")
        let first = try run.compose(["--arch", "x86_64", "--output", x86.path])
        #expect(first.status == 0, "\(first.stderr)")
        // aarch64 gets a base of its own: the world's rpmdb is x86_64 (nothing here needs a base package).
        let armBase = run.directory.appendingPathComponent("arm-base")
        try Fixtures.makeRootfs([], at: armBase)
        // noarch toolbox, libshared, libdeep, libtool come from the cache; only archtool and archlib are new.
        let second = try run.compose(["--arch", "aarch64", "--base-rootfs", "aarch64=\(armBase.path)", "--output", arm.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("(fetched 2, "), "\(second.stdout)")
        #expect(files(under: arm).contains("extensions/tools/\(W.archtoolARM.fileName)"))
        #expect(files(under: arm).contains("dependencies/\(W.archlibARM.fileName)"))

        // Both arches in one tree: each noarch file once, both arch builds present, no flat map.
        let both = run.directory.appendingPathComponent("both")
        let third = try run.compose(["--arch", "x86_64", "--arch", "aarch64", "--base-rootfs", "aarch64=\(armBase.path)",
                                     "--output", both.path])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("(fetched 0, "), "\(third.stdout)")
        let rpms = files(under: both).filter { $0.hasSuffix(".rpm") }
        let expected = [W.toolbox, W.archtoolX86, W.archtoolARM].map { "extensions/tools/\($0.fileName)" }
            + [W.libshared, W.libdeep, W.libtool, W.archlibX86, W.archlibARM].map { "dependencies/\($0.fileName)" }
        #expect(rpms == expected.sorted())
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: both.appendingPathComponent("mox-index.json"))) as? [String: Any]
        #expect(!FileManager.default.fileExists(atPath: both.appendingPathComponent("extensions.json").path),
                "the flat map is for single-arch trees (each per-arch image carries its own)")
        #expect(Set((index?["arches"] as? [String: Any])?.keys.map { $0 } ?? []) == ["x86_64", "aarch64"])
    }

    /// A staging folder as a run killed during layout (SIGKILL) leaves it.
    func plantDeadRunLeftover(beside output: URL) throws -> URL {
        let leftover = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).mox-tmp-999999")
        try FileManager.default.createDirectory(at: leftover.appendingPathComponent("extensions/x"), withIntermediateDirectories: true)
        try "partial".write(to: leftover.appendingPathComponent("extensions/x/half.rpm"), atomically: true, encoding: .utf8)
        return leftover
    }

    @Test func theNextRunClearsALeftoverOfAKilledRun() throws {
        let run = try ComposeRun("compose-leftover")
        let leftover = try plantDeadRunLeftover(beside: run.output)
        #expect(try run.compose().status == 0)
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
    }

    @Test func theNextRunClearsALeftoverOfAKilledRunEvenWhenNothingChanged() throws {
        let run = try ComposeRun("compose-leftover-nochange")
        #expect(try run.compose().status == 0)
        let before = try TreeSnapshot(run.output)
        let leftover = try plantDeadRunLeftover(beside: run.output)
        let second = try run.compose()
        #expect(second.stdout.hasPrefix("no change: "), "\(second.stdout)")
        #expect(try TreeSnapshot(run.output) == before)
        #expect(!FileManager.default.fileExists(atPath: leftover.path), "a killed run's staging folder outlives a no-change run")
    }

    @Test func aTreeMissingAFileIsComposedAgainNotReportedUnchanged() throws {
        let run = try ComposeRun("compose-damaged-tree")
        #expect(try run.compose().status == 0)
        let removed = run.output.appendingPathComponent("dependencies/\(W.libdeep.fileName)")
        try FileManager.default.removeItem(at: removed)
        let second = try run.compose()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.hasPrefix("no change"), "\(second.stdout)")
        #expect(FileManager.default.fileExists(atPath: removed.path))
        #expect(files(under: run.output).filter { $0.hasSuffix(".rpm") } == W.expectedTree)
    }

    @Test func aDamagedPackageInTheCacheIsFetchedAgain() throws {
        let run = try ComposeRun("compose-damaged-cache", yaml: "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n")
        let repo = run.directory.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        let world = try W.get()
        for p in [W.solo, W.libdeep] {
            try FileManager.default.copyItem(at: world.osRepo.appendingPathComponent(p.fileName), to: repo.appendingPathComponent(p.fileName))
        }
        try Fixtures.createRepo(repo)
        #expect(try run.compose(["--repo", "mine=" + repo.path]).status == 0)
        // Damage the cached copy in place (same size), as a disk error or an edit through a hardlink would.
        // The cache is content-addressed: packages/sha256/<first two>/<sha256>.
        let digest = try sha256(of: repo.appendingPathComponent(W.solo.fileName))
        let cached = run.cache.appendingPathComponent("packages/sha256/\(digest.prefix(2))/\(digest)")
        #expect(FileManager.default.fileExists(atPath: cached.path))
        let handle = try FileHandle(forUpdating: cached)
        try handle.seek(toOffset: try handle.seekToEnd() - 10)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: try handle.seekToEnd() - 10)
        try handle.write(contentsOf: [byte ^ 0xFF])
        try handle.close()
        // The repo gets its pristine file back (a new inode): the source is good again.
        try FileManager.default.removeItem(at: repo.appendingPathComponent(W.solo.fileName))
        try FileManager.default.copyItem(at: world.osRepo.appendingPathComponent(W.solo.fileName), to: repo.appendingPathComponent(W.solo.fileName))

        let other = run.directory.appendingPathComponent("second-out")
        let again = try run.compose(["--repo", "mine=" + repo.path, "--output", other.path])
        #expect(again.status == 0, "\(again.stderr)")
    }
}
