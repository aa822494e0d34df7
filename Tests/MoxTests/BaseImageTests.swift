// --base-image: the base read out of a real image's layers (made here with tar, gzip, zstd and
// the OCI JSON, or by skopeo), as the --base-rootfs of the same root filesystem would be.
import Fixtures
import Foundation
import Testing

/// Root filesystems with real rpmdbs (`rpm --justdb`) to build images from, made once.
struct BaseRoots: Sendable {
    /// The check world's base (usr/share/rpm).
    let world: URL
    /// Only glibc, so a test can tell which rpmdb was read.
    let small: URL
    /// The world's base plus x86_64 and aarch64 packages, for arch tests.
    let x86: URL
    let arm: URL

    static let shared: Result<BaseRoots, any Error> = Result {
        let world = try CheckWorld.get()
        let dir = try Fixtures.temporaryDirectory("base-roots")
        removeAtExit(dir)
        let small = dir.appendingPathComponent("small")
        try Fixtures.makeRootfs([world.osRepo.appendingPathComponent(CheckWorld.glibc.fileName)], at: small)
        let x86 = dir.appendingPathComponent("x86_64"), arm = dir.appendingPathComponent("aarch64")
        try Fixtures.makeRootfs(world.baseRPMs + [world.osRepo.appendingPathComponent(CheckWorld.archLibX86.fileName)], at: x86)
        try Fixtures.makeRootfs(world.baseRPMs + [world.osRepo.appendingPathComponent(CheckWorld.archLibARM.fileName)], at: arm)
        return BaseRoots(world: world.rootfs, small: small, x86: x86, arm: arm)
    }

    static func get() throws -> BaseRoots { try shared.get() }
}

@Suite("mox check --base-image")
struct BaseImageTests {
    typealias W = CheckWorld
    typealias Layer = (directory: URL, compression: OCIFixture.Compression)

    /// One test's folder: layer directories, layouts and the check run.
    struct Scene {
        let run: CheckRun
        var dir: URL { run.directory }

        init(_ label: String, yaml: String = BaseInputTests.yaml) throws { run = try CheckRun(label, yaml: yaml) }

        /// A new directory for one layer's content.
        func layer(_ name: String) throws -> URL {
            let url = dir.appendingPathComponent("layers/\(name)", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        /// Copies a root's rpmdb directory to `dbpath` under `layer`.
        func put(rpmdbOf root: URL, in layer: URL, at dbpath: String = "usr/share/rpm") throws {
            let target = layer.appendingPathComponent(dbpath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: root.appendingPathComponent("usr/share/rpm"), to: target)
        }

        /// Writes an image of `layers` as `oci:LAYOUT:tag` and returns that reference.
        func image(_ layers: [Layer], architecture: String = "amd64", tag: String = "base") throws -> String {
            let layout = dir.appendingPathComponent("layout")
            let manifest = try OCIFixture.image(layers: layers, architecture: architecture, in: layout)
            try OCIFixture.tag(manifest, as: tag, in: layout)
            return "oci:\(layout.path):\(tag)"
        }

        func check(_ base: String, _ arguments: [String] = []) throws -> CommandResult {
            try run.moxOnWorld(["-q", "--format", "json"] + arguments, base: ["--base-image", base])
        }
    }

    /// The world's base was read: dup fails as already in base, appA resolves without glibc.
    func expectWorldBase(_ result: CommandResult) throws {
        try BaseInputTests().expectSawWorldBase(result)
    }

    /// Only the small base (glibc) was read.
    func expectSmallBase(_ result: CommandResult) throws {
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).basePackages() == 1)
    }

    // MARK: Layers

    @Test(arguments: OCIFixture.Compression.allCases)
    func imageResolvesAsItsRootfsDoes(compression: OCIFixture.Compression) throws {
        let scene = try Scene("image-\(compression)")
        let roots = try BaseRoots.get()
        let fromImage = try scene.check(try scene.image([(roots.world, compression)]))
        try expectWorldBase(fromImage)
        let fromRootfs = try scene.run.moxOnWorld(["-q", "--format", "json"], base: ["--base-rootfs", roots.world.path])
        var image = try JSONDocument(fromImage.stdout).arches
        let rootfs = try JSONDocument(fromRootfs.stdout).arches
        // The image run also names the image; everything else is the same resolution.
        #expect((image.first?["baseImage"] as? [String: Any])?["digest"] as? String != nil)
        for i in image.indices { image[i]["baseImage"] = nil }
        #expect((image as NSArray).isEqual(rootfs), "the same resolution from the image and from its root filesystem")
    }

