// Checks that the Fixtures library makes what the resolver tests rely on: real RPMs, repos, rpmdbs.
import Foundation
import Testing
import Fixtures

@Suite("Fixtures build real rpm material")
struct FixturesWorkTests {
    /// Reads one header tag of a built package with rpm itself.
    func query(_ rpm: URL, _ format: String) throws -> String {
        try Fixtures.run(["rpm", "-qp", "--qf", format, rpm.path]).stdout
    }

    @Test("each package gets the arch it asked for, whatever the host",
          arguments: ["noarch", "x86_64", "aarch64", "s390x"])
    func packageHasRequestedArch(arch: String) throws {
        let dir = try Fixtures.temporaryDirectory("arch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rpms = try Fixtures.buildRPMs([FixturePackage("tool", arch: arch, files: ["/usr/bin/tool"])], into: dir)
        #expect(rpms == [dir.appendingPathComponent("tool-1.0-1.\(arch).rpm")])
        #expect(try query(rpms[0], "%{ARCH}") == arch)
    }

    @Test func headersCarryEpochAndEveryKindOfDependency() throws {
        let dir = try Fixtures.temporaryDirectory("deps")
        defer { try? FileManager.default.removeItem(at: dir) }
        let package = FixturePackage(
            "libfoo", version: "2.1", release: "3.el9", epoch: 2, arch: "x86_64",
            requires: ["bar >= 2.0", "(baz or qux)", "/usr/bin/foo"],
            provides: ["libfoo.so.2()(64bit)"], conflicts: ["oldfoo < 1.0"],
            obsoletes: ["foo-compat"], recommends: ["foo-docs"],
            files: ["/usr/lib64/libfoo.so.2"], size: 4096)
        #expect(package.nevra == "libfoo-2:2.1-3.el9.x86_64")
        let rpm = try #require(try Fixtures.buildRPMs([package], into: dir).first)

        #expect(try query(rpm, "%{EPOCH}:%{VERSION}-%{RELEASE}") == "2:2.1-3.el9")
        let requires = try Fixtures.run(["rpm", "-qp", "--requires", rpm.path]).stdout
        #expect(requires.contains("bar >= 2.0"))
        #expect(requires.contains("(baz or qux)"))
        #expect(requires.contains("/usr/bin/foo"))
        #expect(try Fixtures.run(["rpm", "-qp", "--provides", rpm.path]).stdout.contains("libfoo.so.2()(64bit)"))
        #expect(try Fixtures.run(["rpm", "-qp", "--conflicts", rpm.path]).stdout.contains("oldfoo < 1.0"))
        #expect(try Fixtures.run(["rpm", "-qp", "--obsoletes", rpm.path]).stdout.contains("foo-compat"))
        #expect(try Fixtures.run(["rpm", "-qp", "--recommends", rpm.path]).stdout.contains("foo-docs"))
        let files = try Fixtures.run(["rpm", "-qp", "--list", rpm.path]).stdout
        #expect(files.contains("/usr/lib64/libfoo.so.2"))
        #expect(files.contains("/usr/share/fixture-payload/libfoo.x86_64.bin"))
    }

    @Test func repoAndRootfsAreReadableByRpmTools() throws {
        let dir = try Fixtures.temporaryDirectory("repo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let packages = [
            FixturePackage("base-lib", arch: "x86_64", files: ["/usr/lib64/libbase.so.1"]),
            FixturePackage("base-tool", arch: "aarch64", requires: ["base-lib"]),
            FixturePackage("base-data", version: "9", files: ["/usr/share/base/data"]),
        ]
        let repo = dir.appendingPathComponent("repo")
        let rpms = try Fixtures.makeRepo(packages, at: repo)
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent("repodata/repomd.xml").path))

        let root = dir.appendingPathComponent("root")
        try Fixtures.makeRootfs(rpms, at: root)
        #expect(try Fixtures.installedNEVRAs(root: root) == packages.map(\.nevra).sorted())
    }

    @Test func emptyRootfsHasAnEmptyRpmdb() throws {
        let root = try Fixtures.temporaryDirectory("empty-root")
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.makeRootfs([], at: root)
        #expect(try Fixtures.installedNEVRAs(root: root).isEmpty)
    }

    @Test func failingCommandCanBeInspectedOrThrown() throws {
        let result = try Fixtures.run(["sh", "-c", "echo out; echo err >&2; exit 3"], allowFailure: true)
        #expect(result.status == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(throws: FixtureError.commandFailed(argv: ["sh", "-c", "exit 4"], status: 4, stderr: "")) {
            try Fixtures.run(["sh", "-c", "exit 4"])
        }
    }

    @Test func productsDirectoryHoldsTheBuiltMox() throws {
        let products = try #require(Fixtures.productsDirectory)
        #expect(FileManager.default.isExecutableFile(atPath: products.appendingPathComponent("mox").path))
    }

    @Test func packageThatSpecCannotExpressIsRejected() throws {
        let dir = try Fixtures.temporaryDirectory("invalid")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FixtureError.self) {
            try Fixtures.buildRPMs([FixturePackage("bad", version: "1-2")], into: dir)
        }
    }
}
