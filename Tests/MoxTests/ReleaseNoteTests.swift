// `mox diff` as the node operator's release note: between two builds, per extension, the %config
// files added, removed or changed (by digest), the scriptlets changed and the size deltas.
import Fixtures
import Foundation
import Testing

@Suite("mox diff: what changed for the node")
struct ReleaseNoteTests {
    static let first = FixturePackage("cfgpkg", release: "1", entries: [
        FixtureFile("/etc/cfgpkg.conf", .text("threshold=1"), attribute: "%config(noreplace)"),
        FixtureFile("/etc/cfgpkg/old.conf", .text("old"), attribute: "%config"),
        FixtureFile("/usr/bin/cfgpkg", .text("tool one")),
    ], scriptlets: ["post": "echo configured", "preun": "echo bye"])
    static let second = FixturePackage("cfgpkg", release: "2", entries: [
        FixtureFile("/etc/cfgpkg.conf", .text("threshold=2 and a longer file"), attribute: "%config(noreplace)"),
        FixtureFile("/etc/cfgpkg/new.conf", .text("new"), attribute: "%config"),
        FixtureFile("/usr/bin/cfgpkg", .text("tool two, somewhat larger than the first")),
    ], scriptlets: ["post": "echo configured differently", "preun": "echo bye"])
    static let yaml = "repos: [os]\nextensions:\n  cfg:\n    packages: [cfgpkg]\n"

    /// Composes the build of `package` (in a repo of its own) into `dir/out-<release>`.
    static func compose(_ package: FixturePackage, in dir: URL, base: URL) throws -> (tree: URL, rpm: URL) {
        let repo = dir.appendingPathComponent("repo-\(package.release)", isDirectory: true)
        let rpm = try Fixtures.makeRepo([package], at: repo)[0]
        let reposDir = dir.appendingPathComponent("repos-\(package.release)", isDirectory: true)
        try Fixtures.writeRepoFile(id: "os", baseURL: repo.absoluteString, in: reposDir)
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
        let tree = dir.appendingPathComponent("out-\(package.release)")
        let result = try Fixtures.run([try Mox.binary.path, "compose", manifest.path, "--arch", "x86_64", "--repos-dir",
                                       reposDir.path, "--base-rootfs", base.path, "--cachedir",
                                       dir.appendingPathComponent("cache").path, "--output", tree.path], allowFailure: true)
        guard result.status == 0 else { throw MoxTestError("compose failed: \(result.stderr)") }
        return (tree, rpm)
    }

    /// `rpm -qp --qf FORMAT` of a package: rpm's own reading, to compare with.
    static func query(_ rpm: URL, _ format: String) throws -> String {
        try Fixtures.run(["rpm", "-qp", "--qf", format, rpm.path]).stdout
    }

    @Test func aChangedNoreplaceConfigFileIsReportedByPathAndExtension() throws {
        let dir = try Fixtures.temporaryDirectory("release-note")
        removeAtExit(dir)
        // The scriptlets need /bin/sh: the base has it.
        let shell = try Fixtures.buildRPMs([FixturePackage("shell", files: ["/bin/sh"])],
                                           into: dir.appendingPathComponent("base-rpms", isDirectory: true))
        let base = dir.appendingPathComponent("rootfs", isDirectory: true)
        try Fixtures.makeRootfs(shell, at: base)
        let old = try Self.compose(Self.first, in: dir, base: base)
        let new = try Self.compose(Self.second, in: dir, base: base)

        let json = try Fixtures.run([try Mox.binary.path, "diff", "--format", "json", old.tree.path, new.tree.path],
                                    allowFailure: true)
        #expect(json.status == 1, "\(json.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        let notes = document["extensions"] as? [[String: Any]] ?? []
        let cfg = notes.first { $0["extension"] as? String == "cfg" && $0["arch"] as? String == "x86_64" }
        let configs = cfg?["config"] as? [[String: Any]] ?? []
        func config(_ path: String) -> [String: Any]? { configs.first { $0["path"] as? String == path } }
        // rpm's own digests of the two builds' config file.
        let digests = try [old.rpm, new.rpm].map {
            try Self.query($0, "[%{FILEDIGESTS} %{FILENAMES}\\n]").split(separator: "\n")
                .first { $0.hasSuffix(" /etc/cfgpkg.conf") }.map { String($0.prefix { $0 != " " }) } ?? ""
        }
        #expect(config("/etc/cfgpkg.conf")?["kind"] as? String == "changed", "\(json.stdout)")
        #expect(config("/etc/cfgpkg.conf")?["old"] as? String == digests[0])
        #expect(config("/etc/cfgpkg.conf")?["new"] as? String == digests[1])
        #expect(config("/etc/cfgpkg.conf")?["noreplace"] as? Bool == true)
        #expect(config("/etc/cfgpkg.conf")?["package"] as? String == "cfgpkg.noarch")
        #expect(config("/etc/cfgpkg/new.conf")?["kind"] as? String == "added")
        #expect(config("/etc/cfgpkg/old.conf")?["kind"] as? String == "removed")
        #expect(config("/usr/bin/cfgpkg") == nil, "not a %config file")
        let scriptlets = cfg?["scriptlets"] as? [[String: Any]] ?? []
        #expect(scriptlets.count == 1 && scriptlets.first?["scriptlet"] as? String == "post"
                && scriptlets.first?["kind"] as? String == "changed", "preun did not change: \(scriptlets)")
        // Sizes against the files themselves and rpm's LONGSIZE.
        let download = try [old.rpm, new.rpm].map { try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int64 ?? -1 }
        let installed = try [old.rpm, new.rpm].map { Int64(try Self.query($0, "%{LONGSIZE}")) ?? -1 }
        let size = cfg?["size"] as? [String: Any]
        #expect((size?["download"] as? [String: Any])?["old"] as? Int64 == download[0])
        #expect((size?["download"] as? [String: Any])?["new"] as? Int64 == download[1])
        #expect((size?["installed"] as? [String: Any])?["delta"] as? Int64 == installed[1] - installed[0], "\(json.stdout)")

        let text = try Fixtures.run([try Mox.binary.path, "diff", old.tree.path, new.tree.path], allowFailure: true)
        #expect(text.status == 1)
        #expect(text.stdout.contains("x86_64 cfg: %config /etc/cfgpkg.conf changed (cfgpkg.noarch, noreplace"), "\(text.stdout)")
        #expect(text.stdout.contains("x86_64 cfg: cfgpkg.noarch scriptlets: %post changed"), "\(text.stdout)")
        #expect(text.stdout.contains("x86_64 cfg: extension size: download"), "\(text.stdout)")
    }
}
