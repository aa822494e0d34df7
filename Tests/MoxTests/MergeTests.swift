// `mox merge`: per-arch images composed by separate builders (own checkouts, caches, paths), merged,
// pushed to a real registry and pulled back by digest, are the single-host multi-arch build byte for
// byte; images of different extensions files, or an arch twice, are refused and nothing is written.
import Fixtures
import Foundation
import Testing

@Suite("mox merge: per-arch builders, one image")
struct MergeTests {
    typealias W = CheckWorld

    /// The x86_64 builder: ImageCompose's own checkout and cache.
    static let x86 = Result { try ImageCompose.made("merge-x86", ["--arch", "x86_64"]) }

    /// The aarch64 builder: another checkout (its own copies of the repos, base and extensions file,
    /// elsewhere), another cache, relative path spellings, another umask; returns its layout.
    static let arm: Result<URL, any Error> = Result {
        let world = try W.get()
        let checkout = try Fixtures.temporaryDirectory("merge-arm-checkout")
        removeAtExit(checkout)
        try Fixtures.run(["cp", "-a", world.osRepo.path, checkout.appendingPathComponent("os").path])
        try Fixtures.run(["cp", "-a", world.rootfs.path, checkout.appendingPathComponent("base").path])
        try ImageCompose.yaml.write(to: checkout.appendingPathComponent("ext.yaml"), atomically: true, encoding: .utf8)
        let reposd = checkout.appendingPathComponent("repos.d")
        try FileManager.default.createDirectory(at: reposd, withIntermediateDirectories: true)
        try "[os]\nname=os\nbaseurl=\(checkout.appendingPathComponent("os").path)/\ngpgcheck=0\n"
            .write(to: reposd.appendingPathComponent("os.repo"), atomically: true, encoding: .utf8)
        let argv = [try Mox.binary.path, "compose", "./ext.yaml", "--cachedir", "cache.d/", "--repos-dir", "./repos.d",
                    "--base-rootfs", "base/", "--arch", "aarch64", "--output", "./out", "--oci-layout", "img/"]
        let result = try Fixtures.run(["/bin/sh", "-c", "cd \(shellQuoted(checkout.path)) && umask 027 && "
            + "SOURCE_DATE_EPOCH=\(ImageCompose.epoch) exec " + argv.map(shellQuoted).joined(separator: " ")], allowFailure: true)
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stderr)") }
        return checkout.appendingPathComponent("img")
    }

    /// One host composing both arches.
    static let single = Result { try ImageCompose.made("merge-single", ["--arch", "aarch64", "--arch", "x86_64"]) }

    func merge(_ arguments: [String]) throws -> CommandResult {
        try Fixtures.run([try Mox.binary.path, "merge"] + arguments, allowFailure: true)
    }

    @Test func perArchBuildsMergedPushedAndPulledBackEqualTheSingleHostBuild() throws {
        let x86 = try Self.x86.get(), arm = try Self.arm.get(), single = try Self.single.get()
        let dir = try Fixtures.temporaryDirectory("merge-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        let merged = dir.appendingPathComponent("merged")
        let result = try merge([arm.path, "\(x86.layout.path):latest", "--oci-layout", merged.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")

        // The layout, blobs and index.json alike, is the single-host one.
        let expected = try LayoutReader(root: single.layout).snapshot(), got = try LayoutReader(root: merged).snapshot()
        #expect(got.keys.sorted() == expected.keys.sorted())
        for (path, bytes) in expected { #expect(got[path] == bytes, "\(path) differs from the single-host build") }
        let digest = try string(try LayoutReader(root: single.layout).tagged("latest")["digest"])
        let outcome = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((outcome?["layout"] as? [String: Any])?["digest"] as? String == digest)

        // Pushed as the pipeline pushes it, pulled back by digest: the same bytes.
        let registry = try Registry()
        defer { registry.stop() }
        try registry.push("oci:\(merged.path):latest", as: "extensions:4.16")
        let raw = try Fixtures.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/extensions:4.16"])
        #expect(Data(raw.stdout.utf8) == expected["blobs/sha256/" + digest.dropFirst(7)])
        let pulled = dir.appendingPathComponent("pulled")
        try Fixtures.run(["skopeo", "copy", "--quiet", "--all", "--src-tls-verify=false",
                          "docker://\(registry.host)/extensions@\(digest)", "oci:\(pulled.path):latest"])
        let back = try LayoutReader(root: pulled).snapshot().filter { $0.key.hasPrefix("blobs/") }
        #expect(back.keys.sorted() == expected.keys.filter { $0.hasPrefix("blobs/") }.sorted())
        for (path, bytes) in back { #expect(expected[path] == bytes, "\(path) changed through the registry") }
        #expect(try string(try LayoutReader(root: pulled).tagged("latest")["digest"]) == digest)
    }

    @Test func imagesOfDifferentExtensionsFilesAreRefused() throws {
        let x86 = try Self.x86.get()
        let other = try ImageCompose.made("merge-other-yaml", yaml: ImageCompose.yaml + "\n  more:\n    packages: [\(W.usbguard.name)]\n",
                                          ["--arch", "aarch64"])
        let out = other.directory.appendingPathComponent("merged")
        let result = try merge([x86.layout.path, other.layout.path, "--oci-layout", out.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("different extensions files"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "a refused merge writes nothing")
    }

    @Test func anArchGivenTwiceIsRefused() throws {
        let x86 = try Self.x86.get(), single = try Self.single.get()
        let out = try Fixtures.temporaryDirectory("merge-twice").appendingPathComponent("merged")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let result = try merge([single.layout.path, x86.layout.path, "--oci-layout", out.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("x86_64 is in both"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// An image mox did not compose does not say what it was composed from.
    @Test func anImageNotComposedByMoxIsRefused() throws {
        let x86 = try Self.x86.get()
        let dir = try Fixtures.temporaryDirectory("merge-foreign")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("root/usr/share", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let layout = dir.appendingPathComponent("foreign")
        let manifest = try OCIFixture.image(layers: [(dir.appendingPathComponent("root"), .gzip)], architecture: "arm64", in: layout)
        try OCIFixture.tag(manifest, as: "latest", in: layout)
        let result = try merge([x86.layout.path, layout.path, "--oci-layout", dir.appendingPathComponent("merged").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("dev.mox.extensions-digest"))
    }
}
