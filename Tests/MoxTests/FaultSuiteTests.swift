// The fault suite: hostile inputs and failures in the middle of a run. Each case starts from a
// tree and an image published before the fault and proves (FaultSupport.expectUntouched) the
// exit code, a message naming the culprit, both outputs byte-identical, and nothing left beside.
// Cases of other areas (repos, resolution, bases) belong here too, each as one more @Test.
import Fixtures
import Foundation
import Testing

@Suite("fault suite: nothing wrong is ever published")
struct FaultSuiteTests {
    typealias W = ComposeWorld

    static let solo = "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n"
    static let soloAndDeep = "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n  deep:\n    packages: [libdeep]\n"

    // MARK: The package cache (issue 8 items 1 and 8)

    enum Damage: String, CaseIterable, Sendable {
        /// One byte flipped in place: same inode, same size.
        case inPlace
        /// Replaced by a same-size copy with one byte flipped: a new inode.
        case replaced
    }

    /// A damaged cache entry is never published: the tree's RPMs hash to what its repodata says.
    @Test(arguments: Damage.allCases)
    func aDamagedCacheEntryIsNeverPublished(_ damage: Damage) throws {
        let run = try ComposeRun("fault-cache-\(damage.rawValue)", yaml: Self.solo)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        #expect(try run.compose(["--repo", "mine=" + repo.path]).status == 0)
        let digest = try sha256(of: repo.appendingPathComponent(W.solo.fileName))
        let cached = run.cache.appendingPathComponent("packages/sha256/\(digest.prefix(2))/\(digest)")
        var bytes = try Data(contentsOf: cached)
        bytes[bytes.count / 2] ^= 0x01
        switch damage {
        case .inPlace:
            let handle = try FileHandle(forUpdating: cached)
            try handle.write(contentsOf: bytes)
            try handle.close()
        case .replaced:
            try FileManager.default.removeItem(at: cached)
            try bytes.write(to: cached)
        }
        // A changed extensions file, so the tree is composed again from the cache.
        try run.write(yaml: Self.soloAndDeep)
        let result = try run.compose(["--repo", "mine=" + repo.path])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = try repodataChecksums(of: run.output)
        #expect(listed.count == 2)
        for (href, sum) in listed {
            #expect(try sha256(of: run.output.appendingPathComponent(href)) == sum, "\(href) is what repodata says")
        }
        #expect(try sha256(of: cached) == digest, "the damaged entry was fetched again")
    }

