// A compose that cannot succeed publishes nothing: unresolvable extensions (exit 1, check's report),
// packages that fail verification and hostile repo metadata (exit 3, the file and the reason named).
import Fixtures
import Foundation
import Testing

@Suite("mox compose: failures write nothing")
struct ComposeFailureTests {
    typealias W = ComposeWorld

    static let withBroken = ComposeWorld.manifest + """
          broken:
            packages: [broken]

        """

    @Test func unresolvableExtensionFailsLikeCheckAndWritesNothing() throws {
        let run = try ComposeRun("compose-unresolvable", yaml: Self.withBroken)
        let compose = try run.compose()
        let check = try run.check()
        #expect(compose.status == 1, "\(compose.stderr)")
        #expect(check.status == 1)
        #expect(compose.stdout == check.stdout, "compose reports exactly what check does")
        #expect(compose.stdout.contains(W.broken.name) && compose.stdout.contains("nothing-provides-this"), "\(compose.stdout)")
        #expect(compose.stderr.contains("nothing written"), "\(compose.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: run.cache.appendingPathComponent("packages").path),
                "nothing fetched for a compose that cannot publish")
    }

    @Test func unresolvableExtensionLeavesThePreviousTreeUntouched() throws {
        let run = try ComposeRun("compose-unresolvable-previous")
        #expect(try run.compose().status == 0)
        let before = try TreeSnapshot(run.output)
        try run.write(yaml: Self.withBroken)
        let json = try run.compose(["--format", "json"])
        #expect(json.status == 1)
        #expect(try JSONDocument(json.stdout).status("broken") == "failed", "\(json.stdout)")
        #expect(try JSONDocument(json.stdout).status("usbguard") == "resolved")
        #expect(try TreeSnapshot(run.output) == before)
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
    }

    @Test func badUsageExitsTwo() throws {
        let run = try ComposeRun("compose-usage")
        let noOutput = try Fixtures.run([try Mox.binary.path, "compose", run.manifest.path, "--base-rootfs",
                                         try W.get().rootfs.path], allowFailure: true)
        #expect(noOutput.status == 2, "\(noOutput.stderr)")
        #expect(noOutput.stderr.contains("--output"), "\(noOutput.stderr)")
        let badDownloads = try run.compose(["--downloads", "0"])
        #expect(badDownloads.status == 2)
        try run.write(yaml: "extensions:\n  x:\n    pakages: [solo]\n")
        let badYAML = try run.compose()
        #expect(badYAML.status == 2, "\(badYAML.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))
    }

    @Test func anExistingFolderThatIsNotAComposedTreeIsNeverReplaced() throws {
        let run = try ComposeRun("compose-not-a-tree")
        try FileManager.default.createDirectory(at: run.output, withIntermediateDirectories: true)
        try "precious\n".write(to: run.output.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let before = try TreeSnapshot(run.output)
        let result = try run.compose()
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(run.output.path) && result.stderr.contains("mox-index.json"), "\(result.stderr)")
        #expect(try TreeSnapshot(run.output) == before)
        // An empty folder is fine to fill.
        try FileManager.default.removeItem(at: run.output.appendingPathComponent("notes.txt"))
        #expect(try run.compose().status == 0)
    }

    // MARK: Verification

    /// One package from the corpus (rpm's own test packages) in a repo of its own.
    struct CorpusCase: CustomTestStringConvertible, Sendable {
        var label: String
        /// File in rpms/rpm-upstream, served as hello-2.0-1.x86_64.rpm.
        var file: String
        /// gpgkey file in rpms/rpm-upstream/keys when gpgcheck=1.
        var key: String?
        /// nil: the compose succeeds; else words the error must contain.
        var reason: [String]?
        var testDescription: String { label }
    }

    static let corpusCases = [
        CorpusCase(label: "corrupted payload", file: "hello-2.0-1.x86_64-corrupted.rpm", key: nil, reason: ["digest", "BAD"]),
        CorpusCase(label: "unsigned with gpgcheck=1", file: "hello-2.0-1.x86_64.rpm", key: "rpm.org-rsa-2048-test.pub",
                   reason: ["not signed", "gpgcheck=1"]),
        CorpusCase(label: "signed, wrong key", file: "hello-2.0-1.x86_64-signed.rpm", key: "rpm.org-ed25519-test.pub",
                   reason: ["key"]),
        CorpusCase(label: "signed, right key", file: "hello-2.0-1.x86_64-signed.rpm", key: "rpm.org-rsa-2048-test.pub", reason: nil),
        CorpusCase(label: "unsigned with gpgcheck=0", file: "hello-2.0-1.x86_64.rpm", key: nil, reason: nil),
    ]

    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent"), arguments: corpusCases)
    func packagesAreVerifiedBeforeAnythingIsPublished(_ c: CorpusCase) throws {
        let corpus = try #require(Fixtures.corpus).appendingPathComponent("rpms/rpm-upstream")
        let run = try ComposeRun("compose-verify", yaml: "repos: [corpus]\nextensions:\n  hello:\n    packages: [hello]\n")
        let repo = run.directory.appendingPathComponent("corpus-repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent(c.file),
                                         to: repo.appendingPathComponent("hello-2.0-1.x86_64.rpm"))
        try Fixtures.createRepo(repo)
        let reposDir = run.directory.appendingPathComponent("repos.d")
        try FileManager.default.createDirectory(at: reposDir, withIntermediateDirectories: true)
        let gpg = c.key.map { "gpgcheck=1\ngpgkey=\(corpus.appendingPathComponent("keys/\($0)").absoluteString)\n" } ?? "gpgcheck=0\n"
        try "[corpus]\nname=corpus\nbaseurl=\(repo.absoluteString)\n\(gpg)"
            .write(to: reposDir.appendingPathComponent("corpus.repo"), atomically: true, encoding: .utf8)

        let result = try run.compose(reposDir: reposDir)
        if let reason = c.reason {
            #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("hello-2.0-1.x86_64"), "names the package: \(result.stderr)")
            for word in reason { #expect(result.stderr.contains(word), "\(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: run.output.path))
            #expect(try stagingLeftovers(beside: run.output).isEmpty)
        } else {
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(files(under: run.output).contains("extensions/hello/hello-2.0-1.x86_64.rpm"))
        }
    }

    /// gpgkey may be a URL: the key is downloaded, and it is the key the signature is checked against.
    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent"),
          arguments: [("rpm.org-rsa-2048-test.pub", true), ("rpm.org-ed25519-test.pub", false)])
    func aSignedPackageIsCheckedAgainstAKeyServedOverHTTP(key: String, passes: Bool) throws {
        let corpus = try #require(Fixtures.corpus).appendingPathComponent("rpms/rpm-upstream")
        let run = try ComposeRun("compose-httpkey", yaml: "repos: [corpus]\nextensions:\n  hello:\n    packages: [hello]\n")
        let repo = run.directory.appendingPathComponent("corpus-repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("hello-2.0-1.x86_64-signed.rpm"),
                                         to: repo.appendingPathComponent("hello-2.0-1.x86_64.rpm"))
        try Fixtures.createRepo(repo)
        let server = try FileServer(serving: corpus.appendingPathComponent("keys"))
        defer { server.stop() }
        let reposDir = run.directory.appendingPathComponent("repos.d")
        try FileManager.default.createDirectory(at: reposDir, withIntermediateDirectories: true)
        try "[corpus]\nname=corpus\nbaseurl=\(repo.absoluteString)\ngpgcheck=1\ngpgkey=\(server.baseURL)/\(key)\n"
            .write(to: reposDir.appendingPathComponent("corpus.repo"), atomically: true, encoding: .utf8)

        let result = try run.compose(reposDir: reposDir)
        #expect(server.requests.contains("/\(key)"), "\(server.requests)")
        if passes {
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        } else {
            #expect(result.status == 3, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: run.output.path))
        }
    }

    @Test func aPackageThatIsNotWhatTheMetadataSaysIsRefused() throws {
        let run = try ComposeRun("compose-checksum", yaml: "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n")
        let repo = run.directory.appendingPathComponent("mine")
        let world = try W.get()
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for p in [W.solo, W.libdeep] {
            try FileManager.default.copyItem(at: world.osRepo.appendingPathComponent(p.fileName), to: repo.appendingPathComponent(p.fileName))
        }
        try Fixtures.createRepo(repo)
        // Same size, one byte different, after the metadata was written.
        let rpm = repo.appendingPathComponent(W.solo.fileName)
        var bytes = try Data(contentsOf: rpm)
        bytes[bytes.count - 1] ^= 0xFF
        try FileManager.default.removeItem(at: rpm)
        try bytes.write(to: rpm)

        let result = try run.compose(["--repo", "mine=" + repo.path])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(W.solo.nevra), "\(result.stderr)")
        #expect(result.stderr.contains(rpm.path), "names the file: \(result.stderr)")
        #expect(result.stderr.contains("sha256") && result.stderr.contains("repo metadata says"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))
    }

    @Test func aLocationHrefOutsideTheRepoIsRefused() throws {
        let run = try ComposeRun("compose-href", yaml: "repos: [mine]\nextensions:\n  solo:\n    packages: [solo]\n")
        let repo = run.directory.appendingPathComponent("sub/mine")
        let world = try W.get()
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for p in [W.solo, W.libdeep] {
            try FileManager.default.copyItem(at: world.osRepo.appendingPathComponent(p.fileName), to: repo.appendingPathComponent(p.fileName))
        }
        try Fixtures.createRepo(repo)
        // The previous tree, from the honest repo, to prove it stays.
        #expect(try run.compose(["--repo", "mine=" + repo.path]).status == 0)
        let before = try TreeSnapshot(run.output)
        // A copy of the package where the hostile href points, so only the check can stop it.
        let hostile = "../../\(W.solo.fileName)"
        try FileManager.default.copyItem(at: repo.appendingPathComponent(W.solo.fileName),
                                         to: run.directory.appendingPathComponent(W.solo.fileName))
        try rewriteHref(in: repo, package: W.solo.fileName, to: hostile)

        let result = try run.compose(["--repo", "mine=" + repo.path])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(hostile) && result.stderr.contains("refusing"), "\(result.stderr)")
        #expect(try TreeSnapshot(run.output) == before)
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
    }
}