    @Test func upperLayerReplacesTheRpmdb() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("replace")
        try expectWorldBase(try scene.check(try scene.image([(roots.small, .gzip), (roots.world, .zstd)], tag: "up")))
        try expectSmallBase(try scene.check(try scene.image([(roots.world, .none), (roots.small, .gzip)], tag: "down")))
    }

    @Test func whiteoutHidesTheLowerLayersRpmdb() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("whiteout")
        // The small rpmdb is at usr/share/rpm, searched first; the upper layer whites it out and puts the
        // world's at var/lib/rpm, searched last.
        let directoryWhiteout = try scene.layer("dir-whiteout")
        try FileManager.default.createDirectory(at: directoryWhiteout.appendingPathComponent("usr/share"), withIntermediateDirectories: true)
        try Data().write(to: directoryWhiteout.appendingPathComponent("usr/share/.wh.rpm"))
        try scene.put(rpmdbOf: roots.world, in: directoryWhiteout, at: "var/lib/rpm")
        try expectWorldBase(try scene.check(try scene.image([(roots.small, .gzip), (directoryWhiteout, .gzip)], tag: "dir")))

        let fileWhiteout = try scene.layer("file-whiteout")
        try FileManager.default.createDirectory(at: fileWhiteout.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try Data().write(to: fileWhiteout.appendingPathComponent("usr/share/rpm/.wh.rpmdb.sqlite"))
        try scene.put(rpmdbOf: roots.world, in: fileWhiteout, at: "var/lib/rpm")
        try expectWorldBase(try scene.check(try scene.image([(roots.small, .zstd), (fileWhiteout, .none)], tag: "file")))
    }

    @Test func opaqueDirectoryHidesWhatLowerLayersPutInIt() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("opaque")
        let opaque = try scene.layer("opaque")
        try FileManager.default.createDirectory(at: opaque.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try Data().write(to: opaque.appendingPathComponent("usr/share/rpm/.wh..wh..opq"))
        try scene.put(rpmdbOf: roots.world, in: opaque, at: "var/lib/rpm")
        try expectWorldBase(try scene.check(try scene.image([(roots.small, .gzip), (opaque, .gzip)])))
    }

    @Test func linksAreFollowedInsideTheImage() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("links")
        let lower = try scene.layer("real")
        try scene.put(rpmdbOf: roots.world, in: lower, at: "usr/lib/sysimage/rpm-real")
        // A directory link with an absolute target, which means the image's /usr, not this machine's.
        let directoryLink = try scene.layer("dir-link")
        try FileManager.default.createDirectory(at: directoryLink.appendingPathComponent("var/lib"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directoryLink.appendingPathComponent("var/lib/rpm").path,
                                                   withDestinationPath: "/usr/lib/sysimage/rpm-real")
        try expectWorldBase(try scene.check(try scene.image([(lower, .gzip), (directoryLink, .gzip)], tag: "dir")))

        // A file link, relative.
        let fileLink = try scene.layer("file-link")
        try FileManager.default.createDirectory(at: fileLink.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fileLink.appendingPathComponent("usr/share/rpm/rpmdb.sqlite").path,
                                                   withDestinationPath: "../../lib/sysimage/rpm-real/rpmdb.sqlite")
        try expectWorldBase(try scene.check(try scene.image([(lower, .gzip), (fileLink, .gzip)], tag: "file")))

        // A link to this machine's file system is not followed there.
        let outside = try scene.layer("outside")
        try FileManager.default.createDirectory(at: outside.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: outside.appendingPathComponent("usr/share/rpm/rpmdb.sqlite").path,
                                                   withDestinationPath: roots.world.appendingPathComponent("usr/share/rpm/rpmdb.sqlite").path)
        let escaped = try scene.check(try scene.image([(outside, .gzip)], tag: "outside"))
        #expect(escaped.status == 2, "\(escaped.stderr)")
        #expect(escaped.stderr.contains("usr/share/rpm/rpmdb.sqlite"), "\(escaped.stderr)")
    }

    /// ostree's container export stores each file once as an object and hard-links the tree to it.
    @Test func hardLinkedRpmdbIsRead() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("hardlink")
        let layer = try scene.layer("ostree")
        let object = layer.appendingPathComponent("sysroot/ostree/repo/objects/ab/cdef.file")
        try FileManager.default.createDirectory(at: object.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: roots.world.appendingPathComponent("usr/share/rpm/rpmdb.sqlite"), to: object)
        try FileManager.default.createDirectory(at: layer.appendingPathComponent("usr/share/rpm"), withIntermediateDirectories: true)
        try FileManager.default.linkItem(at: object, to: layer.appendingPathComponent("usr/share/rpm/rpmdb.sqlite"))
        let reference = try scene.image([(layer, .gzip)])
        // tar stores the object first (sorted names) and the rpmdb as a hard link to it.
        let blobs = scene.dir.appendingPathComponent("layout/blobs/sha256")
        let listing = try FileManager.default.contentsOfDirectory(atPath: blobs.path).compactMap {
            try? Fixtures.run(["tar", "-tvzf", blobs.appendingPathComponent($0).path], allowFailure: true).stdout
        }.joined()
        #expect(listing.contains("usr/share/rpm/rpmdb.sqlite link to"), "\(listing)")
        try expectWorldBase(try scene.check(reference))
    }

    // MARK: References and arches

    @Test func indexGivesEachArchItsManifest() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("index", yaml: "repos: [os]\nextensions:\n  tools:\n    packages: [\(W.archToolX86.name)]\n")
        let layout = scene.dir.appendingPathComponent("layout")
        let amd64 = try OCIFixture.image(layers: [(roots.x86, .gzip)], architecture: "amd64", in: layout)
        let arm64 = try OCIFixture.image(layers: [(roots.arm, .zstd)], architecture: "arm64", in: layout)
        try OCIFixture.tag(try OCIFixture.index([("amd64", amd64), ("arm64", arm64)], in: layout), as: "multi", in: layout)
        try OCIFixture.tag(amd64, as: "amd64-only", in: layout)

        let result = try scene.check("oci:\(layout.path):multi", ["--arch", "x86_64", "--arch", "aarch64"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONDocument(result.stdout)
        // Each arch's archlib came from its own image: archtool needs nothing more on either.
        for arch in ["x86_64", "aarch64"] {
            #expect(json.basePackages(arch: arch) == W.base.count + 1)
            #expect(try json.nevras("tools", arch: arch) == [arch == "x86_64" ? W.archToolX86.nevra : W.archToolARM.nevra])
        }

        let wrong = try scene.check("oci:\(layout.path):amd64-only", ["--arch", "aarch64"])
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("amd64") && wrong.stderr.contains("arm64"), "\(wrong.stderr)")

        let missing = try scene.check("oci:\(layout.path):multi", ["--arch", "s390x"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("s390x") && missing.stderr.contains("linux/amd64"), "\(missing.stderr)")
    }

    @Test func archivesAndContainersStorageAreRead() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("archives")
        let reference = try scene.image([(roots.small, .gzip), (roots.world, .none)])
        for transport in ["oci-archive", "docker-archive"] {
            let archive = scene.dir.appendingPathComponent("\(transport).tar")
            try Fixtures.run(["skopeo", "copy", "--quiet", reference, "\(transport):\(archive.path)"])
            try expectWorldBase(try scene.check("\(transport):\(archive.path)"))
        }
        // podman's storage, in a store of the test's own (vfs: no mounts needed).
        let store = "containers-storage:[vfs@\(scene.dir.path)/storage+\(scene.dir.path)/run]localhost/base:test"
        try Fixtures.run(["skopeo", "copy", "--quiet", reference, store])
        try expectWorldBase(try scene.check(store))
    }

    @Test func secondRunReadsNoLayer() throws {
        let roots = try BaseRoots.get()
        let scene = try Scene("cached")
        let reference = try scene.image([(roots.world, .gzip)])
        try expectWorldBase(try scene.check(reference))
        // Without its layer blobs the image can only be served from the cache.
        let layout = scene.dir.appendingPathComponent("layout")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.appendingPathComponent(
            "blobs/sha256/" + (try manifestDigest(layout)).dropFirst(7)))) as? [String: Any]
        for layer in manifest?["layers"] as? [[String: Any]] ?? [] {
            try FileManager.default.removeItem(at: layout.appendingPathComponent("blobs/sha256/" + ((layer["digest"] as? String) ?? "").dropFirst(7)))
        }
        try expectWorldBase(try scene.check(reference))
        let fresh = try scene.run.moxOnWorld(["-q", "--cachedir", scene.dir.appendingPathComponent("other-cache").path],
                                             base: ["--base-image", reference])
        #expect(fresh.status == 3, "a fresh cache has to read the layers, which are gone: \(fresh.stderr)")
    }

    @Test func badReferencesAreInvalidInput() throws {
        let scene = try Scene("bad-refs")
        for (reference, words) in [("quay.io/org/node:4.19", "docker://"), ("oci:\(scene.dir.path)/none:x", "no such image"),
                                   ("docker:quay.io/x", "docker://")] {
            let result = try scene.check(reference)
            #expect(result.status == 2, "\(reference): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(reference): \(result.stderr)")
        }
    }

    /// The layout's only manifest digest under `tag` "base".
    func manifestDigest(_ layout: URL) throws -> String {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.appendingPathComponent("index.json"))) as? [String: Any]
        let entries = index?["manifests"] as? [[String: Any]] ?? []
        return try #require(entries.first?["digest"] as? String)
    }
}