    /// The cache and the tree never share an inode with the repo's files: editing a repo file in
    /// place cannot change a published tree.
    @Test func theTreeAndTheCacheShareNoInodeWithTheRepo() throws {
        let run = try ComposeRun("fault-inodes", yaml: Self.solo)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        #expect(try run.compose(["--repo", "mine=" + repo.path]).status == 0)
        func inode(_ url: URL) throws -> UInt64 {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        }
        for p in [W.solo, W.libdeep] {
            let source = try inode(repo.appendingPathComponent(p.fileName))
            let published = files(under: run.output).filter { $0.hasSuffix(p.fileName) }
            #expect(published.count == 1)
            for path in published { #expect(try inode(run.output.appendingPathComponent(path)) != source, "\(path)") }
            let digest = try sha256(of: repo.appendingPathComponent(p.fileName))
            #expect(try inode(run.cache.appendingPathComponent("packages/sha256/\(digest.prefix(2))/\(digest)")) != source)
        }
    }

    // MARK: Inputs that change the verdict (item 2)

    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent"))
    func turningOnGpgcheckOverAnUnsignedTreeFailsAndKeepsTheTree() throws {
        let corpus = try #require(Fixtures.corpus).appendingPathComponent("rpms/rpm-upstream")
        let yaml = "repos: [corpus]\nextensions:\n  hello:\n    packages: [hello]\n"
        let setup = try ComposeRun("fault-gpg-setup", yaml: yaml)
        let repo = setup.directory.appendingPathComponent("corpus-repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("hello-2.0-1.x86_64.rpm"),
                                         to: repo.appendingPathComponent("hello-2.0-1.x86_64.rpm"))
        try Fixtures.createRepo(repo)
        let reposDir = setup.directory.appendingPathComponent("repos.d")
        try FileManager.default.createDirectory(at: reposDir, withIntermediateDirectories: true)
        let repoFile = reposDir.appendingPathComponent("corpus.repo")
        try "[corpus]\nbaseurl=\(repo.absoluteString)\ngpgcheck=0\n".write(to: repoFile, atomically: true, encoding: .utf8)
        let published = try Published("fault-gpg", yaml: yaml, reposDir: reposDir)

        let key = corpus.appendingPathComponent("keys/rpm.org-rsa-2048-test.pub").absoluteString
        try "[corpus]\nbaseurl=\(repo.absoluteString)\ngpgcheck=1\ngpgkey=\(key)\n".write(to: repoFile, atomically: true, encoding: .utf8)
        let result = try published.compose(reposDir: reposDir)
        try published.expectUntouched(after: result, status: 3, naming: ["hello-2.0-1.x86_64", "not signed", "gpgcheck=1"])
    }

    // MARK: Ownership of --output (item 3)

    @Test func anUnrelatedOutputWithAFileNamedExtensionsJSONIsNotDeleted() throws {
        let run = try ComposeRun("fault-ownership")
        try FileManager.default.createDirectory(at: run.output, withIntermediateDirectories: true)
        try "{}\n".write(to: run.output.appendingPathComponent("extensions.json"), atomically: true, encoding: .utf8)
        try "x\n".write(to: run.output.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        let before = try TreeSnapshot(run.output)
        let result = try run.compose()
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(run.output.path) && result.stderr.contains("mox-index.json"), "\(result.stderr)")
        #expect(try TreeSnapshot(run.output) == before)
        #expect(!FileManager.default.fileExists(atPath: run.cache.appendingPathComponent("packages").path), "nothing fetched")
        // A mox-index.json that is not an index proves nothing either.
        try "{\"schemaVersion\": 2}\n".write(to: run.output.appendingPathComponent("mox-index.json"), atomically: true, encoding: .utf8)
        #expect(try run.compose().status == 2)
        #expect(FileManager.default.fileExists(atPath: run.output.appendingPathComponent("keep.txt").path))
    }

    // MARK: The tree and the image are one result (item 4)

    @Test func anOCILayoutThatIsARegularFileIsRefusedBeforeAnythingIsFetched() throws {
        let published = try Published("fault-layout-file", yaml: W.manifest)
        try published.run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let file = published.run.directory.appendingPathComponent("not-a-layout")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let packages = files(under: published.run.cache.appendingPathComponent("packages")).count
        let result = try published.compose(["--oci-layout", file.path])
        try published.expectUntouched(after: result, status: 2, naming: [file.path, "not a directory"], created: ["not-a-layout"])
        #expect(files(under: published.run.cache.appendingPathComponent("packages")).count == packages, "nothing fetched")
    }

    @Test func theLayoutEqualToTheOutputIsRefusedBeforeAnythingIsFetched() throws {
        let published = try Published("fault-layout-output")
        try published.run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let result = try published.compose(["--oci-layout", published.run.output.path])
        try published.expectUntouched(after: result, status: 2, naming: ["--oci-layout", "overlap"])
    }

    @Test func aLayoutWithAGarbageIndexFailsAndTheTreeStays() throws {
        let published = try Published("fault-layout-garbage")
        try published.run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let other = published.run.directory.appendingPathComponent("other-image")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(to: other.appendingPathComponent("oci-layout"), atomically: true, encoding: .utf8)
        try "garbage{".write(to: other.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
        let result = try published.compose(["--oci-layout", other.path])
        try published.expectUntouched(after: result, status: 3, naming: [other.appendingPathComponent("index.json").path, "JSON"],
                                      created: ["other-image"])
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullFileSystemUnderTheLayoutFailsAndNeitherOutputChanges() throws {
        let run = try ComposeRun("fault-full")
        let mount = run.directory.appendingPathComponent("small", isDirectory: true)
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        try Fixtures.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.path])
        defer { _ = try? Fixtures.run(["umount", "-l", mount.path]) }
        let layout = mount.appendingPathComponent("image")
        #expect(try run.compose(["--oci-layout", layout.path]).status == 0)
        let tree = try TreeSnapshot(run.output), image = try TreeSnapshot(layout)
        // Fill what is left of the file system but a few KiB.
        _ = try Fixtures.run(["dd", "if=/dev/zero", "of=\(mount.path)/filler", "bs=4k"], allowFailure: true)
        try Fixtures.run(["truncate", "-s", "-16k", "\(mount.path)/filler"])
        let besideMount = try Published.names(in: mount)
        try run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let result = try run.compose(["--oci-layout", layout.path])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(mount.path) && result.stderr.contains("No space left"), "\(result.stderr)")
        #expect(try TreeSnapshot(run.output) == tree)
        #expect(try TreeSnapshot(layout) == image)
        #expect(try Published.names(in: mount) == besideMount)
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
    }

