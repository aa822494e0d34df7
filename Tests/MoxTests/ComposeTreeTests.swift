// The composed tree as its consumers see it: dnf installs each extension from it alone, every
// file is where and what the index says, and nothing else is there.
import Fixtures
import Foundation
import Testing

@Suite("mox compose: the tree and its index")
struct ComposeTreeTests {
    typealias W = ComposeWorld

    /// The scenario composed once for every test of this suite.
    static let composed: Result<(run: ComposeRun, result: CommandResult), any Error> = Result {
        let run = try ComposeRun("compose-tree")
        return (run, try run.compose())
    }

    static func tree() throws -> ComposeRun {
        let (run, result) = try composed.get()
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stdout)\n\(result.stderr)") }
        return run
    }

    static let dnfAvailable = (try? Fixtures.run(["dnf", "--version"]))?.status == 0

    @Test(.enabled(if: dnfAvailable, "dnf is not installed"), arguments: W.listed.map(\.name))
    func dnfInstallsTheExtensionFromTheTreeAndTheBaseAlone(name: String) throws {
        let tree = try Self.tree()
        let packages = try #require(W.listed.first { $0.name == name }).packages.map(\.name)
        let scratch = try Fixtures.temporaryDirectory("dnf-\(name)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root"), reposdir = scratch.appendingPathComponent("no-repos")
        try Fixtures.run(["cp", "-a", try W.get().rootfs.path, root.path])
        try FileManager.default.createDirectory(at: reposdir, withIntermediateDirectories: true)
        // Debian's dnf reads the installroot's rpmdb at root/.rpmdb.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("root"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("root/.rpmdb").path,
                                                   withDestinationPath: "../usr/share/rpm")
        let dnf = try Fixtures.run([
            "dnf", "-q", "--installroot", root.path, "--setopt=reposdir=\(reposdir.path)",
            "--repofrompath=ext,\(tree.output.path)", "--setopt=ext.gpgcheck=0", "--releasever", "9",
            "--forcearch", "x86_64", "--disableplugin=*", "-y", "--setopt=tsflags=test", "install",
        ] + packages, allowFailure: true)
        #expect(dnf.status == 0, "dnf install \(packages) from the tree:\n\(dnf.stdout)\n\(dnf.stderr)")
    }

    @Test func treeHoldsTheListedPackagesAndEachMissingDependencyExactlyOnce() throws {
        let tree = try Self.tree()
        let all = files(under: tree.output)
        let rpms = all.filter { $0.hasSuffix(".rpm") }
        #expect(rpms == W.expectedTree, """
            missing: \(Set(W.expectedTree).subtracting(rpms).sorted())
            unexpected: \(Set(rpms).subtracting(W.expectedTree).sorted())
            """)
        let names = rpms.map { ($0 as NSString).lastPathComponent }
        #expect(names.count == Set(names).count, "an RPM is in the tree twice: \(names)")
        for package in W.base + [W.unrelated, W.broken, W.kernelNew, W.kmodNew, W.kernelDevelNew, W.kernelHeadersNew] {
            #expect(!names.contains(package.fileName), "\(package.nevra) must not be in the tree")
        }
        let top = try FileManager.default.contentsOfDirectory(atPath: tree.output.path).sorted()
        #expect(top == ["dependencies", "extensions", "extensions.json", "mox-index.json", "repodata"])
        #expect(all.contains("repodata/repomd.xml"))
        #expect(try stagingLeftovers(beside: tree.output).isEmpty)
    }

    @Test func fileNamesComeFromTheNEVRA() throws {
        let tree = try Self.tree()
        // The epoch is in the NEVRA but never in a file name.
        let path = "extensions/tools/\(W.epochpkg.fileName)"
        #expect(W.epochpkg.fileName == "epochpkg-1.0-1.noarch.rpm")
        #expect(FileManager.default.fileExists(atPath: tree.output.appendingPathComponent(path).path))
        let packages = try #require(try tree.index().at("arches", "x86_64", "extensions", "tools", "packages") as? [[String: Any]])
        let entry = try #require(packages.first { $0["name"] as? String == W.epochpkg.name })
        #expect(entry["nevra"] as? String == W.epochpkg.nevra)
        #expect(entry["epoch"] as? Int == 2)
        #expect(entry["path"] as? String == path)
    }

    @Test func indexGivesEachFilesPathDigestAndSize() throws {
        let tree = try Self.tree()
        let exts = try #require(try tree.index().at("arches", "x86_64", "extensions") as? [String: [String: Any]])
        #expect(Set(exts.keys) == Set(W.listed.map(\.name)))
        var indexed = Set<String>()
        for (name, ext) in exts {
            #expect(ext["status"] as? String == "resolved", "\(name)")
            #expect(ext["kind"] as? String == (name == "kernel-devel" ? "development" : "os-extension"), "\(name)")
            let packages = ext["packages"] as? [[String: Any]] ?? []
            let listed = W.listed.first { $0.name == name }?.packages ?? []
            let expected = Set(listed.map(\.nevra)).union((W.dependencies[name] ?? []).map(\.nevra))
            #expect(Set(packages.compactMap { $0["nevra"] as? String }) == expected, "\(name)")
            for package in packages {
                let path = try #require(package["path"] as? String)
                indexed.insert(path)
                let file = tree.output.appendingPathComponent(path)
                #expect(package["sha256"] as? String == (try sha256(of: file)), "\(path)")
                let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
                #expect((package["size"] as? Int) == size, "\(path)")
                let isListed = listed.contains { $0.nevra == package["nevra"] as? String }
                #expect(package["role"] as? String == (isListed ? "listed" : "dependency"), "\(path)")
                let repo = W.extraPackages.contains { $0.nevra == package["nevra"] as? String } ? "extra" : "os"
                #expect(package["repo"] as? String == repo, "\(path)")
            }
        }
        #expect(indexed == Set(W.expectedTree), "every file is indexed, and only files that exist")
    }

    @Test func dependenciesSayWhichListedPackagePulledThemIn() throws {
        let tree = try Self.tree()
        func pulledBy(_ ext: String, _ package: FixturePackage) throws -> [String]? {
            let packages = try tree.index().at("arches", "x86_64", "extensions", ext, "packages") as? [[String: Any]] ?? []
            return packages.first { $0["nevra"] as? String == package.nevra }?["pulledBy"] as? [String]
        }
        #expect(try pulledBy("usbguard", W.libdeep) == [W.usbguard.name])
        #expect(try pulledBy("tools", W.libshared) == [W.toolbox.name])
        #expect(try pulledBy("tools", W.archlibX86) == [W.archtoolX86.name])
        #expect(try pulledBy("extra", W.extralib) == [W.extratool.name])
        #expect(try pulledBy("tools", W.toolbox) == [], "listed packages are pulled by nobody")
    }

    /// The index holds what decides the tree (no path or URL of this builder); the flat map is
    /// what koji's upload reads; where things came from is in the --format json outcome.
    @Test func indexRecordsSchemaInputsAndTheFlatPackageMap() throws {
        let tree = try Self.tree()
        let world = try W.get()
        let index = try tree.index()
        #expect(index["schemaVersion"] as? Int == 2)
        #expect((index["mox"] as? String)?.isEmpty == false)
        #expect(index.at("inputs", "extensionsSha256") as? String == (try sha256(of: tree.manifest)))
        let repos = try #require(index.at("inputs", "repos") as? [[String: Any]])
        #expect(Set(repos.compactMap { $0["id"] as? String }) == ["os", "extra"])
        #expect(repos.allSatisfy { $0["gpgcheck"] as? Bool == false && ($0["gpgkeys"] as? [String]) == [] }, "\(repos)")
        let text = try String(contentsOf: tree.output.appendingPathComponent("mox-index.json"), encoding: .utf8)
        for local in [world.osRepo.path, world.rootfs.path, tree.manifest.path, tree.cache.path] {
            #expect(!text.contains(local), "the index names \(local), a path of this builder")
        }
        #expect(index.at("arches", "x86_64", "basePackages") as? Int == W.base.count)
        #expect((index.at("arches", "x86_64", "baseSha256") as? String)?.count == 64)

        var expected: [String: String] = [:]
        for p in W.listed.flatMap(\.packages) + W.dependencies.values.joined() { expected[p.name] = "\(p.evr).\(p.arch)" }
        #expect(try tree.flat() == expected)
        #expect(index.at("arches", "x86_64", "packages") as? [String: String] == expected)

        // Provenance: the --format json outcome names the base, the repos' URLs and repomd digests.
        let json = try tree.compose(["--format", "json"])
        let outcome = try JSONDocument(json.stdout).root
        let bases = try #require(outcome.at("provenance", "bases") as? [[String: Any]])
        #expect(bases.first?["source"] as? String == world.rootfs.path)
        let provenance = try #require(outcome.at("provenance", "repos") as? [[String: Any]])
        for (id, dir) in [("os", world.osRepo), ("extra", world.extraRepo)] {
            let repo = try #require(provenance.first { $0["id"] as? String == id })
            #expect(repo["repomdSha256"] as? String == (try sha256(of: dir.appendingPathComponent("repodata/repomd.xml"))), "\(id)")
            #expect((repo["baseurl"] as? String)?.contains(dir.path) == true, "\(id): \(repo["baseurl"] ?? "-")")
        }
    }

    @Test func summaryNamesExtensionsPackagesBytesAndWhere() throws {
        let (run, result) = try Self.composed.get()
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = try W.expectedTree.reduce(0) { total, path in
            total + (try FileManager.default.attributesOfItem(atPath: run.output.appendingPathComponent(path).path)[.size] as? Int ?? 0)
        }
        #expect(line.hasPrefix("composed \(W.listed.count) extensions, \(W.expectedTree.count) packages, "), "\(line)")
        #expect(line.contains("(fetched \(W.expectedTree.count), "), "\(line)")
        #expect(line.hasSuffix("into \(run.output.path)"), "\(line)")
        #expect(bytes > 0)
        // In a pipeline progress is plain lines: one per fetched package, no terminal escapes.
        #expect(!result.stderr.contains("\u{1B}["))
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("fetched ") }.count == W.expectedTree.count,
                "\(result.stderr)")
    }
}
