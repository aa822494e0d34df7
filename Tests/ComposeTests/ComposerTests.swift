// Composer, the library: outcomes, the summary and index it returns, and what it leaves on disk.
import Compose
import Fetch
import Fixtures
import Foundation
import Manifest
import Resolve
import Testing

@Suite("Composer")
struct ComposerTests {
    typealias W = ComposeWorld

    /// A composer on the world with `yaml`, a private cache and output inside `dir`.
    func composer(_ dir: URL, yaml: String = W.manifest, arches: [String] = ["x86_64"]) throws -> Composer {
        let world = try W.get()
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
        let session = CheckSession(manifest: try ExtensionsFile.load(path: manifest.path),
                                   reposDirectory: world.reposDirectory.path, repoOverrides: [], releasever: nil,
                                   base: BaseSelection(shared: .rootfs(world.rootfs.path)),
                                   cacheDirectory: dir.appendingPathComponent("cache").path)
        return Composer(session: session, arches: arches, output: dir.appendingPathComponent("out").path,
                        sourceDateEpoch: 1_700_000_000, fetchOptions: FetchOptionsForTests.local)
    }

    @Test func publishesTheTreeAndReturnsItsSummaryAndIndex() throws {
        let dir = try Fixtures.temporaryDirectory("composer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try composer(dir).run(log: { _ in }, progress: nil)
        guard case .published(let summary, let reports, _, _) = outcome else {
            Issue.record("expected a published tree, got \(outcome)")
            return
        }
        #expect(summary.extensions == W.listed.count)
        #expect(summary.packages == W.expectedTree.count)
        #expect(summary.fetched == W.expectedTree.count)
        let sizes = try W.expectedTree.map { path in
            try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("out/\(path)").path)[.size] as? Int64 ?? 0
        }
        #expect(summary.bytes == sizes.reduce(0, +))
        #expect(summary.fetchedBytes == summary.bytes)
        #expect(summary.index.timestamp == 1_700_000_000)
        #expect(reports.map(\.arch) == ["x86_64"])
        let onDisk = ComposeIndex.read(from: dir.appendingPathComponent("out/mox-index.json").path)
        #expect(onDisk == summary.index)
        let listedPaths = Set(summary.index.arches["x86_64"]?.extensions.values.flatMap(\.packages).map(\.path) ?? [])
        #expect(listedPaths == Set(W.expectedTree))
    }

    @Test func sameInputsAreUnchangedAndAnyInputChangeIsNot() throws {
        let dir = try Fixtures.temporaryDirectory("composer-unchanged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try composer(dir).run(log: { _ in }, progress: nil)
        guard case .published(let summary, _, _, _) = first else {
            Issue.record("expected a published tree, got \(first)")
            return
        }
        let again = try composer(dir).run(log: { _ in }, progress: nil)
        guard case .unchanged(let index, _, _, _) = again else {
            Issue.record("expected no change, got \(again)")
            return
        }
        #expect(index.stateDigest == summary.index.stateDigest)
        // A comment changes the manifest's digest, which is an input: a new tree, nothing fetched.
        let changed = try composer(dir, yaml: W.manifest + "# edited\n").run(log: { _ in }, progress: nil)
        guard case .published(let next, _, _, _) = changed else {
            Issue.record("expected a new tree, got \(changed)")
            return
        }
        #expect(next.fetched == 0)
        #expect(next.index.stateDigest != summary.index.stateDigest)
    }

    @Test func aFailedResolutionReturnsTheReportsAndTouchesNothing() throws {
        let dir = try Fixtures.temporaryDirectory("composer-failed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try composer(dir, yaml: "repos: [os]\nextensions:\n  broken:\n    packages: [broken]\n")
            .run(log: { _ in }, progress: nil, interruptible: { _ in Issue.record("no publisher for a failed resolution") })
        guard case .failed(let reports) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reports.first?.extensions.first?.status == .failed)
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!entries.contains("out") && !entries.contains { $0.contains("mox-tmp") }, "\(entries)")
    }

    @Test func progressCountsEveryPackageOnce() throws {
        let dir = try Fixtures.temporaryDirectory("composer-progress")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seen = ProgressLog()
        _ = try composer(dir).run(log: { _ in }, progress: { seen.add($0) })
        let last = try #require(seen.all.last)
        #expect(last.packagesDone == W.expectedTree.count && last.packagesTotal == W.expectedTree.count)
        #expect(seen.all.map(\.packagesDone) == Array(1...W.expectedTree.count))
    }
}

enum FetchOptionsForTests {
    static var local: FetchOptions { FetchOptions(concurrency: 4, retries: 0) }
}

/// Progress reports collected from worker threads.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [FetchProgress] = []
    func add(_ p: FetchProgress) { lock.withLock { items.append(p) } }
    var all: [FetchProgress] { lock.withLock { items } }
}