    enum Signal: String, CaseIterable, Sendable {
        case sigint, sigterm
        var number: Int32 { self == .sigint ? SIGINT : SIGTERM }
    }

    /// A package large enough that writing the image takes a moment to interrupt.
    static let big = FixturePackage("bigdata", files: ["/usr/share/bigdata/a"], size: 24 << 20)

    @Test(arguments: Signal.allCases)
    func aSignalDuringTheImageLeavesTheTreeAndTheImageAsTheyWere(_ signal: Signal) throws {
        let published = try Published("fault-signal-\(signal.rawValue)", yaml: Self.solo,
                                      arguments: ["--repo", "mine=" + (try Self.bigRepo().path)])
        try published.run.write(yaml: Self.solo + "  big:\n    packages: [bigdata]\n")
        let argv = Fixtures.withSignalsUnblocked(
            [try Mox.binary.path, "compose"] + (try published.run.inputs([
                "--output", published.run.output.path, "--oci-layout", published.layout.path,
                "--repo", "mine=" + (try Self.bigRepo().path)])))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let stderr = published.run.directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The image is being written once its scratch folder appears beside the layout.
        try waitUntil(seconds: 60, interval: 0.005) {
            (try? Published.names(in: published.run.directory))?.contains { $0.hasPrefix(".image.mox-image-") } == true
        }
        kill(process.processIdentifier, signal.number)
        try waitUntil(seconds: 30) { !process.isRunning }
        let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        try published.expectUntouched(after: (process.terminationStatus, "", log), status: 128 + signal.number,
                                      naming: ["interrupted", "unchanged"], created: ["stderr"])
    }

    /// SIGKILL while the image is written: nothing can clean up, so the tree and the image are as
    /// they were and the next run removes what the killed one left beside them.
    @Test func aKillDuringTheImageLeavesBothOutputsAndTheNextRunClearsTheRest() throws {
        let repo = try Self.bigRepo().path
        let published = try Published("fault-kill", yaml: Self.solo, arguments: ["--repo", "mine=" + repo])
        try published.run.write(yaml: Self.solo + "  big:\n    packages: [bigdata]\n")
        let argv = Fixtures.withSignalsUnblocked([try Mox.binary.path, "compose"] + (try published.run.inputs([
            "--output", published.run.output.path, "--oci-layout", published.layout.path, "--repo", "mine=" + repo])))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try waitUntil(seconds: 60, interval: 0.005) {
            (try? Published.names(in: published.run.directory))?.contains { $0.hasPrefix(".image.mox-image-") } == true
        }
        kill(process.processIdentifier, SIGKILL)
        try waitUntil(seconds: 30) { !process.isRunning }
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try TreeSnapshot(published.run.output) == published.tree)
        #expect(try TreeSnapshot(published.layout) == published.image)

