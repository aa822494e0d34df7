// Repos: .repo files, $basearch, --repo overrides, filters, priority, and broken metadata.
import Fixtures
import Foundation
import Testing

@Suite("mox check repo inputs")
struct RepoInputTests {
    typealias W = CheckWorld

    static let soloYAML = "repos: [os]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"

    /// Writes a .repo file with one section and extra `key=value` lines.
    func writeRepoFile(_ id: String, baseURL: String, extra: [String] = [], in dir: URL) throws {
        let text = (["[\(id)]", "name=\(id)", "baseurl=\(baseURL)", "gpgcheck=0"] + extra).joined(separator: "\n") + "\n"
        try text.write(to: dir.appendingPathComponent("\(id).repo"), atomically: true, encoding: .utf8)
    }

    @Test func repoFilesNextToTheExtensionsFileAreUsedByDefault() throws {
        let run = try CheckRun("default-reposdir", yaml: Self.soloYAML)
        try writeRepoFile("os", baseURL: try CheckWorld.get().osRepo.absoluteString, in: run.directory)
        let result = try run.mox(["-q", "--base-rootfs", try CheckWorld.get().rootfs.path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func basearchIsSubstitutedPerArchitecture() throws {
        let run = try CheckRun("basearch", yaml: "repos: [arch]\nextensions:\n  tool:\n    packages: [\(W.archToolX86.name)]\n")
        try makeRepo(linking: [W.archToolX86, W.archLibX86], at: run.directory.appendingPathComponent("repo-x86_64"))
        try makeRepo(linking: [W.archToolARM, W.archLibARM], at: run.directory.appendingPathComponent("repo-aarch64"))
        try writeRepoFile("arch", baseURL: run.directory.absoluteString + "repo-$basearch", in: run.directory)
        let empty = run.directory.appendingPathComponent("base.txt")
        try Data().write(to: empty)
        let result = try run.mox(["-q", "--format", "json", "--base-packages", empty.path,
                                  "--arch", "x86_64", "--arch", "aarch64"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONDocument(result.stdout)
        #expect(try json.nevras("tool", arch: "x86_64") == [W.archToolX86.nevra, W.archLibX86.nevra])
        #expect(try json.nevras("tool", arch: "aarch64") == [W.archToolARM.nevra, W.archLibARM.nevra])
    }

    @Test func repoOptionOverridesTheBaseurl() throws {
        let run = try CheckRun("override", yaml: Self.soloYAML)
        let nowhere = run.directory.appendingPathComponent("nowhere")
        try writeRepoFile("os", baseURL: nowhere.absoluteString, in: run.directory)
        let rootfs = try CheckWorld.get().rootfs.path
        // The file alone points at nothing...
        #expect(try run.mox(["-q", "--base-rootfs", rootfs]).status == 3)
        // ...the override points at the real repo.
        let result = try run.mox(["-q", "--base-rootfs", rootfs, "--repo", "os=" + (try CheckWorld.get().osRepo.path)])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: [
        ("exclude=\(W.solo.name)", false),
        ("excludepkgs=so*", false),
        ("includepkgs=\(W.appA.name), \(W.libshared.name)", false),
        ("includepkgs=\(W.solo.name)", true),
        ("exclude=\(W.appA.name)", true),
    ])
    func repoFiltersHidePackages(filter: String, soloVisible: Bool) throws {
        let run = try CheckRun("filters", yaml: Self.soloYAML)
        try writeRepoFile("os", baseURL: try CheckWorld.get().osRepo.absoluteString, extra: [filter], in: run.directory)
        let result = try run.mox(["-q", "--format", "json", "--base-rootfs", try CheckWorld.get().rootfs.path])
        #expect(result.status == (soloVisible ? 0 : 1), "\(result.stderr)")
        let json = try JSONDocument(result.stdout)
        if soloVisible {
            #expect(try json.nevras("single") == [W.solo.nevra])
        } else {
            #expect(try json.failureText("single").contains(W.solo.name))
        }
    }

    /// Two builds of one name in two repos: the repo with the lower priority number wins, even with the older build.
    @Test(arguments: [(10, 99, W.kernelToolsOld), (99, 10, W.kernelToolsNew), (99, 99, W.kernelToolsNew)])
    func lowerPriorityNumberWins(oldRepoPriority: Int, newRepoPriority: Int, expected: FixturePackage) throws {
        let run = try CheckRun("priority", yaml: "repos: [old, new]\nextensions:\n  tools:\n    packages: [kernel-tools]\n")
        let old = run.directory.appendingPathComponent("old"), new = run.directory.appendingPathComponent("new")
        try makeRepo(linking: [W.kernelToolsOld], at: old)
        try makeRepo(linking: [W.kernelToolsNew], at: new)
        try writeRepoFile("old", baseURL: old.absoluteString, extra: ["priority=\(oldRepoPriority)"], in: run.directory)
        try writeRepoFile("new", baseURL: new.absoluteString, extra: ["priority=\(newRepoPriority)"], in: run.directory)
        let result = try run.mox(["-q", "--format", "json", "--base-rootfs", try CheckWorld.get().rootfs.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).nevras("tools") == [expected.nevra])
    }

    @Test func repoIdNotDefinedIsInvalidInputAtItsPosition() throws {
        let yaml = """
            repos:
              - os
            extensions:
              single:
                repos:
                  - nosuchrepo
                packages: [\(W.solo.name)]
            """
        let run = try CheckRun("undefined-repo", yaml: yaml)
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("nosuchrepo") }) + 1
        let column = try #require(lines[line - 1].range(of: "nosuchrepo")).lowerBound.utf16Offset(in: lines[line - 1]) + 1
        let result = try run.moxOnWorld(["-q"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(run.manifest.path):\(line):\(column)"), "\(result.stderr)")
        #expect(result.stderr.contains("nosuchrepo"))
    }

    @Test func corruptPrimaryIsAnEnvironmentErrorNamingRepoAndFile() throws {
        let run = try CheckRun("corrupt", yaml: Self.soloYAML)
        let repo = run.directory.appendingPathComponent("repo")
        try makeRepo(linking: [W.solo], at: repo)
        let repodata = repo.appendingPathComponent("repodata")
        let primaryName = try #require(try FileManager.default.contentsOfDirectory(atPath: repodata.path)
            .first { $0.contains("primary.xml") })
        let primary = repodata.appendingPathComponent(primaryName)
        // Same size, different bytes: only the checksum can tell.
        var bytes = try Data(contentsOf: primary)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: primary)
        let result = try run.mox(["-q", "--base-rootfs", try CheckWorld.get().rootfs.path, "--repo", "os=" + repo.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("'os'") || result.stderr.contains("os:"), "\(result.stderr)")
        #expect(result.stderr.contains(primaryName), "\(result.stderr)")
    }

    @Test func unreadableRepoIsAnEnvironmentError() throws {
        let run = try CheckRun("unreadable", yaml: Self.soloYAML)
        let missing = run.directory.appendingPathComponent("does-not-exist")
        let result = try run.mox(["-q", "--base-rootfs", try CheckWorld.get().rootfs.path, "--repo", "os=" + missing.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("os"))
        #expect(result.stderr.contains(missing.path), "\(result.stderr)")
    }

    @Test func fileDependencyLoadsFilelistsAndResolves() throws {
        let run = try CheckRun("filelists", yaml: "repos: [files]\nextensions:\n  data:\n    packages: [\(W.fileDep.name)]\n")
        let result = try run.moxOnWorld(["--format", "json"])
        // Loaded only because a file dependency needed it: the progress line says so.
        #expect(result.stderr.contains("repo files") && result.stderr.contains("with filelists"), "\(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)")
        let packages = (try? JSONDocument(result.stdout).nevras("data")) ?? []
        #expect(packages == [W.fileDep.nevra, W.fooData.nevra])

        // The second run finds the file provides in the cache: no filelists to load or search.
        let again = try run.moxOnWorld(["--format", "json"])
        #expect(again.stderr.contains("repo files: 2 packages (cached)"), "\(again.stderr)")
        #expect(!again.stderr.contains("with filelists"), "\(again.stderr)")
        #expect(again.status == 0, "\(again.stdout)")
        #expect(((try? JSONDocument(again.stdout).nevras("data")) ?? []) == packages)
    }

    @Test func checkingLocalReposLoadsNeitherDownloadNorArchiveNorRepodataLibraries() throws {
        let run = try CheckRun("lazy-libraries", yaml: Self.soloYAML)
        let world = try CheckWorld.get()
        let argv = [try Mox.binary.path, "check", run.manifest.path, "--cachedir", run.cache.path, "--arch", "x86_64",
                    "-q", "--repos-dir", world.reposDirectory.path, "--base-rootfs", world.rootfs.path]
        // The dynamic loader names every library it opens (LD_DEBUG=files, on stderr).
        let result = try Fixtures.run(argv, environment: ["LD_DEBUG": "files"], allowFailure: true)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stderr.contains("librpm"), "the loader's trace is there")
        for library in ["libcurl.so", "libarchive.so", "libcreaterepo_c.so"] {
            #expect(!result.stderr.contains(library), "\(library) loaded by a check of local repos")
        }
    }

    @Test func aFileDependencyTheCacheDidNotAnswerLoadsTheCachedFilelists() throws {
        // `holder` owns two paths only filelists.xml lists; each repo's package needs one of them.
        let holder = FixturePackage("holder", files: ["/usr/share/held/one", "/usr/share/held/two"])
        let needsOne = FixturePackage("needsone", requires: ["/usr/share/held/one"])
        let needsTwo = FixturePackage("needstwo", requires: ["/usr/share/held/two"])
        let run = try CheckRun("filelists-later", yaml: """
            repos: [held]
            extensions:
              one:
                packages: [needsone]
            """)
        let rpms = try Fixtures.buildRPMs([holder, needsOne, needsTwo], into: run.directory.appendingPathComponent("rpms"))
        for (id, indices) in [("held", [0, 1]), ("other", [2])] {
            let repo = run.directory.appendingPathComponent(id, isDirectory: true)
            try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
            for i in indices { try FileManager.default.linkItem(at: rpms[i], to: repo.appendingPathComponent(rpms[i].lastPathComponent)) }
            try Fixtures.createRepo(repo)
            try writeRepoFile(id, baseURL: repo.absoluteString, in: run.directory)
        }
        let empty = run.directory.appendingPathComponent("base.txt")
        try Data().write(to: empty)
        let check = { (yaml: String) throws -> CommandResult in
            try yaml.write(to: run.manifest, atomically: true, encoding: .utf8)
            return try run.mox(["--format", "json", "--base-packages", empty.path])
        }
        let first = try check("repos: [held]\nextensions:\n  one:\n    packages: [needsone]\n")
        #expect(first.status == 0 && first.stderr.contains("repo held: 2 packages (parsed, with filelists)"), "\(first.stderr)")
        let cached = try check("repos: [held]\nextensions:\n  one:\n    packages: [needsone]\n")
        #expect(cached.status == 0 && cached.stderr.contains("repo held: 2 packages (cached)"), "\(cached.stderr)")

        // Repo `other` brings a file dependency held's cache knows nothing of: held's cached
        // filelists are loaded for it, and its cache then keeps that provide too.
        let both = "repos: [held, other]\nextensions:\n  two:\n    packages: [needstwo]\n"
        let widened = try check(both)
        #expect(widened.status == 0, "\(widened.stdout)\(widened.stderr)")
        #expect(widened.stderr.contains("repo held: 2 packages (cached, with filelists)"), "\(widened.stderr)")
        #expect(try JSONDocument(widened.stdout).nevras("two") == [needsTwo.nevra, holder.nevra])
        let again = try check(both)
        #expect(again.status == 0 && again.stderr.contains("repo held: 2 packages (cached)"), "\(again.stderr)")
        #expect(!again.stderr.contains("with filelists"), "\(again.stderr)")
        #expect(try JSONDocument(again.stdout).nevras("two") == [needsTwo.nevra, holder.nevra])
    }

    @Test(arguments: ["gz", "xz", "bz2", "zst", "plain"])
    func compressedMetadataLoads(compression: String) throws {
        let run = try CheckRun("compress-\(compression)", yaml: Self.soloYAML)
        let repo = run.directory.appendingPathComponent("repo")
        if ["gz", "xz", "bz2"].contains(compression) {
            try makeRepo(linking: [W.solo], at: repo, extraArgs: ["--general-compress-type", compression])
        } else {
            // This createrepo_c cannot write zstd or plain files: recompress its gzip output and fix repomd.xml.
            try makeRepo(linking: [W.solo], at: repo)
            try recompress(repo: repo, to: compression)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("repodata").path)
        let suffix = compression == "plain" ? "primary.xml" : "primary.xml.\(compression)"
        #expect(names.contains { $0.hasSuffix(suffix) }, "\(names)")
        let result = try run.mox(["-q", "--format", "json", "--base-rootfs", try CheckWorld.get().rootfs.path,
                                  "--repo", "os=" + repo.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).nevras("single") == [W.solo.nevra])
    }

    /// Rewrites every gzip metadata file of `repo` as zstd (`zst`) or uncompressed (`plain`), with repomd.xml to match.
    func recompress(repo: URL, to compression: String) throws {
        let repomdURL = repo.appendingPathComponent("repodata/repomd.xml")
        var repomd = try String(contentsOf: repomdURL, encoding: .utf8)
        var blocks = repomd.components(separatedBy: "<data ")
        for index in blocks.indices.dropFirst() {
            var block = blocks[index]
            guard let hrefRange = block.range(of: #"href="[^"]+\.gz""#, options: .regularExpression) else { continue }
            let href = String(block[hrefRange].dropFirst(6).dropLast())
            let old = repo.appendingPathComponent(href)
            let plain = try Fixtures.run(["sh", "-c", "gzip -dc '\(old.path)'"]).stdout
            let newHref = String(href.dropLast(3)) + (compression == "plain" ? "" : ".zst")
            let new = repo.appendingPathComponent(newHref)
            try plain.write(to: new, atomically: true, encoding: .utf8)
            if compression == "zst" {
                try Fixtures.run(["zstd", "-q", "-f", "--rm", new.path, "-o", new.path + ".tmp"])
                try FileManager.default.moveItem(at: URL(fileURLWithPath: new.path + ".tmp"), to: new)
            }
            try FileManager.default.removeItem(at: old)
            let size = try new.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
            block = block.replacingOccurrences(of: href, with: newHref)
            if let checksum = block.range(of: #"<checksum type="sha256">[0-9a-f]+</checksum>"#, options: .regularExpression) {
                block.replaceSubrange(checksum, with: "<checksum type=\"sha256\">\(try sha256(of: new))</checksum>")
            }
            if let sizeRange = block.range(of: #"<size>[0-9]+</size>"#, options: .regularExpression) {
                block.replaceSubrange(sizeRange, with: "<size>\(size)</size>")
            }
            blocks[index] = block
        }
        repomd = blocks.joined(separator: "<data ")
        try repomd.write(to: repomdURL, atomically: true, encoding: .utf8)
    }
}
