// The .solv cache: a second run parses no XML; a changed repo is parsed again.
import Fixtures
import Foundation
import Testing

@Suite("mox check metadata cache")
struct CacheTests {
    typealias W = CheckWorld

    /// The progress lines about repos ("x86_64: repo os: ... (parsed|cached ...)").
    func repoLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(": repo ") }
    }

    @Test func secondRunWithSameCacheParsesNoXML() throws {
        let run = try CheckRun("cache", yaml: "repos: [os, extra]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n")
        let first = try run.moxOnWorld()
        #expect(first.status == 0, "\(first.stderr)")
        let firstLines = repoLines(first.stderr)
        #expect(firstLines.count == 2)
        #expect(firstLines.allSatisfy { $0.contains("parsed") })

        let second = try run.moxOnWorld()
        #expect(second.status == 0)
        #expect(second.stdout == first.stdout, "same report from the cache")
        let secondLines = repoLines(second.stderr)
        #expect(secondLines.count == 2)
        #expect(secondLines.allSatisfy { $0.contains("cached") && !$0.contains("parsed") }, "\(second.stderr)")
    }

    @Test func changedRepoIsParsedAgain() throws {
        let run = try CheckRun("cache-change", yaml: "repos: [mine]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n")
        let repo = run.directory.appendingPathComponent("repo")
        try makeRepo(linking: [W.recdep], at: repo)
        let args = ["--base-rootfs", try CheckWorld.get().rootfs.path, "--repo", "mine=" + repo.path]
        let before = try run.mox(args)
        #expect(before.status == 1, "solo is not in the repo yet")
        #expect(repoLines(try run.mox(args).stderr).allSatisfy { $0.contains("cached") })

        // A new package and new metadata: the old cache entry must not hide it.
        let world = try CheckWorld.get()
        try FileManager.default.linkItem(at: world.osRepo.appendingPathComponent(W.solo.fileName),
                                         to: repo.appendingPathComponent(W.solo.fileName))
        try Fixtures.createRepo(repo)
        let after = try run.mox(args)
        #expect(after.status == 0, "\(after.stdout)\n\(after.stderr)")
        #expect(repoLines(after.stderr).allSatisfy { $0.contains("parsed") }, "\(after.stderr)")
    }
}