        let next = try published.compose(["--repo", "mine=" + repo])
        #expect(next.status == 0, "\(next.stderr)")
        let left = try Published.names(in: published.run.directory).subtracting(published.beside)
        #expect(left.isEmpty, "left beside the outputs: \(left.sorted())")
    }

    /// One repo with solo, libdeep and a 24 MiB package, built once.
    static let bigRepoResult: Result<URL, any Error> = Result {
        let dir = try Fixtures.temporaryDirectory("fault-big-repo")
        removeAtExit(dir)
        try copiedRepo([W.solo, W.libdeep], at: dir)
        _ = try Fixtures.buildRPMs([big], into: dir)
        try Fixtures.createRepo(dir)
        return dir
    }
    static func bigRepo() throws -> URL { try bigRepoResult.get() }

    // MARK: Paths of every spelling (item 5)

    @Test func oneCharacterRelativeAndTrailingSlashPathsWork() throws {
        let run = try ComposeRun("fault-paths", yaml: Self.solo)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        let world = try W.get()
        let mox = try Mox.binary.path
        let common = ["extensions.yaml", "--cachedir", "c", "--repos-dir", world.reposDirectory.path,
                      "--base-rootfs", world.rootfs.path, "--arch", "x86_64", "--repo", "mine=mine"]
        let first = try Fixtures.run([mox, "compose"] + common + ["--output", "t", "--oci-layout", "L", "--layer", "x"],
                                     cwd: run.directory, allowFailure: true)
        #expect(first.status == 0, "\(first.stderr)")
        for name in ["t/mox-index.json", "L/index.json", "x"] {
            #expect(FileManager.default.fileExists(atPath: run.directory.appendingPathComponent(name).path), "\(name)")
        }
        let image = try Fixtures.run([mox, "image", "t", "--oci-layout", "M"], cwd: run.directory, allowFailure: true)
        #expect(image.status == 0, "\(image.stderr)")
        #expect(try Data(contentsOf: run.directory.appendingPathComponent("M/index.json"))
            == Data(contentsOf: run.directory.appendingPathComponent("L/index.json")), "the same image from the same tree")
        // The same tree spelled ./t/ and through ..: no change.
        let sub = run.directory.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let again = try Fixtures.run([mox, "compose", "../extensions.yaml", "--cachedir", "../c", "--repos-dir", world.reposDirectory.path,
                                      "--base-rootfs", world.rootfs.path, "--arch", "x86_64", "--repo", "mine=../mine",
                                      "--output", "../t/", "--oci-layout", "./../L/"], cwd: sub, allowFailure: true)
        #expect(again.status == 0 && again.stdout.hasPrefix("no change"), "\(again.stdout)\(again.stderr)")
        let leftovers = try Published.names(in: run.directory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    // MARK: The header against the metadata (item 6)

    @Test func aPackageWhoseHeaderIsAnotherPackageIsRefused() throws {
        let repo = try Fixtures.temporaryDirectory("fault-impostor-repo")
        removeAtExit(repo)
        try copiedRepo([W.solo, W.libdeep, W.libtool], at: repo)
        let published = try Published("fault-impostor", yaml: Self.solo, arguments: ["--repo", "mine=" + repo.path])
        // The metadata still says libtool; the file (and its checksum and size) is libdeep's.
        try serveImpostor(in: repo, package: W.libtool, impostor: W.libdeep)
        try published.run.write(yaml: Self.solo + "  tool:\n    packages: [libtool]\n")
        let result = try published.compose(["--repo", "mine=" + repo.path])
        try published.expectUntouched(after: result, status: 3, naming: [W.libtool.nevra, W.libdeep.nevra, "header"])
    }

    // MARK: Modes (item 7)

    @Test func theTreeIsWorldReadableWhateverTheUmask() throws {
        let run = try ComposeRun("fault-umask", yaml: Self.solo)
        let repo = run.directory.appendingPathComponent("mine")
        try copiedRepo([W.solo, W.libdeep], at: repo)
        let argv = [try Mox.binary.path, "compose"] + (try run.inputs(["--output", run.output.path, "--repo", "mine=" + repo.path]))
        let result = try Fixtures.run(["/bin/sh", "-c", "umask 077; exec " + argv.map(shellQuoted).joined(separator: " ")],
                                      allowFailure: true)
        #expect(result.status == 0, "\(result.stderr)")
        var paths = [""]
        if let walker = FileManager.default.enumerator(atPath: run.output.path) {
            while let path = walker.nextObject() as? String { paths.append(path) }
        }
        #expect(paths.count > 6)
        for path in paths {
            let attributes = try FileManager.default.attributesOfItem(atPath: run.output.appendingPathComponent(path).path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            let isDirectory = (attributes[.type] as? FileAttributeType) == .typeDirectory
            #expect(mode == (isDirectory ? 0o755 : 0o644), "\(path.isEmpty ? "." : path): \(String(mode, radix: 8))")
        }
    }

    // MARK: Messages (item 9)

    @Test func anHrefThatIsAnAbsoluteURLSaysSo() throws {
        let repo = try Fixtures.temporaryDirectory("fault-url-href-repo")
        removeAtExit(repo)
        try copiedRepo([W.solo, W.libdeep], at: repo)
        let published = try Published("fault-url-href", yaml: Self.solo, arguments: ["--repo", "mine=" + repo.path])
        try rewriteHref(in: repo, package: W.solo.fileName, to: "http://127.0.0.1:9/\(W.solo.fileName)")
        let result = try published.compose(["--repo", "mine=" + repo.path])
        try published.expectUntouched(after: result, status: 3, naming: [W.solo.nevra, "absolute URL", "mine"])
    }

    @Test func anHrefLeavingTheRepoIsRefusedEvenWhenNothingElseChanged() throws {
        let repo = try Fixtures.temporaryDirectory("fault-href-repo")
        removeAtExit(repo)
        try copiedRepo([W.solo, W.libdeep], at: repo)
        let published = try Published("fault-href", yaml: Self.solo, arguments: ["--repo", "mine=" + repo.path])
        try rewriteHref(in: repo, package: W.solo.fileName, to: "../\(W.solo.fileName)")
        let result = try published.compose(["--repo", "mine=" + repo.path])
        try published.expectUntouched(after: result, status: 3, naming: [W.solo.nevra, "outside the repo"])
    }

    // MARK: HTTP faults

    /// A mirror that lost a package (404): exit 3 naming the package and its URL; nothing changes.
    @Test func aPackageMissingOnTheMirrorFailsAndNothingChanges() throws {
        let repo = try Fixtures.temporaryDirectory("fault-http-repo")
        removeAtExit(repo)
        try copiedRepo([W.solo, W.libdeep, W.libtool], at: repo.appendingPathComponent("mine"))
        let server = try FileServer(serving: repo)
        defer { server.stop() }
        let published = try Published("fault-http", yaml: Self.solo, arguments: ["--repo", "mine=\(server.baseURL)/mine"])
        try FileManager.default.removeItem(at: repo.appendingPathComponent("mine/\(W.libtool.fileName)"))
        try published.run.write(yaml: Self.solo + "  tool:\n    packages: [libtool]\n")
        let result = try published.compose(["--repo", "mine=\(server.baseURL)/mine", "--retries", "0"])
        try published.expectUntouched(after: result, status: 3,
                                      naming: [W.libtool.nevra, "\(server.baseURL)/mine/\(W.libtool.fileName)", "404"])
    }

    // MARK: Runs at the same time

    @Test func aSecondRunOnTheSameOutputWaitsForNoneAndChangesNothing() throws {
        let published = try Published("fault-concurrent")
        let lock = published.run.directory.appendingPathComponent(".out.mox-lock")
        // Another run holds the output's lock, as a live mox would (flock on its own open file).
        let fd = open(lock.path, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        defer { close(fd); try? FileManager.default.removeItem(at: lock) }
        try published.run.write(yaml: W.manifest + "  solo:\n    packages: [solo]\n")
        let result = try published.compose()
        try published.expectUntouched(after: result, status: 3, naming: ["another mox run"], created: [".out.mox-lock"])
    }
}
