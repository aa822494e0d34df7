// --treefile: the repos of an rpm-ostree treefile (through its includes) serve every extension,
// with .repo files found beside the treefile, as rpm-ostree compose extensions finds them.
import Fixtures
import Foundation
import Testing

@Suite("--treefile repos")
struct TreefileInputTests {
    /// A checkout laid out as older openshift/os: the treefile includes the file naming the repos,
    /// the .repo files sit beside the treefile, and the extensions file names no repos of its own.
    func checkout(_ label: String) throws -> (dir: URL, extensions: URL, treefile: URL) {
        let world = try CheckWorld.get()
        let dir = try Fixtures.temporaryDirectory(label)
        removeAtExit(dir)
        let osRepo = try String(contentsOf: world.reposDirectory.appendingPathComponent("os.repo"), encoding: .utf8)
        try osRepo.write(to: dir.appendingPathComponent("os.repo"), atomically: true, encoding: .utf8)
        try "ref: rhcos/${basearch}\ninclude: rhcos-base.json\npackages: [kernel]\n"
            .write(to: dir.appendingPathComponent("manifest.yaml"), atomically: true, encoding: .utf8)
        try #"{"repos": ["os"], "releasever": "9"}"#.write(to: dir.appendingPathComponent("rhcos-base.json"), atomically: true,
                                                             encoding: .utf8)
        let extensions = dir.appendingPathComponent("extensions/extensions.yaml")
        try FileManager.default.createDirectory(at: extensions.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "extensions:\n  usbguard:\n    packages: [usbguard]\n".write(to: extensions, atomically: true, encoding: .utf8)
        return (dir, extensions, dir.appendingPathComponent("manifest.yaml"))
    }

    func check(_ arguments: [String]) throws -> CommandResult {
        try Fixtures.run([try Mox.binary.path, "check", "--arch", "x86_64", "--format", "json",
                          "--base-rootfs", try CheckWorld.get().rootfs.path] + arguments, allowFailure: true)
    }

    @Test func theTreefilesIncludedReposResolveTheExtensions() throws {
        let (dir, extensions, treefile) = try checkout("treefile-repos")
        let cache = dir.appendingPathComponent("cache").path
        let with = try check([extensions.path, "--treefile", treefile.path, "--cachedir", cache])
        #expect(with.status == 0, "\(with.stdout)\n\(with.stderr)")
        let report = try JSONDocument(with.stdout)
        #expect(try report.status("usbguard") == "resolved")
        #expect(try report.nevras("usbguard").contains(CheckWorld.usbguard.nevra), "\(with.stdout)")
        // Without the treefile the extension has no repo to come from.
        let without = try check([extensions.path, "--repos-dir", dir.path, "--cachedir", cache])
        #expect(without.status == 1)
        #expect(try JSONDocument(without.stdout).failureText("usbguard").contains("no repos"), "\(without.stdout)")
    }

    @Test func aRepoTheTreefileNamesButNoRepoFileDefinesIsAnInputError() throws {
        let (dir, extensions, _) = try checkout("treefile-undefined")
        let treefile = dir.appendingPathComponent("other.yaml")
        try "include: rhcos-base.json\nrepos: [missing-repo]\n".write(to: treefile, atomically: true, encoding: .utf8)
        let result = try check([extensions.path, "--treefile", treefile.path, "--cachedir", dir.appendingPathComponent("cache").path])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(treefile.path) && result.stderr.contains("missing-repo"), "\(result.stderr)")
        let loop = dir.appendingPathComponent("loop.yaml")
        try "include: loop.yaml\n".write(to: loop, atomically: true, encoding: .utf8)
        let looped = try check([extensions.path, "--treefile", loop.path])
        #expect(looped.status == 2 && looped.stderr.contains("include loop"), "\(looped.stderr)")
    }
}