/// Points `package`'s `<location href>` in primary.xml at `href` and fixes repomd.xml's
/// checksums and sizes, as a hostile (not a broken) repo would.
func rewriteHref(in repo: URL, package: String, to href: String) throws {
    let script = #"""
        import glob, gzip, hashlib, os, re, sys
        repo, old, new = sys.argv[1:4]
        md = os.path.join(repo, 'repodata')
        primary = glob.glob(os.path.join(md, '*primary.xml.gz'))[0]
        text = gzip.open(primary).read().decode()
        assert f'href="{old}"' in text
        text = text.replace(f'href="{old}"', f'href="{new}"').encode()
        packed = gzip.compress(text)
        name = hashlib.sha256(packed).hexdigest() + '-primary.xml.gz'
        os.remove(primary)
        open(os.path.join(md, name), 'wb').write(packed)
        repomd = open(os.path.join(md, 'repomd.xml')).read()
        block = re.search(r'<data type="primary">.*?</data>', repomd, re.S).group(0)
        fixed = re.sub(r'<checksum type="sha256">\w+</checksum>', f'<checksum type="sha256">{hashlib.sha256(packed).hexdigest()}</checksum>', block)
        fixed = re.sub(r'<open-checksum type="sha256">\w+</open-checksum>', f'<open-checksum type="sha256">{hashlib.sha256(text).hexdigest()}</open-checksum>', fixed)
        fixed = re.sub(r'href="repodata/[^"]+"', f'href="repodata/{name}"', fixed)
        fixed = re.sub(r'<size>\d+</size>', f'<size>{len(packed)}</size>', fixed)
        fixed = re.sub(r'<open-size>\d+</open-size>', f'<open-size>{len(text)}</open-size>', fixed)
        open(os.path.join(md, 'repomd.xml'), 'w').write(repomd.replace(block, fixed))
        """#
    try Fixtures.run(["python3", "-c", script, repo.path, package, href])
}
