// The package cache verifies each package once: the verdict is kept with the file's identity
// (an xattr, or a sidecar file where the file system has no user xattrs) and a warm run does not
// verify again; a changed entry is verified (and, damaged, fetched) again.
import Fixtures
import Foundation
import Testing

@Suite("mox compose: packages are verified once, when they enter the cache")
struct VerifiedCacheTests {
    typealias W = ComposeWorld

    static let yaml = "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n"

    /// The cache entry of `package` (as the repo has it) under `cache`.
    func entry(_ package: FixturePackage, repo: URL, cache: URL) throws -> URL {
        let digest = try sha256(of: repo.appendingPathComponent(package.fileName))
        return cache.appendingPathComponent("packages/sha256/\(digest.prefix(2))/\(digest)")
    }

    @Test func eachCachedPackageCarriesItsVerdictInAnExtendedAttribute() throws {
        let run = try ComposeRun("verified-xattr", yaml: Self.yaml)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        #expect(try run.compose(["--repo", "mine=" + repo.path]).status == 0)
        let cached = try entry(W.solo, repo: repo, cache: run.cache)
        let record = try Fixtures.run(["python3", "-c", "import os, sys; print(os.getxattr(sys.argv[1], 'user.mox.verified').decode())",
                                       cached.path]).stdout
        let attributes = try FileManager.default.attributesOfItem(atPath: cached.path)
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        #expect(record.contains(try sha256(of: cached)), "\(record)")
        #expect(record.contains(W.solo.nevra) && record.contains(" \(inode) ") && record.contains("digests"), "\(record)")
        // Mode 0644 whatever the umask: trees link to it.
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }

    /// On a file system without user xattrs (ramfs) the verdict goes to a sidecar file, which a
    /// warm run reads without verifying again, and a damaged entry makes it verify (and fetch) again.
    @Test(.enabled(if: getuid() == 0, "mounting a ramfs needs root"))
    func withoutXattrsTheVerdictIsASidecarAndAWarmRunDoesNotVerifyAgain() throws {
        let run = try ComposeRun("verified-sidecar", yaml: Self.yaml)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        let mount = run.directory.appendingPathComponent("ramfs", isDirectory: true)
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        try Fixtures.run(["mount", "-t", "ramfs", "ramfs", mount.path])
        defer { _ = try? Fixtures.run(["umount", "-l", mount.path]) }
        let cache = mount.appendingPathComponent("cache")
        func compose(_ output: String) throws -> CommandResult {
            try run.compose(["--repo", "mine=" + repo.path, "--cachedir", cache.path,
                             "--output", run.directory.appendingPathComponent(output).path])
        }
        #expect(try compose("first").status == 0)
        let cached = try entry(W.solo, repo: repo, cache: cache)
        let sidecar = cache.appendingPathComponent("verified/sha256/\(cached.deletingLastPathComponent().lastPathComponent)/\(cached.lastPathComponent)")
        let first = try TreeSnapshot(sidecar)
        #expect(try String(contentsOf: sidecar, encoding: .utf8).contains(W.solo.nevra))

        // Warm: the record proves the entry; it is not verified again, so not rewritten.
        #expect(try compose("second").status == 0)
        #expect(try TreeSnapshot(sidecar) == first, "a warm run verified the package again")

        // Damaged in place (same size): verified again, refused, fetched again; the tree is right.
        var bytes = try Data(contentsOf: cached)
        bytes[bytes.count / 2] ^= 0x01
        let handle = try FileHandle(forUpdating: cached)
        try handle.write(contentsOf: bytes)
        try handle.close()
        #expect(try compose("third").status == 0)
        #expect(try TreeSnapshot(sidecar) != first)
        let third = run.directory.appendingPathComponent("third")
        for (href, sum) in try repodataChecksums(of: third) {
            #expect(try sha256(of: third.appendingPathComponent(href)) == sum, "\(href)")
        }
    }
}
